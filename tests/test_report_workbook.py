"""问题清单.xlsx for tracking 整改: one row per finding with its key, where, expected/actual (复核 − 填报),
整改要求 and the reviewer's decision, and columns for the department's reply, the date and the status;
typed cells (numbers, dates), text never a formula."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook

from audit_variants import audit, sample_doc, task
from kit.report.workbook import COLUMNS, REPLY, STATUS_CHOICES, write_batch_workbook, write_issues_workbook

HEADERS = [h for h, _, _ in COLUMNS]


@pytest.fixture(scope="module")
def sheet(tmp_path_factory):
    path = write_issues_workbook(audit(), tmp_path_factory.mktemp("wb") / "022006-问题清单.xlsx")
    wb = load_workbook(path)
    return path, wb


def _rows(ws) -> list[dict]:
    it = ws.iter_rows(values_only=True)
    header = next(it)
    return [dict(zip(header, r)) for r in it]


def test_one_row_per_problem_and_unverifiable_check(sheet):
    _, wb = sheet
    ws = wb["问题清单"]
    assert [c.value for c in ws[1]] == HEADERS
    rows = _rows(ws)
    assert [r["类别"] for r in rows].count("问题") == 27 and [r["类别"] for r in rows].count("无法核实") == 15
    first = rows[0]
    # the report's order: data inconsistencies first, errors and amounts before score points
    assert (first["检查编号"], first["对象"], first["应为（复核）"], first["实际（填报）"], first["差异（复核−填报）"]) == (
        "A9", "下年预算", 1930040000, 1950040000, -20000000)
    assert first["序号"] == 1 and first["年度"] == 2022 and first["问题键"] == "A9|自评报告·部门预算编制情况|下年预算"
    assert first["问题归类"] == "1. 数据不一致：下年预算" and first["整改要求"] and first["复核决定"] == "待定"
    b8 = next(r for r in rows if r["检查编号"] == "B8")
    assert (b8["应为（复核）"], b8["实际（填报）"], b8["差异（复核−填报）"], b8["表内位置"]) == (5, 6, -1, "评分表 第15行")
    adjustment = [r["检查编号"] for r in rows if (r["问题归类"] or "").endswith("：预算调整")]
    assert adjustment[:3] == ["D5", "B3", "B16"] and adjustment.count("B2") == 5  # one fact, its checks together
    b14 = next(r for r in rows if r["检查编号"] == "B14" and r["类别"] == "问题")
    assert b14["差异（复核−填报）"] == -1.46  # a shortfall is negative (实际 26.54% against ≥28%)
    assert all(r["整改要求"] for r in rows)
    assert all(r[h] is None for r in rows for h in REPLY)  # for the department and the reviewer to fill
    assert all(r["整改状态"] == "未整改" for r in rows)
    fmt = _rows(wb["格式与解析说明"])
    assert len(fmt) == 12 and {r["原文"] for r in fmt} >= {"Zero", "医院公章"}


def test_status_column_offers_the_tracking_states(sheet):
    _, wb = sheet
    ws = wb["问题清单"]
    col = ws.cell(row=1, column=HEADERS.index("整改状态") + 1).column_letter
    dv = next(d for d in ws.data_validations.dataValidation if d.type == "list")
    assert dv.formula1 == '"' + ",".join(STATUS_CHOICES) + '"' and f"{col}2" in str(dv.sqref)
    dates = next(d for d in ws.data_validations.dataValidation if d.type == "date")
    for h in ("整改时限", "整改完成日期"):
        assert f"{ws.cell(row=1, column=HEADERS.index(h) + 1).column_letter}2" in str(dates.sqref)


def test_every_cell_is_text_never_a_formula(tmp_path):
    doc = sample_doc()
    t = task(doc, "妇幼健康服务")
    t["name"] = '=HYPERLINK("http://example.com","妇幼")'
    path = write_issues_workbook(audit(doc), tmp_path / "x.xlsx")
    ws = load_workbook(path)["问题清单"]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row if c.value is not None and c.data_type != "n"]
    assert cells and all(c.data_type == "s" for c in cells)  # numbers are numbers; everything else text
    hostile = [c for c in cells if str(c.value).startswith("=HYPERLINK")]
    assert hostile and all(c.quotePrefix for c in hostile)
    negative = [c for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, (int, float)) and c.value < 0]
    assert negative and all(c.data_type == "n" for c in negative)  # a shortfall is a number, not text


def test_batch_workbook_has_every_departments_rows(sheet, tmp_path):
    path, _ = sheet
    other = write_issues_workbook(audit(sample_doc()), tmp_path / "S1-问题清单.xlsx")
    batch = write_batch_workbook([path, other], tmp_path / "问题清单.xlsx")
    rows = _rows(load_workbook(batch)["问题清单"])
    assert len(rows) == 2 * 42 and [r["序号"] for r in rows] == list(range(1, 85))
    assert {type(r["差异（复核−填报）"]) for r in rows if r["类别"] == "问题"} == {int, float, type(None)}  # typed through the merge


def test_workbook_source_rows_cited_with_their_worksheet_row(tmp_path):
    """One way to cite a row: the form's row, and for a workbook the worksheet row beside it."""
    from kit.engine.audit import run_audit
    from kit.files.load import load_department
    from kit.report.places import Places
    from kit.files.xlsxio import write_workbook

    from conftest import SAMPLE_DATA

    xlsx = tmp_path / "s.xlsx"
    write_workbook(load_department(SAMPLE_DATA), xlsx)
    result = run_audit(load_department(xlsx))
    places = Places(result.department)
    row = result.issues("problem", labels="machine").query("check_id == 'C2'").iloc[0]
    cited = places.cite(row["location"])
    assert cited == "评分表 第17行（工作表“评分表”第18行）"
    assert load_workbook(xlsx)["评分表"]["C18"].value == "项目完成及时性"
    # A changed workbook is not cited by worksheet row: no wrong row is given.
    wb = load_workbook(xlsx)
    wb["评分表"].insert_rows(2)
    wb.save(xlsx)
    assert Places(result.department).cite(row["location"]) == "评分表 第17行"
    # YAML sources keep the form's row only.
    assert Places(load_department(SAMPLE_DATA)).cite("评分表 第17行") == "评分表 第17行"


