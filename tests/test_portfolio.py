"""The batch index: its counts are each department's report's counts; riskiest first, re-sortable;
and ``kit render --pdf`` prints every report and the index of a batch."""
from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path

import pytest

from kit.run import portfolio
from kit.commands.cli import main
from kit.report.pdf import chromium_path
from kit.commands.synth import write_synthetic

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """4 synthetic departments with planted problems, the sample, and one that cannot load."""
    base = tmp_path_factory.mktemp("portfolio")
    write_synthetic(4, base / "in", seed=5, planted_share=1.0)
    params = base / "in" / "params"
    sample = (ROOT / "params" / "022006.yaml").read_text(encoding="utf-8")
    (params / "022006.yaml").write_text(sample.replace("../data/", f"{ROOT / 'data'}/"), encoding="utf-8")
    (params / "bad.yaml").write_text('dept_code: "bad"\nfiscal_year: 2022\ndata: missing.yaml\n', encoding="utf-8")
    pdf = chromium_path() is not None
    if not pdf and os.environ.get("CI"):
        pytest.fail("CI 环境中没有 chromium：请先运行 make sysdeps")
    out = base / "out"
    code = main(["render", str(params), "--out", str(out), "-j", "2", "-q"] + (["--pdf"] if pdf else []))
    return code, out, pdf


def _cells(row_html: str) -> list[str]:
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split())
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row_html, re.S)]


def index_rows(out: Path) -> list[tuple[dict, list[str]]]:
    """(sort ranks, cells) of each department row of index.html, in page order."""
    page = (out / "index.html").read_text(encoding="utf-8")
    table = re.search(r'<table class="kit-table kit-sort-table">.*?</table>', page, re.S).group(0)
    rows = []
    for style, body in re.findall(r'<tr[^>]*?style="([^"]*)"[^>]*>(.*?)</tr>', table, re.S):
        ranks = {k: int(v) for k, v in re.findall(r"--kit-o-([a-z]+):(\d+)", style)}
        rows.append((ranks, _cells(body)))
    return rows


def report_counts(page: str) -> dict[str, int]:
    """The overview cards of a department's report: 问题 (错误/警告/提示), 无法核实, 格式与解析说明."""
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    m = re.search(r"问题 (\d+) 错误 (\d+) · 警告 (\d+) · 提示 (\d+) 无法核实 (\d+) 需补充资料 \d+ 项 格式与解析说明 (\d+)", text)
    assert m, "报告概览中找不到问题统计"
    total, e, w, i, u, f = map(int, m.groups())
    assert total == e + w + i
    return {"错误": e, "警告": w, "提示": i, "无法核实": u, "格式说明": f}


HEADER = ["部门编码", "部门名称", "生成状态", "复核状态", "自评总分", "复核总分", "差异（复核−自评）", "等级（自评→复核）",
          "错误", "警告", "提示", "无法核实", "无法复核分数", "格式说明", "已决定", "待定"]


@pytest.mark.kernel
def test_index_counts_equal_each_departments_report(batch):
    code, out, _ = batch
    assert code == 1  # 'bad' failed; everything else is written
    rows = index_rows(out)
    assert len(rows) == 6
    checked = 0
    for _, cells in rows:
        row = dict(zip(HEADER, cells))
        if row["生成状态"] != "已生成":
            continue
        counts = report_counts((out / f"{row['部门编码']}.html").read_text(encoding="utf-8"))
        assert {k: int(row[k]) for k in counts} == counts, row["部门编码"]
        checked += 1
    assert checked == 5
    sample = next(dict(zip(HEADER, c)) for _, c in rows if c[0] == "022006")
    assert (sample["错误"], sample["无法核实"], sample["无法复核分数"], sample["复核状态"]) == ("3", "15", "13", "部分复核")
    assert (sample["已决定"], sample["待定"]) == ("0", "27")  # no review file: every problem awaits a decision
    # manifest.json counts what the page counts
    manifest = {r["dept_code"]: r for r in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["departments"]}
    f = manifest["022006"]["findings"]
    assert (f["error"], f["warning"], f["info"], f["unverifiable"], f["format"], f["review_pending"]) == (3, 19, 5, 15, 12, 27)
    assert not [c for c in manifest["022006"]["failing_checks"] if c.split(" ")[0] in ("E1", "E2", "E3", "E4", "E5")]


