"""Decisions that last: finding keys, the review file beside the params, the 整改 round trip.

End to end without a kernel: decide and override in Python → save the review file → audit
again from the params file (what ``kit render``'s notebook does) → the 问题清单.xlsx carries the
decisions → a department's filled workbook read back (``kit review-import``) → the next report
shows 已说明 / 已整改; a re-import of the form that moves rows keeps every decision.
"""
from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook

from conftest import SAMPLE_DATA, SAMPLE_PARAMS
from kit.engine.audit import audit_path
from kit.commands.cli import main
from kit.report import sections, summary
from kit.report.workbook import write_issues_workbook
from kit.engine.review import finding_key, load_review, review_path

A8 = "A8|年度主要任务完成情况·主要内容|妇幼健康服务"
B8 = "B8|评分表|公用经费控制率"


@pytest.fixture
def params(tmp_path):
    data = tmp_path / "data" / SAMPLE_DATA.name
    data.parent.mkdir()
    data.write_text(SAMPLE_DATA.read_text(encoding="utf-8"), encoding="utf-8")
    p = tmp_path / "params" / SAMPLE_PARAMS.name
    p.parent.mkdir()
    p.write_text(SAMPLE_PARAMS.read_text(encoding="utf-8"), encoding="utf-8")
    return p


def test_key_is_what_the_finding_is_about_not_its_row():
    assert finding_key("A8", "妇幼健康服务", "年度主要任务完成情况 第6行·主要内容") == A8
    assert finding_key("A8", "妇幼健康服务", "年度主要任务完成情况 第9行·主要内容") == A8
    assert finding_key("B2", "项目支出", "项目支出") == "B2|项目支出"


def test_every_finding_has_a_unique_key_in_frames_json_and_workbook(tmp_path):
    r = audit_path(SAMPLE_PARAMS)
    keys = list(r.findings["key"])
    assert len(keys) == len(set(keys)) and A8 in keys and B8 in keys
    j = r.to_json_dict()
    assert {f["key"] for f in j["findings"]} == set(keys)
    assert r.issues()["问题键"].iloc[0] == B8 and r.issues()["复核决定"].iloc[0] == "待定"
    wb = write_issues_workbook(r, tmp_path / "x.xlsx")
    ws = load_workbook(wb)["问题清单"]
    header = [c.value for c in ws[1]]
    assert B8 in [ws.cell(i, header.index("问题键") + 1).value for i in range(2, ws.max_row + 1)]


def test_decisions_overrides_saved_and_reproduced_from_the_params_file(params):
    r = audit_path(params)
    r.review.reviewer = "王审计"
    r.decide(1, "不采纳", reason="公用经费行与日常公用经费口径不同")  # B8, the largest effect
    r.decide(A8, "确认")
    with pytest.raises(ValueError, match="理由"):
        r.decide(2, "不采纳")
    assert r.totals["recomputed"] == r.before["totals"]["recomputed"] + 1  # B8 back to its self score
    r.override("绩效指标明确性", "5", "三项指标无目标值测算依据")
    assert str(r.before["totals"]["recomputed"]) == "96.32" and str(r.totals["recomputed"]) == "96.32"
    path = r.save_review()
    assert path == review_path(params) and path.name == "022006.review.yaml"

    again = audit_path(params)  # what kit render's notebook does: the review file beside the params
    assert again.totals == r.totals and again.grade == r.grade
    s = again.summary()
    assert s["review"] == {"pending": 25, "confirmed": 1, "explained": 0, "rectified": 0, "rejected": 1}
    assert sum(s["problems"].values()) == 26  # not adopted: not counted among the problems
    text = summary.conclusion(again)
    assert "已确认问题 1 条" in text and "待定 25 条" in text and "不采纳 1 条" in text
    assert "调整前复核总分 96.32 分（优），调整后 96.32 分（优）" in text
    assert "公用经费行与日常公用经费口径不同" in sections.rejected_table(again)
    assert "公用经费控制率" not in sections.problems_table(again)
    assert "确认" in sections.problems_table(again) and "问题键 " + A8 in sections.problems_table(again)
    j = again.to_json_dict()
    b8 = next(f for f in j["findings"] if f["key"] == B8)
    assert b8["decision"] == "rejected" and b8["reason"] == "公用经费行与日常公用经费口径不同"
    assert j["review"]["before"]["totals"]["recomputed"] == "96.32"


