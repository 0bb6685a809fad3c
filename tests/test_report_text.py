"""Department text reaches the page and the charts as text: controls and bidi overrides shown, not obeyed."""
from __future__ import annotations

import warnings

from audit_variants import audit, sample_doc, task

from kit.report import sections as s
from kit.report import summary


def test_controls_and_bidi_overrides_are_shown_not_obeyed():
    doc = sample_doc()
    task(doc, "租赁费")["name"] = "租赁费\u202e反向\x1b[31m红"
    a = audit(doc)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a control drawn as a missing glyph would warn
        parts = [*s.tasks_section(a.department), s.problems_table(a), summary.conclusion(a)]
    page = "".join(str(p) for p in parts)
    assert "\u202e" not in page and "\x1b" not in page
    assert "\\u202e" in page and "\\x1b" in page