def test_index_reads_the_counts_its_rows_record_and_the_json_of_older_rows(batch):
    """The manifest row carries the counts the department's JSON gives (the index reads no JSON
    for it); a row of an older kit, without them, is counted from the JSON."""
    from kit.run.portfolio import _department_counts, _json_counts, _recorded_counts

    _code, out, _ = batch
    rows = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["departments"]
    ok = [r for r in rows if r["status"] == "ok"]
    assert len(ok) == 5
    for r in ok:
        assert _recorded_counts(r) == _json_counts(out, r), r["dept_code"]
        older = {k: v for k, v in r.items() if k not in ("points", "review_status")}
        assert _department_counts(out, older) == _department_counts(out, r)
    sample = next(r for r in ok if r["dept_code"] == "022006")
    assert (sample["points"]["unverifiable"], sample["review_status"]) == ("13", "部分复核")


@pytest.mark.kernel
def test_index_summary_adds_up_the_reports(batch):
    _, out, _ = batch
    page = (out / "index.html").read_text(encoding="utf-8")
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    totals = {}
    for _, cells in index_rows(out):
        row = dict(zip(HEADER, cells))
        for k in ("错误", "警告", "无法核实"):
            totals[k] = totals.get(k, 0) + (int(row[k]) if row[k] != "—" else 0)
    assert f"问题·错误 {totals['错误']}" in text and f"问题·警告 {totals['警告']}" in text
    assert f"无法核实 {totals['无法核实']}" in text


@pytest.mark.kernel
def test_riskiest_first_and_every_ordering_ranked(batch):
    _, out, _ = batch
    rows = index_rows(out)
    assert rows[0][1][0] == "bad"  # a department without a report needs attention first
    ok = [dict(zip(HEADER, c)) | {"_r": r} for r, c in rows if c[2] == "已生成"]
    diffs = [float(x["差异（复核−自评）"].replace("+", "")) for x in ok]
    assert diffs == sorted(diffs)  # the largest cut (most negative) first
    for key, column in (("errors", "错误"), ("unverifiable", "无法复核分数")):
        by_rank = sorted(ok, key=lambda x: x["_r"][key])
        values = [float(x[column]) for x in by_rank]
        assert values == sorted(values, reverse=True), key
    assert {tuple(sorted(r)) for r, _ in rows} == {tuple(sorted(portfolio.SORTS))}
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<script" not in page and 'type="radio"' in page  # sorted by CSS, no script


@pytest.mark.kernel
def test_batch_pdfs_for_every_report_and_the_index(batch):
    _, out, pdf = batch
    if not pdf:
        pytest.skip("未安装 chromium")
    pdfplumber = pytest.importorskip("pdfplumber")
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for r in manifest["departments"]:
        if r["status"] == "ok":
            assert (out / f"{r['dept_code']}.pdf").is_file(), r["dept_code"]
    assert not (out / "bad.pdf").exists()  # a failure page is not printed as a report
    with pdfplumber.open(out / "index.pdf") as doc:
        text = "".join(p.extract_text() or "" for p in doc.pages)
    assert "批量复核汇总" in text and "022006" in text


def test_missing_figures_of_failed_departments_are_absent_not_nan(tmp_path):
    """A failed department has no totals: the charts and tables skip it instead of failing on NaN."""
    rows = [{"dept_code": "A1", "status": "ok", "self_total": "90.00", "recomputed_total": "89.50", "report": "A1.html"},
            {"dept_code": "B2", "status": "error", "self_total": None, "recomputed_total": None, "report": "B2.html"}]
    (tmp_path / "manifest.json").write_text(json.dumps({"departments": rows}), encoding="utf-8")
    df = portfolio.load_manifest(tmp_path / "manifest.json")
    assert list(df["dept_code"]) == ["B2", "A1"]
    assert portfolio.score_change_chart(df) is not None
    assert "B2" in portfolio.departments_table(df) and "部门数" in portfolio.summary(df)


@pytest.mark.kernel
def test_batch_tracking_workbook(batch):
    from openpyxl import load_workbook

    _, out, _ = batch
    per = sorted(out.glob("*-问题清单.xlsx"))
    assert len(per) == 5  # every department with a report
    n = sum(load_workbook(p)["问题清单"].max_row - 1 for p in per)
    assert load_workbook(out / "问题清单.xlsx")["问题清单"].max_row - 1 == n