def test_a_decision_whose_finding_is_gone_is_kept_and_listed(params):
    r = audit_path(params)
    r.decide(A8, "确认", reviewer="王审计")
    r.save_review()
    data = params.parent.parent / "data" / SAMPLE_DATA.name
    text = data.read_text(encoding="utf-8")
    assert "妇幼健康服务" in text
    data.write_text(text.replace("妇幼健康服务", "妇幼保健服务"), encoding="utf-8")  # a new import renames it
    again = audit_path(params)
    assert [e.key for e in again.orphans()] == [A8]
    assert "找不到对应问题的决定（1 条" in sections.review_table(again)
    assert "1 条决定找不到对应的问题" in summary.conclusion(again)
    again.decide(1, "确认", reviewer="王审计")
    again.save_review()
    assert A8 in load_review(review_path(params)).entries  # never dropped silently


def test_rows_moved_by_a_new_import_keep_their_decisions(params):
    r = audit_path(params)
    r.decide(A8, "确认")
    r.save_review()
    data = params.parent.parent / "data" / SAMPLE_DATA.name
    from kit.core.yamlio import dump_yaml, parse_yaml

    doc = parse_yaml(data.read_text(encoding="utf-8"), "x")
    doc["tasks"].reverse()  # every task on another row
    data.write_text(dump_yaml(doc), encoding="utf-8")
    again = audit_path(params)
    assert again.orphans() == [] and again.review.get(A8).decision.label == "确认"


def test_round_trip_through_the_department_workbook(params, tmp_path, capsys):
    r = audit_path(params)
    r.decide(B8, "不采纳", reason="口径不同", reviewer="王审计")
    r.save_review()
    wb_path = write_issues_workbook(audit_path(params), tmp_path / "022006-问题清单.xlsx")
    wb = load_workbook(wb_path)
    ws = wb["问题清单"]
    header = [c.value for c in ws[1]]
    col = {h: header.index(h) + 1 for h in header}
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert B8 not in [x[col["问题键"] - 1] for x in rows]  # not adopted: not sent for 整改
    # typed cells: 序号 numbers, 差异 a number with its format, 整改状态 starts 未整改, dates validated
    assert [x[0] for x in rows[:3]] == [1, 2, 3]
    diff = ws.cell(2, col["差异（复核−填报）"])
    assert isinstance(diff.value, (int, float)) and diff.number_format == "#,##0.00"
    assert all(x[col["整改状态"] - 1] == "未整改" for x in rows)
    assert all(x[col["责任单位"] - 1] == "深圳市龙岗中心医院" for x in rows)
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert kinds == {"list", "date"}
    keys = [x[col["问题键"] - 1] for x in rows]
    a8 = keys.index(A8) + 2
    b10 = keys.index("B10|评分表|项目完成及时性") + 2
    ws.cell(a8, col["部门说明"]).value = "主要内容漏列一项 38,310 元（设备维护），已补列"
    ws.cell(b10, col["整改状态"]).value = "已整改"
    ws.cell(b10, col["整改完成日期"]).value = dt.date(2023, 7, 1)
    ws.cell(b10, col["部门说明"]).value = "已更正自评分数"
    last = ws.max_row
    ws.cell(last, col["问题键"]).value = "X1|不存在的问题"
    ws.cell(last, col["部门说明"]).value = "说明"
    wb.save(wb_path)

    assert main(["review-import", str(wb_path), "--params", str(params), "--reviewer", "李复核"]) == 1
    out = capsys.readouterr().out
    assert "已整改 1 条、已说明 1 条" in out and f"第{last}行：X1|不存在的问题" in out
    after = audit_path(params)
    assert after.review.get(A8).decision.label == "已说明" and "漏列一项" in after.review.get(A8).explanation
    e = after.review.get("B10|评分表|项目完成及时性")
    assert e.decision.label == "已整改" and e.rectified_on == "2023-07-01" and e.source == wb_path.name
    assert after.review.get(B8).reason == "口径不同"  # the auditor's decision untouched
    text = summary.conclusion(after)
    assert "部门已说明 1 条、已整改 1 条" in text
    table = sections.problems_table(after)
    assert "已说明" in table and "已整改" in table and "2023-07-01" in table
    # the next workbook carries them: 已整改 with its date, the explanation kept
    ws2 = load_workbook(write_issues_workbook(after, tmp_path / "next.xlsx"))["问题清单"]
    rows2 = {x[col["问题键"] - 1]: x for x in ws2.iter_rows(min_row=2, values_only=True)}
    b10row = rows2["B10|评分表|项目完成及时性"]
    assert b10row[col["整改状态"] - 1] == "已整改" and b10row[col["整改完成日期"] - 1] == dt.datetime(2023, 7, 1)
    # reading the same workbook again changes nothing
    assert main(["review-import", str(wb_path), "--params", str(params)]) == 1
    assert "已整改 0 条、已说明 0 条；与复核文件相同 2 条" in capsys.readouterr().out


