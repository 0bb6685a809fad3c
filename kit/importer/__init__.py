"""``kit import``: a published form (PDF, its text layer, a saved web page) → the kit's document.

``import_form(path, family=None)`` reads the form (``sources``), chooses its template family
from the content unless one is given (``detect``), lets that family's layout module place
every printed value (``shenzhen`` ...) through an import ``Record`` that keeps where each value
was printed and how it was placed, and checks that the document loads as a department.
Returns ``(document, record)``; raises ``KitError`` (``FormError``) when the form cannot be read.
"""
from __future__ import annotations

import importlib
from pathlib import Path

from ..errors import KitError, LoadError, Problem
from ..families import DEFAULT_FAMILY
from .detect import LAYOUTS, by_id, detect, layout_of
from .record import Record, import_note_html
from .sources import Form, FormError, read_form

__all__ = ["LAYOUTS", "Form", "FormError", "Record", "import_form", "import_note_html", "read_form"]


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
    module = importlib.import_module(f".{layout_of(fam, str(path))}", __name__)
    module.import_form(form, record)
    if fam.id != DEFAULT_FAMILY:
        record.doc = {"format": record.doc.pop("format", "kit-dept/1"), "family": fam.id, **record.doc}
    _check_loads(record.doc, path, fam)
    return record.doc, record


def _check_loads(doc: dict, path: Path, fam) -> None:
    """The document must load as a department, or the import has failed (said plainly)."""
    from ..model import build_department

    try:
        build_department(doc, required=fam.required)
    except LoadError as exc:
        problems = [Problem("导入结果不能作为部门数据加载：" + p.message, file=str(path), block=p.block, row=p.row,
                            field=p.field, value=p.value, expected=p.expected) for p in exc.problems]
        raise FormError(problems) from None
    except KitError:
        raise
