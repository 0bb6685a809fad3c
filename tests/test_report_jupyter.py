"""The audit in JupyterLab: outputs that carry their own scoped styles, a rich summary of the
result, and frames with Chinese column names and values (machine names stay in the JSON)."""
from __future__ import annotations

import re

import nbformat
import pytest

from kit.engine.audit import audit_path
from kit.report import sections as s
from kit.report.tables import WRAP_CLASS, component_css, wrap
from render_helpers import ROOT, rendered


@pytest.fixture(scope="module")
def result():
    return audit_path(ROOT / "params" / "022006.yaml")


def _selectors(css: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    out = []
    for block in re.findall(r"([^{}]+)\{[^{}]*\}", css):
        for sel in block.split(","):
            sel = sel.strip()
            if sel and not sel.startswith("@"):
                out.append(sel)
    return out


def test_every_component_rule_is_scoped_under_the_wrapper():
    """The styles each output carries restyle nothing of JupyterLab's own."""
    sels = _selectors(re.sub(r"@media[^{]*\{", "", component_css()))
    assert len(sels) > 40
    assert [x for x in sels if not x.startswith(f".{WRAP_CLASS}")] == []


def test_show_wraps_html_with_its_styles():
    out = wrap("<p>甲</p>")
    assert out.startswith(f'<div class="{WRAP_CLASS}"><style class="kit-style">') and out.endswith("<p>甲</p></div>")
    # The rules that JupyterLab's own table styles would otherwise win (fixed layout, right-aligned cells).
    assert "table-layout: auto" in out and "text-align: left" in out


def test_rich_display_of_an_audit_result(result):
    page = result._repr_html_()
    assert page.startswith(f'<div class="{WRAP_CLASS}"><style')
    text = re.sub(r"<[^>]+>", " ", page.split("</style>", 1)[1])
    for phrase in ("深圳市龙岗中心医院", "部分复核", "经复核为 96.32 分", "复核覆盖", "影响最大的问题", "公用经费控制率"):
        assert phrase in text, phrase
    assert len(repr(result)) < 300 and "部分复核" in repr(result)


def test_frames_speak_chinese(result):
    issues = result.issues()
    assert list(issues.columns[:5]) == ["类别", "结论", "检查编号", "检查项", "对象"]
    assert set(issues["结论"]) <= {"错误", "警告", "提示", "无法核实"}
    assert set(issues["类别"]) == {"问题", "无法核实", "格式与解析说明"}
    assert issues.index.name == "序号" and issues.index[0] == 1
    frames = result.frames()
    assert list(frames) == ["评分复核", "复核覆盖", "问题清单", "无法核实", "格式与解析说明", "需补充资料", "全部检查"]
    scores = frames["评分复核"]
    assert "复核依据" in scores.columns and set(scores["复核依据"]) <= {
        "按规则复核", "替代口径复核", "专业判断（保留自评分）", "资料不足，无法复核", "审核人员调整"}
    cov = frames["复核覆盖"]["分数"]
    assert [str(cov[k]) for k in ("按规则复核", "替代口径复核", "专业判断（保留自评分）", "资料不足，无法复核")] == [
        "24", "9", "54", "13"]
    # Machine names stay in the JSON contract.
    j = result.to_json_dict()
    assert {f["severity"] for f in j["findings"]} <= {"error", "warning", "info"}


def test_coverage_and_counts_on_the_sample(result):
    sm = result.summary()
    assert {k: str(v) for k, v in sm["points"].items()} == {
        "exact": "24", "proxy": "9", "judgement": "54", "unverifiable": "13", "override": "0"}
    assert str(sm["points_rechecked"]) == "33" and str(sm["points_total"]) == "100"
    assert sm["status_label"] == "部分复核"
    assert sm["problems"] == {"error": 3, "warning": 19, "info": 5}
    assert (sm["unverifiable"], sm["format"]) == (15, 12)


def test_status_is_complete_only_when_nothing_is_unverifiable(result):
    from kit.engine.audit import summarise

    scores = [{**r, "basis": "exact" if r["basis"] == "unverifiable" else r["basis"]}
              for r in result.scores.to_dict("records")]
    findings = [f for f in result.findings.to_dict("records") if f["status"] != "unverifiable"]
    assert summarise(findings, scores, [])["status_label"] == "已完成复核"
    assert summarise(findings, scores, [{"input": "authorized_posts"}])["status_label"] == "部分复核"


@pytest.mark.kernel
def test_executed_notebook_outputs_carry_styles_and_the_page_has_them_once(tmp_path_factory):
    sample = rendered(tmp_path_factory.getbasetemp(), "sample")
    nb = nbformat.read(sample.ipynb, as_version=4)
    html_outputs = [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                    if "text/html" in o.get("data", {})]
    assert len(html_outputs) >= 10
    assert all('<style class="kit-style">' in h and f'class="{WRAP_CLASS}"' in h for h in html_outputs)
    page = sample.html.read_text(encoding="utf-8")
    # the components sheet once in the page (its comments are left out with the rules that cannot apply)
    assert page.count('<style class="kit-style">') == 0 and page.count("--kit-head: #e8edf2") == 1


def test_report_text_follows_the_rule_set(result):
    """No template's numbers written in: captions and sentences use the rule set and the score rows."""
    import dataclasses
    from decimal import Decimal

    from kit.report import summary

    rules = dataclasses.replace(result.rules, total=Decimal(120))
    fake = dataclasses.replace(result, rules=rules, scores=result.scores.iloc[:20])
    assert "满分 120 分" in s.scores_table(fake) and "20 项三级指标" in s.scores_table(fake)
    assert "20 项三级指标、满分 120 分" in summary.coverage_sentence(fake)
    nb = (ROOT / "notebooks" / "audit.ipynb").read_text(encoding="utf-8")
    assert "21 个" not in nb and "100 分" not in nb
