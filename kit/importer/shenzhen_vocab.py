"""The Shenzhen form's printed vocabulary: labels, row and title patterns, and how labels compare.

Shared by the text-layer reader (``shenzhen``), the PDF cell reader (``shenzhen_pdf``), the
file splitter (``shenzhen_form``) and the finishing steps (``shenzhen_finish``).
"""
from __future__ import annotations

import functools
import re

from ..core.values import norm_label as norm  # the kit's one label normaliser: NFKC, no spaces, no '*'

TITLE = "深圳市部门整体支出绩效自评表（100 分制）"

_UNIT_LABEL = re.compile(r"[（(](?:元|万元|亿元)[)）]")


@functools.lru_cache(maxsize=4096)
def label_key(s: str) -> str:
    """A label as looked up (``norm``), its printed unit made canonical ((万元) and (元) name the same column)."""
    return _UNIT_LABEL.sub("(元)", norm(s))


# --- the form's printed vocabulary (as printed; every lookup table is keyed by label_key) -------
PROFILE_LABELS = {"部门主要职责": "duties", "组织结构": "organisation", "人员编制情况": "staffing"}
STAGE_LABELS = {label_key(k): v for k, v in {
    "年初预算批复（收入）": "initial", "年初预算批复": "initial", "全年调整后预算数": "adjusted", "年末执行数": "actual"}.items()}
LINE_BLOCK_LABELS = {label_key(k): v for k, v in {
    "部门基本支出": "basic_lines", "项目支出": "project_lines", "拨付下属单位转移支付项目支出（如有）": "transfer_lines"}.items()}
LINE_BLOCKS = ("basic_lines", "project_lines", "transfer_lines")
# 年度绩效指标: 二级指标 → 一级指标 of the Shenzhen template.
INDICATOR_LEVEL2 = {
    "数量": "产出", "质量": "产出", "时效": "产出", "成本": "产出",
    "经济效益": "效益", "社会效益": "效益", "生态效益": "效益", "可持续影响": "效益",
    "服务对象满意度": "满意度", "其他满意度": "满意度",
}
INDICATOR_LEVEL1 = ("产出", "效益", "满意度")
# Printed labels that hold no value (recognised, counted, not placed).
LABELS = frozenset(label_key(k) for k in (
    "部门名称", "部门编码", "部门主要职责", "组织结构", "人员编制情况", "部门支出总金额（元）",
    "部门基本支出总金额（元）", "部门项目支出总金额（元）", "预算调整（如有）原因及情况说明",
    *STAGE_LABELS, *LINE_BLOCK_LABELS, "项目基本支出", "序号", "项目名称", "预算金额（元）",
    "预算调整后金额（元）", "实际支出金额（元）", "拨付下属单位转移支", "付项目支出（如有）",
    "年度主要任务完成情况", "任务名称", "主要内容", "完成情况", "预算数（元）", "执行数（元）", "总数",
    "其中财政拨款（元）", "其他资金（元）", "年度总体目标完成情况", "预期目标", "目标完成实际情况",
    "年度绩效指标完成情况", "一级指标", "二级指标", "三级指标", "指标值", "实际完成指标值", *INDICATOR_LEVEL1,
    "评价指标", "分数", "指标说明", "评分标准", "自评分数", "评分表",
    "一、部门（单位）基本情况", "二、部门（单位）主要履职绩效分析", "三、总体评价和整改措施",
    "部门整体支出绩效自评表", "部门整体支出绩效自评报告", "部门预算总额", "部门预算总额（元）",
))
NARRATIVE_ORDER = (
    ("functions", "annual_work", "budget_preparation", "budget_execution"),
    ("duty_goals", "duty_performance", "performance_analysis"),
    ("experience", "problems", "plans"),
)
PART_NUMERALS = "一二三"
COUNT_PATTERNS = {
    "departments": r"(?:共|设)(\d+)个科室",
    "community_centres": r"社康中心(\d+)个",
    "beds": r"编制床位(\d+)张",
    "on_staff": r"年末在编在职人数(\d+)人",
    "other_staff": r"年末其他人员人数(\d+)人",
    "retired": r"年末离退休人数(\d+)人",
    "authorized_posts": r"核定编制(?:数)?(?:（含工勤人员?）)?(?:为|是)?(\d+)人",
}

# An amount cell as printed, readable or not (full-width digits, '(1,234.00)', '—'): it keeps its
# place in its row; whether its value can be used is decided when it is placed (shenzhen_cells).
_NUM = r"(?:[(（]?[-+−－]?\d[\d,，.．]*[^\s\d]*|#{2,}|[—–―／/]{1,2}|－|-{1,2})"
AMOUNT = re.compile(rf"^{_NUM}$")
HEAD_RE = re.compile(r"^部门名称\s+(?P<name>.+?)\s+部门编码\s+(?P<code>\S+)"
                     r"(?:\s+部门预算总额(?:[（(](?P<tunit>元|万元|亿元)[)）])?\s+(?P<total>\S+))?$")
TASK_END = re.compile(rf"^(?:(?P<status>[^\d\s#+-]\S*)\s+)?(?P<amounts>{_NUM}(?:\s+{_NUM}){{5}})$")
WEIGHT_LINE = re.compile(r"^(?P<pre>.*?)\s*(?P<w>\d{1,3}(?:\.\d+)?|#{2,})(?:\s+(?P<post>\S.*))?$")
LONE_SCORE = re.compile(r"^(?:\d{1,3}(?:\.\d+)?|#{2,})$")
TITLE_RE = re.compile(r"^[(（]([一二三四五六七八九十]+)[)）]\s*(\S.*)$")
PART_RE = re.compile(r"^([一二三四五])、\s*(\S.*)$")
YEAR_TITLE = re.compile(r"((?:19|20)\d{2})\s*年度?\s*部门整体支出绩效")
YEAR_EXEC = re.compile(r"((?:19|20)\d{2})\s*年度部门预算")
YEAR_FILE = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


def is_label(text: str) -> bool:
    """A printed label (or several side by side); a label wrapped inside its cell counts too."""
    if label_key(text) in LABELS:
        return True
    parts = [label_key(p) for p in text.split() if norm(p)]
    return bool(parts) and all(p in LABELS for p in parts)


# Group names of the score table (printed as merged cells after the table).
SCORE_LEVEL_LABELS = {
    "部门决策", "部门管理", "部门绩效", "预算编制", "目标设置", "资金管理", "项目管理", "资产管理", "人员管理",
    "制度管理", "经济性", "效率性", "效果性", "公平性",
}
SCORE_LEVEL1 = ("部门决策", "部门管理", "部门绩效")


@functools.lru_cache(maxsize=1)
def rules_levels() -> dict[str, tuple[str, str]]:
    """三级指标 → (一级指标, 二级指标) of the family's score table (the rule file)."""
    try:
        from ..engine.rules import load_rules, norm_name

        return {norm_name(r.name): (r.level1, r.level2) for r in load_rules().indicators}
    except Exception:  # a missing or broken rule file: names stay as printed, levels absent
        return {}
