"""Figures extracted from the prose of a department (kit/engine/prose.py)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.engine import prose
from kit.engine.checks import ProseCache
from kit.families import get_family
from kit.files.load import load_department

# The Shenzhen family's own labels (科室数, 社康中心数, 编制床位): data in its family.yaml.
SHENZHEN_LABELS = prose.label_rules(get_family("shenzhen_2022").prose_labels)

ROOT = Path(__file__).resolve().parents[1]
D = Decimal


@pytest.fixture(scope="module")
def dept():
    return load_department(ROOT / "data" / "022006-2022.yaml")


@pytest.fixture(scope="module")
def figures(dept):
    return prose.extract_figures(dept)


@pytest.fixture(scope="module")
def cache(dept):
    """The prose as the checks read it: the Shenzhen family's labels included, one extraction."""
    return ProseCache(dept, get_family("shenzhen_2022").prose_labels)


# --- the sample department -----------------------------------------------------------------
def test_next_year_budget_split_is_pinned(cache):
    nyb = cache.next_year
    assert nyb["total"].value == D("1950040000")
    assert nyb["basic"].value == D("1400940000")
    assert nyb["project"].value == D("529100000")
    assert {f.unit for f in nyb.values()} == {"元"}
    assert {f.printed_unit for f in nyb.values()} == {"万元"}
    assert nyb["total"].year == 2023 and nyb["total"].label == "下年预算"
    assert nyb["total"].printed == "195,004万元"
    assert "thousands" in nyb["total"].notes and "wan" in nyb["total"].notes
    # The printed split does not add up (140,094 + 52,910 = 193,004 万元): check A9 flags it.
    assert nyb["basic"].value + nyb["project"].value == D("1930040000")


def test_execution_rates(cache):
    r = cache.rates
    execution = {k: v for k, v in r.items() if k in prose.EXECUTION_RATE_LABELS}
    assert {k: v.value for k, v in execution.items()} == {
        "预算收入执行率": D("102.73"),
        "预算支出执行率": D("96.38"),
        "财政专项拨款执行率": D("99.44"),
    }
    assert all(f.unit == "%" and f.source == "narrative:budget_execution" for f in execution.values())
    # The 信访 rates are there too; satisfaction rates are read apart (each printed figure once).
    assert {k: v.value for k, v in r.items() if k not in execution} == {"信访回复率": D("100"), "信访及时处理率": D("100")}
    assert r["预算支出执行率"].raw == "预算支出执行率96.38%"


def test_maternal_health_items_sum_differs_from_table(dept):
    lst = prose.itemised_amounts(next(t for t in dept.tasks if t.name == "妇幼健康服务").content)
    assert [i.name for i in lst.items] == [
        "HPV筛查", "乳腺癌筛查", "产前诊断、产前筛查", "早产儿视网膜病筛查", "2021年基本避孕手术",
    ]
    assert [i.value for i in lst.items] == [D("576900"), D("459300"), D("389200"), D("63900"), D("425400")]
    assert lst.total == D("1914700")
    assert lst.stated_total is None and lst.complete
    # The printed "2；" numbers the next entry and is reported as a quirk.
    assert lst.items[1].no == "2" and "separator_quirk" in lst.items[1].notes
    assert "separator_quirk" in lst.notes
    assert lst.difference(D("1953010.00")) == D("-38310")


def test_rent_items_sum_equals_stated_total(dept):
    lst = prose.itemised_amounts(next(t for t in dept.tasks if t.name == "租赁费").content, "task:租赁费")
    assert len(lst.items) == 13
    assert [i.no for i in lst.items] == [str(n) for n in range(1, 14)]
    assert lst.items[-1].name == "海航城社康" and lst.items[-1].value == D("422000")
    assert lst.total == D("6217800") == lst.stated_total.value
    assert lst.stated_total.raw == "合计621.78万元" and lst.stated_total.printed == "621.78万元"
    assert lst.stated_total.label == "合计" and lst.stated_total.source == "task:租赁费"
    assert not lst.notes