def test_a_bad_review_file_is_a_clear_message(params, capsys):
    review_path(params).write_text("format: kit-review/1\ndecisions:\n  - {key: A8, decision: 采纳}\n"
                                   "  - {key: B8, decision: 不采纳}\n", encoding="utf-8")
    assert main(["check", str(params)]) == 2
    err = capsys.readouterr().err
    assert "decisions 第1行 decision：未知的复核决定" in err and "decisions 第2行 reason：“不采纳”须写明不采纳的理由" in err


def test_review_import_refuses_what_is_not_a_workbook(params, tmp_path, capsys):
    bad = tmp_path / "x.xlsx"
    bad.write_bytes(b"not a zip")
    assert main(["review-import", str(bad), "--params", str(params)]) == 2
    assert "不是有效的 Excel 工作簿" in capsys.readouterr().err


def test_nothing_checkable_never_reads_no_problems(monkeypatch):
    from kit.engine.audit import summarise

    scores = [{"weight": "10", "self_score": "10", "recomputed_score": "10", "basis": b}
              for b in ("judgement", "unverifiable")]
    s = summarise([], scores, [])
    assert (s["status"], s["status_label"], s["points_rechecked"]) == ("none", "未能复核", 0)
    r = audit_path(SAMPLE_PARAMS)
    fake = {**r.summary(), **{k: s[k] for k in ("status", "status_label", "points_rechecked")}}
    monkeypatch.setattr(type(r), "summary", lambda self: fake)
    monkeypatch.setattr(type(r), "issues", lambda self, kind=None, labels="zh": r.findings.iloc[0:0].assign(
        kind=[], decision=[], amount=[], score_effect=[]))
    text = summary.conclusion(r)
    assert "未能复核" in text and "与自评一致" not in text
    assert "未发现问题。" not in text.replace("不能据此认为“未发现问题”", "")


