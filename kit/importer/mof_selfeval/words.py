"""The printed vocabulary of the 财政部-style 自评表: block labels, column headers, level names.

Everything here is compared after ``cells.norm`` (NFKC, no spaces): the labels that open each block,
the headers that name each column, the names of 一级/二级指标, and the few texts built from them.
"""
from __future__ import annotations

import functools
import re

from ..cells import norm

BLOCK_ORDER = ("header", "funds", "goals", "indicators", "self_eval")

# --- the form's printed vocabulary (compared after cells.norm: NFKC, no spaces) -------------------
TITLE = re.compile(r"绩效自评表")
TITLE_YEAR = re.compile(r"((?:19|20)\d{2})年度?")
TITLE_CONT = re.compile(r"^\(?(?:19|20)\d{2}年度?\)?$")
HEADER_LABELS = {
    "项目名称": ("header", "project"),
    "部门(单位)名称": ("department", "name"),
    "部门名称": ("department", "name"),
    "单位名称": ("department", "name"),
    "主管部门": ("header", "authority"),
    "实施单位": ("header", "implementer"),
    "实施单位(盖章)": ("header", "implementer"),
    "项目实施单位": ("header", "implementer"),
    "单位(盖章)": ("header", "implementer"),
}
INLINE = re.compile(r"(单位名称|单位[(（]盖章[)）]|填报单位|填报日期|报表编号|项目负责人|财务负责人|填报人|联系电话|审核人)"
                    r"\s*[:：]\s*(\S*)")
INLINE_PATHS = {"单位名称": ("department", "name"), "填报单位": ("department", "name"), "单位(盖章)": ("header", "implementer")}

FUNDS_START = re.compile(r"^(项目资金|预算执行情况|年度预算执行情况|部门(\(单位\))?(整体|总体)?资金|资金来源|年度资金情况)")
FUNDS_LABEL = re.compile(r"^(\(万元\)|\(元\)|年度预算数\(万元\)|年度预算数|资金来源|资金\(万元\))$")
FUNDS_COLS = (
    (re.compile(r"^年初预算(数)?(\(A\))?$"), "initial"),
    (re.compile(r"^(全年预算数|调整后预算数|全年预算数\(调整后\)|调整后预算|预算数)(\(A\))?$"), "adjusted"),
    (re.compile(r"^(全年执行数|预算执行数|执行数|实际执行数)(\(B\))?$"), "actual"),
    (re.compile(r"^(分值|权重)(\(\d+(\.\d+)?分\))?$"), "weight"),
    (re.compile(r"^(预算)?执行率(\(B/A\))?$"), "rate"),
    (re.compile(r"^得分(\(.*\))?$"), "score"),
    (re.compile(r"^(原因|原因说明|偏差原因)$"), "reason"),
    (re.compile(r"^得分计算方法$"), "method"),
)
FUNDS_SPECIFIC = ("initial", "adjusted", "actual")  # columns that open the block when met first
SOURCE = re.compile(r"^(其中[:：]?)?[^\d\s:：]{0,14}(总额|资金|拨款|支出|其他|合计)[:：]?$")

GOALS_START = re.compile(r"^(年度总体目标(完成情况)?|项目基本情况|\d[.、]?项目年度目标完成情况|年度目标\d*[:：]?(\(\d+分\))?[:：]?)$")
GOAL_COLS = ((re.compile(r"^(预期目标|项目年度目标|年初设定目标|年度目标)$"), "expected"),
             (re.compile(r"^(实际完成情况|年度目标完成情况|年度总体目标完成情况|目标完成情况|实际完成)$"), "actual"))

