"""Excel workbooks: template, lossless round trip, formula safety and clear errors."""
from __future__ import annotations

import dataclasses
import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit import KitError, LoadError, load_department
from kit.families import get_family
from kit.model import SUPPLEMENTARY, Department, same_content, to_document
from kit.files.xlsxio import ALL_SHEETS, DATA_SHEETS, read_workbook, write_template, write_workbook

INJECTIONS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "=1+1", "#N/A"]


@pytest.fixture
def sample_xlsx(tmp_path, sample) -> Path:
    path = tmp_path / "022006-2022.xlsx"
    write_workbook(sample, path)
    return path


def _with_tasks(dept: Department, **changes) -> Department:
    tasks = list(dept.tasks)
    tasks[0] = dataclasses.replace(tasks[0], **changes)
    return dataclasses.replace(dept, tasks=tuple(tasks))


def _problems(path) -> list:
    with pytest.raises(LoadError) as exc:
        read_workbook(path)
    return exc.value.problems


# --- round trip --------------------------------------------------------------------------
def test_round_trip_keeps_every_value_and_raw_text(sample, sample_xlsx):
    back = load_department(sample_xlsx)
    assert same_content(sample, back)
    assert to_document(back) == to_document(sample)
    assert back.source.format == "xlsx" and len(back.source.sha256) == 64
    assert back.scores[18].weight.raw == "#####"
    assert back.budget.initial.total.value == Decimal("1978799355.27")
    assert [(f.code, f.raw) for f in back.load_findings] == [(f.code, f.raw) for f in sample.load_findings]


def test_workbook_cells_are_text(sample_xlsx):
    wb = openpyxl.load_workbook(sample_xlsx)
    code = wb["基本信息"]["B3"]
    assert (code.value, code.data_type, code.number_format) == ("022006", "s", "@")
    total = wb["部门预算总表"]["B2"]
    assert (total.value, total.data_type, total.number_format) == ("1978799355.27", "s", "@")
    assert wb["部门预算总表"].freeze_panes == "A2"
    assert wb["部门预算总表"]["A1"].font.b


def test_yaml_xlsx_yaml_via_cli(tmp_path, sample_data_path, sample):
    from kit.commands.cli import main

    xlsx, yaml_back = tmp_path / "d.xlsx", tmp_path / "d.yaml"
    assert main(["convert", str(sample_data_path), str(xlsx)]) == 0
    assert main(["convert", str(xlsx), str(yaml_back)]) == 0
    back = load_department(yaml_back)
    assert same_content(sample, back) and to_document(back) == to_document(sample)


@pytest.mark.parametrize("text", INJECTIONS)
def test_formula_like_text_is_written_as_a_string(tmp_path, sample, text):
    dept = _with_tasks(sample, name=text, status=text)
    path = tmp_path / "inj.xlsx"
    write_workbook(dept, path)
    cell = openpyxl.load_workbook(path)["年度主要任务完成情况"]["A2"]
    assert cell.data_type == "s" and cell.value == text
    if text[0] in "=+-@":
        assert cell.quotePrefix  # stays text even when edited in Excel
    back = read_workbook(path)
    assert back.tasks[0].name == text and same_content(dept, back)


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(lambda s: s.strip())


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_TEXT, min_size=11, max_size=11))
def test_any_text_survives_the_workbook(tmp_path, sample, texts):
    # Control characters, CR, leading spaces and literal "_x000D_" included; 11 texts per file.
    dept = dataclasses.replace(
        sample, tasks=tuple(dataclasses.replace(t, content=x) for t, x in zip(sample.tasks, texts))
    )
    path = tmp_path / "h.xlsx"
    write_workbook(dept, path)
    assert [t.content for t in read_workbook(path).tasks] == texts


def test_literal_escape_sequences_and_cr_round_trip(tmp_path, sample):
    text = "a\r\nb_x000D_c\x07"
    dept = _with_tasks(sample, content=text)
    path = tmp_path / "e.xlsx"
    write_workbook(dept, path)
    assert read_workbook(path).tasks[0].content == text


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path, sample, sample_xlsx):
    before = sample_xlsx.read_bytes()
    too_long = _with_tasks(sample, content="长" * 40000)
    with pytest.raises(KitError) as exc:
        write_workbook(too_long, sample_xlsx)
    assert "年度主要任务完成情况" in str(exc.value) and "32767" in str(exc.value)
    assert sample_xlsx.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == [sample_xlsx.name]


def test_write_into_missing_folder(tmp_path, sample):
    with pytest.raises(KitError) as exc:
        write_workbook(sample, tmp_path / "nope" / "x.xlsx")
    assert "输出文件夹不存在" in str(exc.value)