def test_retirement_stated_budget_and_income_label(dept, figures):
    assert prose.itemised_amounts(next(t for t in dept.tasks if t.name == "离退休经费").content) is None
    (budget,) = prose.by_label(figures, "预算数", "task:离退休经费")
    assert budget.row == 9  # the 9th task: rows disambiguate repeated task names
    assert (budget.value, budget.year, budget.unit, budget.printed_unit) == (D("14274400"), 2022, "元", "万元")
    (income,) = [f for f in figures if f.source == "task:其他"]
    assert income.label == "事业收入预算" and income.kind == "income"
    assert income.value == D("1507988100")


def test_only_priced_task_lists_are_item_lists(dept):
    assert {t.name for t in dept.tasks if prose.itemised_amounts(t.content) is not None} == {"妇幼健康服务", "租赁费"}


def test_petitions(cache):
    p = cache.rates
    assert p["信访回复率"].value == D("100")
    assert p["信访及时处理率"].value == D("100")
    assert "规定时间内" in p["信访及时处理率"].raw


def test_satisfaction_with_trailing_junk(cache):
    sat = cache.satisfaction_rates()
    assert [(f.qualifier, f.value, f.notes) for f in sat] == [
        ("门诊", D("98.78"), ()),
        ("住院", D("98.82"), ("trailing_junk",)),
    ]
    assert sat[1].printed == "98.82&" and sat[1].unit == "%"


def _counts(figures) -> dict:
    out: dict = {}
    for f in figures:
        if f.kind == "count":
            out.setdefault(f.label, []).append(f)
    return out


def test_counts_every_occurrence(dept, cache):
    c = _counts(cache.figures)
    assert "科室数" not in _counts(prose.extract_figures(dept))  # hospital words are the family's, not the engine's
    assert [f.value for f in c["科室数"]] == [D("76"), D("76")]
    assert [f.value for f in c["社康中心数"]] == [D("23"), D("23")]
    assert [f.source for f in c["科室数"]] == ["profile:organisation", "profile:staffing"]
    assert c["编制床位"][0].value == D("1075") and c["编制床位"][0].unit == "张"
    assert [c[k][0].value for k in ("年末在编在职人数", "年末其他人员人数", "年末离退休人数")] == [
        D("889"), D("1634"), D("328"),
    ]


def test_medical_income_change_is_negative(figures):
    (f,) = prose.by_label(figures, "医疗收入同比变化")
    assert f.value == D("-0.52") and f.unit == "%" and f.kind == "change"


def test_claims(dept):
    ok, evidence = prose.key_work_all_completed(dept)
    assert ok is True and "均已完成" in evidence
    ok, evidence = prose.claim(dept, "projects_on_schedule")
    assert ok is True and "均按计划执行" in evidence
    ok, evidence = prose.claim(dept, "three_public_within_budget")
    assert ok is True and "均未超出预算" in evidence


def test_no_float_anywhere(figures):
    assert figures and all(isinstance(f.value, Decimal) for f in figures)


# --- tricky strings ------------------------------------------------------------------------
def _one(text, label, year=None):
    figs = [f for f in prose.scan_text(text, "t", year) if f.label == label]
    assert len(figs) == 1, figs
    return figs[0]


def test_fullwidth_digits_and_punctuation():
    f = _one("预算支出执行率９６．３８％。", "预算支出执行率")
    assert f.value == D("96.38") and "fullwidth" in f.notes
    assert f.raw == "预算支出执行率９６．３８％"  # quoted as printed
    f = _one("下年预算１，２３４．５万元", "下年预算")
    assert f.value == D("12345000") and {"fullwidth", "thousands", "wan"} <= set(f.notes)


def test_thousands_and_units():
    assert _one("2023年预算1,234.5万元", "下年预算", 2022).value == D("12345000")
    f = _one("2023年预算12.3亿元", "预算数", 2021)
    assert f.value == D("1230000000") and f.year == 2023 and f.printed_unit == "亿元"
    assert _one("部门预算总额1,978,799,355.27元", "预算数").value == D("1978799355.27")


def test_fullwidth_comma_is_a_clause_separator_not_thousands():
    figs = prose.scan_text("科室数76个，社康中心23家", "t", rules=prose.LABEL_RULES + SHENZHEN_LABELS)
    assert [(f.label, f.value) for f in figs] == [("科室数", D("76")), ("社康中心数", D("23"))]


