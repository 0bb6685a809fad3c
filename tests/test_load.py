"""The sample department loads exactly as printed; broken YAML files get clear errors."""
from __future__ import annotations

from decimal import Decimal

import pytest

from kit import LoadError, load_department
from kit.model import BUDGET_PARTS, LINE_FIELDS, Department
from kit.core.values import Num


# --- the sample, pinned to the printed form ------------------------------------------------
def test_sample_block_counts(sample: Department):
    assert (sample.name, sample.code, sample.year) == ("深圳市龙岗中心医院", "022006", 2022)
    assert len(sample.tasks) == 11
    assert len(sample.indicators) == 9
    assert len(sample.scores) == 21
    assert len(sample.narrative.sections) == 10
    assert len(sample.basic_lines) == 2
    assert len(sample.project_lines) == 1
    assert len(sample.transfer_lines) == 1


def test_sample_totals_match_the_printed_form(sample: Department):
    b = sample.budget
    assert b.initial.total.value == Decimal("1978799355.27")
    assert b.adjusted.total.value == Decimal("2211773762.75")
    assert b.actual.total.value == Decimal("2211773762.75")
    assert b.initial.basic.value + b.initial.project.value == b.initial.total.value
    assert sample.narrative.budget_total.value == Decimal("1978799355.27")
    assert sum(s.self_score.value for s in sample.scores) == Decimal("97.00")
    assert sum(t.budget.total.value for t in sample.tasks) == Decimal("2211773762.75")


def test_money_is_decimal_never_float(sample: Department):
    nums: list[Num] = [getattr(getattr(sample.budget, st), p) for st in ("initial", "adjusted", "actual") for p in BUDGET_PARTS]
    nums += [ln.actual for ln in sample.basic_lines] + [t.actual.fiscal for t in sample.tasks]
    nums += [s.self_score for s in sample.scores]
    assert nums and all(isinstance(n.value, Decimal) for n in nums)
    # The printed text is kept next to the value, trailing zeros included.
    assert sample.budget.initial.basic.raw == "1444547800.00"


def test_printed_quirks_are_kept_as_raw_text(sample: Department):
    effect = next(s for s in sample.scores if s.level3.startswith("社会效益"))
    assert effect.weight.raw == "#####" and effect.weight.value is None
    satisfaction = sample.indicators[-1]
    assert satisfaction.actual == "门诊满意度98.78%、住院满意度98.82&"
    assert sample.stray == ("Zero", "医院公章")


def test_load_findings_name_every_quirk(sample: Department):
    found = {(f.code, f.block, f.row, f.raw) for f in sample.load_findings}
    assert ("overflow", "评分表", 19, "#####") in found
    assert ("trailing_junk", "年度绩效指标完成情况", 9, "98.82&") in found
    assert ("stray", "无归属文字", 1, "Zero") in found
    assert ("stray", "无归属文字", 2, "医院公章") in found
    assert len(sample.load_findings) == 4
    assert all(f.severity == "warning" for f in sample.load_findings)


def test_frames_use_the_forms_column_names(sample: Department):
    frames = sample.frames()
    assert {"部门预算总表", "部门基本支出", "年度主要任务完成情况", "评分表", "自评报告", "加载提示"} <= set(frames)
    assert list(frames["部门基本支出"].columns) == list(LINE_FIELDS.values())
    assert list(frames["部门预算总表"].columns) == list(BUDGET_PARTS.values())
    tasks = frames["年度主要任务完成情况"]
    assert {"任务名称", "完成情况", "预算数·总数", "执行数·其中财政拨款", "主要内容"} <= set(tasks.columns)
    assert len(tasks) == 11
    assert frames["部门预算总表"].loc["年初预算批复", "部门支出总金额"] == Decimal("1978799355.27")
    assert len(frames["加载提示"]) == 4


def test_repr_html_escapes_names(sample: Department):
    import dataclasses

    evil = dataclasses.replace(sample, name="<script>alert(1)</script>医院")
    html = evil._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


