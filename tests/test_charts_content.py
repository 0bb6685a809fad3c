"""The report's charts show what they showed before they were drawn more cheaply (no
constrained layout, one bar call per series, no tick made only to be found): for every data
file shipped in data/, each chart's titles, labels, scales, limits, bars (position, length,
colour), texts and legend equal what the former drawing code (benchmarks/legacy_charts.py, the
"before" of the chart benchmark) draws from the same department and audit, compared live so the
test follows every change of the data files and the audit."""
from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path

import pytest

from chart_content import content

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("legacy_charts", ROOT / "benchmarks" / "legacy_charts.py")
legacy = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(legacy)


@pytest.mark.parametrize("data", sorted((ROOT / "data").glob("*.yaml")), ids=lambda p: p.stem)
def test_charts_show_the_same_content_as_before(data):
    from kit.audit import run_audit
    from kit.load import load_department
    from kit.report import charts

    dept = load_department(data)
    audit = run_audit(dept)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a family without scores has no legend entry
        for name in ("budget_chart", "tasks_chart"):
            assert content(getattr(charts, name)(dept)) == content(getattr(legacy, name)(dept)), name
        assert content(charts.scores_chart(audit)) == content(legacy.scores_chart(audit)), "scores_chart"


def test_chart_png_is_deterministic_and_not_blank():
    from kit.load import load_department
    from kit.report import charts

    dept = load_department(ROOT / "data" / "022006-2022.yaml")
    a, b = charts.figure_png(charts.tasks_chart(dept)), charts.figure_png(charts.tasks_chart(dept))
    assert a == b and a[:8] == b"\x89PNG\r\n\x1a\n" and len(a) > 10_000