# --- template --------------------------------------------------------------------------------
def test_template_has_every_sheet_with_headers(tmp_path):
    path = tmp_path / "模板.xlsx"
    write_template(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == list(ALL_SHEETS)
    assert [c.value for c in wb["部门预算总表"][1]] == [
        "口径", "部门支出总金额", "部门基本支出总金额", "部门项目支出总金额", "预算调整（如有）原因及情况说明"]
    assert [wb["部门预算总表"].cell(row=r, column=1).value for r in (2, 3, 4)] == ["年初预算批复", "全年调整后预算数", "年末执行数"]
    task_headers = [c.value for c in wb["年度主要任务完成情况"][1]]
    assert task_headers == ["任务名称", "主要内容", "完成情况", "预算数·总数", "预算数·其中财政拨款", "预算数·其他资金",
                            "执行数·总数", "执行数·其中财政拨款", "执行数·其他资金"]
    info = [wb["基本信息"].cell(row=r, column=1).value for r in range(1, 8)]
    assert info == ["项目", "部门名称", "部门编码", "年度", "部门主要职责", "组织结构", "人员编制情况"]
    supp = wb["补充资料"]
    keys = get_family("shenzhen_2022").supplementary  # the Shenzhen rules' inputs, as before other families existed
    rows = [(supp.cell(row=r, column=1).value, supp.cell(row=r, column=2).value, supp.cell(row=r, column=3).value)
            for r in range(2, 3 + len(keys))]
    assert rows == [(k, SUPPLEMENTARY[k][0], None) for k in keys] + [(None, None, None)]
    # The first cell a department fills in on each sheet is already text-formatted.
    first_input = {name: "A2" for name in DATA_SHEETS} | {"基本信息": "B2", "部门预算总表": "B2", "自评报告": "A4",
                                                         "补充资料": "C2"}
    for name, ref in first_input.items():
        assert wb[name][ref].number_format == "@", name
    assert wb["自评报告"]["B1"].number_format == "@"
    assert "元" in "".join(str(c.value) for c in wb["填表说明"]["A"])


def test_filled_template_loads(tmp_path):
    path = tmp_path / "模板.xlsx"
    write_template(path)
    wb = openpyxl.load_workbook(path)
    info = wb["基本信息"]
    info["B2"], info["B3"], info["B4"] = "某区某局", "010203", "2023"
    budget = wb["部门预算总表"]
    budget["B2"] = "100.50"
    budget["C2"] = 60  # typed as a number into a text column: accepted exactly
    budget["D2"] = 40.5
    tasks = wb["年度主要任务完成情况"]
    tasks["A2"], tasks["C2"], tasks["D2"], tasks["G2"] = "任务一", "已完成", "100.50", "99.00"
    tasks["A4"] = "任务二"  # row 3 left empty: skipped
    wb["补充资料"]["C2"] = "12"
    wb["补充资料"]["C19"] = "是"
    wb.save(path)
    dept = read_workbook(path)
    assert (dept.name, dept.code, dept.year) == ("某区某局", "010203", 2023)
    assert dept.budget.initial.total.value == Decimal("100.50")
    assert dept.budget.initial.basic.raw == "60" and dept.budget.initial.project.raw == "40.5"
    assert [t.name for t in dept.tasks] == ["任务一", "任务二"]
    assert dept.tasks[0].actual.total.value == Decimal("99.00")
    assert dept.supplementary["authorized_posts"].value == Decimal(12)
    assert dept.supplementary["classified"] is True


def test_blank_template_reports_missing_required_fields(tmp_path):
    path = tmp_path / "t.xlsx"
    write_template(path)
    probs = _problems(path)
    assert {(p.block, p.row, p.field) for p in probs} == {
        ("基本信息", 2, "部门名称"), ("基本信息", 3, "部门编码"), ("基本信息", 4, "年度")}


# --- what Excel does to numbers ------------------------------------------------------------------
def test_number_cells_convert_exactly(tmp_path, sample_xlsx):
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["部门预算总表"]["B2"] = 1978799355.27  # Excel stores a float
    wb["部门预算总表"]["C2"] = 1444547800
    ind = wb["年度绩效指标完成情况"]["E2"]
    ind.value, ind.number_format = 0.2654, "0.00%"  # typed '26.54%' into a General cell
    wb["评分表"]["G2"] = 1e16
    wb.save(sample_xlsx)
    dept = read_workbook(sample_xlsx)
    assert dept.budget.initial.total.raw == "1978799355.27"
    assert dept.budget.initial.total.value == Decimal("1978799355.27")
    assert dept.budget.initial.basic.raw == "1444547800"
    assert dept.indicators[0].actual == "26.54%"
    assert dept.scores[0].self_score.value == Decimal("1E16")


def test_merged_cell_reads_the_top_left_value(tmp_path, sample):
    dept = dataclasses.replace(sample, budget=dataclasses.replace(sample.budget, adjustment_reason="追加疫情防控经费"))
    path = tmp_path / "m.xlsx"
    write_workbook(dept, path)
    wb = openpyxl.load_workbook(path)
    assert "E2:E4" in {str(r) for r in wb["部门预算总表"].merged_cells.ranges}
    assert read_workbook(path).budget.adjustment_reason == "追加疫情防控经费"


# --- errors ------------------------------------------------------------------------------------
def test_numeric_code_cell_loses_leading_zeros(sample_xlsx):
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["基本信息"]["B3"] = 22006
    wb.save(sample_xlsx)
    (p,) = _problems(sample_xlsx)
    assert (p.block, p.row) == ("基本信息", 3) and "读成了数字" in p.message


def test_text_in_amount_cell_names_sheet_and_row(sample_xlsx):
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["年度主要任务完成情况"]["D3"] = "两千八百万"
    wb.save(sample_xlsx)
    (p,) = _problems(sample_xlsx)
    assert (p.block, p.row, p.field, p.value) == ("年度主要任务完成情况", 3, "预算数·总数", "两千八百万")
    assert str(sample_xlsx) in str(p)


def test_formula_and_date_cells_are_rejected_together(sample_xlsx):
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["部门预算总表"]["B2"] = "=C2+D2"  # a real formula
    wb["部门基本支出"]["C2"] = dt.datetime(2022, 12, 31)
    wb["评分表"]["D3"] = "五分"
    wb.save(sample_xlsx)
    probs = _problems(sample_xlsx)
    assert len(probs) == 3
    by_sheet = {p.block: p for p in probs}
    assert "公式" in by_sheet["部门预算总表"].message and by_sheet["部门预算总表"].row == 2
    assert by_sheet["部门预算总表"].value == "=C2+D2"
    assert "日期" in by_sheet["部门基本支出"].message and by_sheet["部门基本支出"].row == 2
    assert by_sheet["评分表"].row == 3


def test_missing_and_renamed_sheets(sample_xlsx):
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["评分表"].title = "评分"
    del wb["无归属文字"]
    wb.save(sample_xlsx)
    probs = _problems(sample_xlsx)
    msgs = [str(p) for p in probs]
    assert any(p.block == "评分" and "未知工作表" in p.message and "“评分表”" in p.message for p in probs)
    assert any(p.block == "评分表" and "缺少工作表" in p.message and "无归属文字" in p.expected for p in probs)
    assert any(p.block == "无归属文字" and "缺少工作表" in p.message for p in probs)
    assert len(msgs) == 3  # a missing sheet is reported once, not per field


def test_missing_and_unknown_header_columns(sample_xlsx):
    wb = openpyxl.load_workbook(sample_xlsx)
    ws = wb["评分表"]
    ws["F1"] = "评分标注"  # typo of 评分标准
    ws["H3"] = "多余"
    wb.save(sample_xlsx)
    probs = _problems(sample_xlsx)
    text = "\n".join(map(str, probs))
    assert "缺少表头列" in text and "评分标准" in text
    assert "未知的表头，是否应为 “评分标准”" in text
    assert any(p.row == 3 and "没有表头的列" in p.message for p in probs)


def test_empty_rows_are_skipped(sample_xlsx, sample):
    wb = openpyxl.load_workbook(sample_xlsx)
    wb["年度主要任务完成情况"].insert_rows(4, amount=2)
    wb.save(sample_xlsx)
    back = read_workbook(sample_xlsx)
    assert same_content(sample, back)


@pytest.mark.parametrize(
    "content, words",
    [
        (b"this is a text file, not a workbook\n", "不是有效的 Excel 工作簿"),
        (b"", "空的"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "旧版 .xls"),
    ],
)
def test_fake_xlsx_gets_a_plain_message(tmp_path, content, words):
    f = tmp_path / "fake.xlsx"
    f.write_bytes(content)
    (p,) = _problems(f)
    assert words in p.message and p.file == str(f)


def test_zip_that_is_not_a_workbook(tmp_path, sample_xlsx):
    import zipfile

    f = tmp_path / "other.xlsx"
    with zipfile.ZipFile(f, "w") as zf:
        zf.writestr("readme.txt", "hello")
    (p,) = _problems(f)
    assert "没有 Excel 工作簿内容" in p.message
    # A truncated (corrupt) workbook.
    g = tmp_path / "cut.xlsx"
    g.write_bytes(sample_xlsx.read_bytes()[:3000])
    (p,) = _problems(g)
    assert "Excel" in p.message and p.file == str(g)


def test_blank_rows_are_skipped_alike_in_yaml_and_the_workbook(tmp_path, sample):
    """A row with nothing in it (found by the round-trip property test: a blank stray token)."""
    from kit.model import build_department

    doc = to_document(sample)
    doc["stray"].insert(0, "")
    doc["tasks"].append({"name": "", "content": "  ", "status": None, "budget": {"total": ""}, "actual": {}})
    doc["basic_lines"].insert(0, {"no": "", "name": ""})
    doc["profile"]["counts"]["departments"] = ""  # a blank count is absent (property test, too)
    dept = build_department(doc)
    assert (dept.stray, len(dept.tasks), len(dept.basic_lines)) == (("Zero", "医院公章"), 11, 2)
    write_workbook(dept, tmp_path / "d.xlsx")
    assert "departments" not in dept.profile.counts
    assert to_document(read_workbook(tmp_path / "d.xlsx")) == to_document(dept)
