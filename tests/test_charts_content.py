"""The report's charts show what they showed when matplotlib drew them: for every data file
shipped in data/, each chart's titles, labels, scales, limits, bars (position, length, colour),
texts and legend equal what the former drawing code (benchmarks/legacy_charts.py, the "before"
of the chart benchmark) draws from the same department and audit, compared live so the test
follows every change of the data files and the audit. The kit now writes each chart as an inline
SVG (kit/report/svg.py): the SVG draws every bar and text of that content, as text."""
from __future__ import annotations

import importlib.util
import re
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from chart_content import chart_content, content

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("legacy_charts", ROOT / "benchmarks" / "legacy_charts.py")
legacy = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(legacy)
SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("data", sorted((ROOT / "data").glob("*.yaml")), ids=lambda p: p.stem)
def test_charts_show_the_same_content_as_before(data):
    from kit.engine.audit import run_audit
    from kit.files.load import load_department
    from kit.report import charts

    dept = load_department(data)
    audit = run_audit(dept)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a family without scores has no legend entry
        for name in ("budget_chart", "tasks_chart"):
            assert chart_content(getattr(charts, name)(dept)) == content(getattr(legacy, name)(dept)), name
        assert chart_content(charts.scores_chart(audit)) == content(legacy.scores_chart(audit)), "scores_chart"


def test_content_comparison_can_fail(sample):
    """One task's amount changed: the comparison sees it (the test above is not trivially true)."""
    import dataclasses

    from kit.report import charts

    chart = charts.tasks_chart(sample)
    before = chart_content(chart)
    chart.panels[0].bars[0] = dataclasses.replace(chart.panels[0].bars[0], width=chart.panels[0].bars[0].width * 1.01)
    assert chart_content(chart) != before


def _texts(svg: str) -> list[str]:
    return ["".join(t.itertext()) for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_svg_draws_every_bar_and_text_of_the_content(sample):
    from kit.engine.audit import run_audit
    from kit.report import charts
    from kit.report.svg import chart_svg

    audit = run_audit(sample)
    for chart in (charts.budget_chart(sample), charts.tasks_chart(sample), charts.scores_chart(audit)):
        svg = chart_svg(chart)
        root = ET.fromstring(svg)  # well-formed XML
        texts = _texts(svg)
        for p in chart.panels:
            for t in [p.title, p.xlabel, *p.yticklabels, *(n.text.strip() for n in p.notes), *(n for n, _ in p.legend)]:
                assert t in texts, t
        drawn = [r for r in root.iter(f"{SVG}rect") if r.get("fill") not in ("#ffffff",)]
        # a bar of length 0 (a score of 0) has nothing to draw
        bars = sum(1 for p in chart.panels for b in p.bars if b.width) + sum(len(p.legend) for p in chart.panels)
        assert len(drawn) == bars
        assert root.get("aria-label") == chart.alt and chart.alt


def test_svg_is_repeatable_and_self_contained(sample):
    """Same bytes twice; nothing that runs, loads or clashes with the page's other charts."""
    from kit.report import charts
    from kit.report.svg import chart_svg

    a, b = chart_svg(charts.tasks_chart(sample)), chart_svg(charts.tasks_chart(sample))
    assert a == b and a.startswith("<svg")
    assert not re.search(r"<script|\son\w+=|\sid=|href|url\(", a, re.I)


def test_department_text_in_a_chart_is_text_as_written(tmp_path):
    """'$x^2$', '<script>' and '&' in task names are drawn literally (escaped in the SVG markup)."""
    import dataclasses

    from kit.files.load import load_department
    from kit.report import charts
    from kit.report.svg import chart_svg

    dept = load_department(ROOT / "data" / "022006-2022.yaml")
    names = ["$x^2$ & <b>", "<script>alert(1)</script>"]
    tasks = [dataclasses.replace(t, name=n) for t, n in zip(dept.tasks, names)]
    svg = chart_svg(charts.tasks_chart(dataclasses.replace(dept, tasks=tasks)))
    assert "<script" not in svg and "<b>" not in svg
    texts = _texts(svg)
    assert "1. $x^2$ & <b>" in texts and "2. <script>alert(1…" in texts


LOADABLE_AMOUNTS = ("amount-extremes-mixed", "amount-junk-digits", "amount-negative", "amount-huge",
                    "amount-negative-huge", "amount-wan-mixed", "dollar-math-in-names")


@pytest.mark.parametrize("data", sorted((ROOT / "data").glob("*.yaml"))
                         + [ROOT / "tests" / "corpus" / "yaml" / f"{n}.yaml" for n in LOADABLE_AMOUNTS],
                         ids=lambda p: p.stem)
def test_every_amount_axis_has_at_least_two_labelled_ticks(data):
    """An amount axis a reader can read: two or more labelled values, inside the axis' limits,
    however narrow or wide the amounts (a log axis over less than a decade, or over 27)."""
    from kit.engine.audit import run_audit
    from kit.files.load import load_department
    from kit.report import charts
    from kit.report.svg import log_ticks, nice_ticks

    dept = load_department(data)
    for chart in (charts.budget_chart(dept), charts.tasks_chart(dept), charts.scores_chart(run_audit(dept))):
        for p in chart.panels:
            lo, hi = p.xlim
            ticks = log_ticks(lo, hi, 400)[0] if p.xscale == "log" else nice_ticks(lo, hi, 400)
            assert len(ticks) >= 2 and all(lo * (1 - 1e-9) <= t <= hi * (1 + 1e-9) for t in ticks), (p.title, p.xlim, ticks)
