"""A plain document from any reader → a ``Department``, with the guards every format shares.

Both readers (``load`` for YAML, ``xlsxio`` for workbooks) hand their document here rather
than to ``model.build_department`` directly, so what applies to text from outside is done once:
text that cannot be encoded (lone surrogates from a ``\\uD800`` or ``_xD800_`` escape) is
replaced with U+FFFD and listed as a load finding at its block, row and field.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from ..model import Department, LoadFinding, Source, build_department
from ..model.build import _describe as describe  # the form's Chinese terms for a document path
from ..core.text import REPLACEMENT, scrub_surrogates
from ..core.values import NOTE_TEXT

UNENCODABLE = "unencodable"
UNENCODABLE_TEXT = NOTE_TEXT[UNENCODABLE].format(replacement=REPLACEMENT)


def build(doc: Any, source: Source, locate=None, required=("budget",)) -> Department:
    """``build_department`` on a document made encodable; every replacement is a load finding.

    ``required``: the blocks the file's family needs (``kit.families``)."""
    changed = scrub_surrogates(doc)
    dept = build_department(doc, source, locate, required)
    if not changed:
        return dept
    findings = []
    for path, text in changed:
        block, row, field = describe(path)
        where = locate(path) if locate else None
        if isinstance(where, tuple):  # (sheet, row) from the workbook reader
            block, row = where
        findings.append(LoadFinding(UNENCODABLE, "warning", block, row, field, text, UNENCODABLE_TEXT))
    return dataclasses.replace(dept, load_findings=dept.load_findings + tuple(findings))
