"""The Word 复核报告, the sign-off block and the page's own Chinese glyphs (no kernel)."""
from __future__ import annotations

import io

import pytest

from conftest import SAMPLE_DATA
from kit.engine.audit import audit_path


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    p = tmp_path_factory.mktemp("docx") / "022006.yaml"
    p.write_text(f'dept_code: "022006"\nfiscal_year: 2022\ndata: {SAMPLE_DATA}\n'
                 "review_unit: 深圳市龙岗区财政局\nreviewer: 王审计\nreview_date: 2023-06-30\n"
                 "approver: 李科长\napprove_date: 2023-07-02\nreview_opinion: 同意复核结论。\n"
                 "responsible_unit: 医院财务科\nrectify_deadline: 2023-09-30\n", encoding="utf-8")
    return audit_path(p)


def test_sign_off_names_unit_reviewer_approver_dates_and_the_units_confirmation(signed):
    from kit.report.summary import sign_off

    block = sign_off(signed)
    for text in ("复核单位", "深圳市龙岗区财政局", "复核人", "王审计", "复核日期", "2023-06-30", "审核人", "李科长",
                 "审核日期", "2023-07-02", "同意复核结论", "被评价单位确认", "（盖章）", "确认日期"):
        assert text in block, text


def test_word_report_has_the_sections_and_every_column(signed):
    pytest.importorskip("docx")
    from kit.report.docx import docx_text, report_docx

    data = report_docx(signed, "022006.yaml", "2023-07-03 10:00:00 +0800")
    lines = docx_text(data)
    text = "\n".join(lines)
    assert lines[0] == "深圳市龙岗中心医院（022006）2022 年度部门整体支出绩效自评表复核报告"
    for heading in ("复核结论", "概览", "预算收支", "预算调整分析", "年度主要任务", "绩效指标", "评分复核", "问题清单",
                    "无法核实的事项", "格式与解析说明", "需补充资料", "不采纳的问题", "复核决定", "出处与参数"):
        assert heading in lines, heading
    assert "一、数据不一致（5 项）" in text and "归为 17 项事实" in text
    assert "复核单位 | 深圳市龙岗区财政局 | 复核日期 | 2023-06-30" in lines
    header = next(x for x in lines if x.startswith("序号 | 结论 | 问题 | 应为（复核）"))
    assert header.split(" | ")[-2:] == ["整改建议", "复核决定"]
    assert any("问题键 A8|年度主要任务完成情况·主要内容|妇幼健康服务" in x for x in lines)
    # the tasks table's two header rows: merged cells, every amount column
    assert any(x.startswith("序号 | 任务名称 | 完成情况 | 预算数（元）") for x in lines)
    from docx import Document

    doc = Document(io.BytesIO(data))
    assert doc.sections[0].page_width < doc.sections[0].page_height  # 复核结论 and sign-off: portrait
    assert doc.sections[-1].page_width > doc.sections[-1].page_height  # the detail tables: landscape


def test_workbook_takes_responsible_unit_and_deadline_from_params(signed, tmp_path):
    import datetime as dt

    from openpyxl import load_workbook

    from kit.report.workbook import write_issues_workbook

    ws = load_workbook(write_issues_workbook(signed, tmp_path / "x.xlsx"))["问题清单"]
    header = [c.value for c in ws[1]]
    row = [c.value for c in ws[2]]
    assert row[header.index("责任单位")] == "医院财务科"
    assert row[header.index("整改时限")] == dt.datetime(2023, 9, 30)
    assert ws.cell(2, header.index("整改时限") + 1).number_format == "yyyy-mm-dd"


def test_page_carries_the_glyphs_it_uses_and_only_those():
    from fontTools.ttLib import TTFont

    from kit.report.pagefont import FAMILY, embed, subset_woff

    page = "<html><head><title>x</title></head><body><p>妇幼健康服务 1,953,010.00 元</p></body></html>"
    out = embed(page)
    assert f'font-family:"{FAMILY}"' in out and "data:font/woff;base64," in out and out.count("<style") == 1
    assert embed(out) == out  # once
    font = TTFont(io.BytesIO(subset_woff("妇幼健康服务元")))
    assert set(font.getBestCmap()) == {ord(c) for c in "妇幼健康服务元"}
    assert len(subset_woff("妇幼健康服务元")) < 8000  # a few glyphs, a few KB
    assert embed("<html><head></head><body>ascii only</body></html>").count("@font-face") == 0
    subset_woff.cache_clear()
    assert embed(page) == out  # the same page gives the same bytes (no timestamp in the font)
