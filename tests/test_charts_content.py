"""The report's charts show what they showed before they were drawn more cheaply (no
constrained layout, one bar call per series, no tick made only to be found): for every data
file shipped in data/, each chart's titles, labels, scales, limits, bars (position, length,
colour), texts and legend equal the content recorded from the former drawing code
(tests/assets/chart_content.json)."""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from chart_content import content

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = json.loads((Path(__file__).parent / "assets" / "chart_content.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("data", sorted((ROOT / "data").glob("*.yaml")), ids=lambda p: p.stem)
def test_charts_show_the_same_content_as_before(data):
    from kit.audit import run_audit
    from kit.load import load_department
    from kit.report import charts

    dept = load_department(data)
    audit = run_audit(dept)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a family without scores has no legend entry
        got = {"budget_chart": content(charts.budget_chart(dept)), "tasks_chart": content(charts.tasks_chart(dept)),
               "scores_chart": content(charts.scores_chart(audit))}
    for name, shown in got.items():
        assert shown == GOLDEN[f"{data.stem}/{name}"], name


def test_chart_png_is_deterministic_and_not_blank():
    from kit.load import load_department
    from kit.report import charts

    dept = load_department(ROOT / "data" / "022006-2022.yaml")
    a, b = charts.figure_png(charts.tasks_chart(dept)), charts.figure_png(charts.tasks_chart(dept))
    assert a == b and a[:8] == b"\x89PNG\r\n\x1a\n" and len(a) > 10_000
