"""The corpus of bad inputs (tests/corpus): every case gets the behaviour cases.yaml records.

Each case runs through the API (``kit.files.load.open_path``) and through the command line
(``kit validate``): unreadable input is a ``KitError`` and exit 2 with a message naming the
file and the listed words, never a traceback; readable input loads (exit 0), with its load
findings listed when the case expects some. Nothing a file holds reaches the terminal raw
(control characters, escape sequences, bidi overrides) or fails to encode. Every case that
loads also goes through ``kit check`` (table and JSON) and every section and chart of the report.
"""
from __future__ import annotations

import json
import os
import re
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml

from kit.commands.cli import main
from kit.core.errors import KitError, LoadError
from kit.files.load import load_department, open_path
from kit.model import to_document
from kit.files.xlsxio import read_workbook, write_workbook

CORPUS = Path(__file__).resolve().parent / "corpus"
sys.path.insert(0, str(CORPUS))
import make  # noqa: E402  (tests/corpus/make.py: generators for binary and huge cases)

ALL_CASES = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
# run: load (the default: kit.files.load and kit validate), import (kit import, tests/test_corpus_import.py)
# or rules (a rule file given to kit check --rules).
EXPECTS = {"load": {"load_error", "loads_with_findings", "loads"}, "import": {"import_error", "imported"},
           "rules": {"rules_error", "rules_ok"}}
CASES = [c for c in ALL_CASES if c.get("run", "load") == "load"]
LOADING = [c for c in CASES if c["expect"] != "load_error"]
# What a terminal would act on: C0 controls but tab and newline, DEL, C1 controls, line and paragraph
# separators, bidi marks/embeddings/overrides/isolates, and surrogates (which cannot be encoded at all).
TERMINAL_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def assert_terminal_safe(text: str) -> None:
    bad = TERMINAL_UNSAFE.search(text)
    assert bad is None, f"raw {bad.group()!r} reaches the terminal: {text[max(bad.start() - 40, 0):bad.end() + 40]!r}"
    text.encode("utf-8")  # strict: what the terminal (or a pipe) is given can be written


def escaped(text: str) -> str:
    """Text as the terminal shows it: what TERMINAL_UNSAFE matches as \\x1b or \\u202e."""
    return TERMINAL_UNSAFE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text)


def shown_name(path: Path) -> str:
    """A file name as a message shows it: bytes that are not UTF-8 as \\xff, controls escaped."""
    return escaped(os.fsencode(path.name).decode("utf-8", "backslashreplace"))


@pytest.fixture(scope="session")
def case_path(tmp_path_factory):
    """A case's file: committed, or generated once per session (the tests of a case only read it)."""
    made: dict[str, Path] = {}

    def path(case: dict) -> Path:
        if "file" in case:
            return CORPUS / case["file"]
        if case["id"] not in made:
            made[case["id"]] = make.make(case["make"], tmp_path_factory.mktemp("case"))
        return made[case["id"]]

    return path


def _ids(cases):
    return [c["id"] for c in cases]


# --- the table itself -----------------------------------------------------------------------
def test_corpus_table_is_complete():
    assert len(ALL_CASES) >= 150  # issue 14: at least 150 cases
    assert len({c["id"] for c in ALL_CASES}) == len(ALL_CASES)
    for c in ALL_CASES:
        assert c["expect"] in EXPECTS[c.get("run", "load")], c["id"]
        assert ("file" in c) != ("make" in c), c["id"]
        if "file" in c:
            assert (CORPUS / c["file"]).is_file(), c["file"]
        else:
            assert c["make"] in make.GENERATORS, c["make"]
        if c["expect"] not in ("loads", "imported", "rules_ok"):
            assert c["must_mention"], f"{c['id']}: say what the message must contain"
    # Every committed case file is in the table, and no committed file is large.
    listed = {c["file"] for c in ALL_CASES if "file" in c}
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.glob("*/*") if p.is_file()}
    assert on_disk == listed
    assert all(p.stat().st_size < 50_000 for p in CORPUS.glob("*/*") if p.is_file())  # the case files
    assert all(p.stat().st_size < 200_000 for p in CORPUS.glob("*") if p.is_file())  # the tables, the generators


