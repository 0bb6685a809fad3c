"""``kit import``: a published form (PDF, its text layer, a saved web page) → the kit's document.

``import_form(path, family=None)`` reads the form (``sources``), chooses its template family
from the content unless one is given (``detect``), lets that family's layout module place
every printed value (``shenzhen`` ...) through an import ``Record`` that keeps where each value
was printed and how it was placed, and checks that the document loads as a department.
Returns ``(document, record)``; raises ``KitError`` (``FormError``) when the form cannot be read.
"""
from __future__ import annotations

from pathlib import Path

from ..errors import KitError, LoadError, Problem
from .detect import FAMILIES, by_id, detect
from .record import Record, import_note_html
from .sources import Form, FormError, read_form

__all__ = ["FAMILIES", "Form", "FormError", "Record", "import_form", "import_note_html", "read_form"]


def import_form(path: str | Path, family: str | None = None) -> tuple[dict, Record]:
    """Import one published form: ``(document, record)``."""
    path = Path(path)
    if family is not None:
        fam = by_id(family, str(path))
    form = read_form(path)
    if family is None:
        fam, reason = detect(form)
        chosen = "detected"
    else:
        reason, chosen = "由 --family 指定", "given"
    record = Record(
        source={"file": form.name, "sha256": form.sha256, "kind": form.kind, "bytes": form.size, "pages": form.pages}
    )
    record.family = {"id": fam.id, "title": fam.title, "chosen": chosen, "reason": reason}
    for note in form.notes:
        record.note(note)
    if not fam.supported:
        raise FormError(Problem(f"识别为“{fam.title}”（{fam.id}），该表式的导入版式尚未实现", file=str(path),
                                expected="深圳市部门整体支出绩效自评表（shenzhen_2022）"))
    from . import shenzhen

    shenzhen.import_form(form, record)
    _check_loads(record.doc, path)
    return record.doc, record


def _check_loads(doc: dict, path: Path) -> None:
    """The document must load as a department, or the import has failed (said plainly)."""
    from ..model import build_department

    try:
        build_department(doc)
    except LoadError as exc:
        problems = [Problem("导入结果不能作为部门数据加载：" + p.message, file=str(path), block=p.block, row=p.row,
                            field=p.field, value=p.value, expected=p.expected) for p in exc.problems]
        raise FormError(problems) from None
    except KitError:
        raise