def test_sign_off_from_parameters_or_blank_lines(tmp_path):
    from kit.engine.audit import audit_path
    from kit.report.summary import sign_off

    from conftest import SAMPLE_DATA

    params = tmp_path / "022006.yaml"
    params.write_text(f'dept_code: "022006"\nfiscal_year: 2022\ndata: {SAMPLE_DATA}\n'
                      "reviewer: 王审计\nreview_date: 2023-06-30\nreview_opinion: 同意复核结论，请部门按问题清单整改。\n",
                      encoding="utf-8")
    block = sign_off(audit_path(params))
    assert "王审计" in block and "2023-06-30" in block and "同意复核结论" in block
    assert block.count("kit-sign-line") == 5  # 复核单位, 审核人, 审核日期 and the unit's confirmation (and date) to sign
    params.write_text(f'dept_code: "022006"\nfiscal_year: 2022\ndata: {SAMPLE_DATA}\n', encoding="utf-8")
    assert sign_off(audit_path(params)).count("kit-sign-line") == 9  # lines for a hand signature


def test_batch_workbook_names_a_department_workbook_it_cannot_read(sheet, tmp_path):
    """A department's 问题清单.xlsx broken after it was written (edited, cut short) is named on the
    说明 sheet; the batch's workbook holds every other department's rows."""
    import shutil

    from kit.report.workbook import INFO_SHEET, SHEET

    good = tmp_path / "A0001-问题清单.xlsx"
    shutil.copy(sheet[0], good)
    bad = tmp_path / "B0002-问题清单.xlsx"
    bad.write_bytes(good.read_bytes()[:2000])  # cut short
    out = write_batch_workbook([good, bad], tmp_path / "问题清单.xlsx")
    wb = load_workbook(out)
    info = {r[0]: r[1] for r in wb[INFO_SHEET].iter_rows(values_only=True)}
    assert info["部门数"] == "1" and "B0002-问题清单.xlsx" in info["未能读取"]
    rows = list(wb[SHEET].iter_rows(values_only=True))
    assert len(rows) - 1 == len(list(load_workbook(good)[SHEET].iter_rows(values_only=True))) - 1 > 0