def test_readme_lists_every_case():
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    missing = [c["id"] for c in ALL_CASES if f"`{c['id']}`" not in readme]
    assert not missing


# --- every case, through the API and the command line ----------------------------------------
@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_case_through_the_api(case, case_path):
    """``open_path`` gives what the case expects; ``load_department`` (a data file's own entry point)
    raises nothing but ``KitError`` either (anything else fails the test with its traceback)."""
    path = case_path(case)
    try:
        load_department(path)
    except KitError:
        pass
    if case["expect"] == "load_error":
        with pytest.raises(KitError) as exc:
            open_path(path)
        text = str(exc.value)
        assert exc.value.problems
        for word in case["must_mention"]:  # the API keeps text as read; the terminal shows it escaped
            assert word in text or word in escaped(text), f"{word!r} not in:\n{text}"
        return
    _, dept = open_path(path)
    if case["expect"] == "loads":
        assert dept.load_findings == (), dept.load_findings
    else:
        assert dept.load_findings


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_case_through_the_cli(case, case_path, capsys):
    path = case_path(case)
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert_terminal_safe(out + err)
    if case["expect"] == "load_error":
        assert code == 2
        assert err.startswith("错误：")
        assert shown_name(path) in err  # the file is named (for a parameter file, as well as its data file)
        for word in case["must_mention"]:
            assert word in err, f"{word!r} not in:\n{err}"
    else:
        assert code == 0, err
        assert err == ""
        for word in case["must_mention"]:
            assert word in out, f"{word!r} not in:\n{out}"
        if case["expect"] == "loads":
            assert "加载提示：无" in out