IND_START = re.compile(r"^(年度绩效指标完成情况|年度绩效指标|绩效指标(\(\d+(\.\d+)?分\))?|年度绩效目标\d*(\(\d+(\.\d+)?分\))?)$")
IND_COLS = (
    (re.compile(r"^一级(指标)?$"), "level1"),
    (re.compile(r"^二级(指标)?$"), "level2"),
    (re.compile(r"^三级(指标)?$"), "level3"),
    (re.compile(r"^指标性质$"), "nature"),
    (re.compile(r"^(年度指标值|指标值|年初目标值|年度目标值|目标值|年度)(\(A\))?$"), "target"),
    (re.compile(r"^(度量单位|计量单位)$"), "unit"),
    (re.compile(r"^(实际完成值|完成值|全年实际值|实际值|实际)(\(B\))?$"), "actual"),
    (re.compile(r"^(分值|权重)$"), "weight"),
    (re.compile(r"^得分$"), "score"),
    (re.compile(r"^得分系数.*$"), "coefficient"),
    (re.compile(r"^是否核心指标$"), "core"),
    (re.compile(r"^(偏差原因分析及改进措施|未完成原因分析|偏差原因分析|偏差原因)$"), "deviation"),
    (re.compile(r"^得分计算方法$"), "method"),
)
IND_WRAP = re.compile(r"^(指标|指标值|完成值)$")  # the second line of a wrapped header cell
GROUP = re.compile(r"^(?P<name>.*?)\((?P<w>\d+(?:\.\d+)?)分\)$")
PLACEHOLDER = re.compile(r"^(……|…|\.{3,}|。{3,}|指标\d+[:：]?)$")
LEVEL1 = re.compile(r"^(产出|效益|满意度)(指标)?$")
LEVEL2_PARENT = {  # 二级指标 → 一级指标 of the template
    "数量": "产出指标", "质量": "产出指标", "时效": "产出指标", "成本": "产出指标", "经济成本": "产出指标",
    "经济效益": "效益指标", "社会效益": "效益指标", "生态效益": "效益指标", "可持续影响": "效益指标",
    "服务对象满意度": "满意度指标", "群众满意度": "满意度指标", "社会公众满意度": "满意度指标",
}
LEVEL_ANY = re.compile(r"^(?!指标\d)[^\d]{1,12}指标$")  # a printed 一级/二级 name: '…指标', not '指标1:…'
NATURES = frozenset({"=", "≥", "≤", ">", "<", "≧", "≦", ">=", "<=", "定量", "定性", "正向", "反向"})

TOTAL = re.compile(r"^(总分|合计|总分合计|自评总分)$")
SELF_TEXTS = {"评价结论": "conclusion", "存在问题": "problems", "改进措施": "measures",
              "偏差大或目标未完成原因分析": "problems", "改进措施及结果应用方案": "measures", "自评等级": "grade"}
EXTRA_TEXT = re.compile(r"^(\d[.、])?(项目实施内容及过程概述)$")  # printed content the model has no field for
TAIL = re.compile(r"^(项目负责人|财务负责人|填报人|联系电话|审核人|备注|注)[:：]?")
NOTE_WEIGHTS = re.compile(r"([^\s、,，:：;；。]{1,40}?指标)(\d+(?:\.\d+)?)分")  # bounded: linear on any text


def match_column(rules, key: str) -> str | None:
    for rx, f in rules:
        if rx.match(key):
            return f
    return None


@functools.lru_cache(maxsize=4096)
def funds_col(key: str) -> str | None:
    return match_column(FUNDS_COLS, key)


@functools.lru_cache(maxsize=4096)
def ind_col(key: str) -> str | None:
    return match_column(IND_COLS, key)


def opens_block(key: str) -> bool:
    """A label at which ``FormReader.scan`` opens a block that can hold content (funds, goals,
    indicators): a form printing none has nothing this layout can read."""
    return bool(FUNDS_START.match(key) or funds_col(key) in FUNDS_SPECIFIC or GOALS_START.match(key)
                or IND_START.match(key) or ind_col(key) == "level1")


def level2_parent(name: str) -> str | None:
    k = norm(name)
    k = k[:-2] if k.endswith("指标") else k
    return LEVEL2_PARENT.get(k)


def is_level(name: str) -> bool:
    k = norm(name)
    return bool(LEVEL1.match(k) or level2_parent(k) or LEVEL_ANY.match(k))


def is_title(key: str) -> bool:
    return bool(TITLE.search(key)) and len(key) <= 40


def group_name(text: str) -> str:
    """'产出指标（50分）' → '产出指标'."""
    return re.sub(r"\s*[(（]\s*\d+(?:\.\d+)?\s*分\s*[)）]\s*$", "", text)


def level1_name(key: str) -> bool:
    m = GROUP.match(key)
    return bool(LEVEL1.match(m.group("name") if m and m.group("name") else key))


def unnumbered(text: str) -> str:
    return re.sub(r"^\d[.、]\s*", "", text)
