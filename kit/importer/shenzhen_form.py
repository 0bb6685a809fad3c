"""The Shenzhen layout's entry: a PDF's ruled cells (``shenzhen_pdf``) or the text layer (``shenzhen``)."""
from __future__ import annotations

from .record import Record
from .shenzhen import TextLayout, finish
from .shenzhen_pdf import CellLayout
from .sources import Form


def import_form(form: Form, record: Record) -> None:
    """Fill ``record.doc`` from a Shenzhen form."""
    if form.kind == "pdf" and form.tables:
        CellLayout(form, record).run()
    else:
        TextLayout(form, record).run()
    finish(form, record)