@pytest.mark.parametrize("text", ["", None, "无", "   ", "预算支出执行率", "96.38%", "合计万元"])
def test_no_figures(text):
    assert prose.scan_text(text, "t") == []
    assert prose.itemised_amounts(text) is None


def test_markup_around_figures():
    f = _one("<td>预算支出执行率</td><td>96.38%</td>", "预算支出执行率")
    assert f.value == D("96.38")
    assert prose.scan_text("<script>alert(1)</script><b>", "t") == []


def test_weird_unicode_does_not_raise():
    for text in ["\ud800预算支出执行率96%", "\u200b\ufeff合计\u00a01万元", "①②③", "٣٤٥万元", "𝟗𝟔%"]:
        prose.scan_text(text, "t")
        prose.itemised_amounts(text)
    assert _one("\ud800预算支出执行率96%", "预算支出执行率").value == D("96")


def test_long_text_is_capped():
    text = "预算支出执行率1%；" + "啊" * (prose.MAX_SCAN + 10) + "预算收入执行率2%"
    figs = prose.scan_text(text, "t")
    assert [f.label for f in figs] == ["预算支出执行率"]


def test_truncated_sources_are_named(dept):
    from dataclasses import replace

    assert prose.truncated_sources(dept) == []
    long_task = replace(dept.tasks[0], content="啊" * (prose.MAX_SCAN + 1))
    big = replace(dept, tasks=(long_task,) + dept.tasks[1:])
    assert prose.truncated_sources(big) == ["task:基本医疗服务补助"]


def test_digit_flood_is_not_a_figure():
    assert prose.scan_text("预算数" + "9" * 5000 + "万元", "t") == []
    assert prose.itemised_amounts("1、甲" + "9" * 5000 + "万元") is None


def test_item_list_variants():
    lst = prose.itemised_amounts("1.设备购置50万元，2.培训费3,000元。合计：50.3万元")
    assert [(i.name, i.value) for i in lst.items] == [("设备购置", D("500000")), ("培训费", D("3000"))]
    assert lst.total == lst.stated_total.value == D("503000")
    lst = prose.itemised_amounts("①甲10万元②乙5万元")
    assert [(i.no, i.value) for i in lst.items] == [("1", D("100000")), ("2", D("50000"))]
    lst = prose.itemised_amounts("1、甲10万元；2、提高服务质量；4、丙1万元")
    assert lst.unpriced == ("提高服务质量",) and not lst.complete
    assert "numbering_gap" in lst.notes and lst.total == D("110000")


def test_item_list_rejects_unnumbered_prose():
    assert prose.itemised_amounts("事业收入预算合计150798.81万元。") is None
    assert prose.itemised_amounts("1、保障人民基本医疗；2、满足周边居民的医疗需求。") is None


def test_next_year_words_without_a_year():
    figs = prose.scan_text("下年预算100万元，基本支出60万元、项目支出40万元。", "t", 2022)
    assert [(f.label, f.value, f.year) for f in figs] == [
        ("下年预算", D("1000000"), 2023),
        ("下年基本支出", D("600000"), 2023),
        ("下年项目支出", D("400000"), 2023),
    ]
    # A current-year split is not the next year's.
    assert [f.label for f in prose.scan_text("2022年预算10万元，基本支出6万元", "t", 2022)] == ["预算数", "基本支出"]




# --- property: an item list sums exactly ---------------------------------------------------
_names = st.text(alphabet="甲乙丙丁戊己庚辛壬癸社康筛查费ABCxyz", min_size=1, max_size=8)
_amounts = st.decimals(min_value=D("0.01"), max_value=D("999999.99"), places=2, allow_nan=False,
                       allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_names, _amounts), min_size=1, max_size=25),
       st.sampled_from(["；", ";", "，", "、", "；\n"]))
def test_item_list_sum_is_exact(entries, sep):
    text = sep.join(f"{n}、{name}{amount}万元" for n, (name, amount) in enumerate(entries, 1))
    lst = prose.itemised_amounts(text)
    assert lst is not None
    assert [i.name for i in lst.items] == [name for name, _ in entries]
    assert lst.total == sum((a for _, a in entries), D(0)) * 10000


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_never_raises(text):
    for f in prose.scan_text(text, "t", 2022):
        assert isinstance(f.value, Decimal)
    prose.itemised_amounts(text)
