"""``kit import``: a published form (PDF, its text layer, a saved web page) → the kit's document.

``import_forms(path, family=None)`` reads the file (``sources``), tries every template family
against what it prints unless one is given (``detect``: words and printed frame of weights, as
data), lets the first fitting family's layout module (named by ``import_layout`` in its
family.yaml; one whose layout finds none of its blocks is marked as not fitting and the next is
tried; a form no family fits is read as ``generic`` by the generic table reader ``tables``)
place every printed value through an import
``Record`` that keeps where each value was printed and how it was placed, and checks that each
document loads as a department. The families tried, and why the chosen one fits, go to the
record (``record.detection``) and, when the model holds it, to the document (``detection:``).
A file may hold several forms (a web page publishing two
project forms one after the other): one ``(document, record)`` each. ``import_form`` is the
same for a file that holds one form. Both raise ``KitError`` (``FormError``) when the form
cannot be read.

A layout module defines ``import_form(form, record)`` (one form per file) or
``import_forms(form, new_record) -> list[Record]`` (it splits the file itself; ``new_record()``
gives a fresh record with the source and family filled in).
"""
from __future__ import annotations

import importlib
from pathlib import Path

from ..core.errors import KitError, LoadError, NotThisLayout, Problem
from ..families import DEFAULT_FAMILY
from .detect import by_id, detect_all, fallback, layout_of
from .record import Record, import_note_html
from .sources import Form, FormError, read_form

__all__ = ["Form", "FormError", "Record", "import_form", "import_forms", "import_note_html", "read_form"]


def import_forms(path: str | Path, family: str | None = None) -> list[tuple[dict, Record]]:
    """Import every form a file holds: ``[(document, record), ...]`` in printed order."""
    path = Path(path)
    if family is not None:
        given = by_id(family, str(path))
    form = read_form(path)
    found = detect_all(form)
    if family is not None:
        reason, chosen = "由 --family 指定", "given"
        seen = found.candidates()
        if seen and seen[0].family.id != given.id:
            reason = f"由 --family 指定；按内容判断应为 {seen[0].family.id}（{seen[0].why}），请核对"
        return _finish(_read(form, given, reason, chosen, found), found, path)
    for cand in found.candidates():
        try:
            records = _read(form, cand.family, cand.why, "detected", found)
        except NotThisLayout as exc:  # the words fit, the printed structure does not: say so, try the next
            cand.fits = False
            cand.why = f"{cand.why}；但按该表式的版式读不出：{_first_message(exc)}"
            continue
        return _finish(records, found, path)  # any other refusal, and a document that does not load, stand
    fam, why = fallback(form, found)
    return _finish(_read(form, fam, why, "detected", found), found, path)


def _finish(records: list, found, path: Path) -> list[tuple[dict, Record]]:
    """The documents, each with its family and detection, checked to load as departments."""
    out = []
    for record, fam in records:
        if fam.id != DEFAULT_FAMILY:
            record.doc = {"format": record.doc.pop("format", "kit-dept/1"), "family": fam.id, **record.doc}
        det = found.block(fam.id, record.family["reason"])
        record.detection = det
        if _model_knows("detection"):
            record.doc["detection"] = det
        _check_loads(record.doc, path, fam)
        out.append((record.doc, record))
    return out


def _read(form, fam, reason: str, chosen: str, found) -> list:
    """Read the form with the family's layout module: ``[(record, family), ...]``."""
    module = importlib.import_module(f".{layout_of(fam, str(form.path))}", __name__)

    def new_record() -> Record:
        record = Record(source={"file": form.name, "sha256": form.sha256, "kind": form.kind, "bytes": form.size,
                                "pages": form.pages})
        record.family = {"id": fam.id, "title": fam.title, "chosen": chosen, "reason": reason}
        for note in form.notes:
            record.note(note)
        return record

    if hasattr(module, "import_forms"):
        records = module.import_forms(form, new_record)
    else:
        records = [new_record()]
        module.import_form(form, records[0])
    return [(r, fam) for r in records]


def _first_message(exc: FormError) -> str:
    problems = getattr(exc, "problems", None) or []
    return problems[0].message if problems else str(exc)


def _model_knows(key: str) -> bool:
    """Whether data files may hold this top-level block (the model grows with the families)."""
    from ..model import build

    return key in build._TOP_KEYS


def import_form(path: str | Path, family: str | None = None) -> tuple[dict, Record]:
    """Import a file holding one form: ``(document, record)``; a file with several forms is
    refused with a message (``import_forms`` reads them all)."""
    found = import_forms(path, family)
    if len(found) != 1:
        raise FormError(Problem(f"文件中有 {len(found)} 份表单", file=str(path),
                                expected="一份表单（kit import 会为每份表单各写一个数据文件）"))
    return found[0]


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