def test_readme_review_file_example_loads_and_applies(params):
    import re

    readme = (SAMPLE_PARAMS.parents[1] / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(format: kit-review/1.*?)```", readme, re.S).group(1)
    review_path(params).write_text(example, encoding="utf-8")
    r = audit_path(params)
    assert r.review.get(B8).decision.label == "不采纳" and r.orphans() == []
    row = r.scores.set_index("indicator").loc["绩效指标明确性"]
    assert row["basis"] == "override" and str(row["recomputed_score"]) == "5.00"
    assert r.summary()["review"]["rectified"] == 1


def test_jupyter_display_shows_decisions_and_totals_before_and_after(params):
    r = audit_path(params)
    r.decide(A8, "确认", reviewer="王审计")
    r.override("绩效指标明确性", "5", "三项指标无目标值测算依据", reviewer="王审计")
    page = r._repr_html_()
    assert "审核调整前：复核总分 96.32（优）；调整后：95.32（优）" in page
    assert "问题键" in page and "确认" in page
    with pytest.raises(Exception, match="分数超出范围"):
        r.override("绩效指标明确性", "50", "超过分值")  # refused, the review as it was
    assert [o["score"] for o in r.review.overrides] == ["5"] and str(r.totals["recomputed"]) == "95.32"


def test_kit_import_takes_a_folder_of_forms(tmp_path, capsys):
    """``kit import FOLDER`` as ``kit render FOLDER``: the forms in it (.pdf, .txt, .html), nothing else."""
    import shutil

    forms = SAMPLE_PARAMS.parents[1] / "tests" / "assets" / "forms"
    folder = tmp_path / "forms"
    folder.mkdir()
    for name in ("tianchang-shuiliju-fangyu_2022.txt", "ezhou_czj_project_2019.txt"):
        shutil.copy(forms / name, folder / name)
    (folder / "说明.md").write_text("not a form", encoding="utf-8")
    assert main(["import", str(folder), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert len(list((tmp_path / "out").glob("*.import.yaml"))) == 3  # one file prints two forms
    (tmp_path / "empty").mkdir()
    assert main(["import", str(tmp_path / "empty"), "--out", str(tmp_path / "out2")]) == 2
    assert "没有可导入的表单" in capsys.readouterr().err


def test_a_changed_review_file_renders_the_department_again(params, tmp_path):
    from kit.run.batch import plan_batch

    before = plan_batch([params], tmp_path, 60)[0].fingerprint
    r = audit_path(params)
    r.decide(A8, "确认")
    r.save_review()
    after = plan_batch([params], tmp_path, 60)[0].fingerprint
    assert before != after


def test_decide_by_the_reports_number(params):
    r = audit_path(params)
    table = sections.problems_table(r)
    assert "<td>6.2</td>" in table and "财务合规性" in table
    e = r.decide("6.2", "确认")  # 6: 预算调整 (D5, B3, B16, B2); its second point is B3
    assert e.key == "B3|评分表|财务合规性"
    assert r.decide("2", "确认").key == A8
    with pytest.raises(KeyError, match="6.1–6.8"):
        r.decide("6", "确认")


@pytest.mark.kernel
def test_kit_render_reproduces_what_the_auditor_decided(params, tmp_path):
    """Decide in Python → save → kit render: the page, the JSON and the 问题清单.xlsx carry it."""
    import json

    r = audit_path(params)
    r.decide(B8, "不采纳", reason="口径不同", reviewer="王审计")
    r.decide("B10|评分表|项目完成及时性", "已整改", rectified_on="2023-07-01", explanation="已更正自评分数")
    r.override("绩效指标明确性", "5", "三项指标无目标值测算依据", reviewer="王审计")
    r.save_review()
    out = tmp_path / "out"
    assert main(["render", str(params), "--out", str(out)]) == 0
    page = (out / "022006.html").read_text(encoding="utf-8")
    assert "不采纳的问题（1 条" in page and "口径不同" in page and "已整改" in page
    assert "调整前复核总分 96.32 分（优），调整后" in page and f"{r.totals['recomputed']}" in page
    j = json.loads((out / "022006.json").read_text(encoding="utf-8"))
    assert j["totals"]["recomputed"] == str(r.totals["recomputed"]) and j["review"]["counts"]["rectified"] == 1
    ws = load_workbook(out / "022006-问题清单.xlsx")["问题清单"]
    header = [c.value for c in ws[1]]
    rows = {x[header.index("问题键")]: x for x in ws.iter_rows(min_row=2, values_only=True)}
    assert B8 not in rows and rows["B10|评分表|项目完成及时性"][header.index("整改状态")] == "已整改"