# --- broken YAML files ---------------------------------------------------------------------
def _problems(path) -> list[str]:
    with pytest.raises(LoadError) as exc:
        load_department(path)
    return [str(p) for p in exc.value.problems]


def test_invalid_yaml_names_the_line(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("format: kit-dept/1\ndepartment:\n  name: [unclosed\n  code: \"1\"\n", encoding="utf-8")
    (msg,) = _problems(f)
    assert "YAML 语法错误" in msg and str(f) in msg
    with pytest.raises(LoadError) as exc:
        load_department(f)
    assert exc.value.problems[0].line in (3, 4)


def test_truncated_yaml_is_an_error(sample_copy, sample_data_path):
    _, d = sample_copy()
    text = sample_data_path.read_text(encoding="utf-8")
    d.write_text(text[: text.index("    budget: {total: \"332112474.35\"") + 20], encoding="utf-8")
    msgs = _problems(d)
    assert msgs and all(str(d) in m for m in msgs)


def test_not_utf8_says_so(tmp_path, sample_data_path):
    f = tmp_path / "gbk.yaml"
    f.write_bytes(sample_data_path.read_text(encoding="utf-8").encode("gbk", errors="replace"))
    (msg,) = _problems(f)
    assert "不是 UTF-8 编码" in msg


def test_empty_file(tmp_path):
    f = tmp_path / "empty.yaml"
    f.write_text("  \n", encoding="utf-8")
    (msg,) = _problems(f)
    assert "是空的" in msg


def test_utf8_bom_loads(tmp_path, sample_data_path, sample):
    f = tmp_path / "bom.yaml"
    f.write_bytes(b"\xef\xbb\xbf" + sample_data_path.read_bytes())
    assert load_department(f).budget.initial.total == sample.budget.initial.total


def test_yaml_no_key_and_value_stay_text(sample_copy):
    # YAML 1.1 reads `no` as False; the 序号 key `no:` and a 完成情况 of `no` must stay text.
    _, d = sample_copy(data={'status: "已完成"': "status: no", '{no: "1", name: "人员经费"': '{no: 1, name: "人员经费"'})
    dept = load_department(d)
    assert dept.tasks[0].status == "no"
    assert dept.basic_lines[0].no == "1"


def test_unquoted_dept_code_is_rejected(sample_copy):
    _, d = sample_copy(data={'code: "022006"': "code: 022006"})
    (msg,) = _problems(d)
    assert "部门编码被读成了数字" in msg and "022006" in msg and "基本信息" in msg


def test_unknown_task_field_suggests_the_right_one(sample_copy):
    _, d = sample_copy(data={'    status: "已完成"\n': '    stauts: "已完成"\n'})
    (msg,) = _problems(d)
    assert "年度主要任务完成情况 第1行" in msg and "未知字段" in msg and "“status”" in msg


def test_text_in_amount_names_block_row_field_and_line(sample_copy):
    _, d = sample_copy(data={'budget: {total: "28581545.16"': 'budget: {total: "两千八百万"'})
    with pytest.raises(LoadError) as exc:
        load_department(d)
    (p,) = exc.value.problems
    assert (p.block, p.row, p.field, p.value) == ("年度主要任务完成情况", 2, "预算数·总数", "两千八百万")
    assert p.line is not None and "两千八百万" in d.read_text(encoding="utf-8").splitlines()[p.line - 1]


def test_all_problems_in_a_file_are_reported_together(sample_copy):
    _, d = sample_copy(
        data={
            'code: "022006"': "code: 022006",
            'weight: "5.00"': 'weight: "五分"',
            "    content: \"用于开展": "    contnet: \"用于开展",
        }
    )
    with pytest.raises(LoadError) as exc:
        load_department(d)
    assert len(exc.value.problems) == 3
    assert len(str(exc.value).splitlines()) == 3


def test_unsupported_extension(tmp_path):
    f = tmp_path / "dept.csv"
    f.write_text("a,b\n", encoding="utf-8")
    (msg,) = _problems(f)
    assert "不支持的文件类型" in msg and ".csv" in msg