@pytest.mark.parametrize("case", LOADING, ids=_ids(LOADING))
def test_what_loads_is_checked_and_reported(case, case_path, capsys):
    """`kit check` (table and JSON) and every report section and chart, for every case that loads."""
    from kit.engine.audit import run_audit
    from kit.report import sections as s

    path = case_path(case)
    assert main(["check", str(path)]) == 0
    assert main(["check", str(path), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and err == ""
    assert_terminal_safe(out)
    result = json.loads(out[out.index("\n{") + 1:])  # the JSON follows the table
    assert result["department"]["code"]
    params, dept = open_path(path)
    audit = run_audit(dept, params)
    parts = [s.overview(audit), s.budget_table(dept), s.budget_figure(dept), s.lines_table(dept),
             s.adjustment_summary(dept), s.tasks_table(dept), s.tasks_totals(dept), s.tasks_figure(dept),
             s.indicators_table(audit), s.scores_table(audit), s.scores_figure(audit), s.findings_table(audit),
             s.missing_table(audit), s.prose_table(audit), s.provenance(audit, path.name, "")]
    for part in parts:
        str(part).encode("utf-8")  # the page is written as UTF-8


# --- decisions the corpus pins ------------------------------------------------------------------
def test_negative_and_huge_amounts_load_exactly_and_are_flagged():
    dept = load_department(CORPUS / "yaml" / "amount-negative.yaml")
    assert dept.basic_lines[1].actual.value == Decimal("-95000.00")
    assert {(f.code, f.block, f.row) for f in dept.load_findings} == {
        ("negative", "部门基本支出", 2),
        ("negative", "年度主要任务完成情况", 1),
    }
    huge = load_department(CORPUS / "yaml" / "amount-huge.yaml")
    assert huge.project_lines[0].budget.value == Decimal("2000000000000000.00")
    assert [(f.code, f.severity) for f in huge.load_findings] == [("huge", "warning")]


def test_exponent_and_date_are_not_read_as_numbers():
    for name, word in (("amount-exponent.yaml", "1e400"), ("amount-date.yaml", "2022-12-31")):
        with pytest.raises(LoadError) as exc:
            load_department(CORPUS / "yaml" / name)
        assert any(p.value == word for p in exc.value.problems)


def test_identical_rows_are_flagged_but_same_names_are_not():
    dup = load_department(CORPUS / "yaml" / "duplicate-tasks.yaml")
    assert len(dup.tasks) == 3 and dup.tasks[1] == dup.tasks[2]
    assert [(f.code, f.row) for f in dup.load_findings] == [("duplicate", 3)]
    assert "第2行" in dup.load_findings[0].message
    same_name = load_department(CORPUS / "yaml" / "same-name-different-task.yaml")
    assert same_name.load_findings == ()


def test_alias_bomb_is_refused_at_the_first_anchor():
    with pytest.raises(LoadError) as exc:
        load_department(CORPUS / "yaml" / "alias-bomb.yaml")
    (p,) = exc.value.problems
    assert p.line == 3  # the first anchor, before any alias is followed


def test_a_blank_required_text_is_missing(tmp_path):
    text = (CORPUS / "base.yaml").read_text(encoding="utf-8").replace("  - name: 设备购置", '  - name: "  "')
    (tmp_path / "d.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(LoadError) as exc:
        load_department(tmp_path / "d.yaml")
    (p,) = exc.value.problems
    assert (p.block, p.row, p.field) == ("年度主要任务完成情况", 2, "任务名称")


# --- hostile text: kept as text, and safe in the workbook ------------------------------------------
def _texts(doc, out=None):
    """Every string in a document."""
    out = [] if out is None else out
    if isinstance(doc, dict):
        for v in doc.values():
            _texts(v, out)
    elif isinstance(doc, list):
        for v in doc:
            _texts(v, out)
    elif isinstance(doc, str):
        out.append(doc)
    return out


def test_markup_is_kept_verbatim_in_every_free_text_field():
    dept = load_department(CORPUS / "yaml" / "markup-everywhere.yaml")
    raw = yaml.safe_load((CORPUS / "yaml" / "markup-everywhere.yaml").read_text(encoding="utf-8"))
    assert dept.name == raw["department"]["name"] and dept.name.startswith("单位<script>")
    with_script = [t for t in _texts(to_document(dept)) if "<script>alert(1)</script>" in t]
    # 单位 职责 组织 人员 原因 经费 任务 内容 状态 目标 完成 指标 值 实际 说明 标准 标题 正文 印章
    assert len(with_script) == 19
    assert set(with_script) == {t for t in _texts(raw) if "<script>" in t}


@pytest.mark.parametrize("name", ["formula-injection.yaml", "markup-everywhere.yaml", "control-and-bidi.yaml",
                                  "nul-in-text.yaml"])
def test_hostile_text_survives_yaml_xlsx_yaml(tmp_path, name):
    dept = load_department(CORPUS / "yaml" / name)
    path = tmp_path / "out.xlsx"
    write_workbook(dept, path)
    assert to_document(read_workbook(path)) == to_document(dept)


def test_formula_injection_is_written_as_string_cells(tmp_path):
    path = make.make("xlsx_formula_injection", tmp_path)
    wb = openpyxl.load_workbook(path)
    injected = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and c.value[:1] in "=+-@\t":
                    assert c.data_type == "s", c.coordinate
                    assert c.quotePrefix, f"{ws.title}!{c.coordinate}"
                    injected += 1
    # 单位名称 任务名称 主要内容 完成情况 预期目标 实际情况 评分标准 and two 无归属文字
    assert injected == 9
    na = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value == "#N/A"]
    assert na and all(c.data_type == "s" for c in na)  # text, not an Excel error value
    # No cell of any sheet is a formula.
    assert not [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_chart_labels_are_drawn_as_written():
    """'$x^2$' in a task name is drawn as those five characters (the chart is SVG text, escaped)."""
    import html
    import re

    from kit.report.charts import tasks_chart
    from kit.report.svg import chart_svg

    dept = load_department(CORPUS / "yaml" / "dollar-math-in-names.yaml")
    chart = tasks_chart(dept)
    texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", chart_svg(chart))]
    assert len(chart.panels[0].yticklabels) == len(dept.tasks) == 2
    for i, task in enumerate(dept.tasks, start=1):
        assert "$" in task.name and len(task.name) < 16  # shown whole
        assert f"{i}. {' '.join(task.name.split())}" in texts


EXTREMES = ["99999999999999999999.99", "0.000001", "-99999999999999999999.99", "-0.000001", "0"]


@pytest.mark.parametrize("pair", [(a, b) for a in EXTREMES[:3] for b in EXTREMES if a != b],
                         ids=lambda p: "/".join(p))
def test_any_amount_the_loader_accepts_is_reported(pair, tmp_path):
    """Every amount and score set to the largest, smallest and negative extremes the loader accepts,
    alternating: the audit and every section and chart of the report are produced."""
    from kit.engine.audit import run_audit
    from kit.report import sections as s
    from kit.core.values import MAX_INTEGER_DIGITS, MAX_PLACES

    # The extremes are the loader's limits: 20 integer digits, 6 places.
    assert len(EXTREMES[0].split(".")[0]) == MAX_INTEGER_DIGITS and len(EXTREMES[1].split(".")[1]) == MAX_PLACES
    from kit.core.yamlio import dump_yaml, parse_yaml

    doc = parse_yaml((CORPUS / "base.yaml").read_text(encoding="utf-8"), "base.yaml")
    slots = []

    def walk(node, path=()):
        for k, v in (node.items() if isinstance(node, dict) else enumerate(node)):
            if isinstance(v, (dict, list)):
                walk(v, path + (k,))
            elif isinstance(v, str) and k in {"total", "basic", "project", "fiscal", "other", "budget", "adjusted",
                                                "actual", "budget_total", "weight", "self_score"}:
                slots.append((node, k))

    walk({k: doc[k] for k in ("budget", "basic_lines", "project_lines", "tasks", "narrative", "scores")})
    for i, (node, k) in enumerate(slots):
        node[k] = pair[i % 2]
    path = tmp_path / "extreme.yaml"
    path.write_text(dump_yaml(doc), encoding="utf-8")
    dept = load_department(path)
    audit = run_audit(dept, None)
    for part in (s.overview(audit), s.budget_table(dept), s.budget_figure(dept), s.lines_table(dept),
                 s.adjustment_summary(dept), s.tasks_table(dept), s.tasks_totals(dept), s.tasks_figure(dept),
                 s.scores_table(audit), s.scores_figure(audit), s.findings_table(audit), s.prose_table(audit)):
        str(part).encode("utf-8")


@pytest.mark.kernel
def test_render_of_everything_hostile(tmp_path, capsys):
    """`kit render` on a department holding every hostile text and extreme amount: exit 0, a report,
    the JSON readable, the terminal lines escaped (surrogates ended kit render in UnicodeEncodeError)."""
    data = CORPUS / "yaml" / "hostile-everything.yaml"
    params = tmp_path / "C00001.yaml"
    params.write_text(f'dept_code: "C00001"\nfiscal_year: 2022\ndata: "{data}"\n', encoding="utf-8")
    assert main(["render", str(params), "--out", str(tmp_path / "out")]) == 0
    out, err = capsys.readouterr()
    assert_terminal_safe(out + err)
    page = (tmp_path / "out" / "C00001.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "\ufffd" in page
    result = json.loads((tmp_path / "out" / "C00001.json").read_text(encoding="utf-8"))
    assert result["department"]["name"] == "语料\x1b[31m测试\ufffd单位$x^2$\u202e（虚构）"
    assert {f["check_id"] for f in result["findings"] if f["status"] == "fail"} >= {"E7", "E9"}
