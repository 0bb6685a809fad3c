"""The form's Chinese terms and the loader's guards: one place for labels of every block.

Messages, DataFrames, workbook headers and the report all take their words from here.
"""
from __future__ import annotations

import re
from decimal import Decimal

from ..core.values import NOTE_TEXT

FORMAT = "kit-dept/1"

# --- Chinese labels: one place for the form's terms (messages, DataFrames, xlsx headers).
BLOCK_LABELS = {
    "department": "基本信息",
    "profile": "部门基本情况",
    "budget": "部门预算总表",
    "basic_lines": "部门基本支出",
    "project_lines": "项目支出",
    "transfer_lines": "转移支付项目支出",
    "tasks": "年度主要任务完成情况",
    "goals": "年度总体目标完成情况",
    "indicators": "年度绩效指标完成情况",
    "scores": "评分表",
    "narrative": "自评报告",
    "supplementary": "补充资料",
    "stray": "无归属文字",
    "header": "表头",
    "funds": "年度预算执行情况",
    "score_groups": "评分表分组",
    "self_eval": "自评结果",
}
# Top-level keys of a data file that are not blocks.
FILE_KEYS = ("format", "family", "incomplete", "detection")
# detection: how kit import chose the family (shown in the report): chosen, reason, nearest, tried rows.
DETECTION_FIELDS = {"chosen": "所选模板", "reason": "理由", "nearest": "最接近的模板", "tried": "比对过的模板"}
DETECTION_TRY_FIELDS = {"family": "模板", "fits": "是否相符", "why": "说明"}
DEPARTMENT_FIELDS = {"name": "部门名称", "code": "部门编码", "year": "年度"}
PROFILE_TEXTS = {"duties": "部门主要职责", "organisation": "组织结构", "staffing": "人员编制情况"}
COUNT_FIELDS = {
    "departments": "科室数",
    "community_centres": "社康中心数",
    "beds": "编制床位",
    "on_staff": "年末在编在职人数",
    "other_staff": "年末其他人员人数",
    "retired": "年末离退休人数",
    "authorized_posts": "核定编制数",
    "actual_staff": "实有人数",
}
BUDGET_STAGES = {"initial": "年初预算批复", "adjusted": "全年调整后预算数", "actual": "年末执行数"}
BUDGET_PARTS = {"total": "部门支出总金额", "basic": "部门基本支出总金额", "project": "部门项目支出总金额"}
LINE_FIELDS = {
    "no": "序号",
    "name": "项目名称",
    "budget": "预算金额（元）",
    "adjusted": "预算调整后金额（元）",
    "actual": "实际支出金额（元）",
}
TASK_AMOUNT_PARTS = {"total": "总数", "fiscal": "其中财政拨款", "other": "其他资金"}
TASK_FIELDS = {"name": "任务名称", "content": "主要内容", "status": "完成情况"}
GOAL_FIELDS = {"expected": "预期目标", "actual": "目标完成实际情况"}
INDICATOR_FIELDS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "target": "指标值",
    "actual": "实际完成指标值",
}
# Columns some families print beside 指标值 / 实际完成值 (all optional).
INDICATOR_EXTRA_FIELDS = {
    "nature": "指标性质",
    "unit": "计量单位",
    "weight": "分值",
    "score": "得分",
    "coefficient": "得分系数",
    "core": "是否核心指标",
    "deviation": "偏差原因分析及改进措施",
}
INDICATOR_NUM_FIELDS = ("weight", "score", "coefficient")
HEADER_FIELDS = {"title": "表名", "project": "项目名称", "authority": "主管部门", "implementer": "实施单位",
                 "unit": "金额单位", "date": "填报日期"}
FUND_FIELDS = {
    "source": "资金来源",
    "initial": "年初预算数",
    "adjusted": "全年预算数（调整后）",
    "actual": "全年执行数",
    "weight": "分值",
    "rate": "执行率",
    "score": "得分",
}
FUNDS_FIELDS = {"weight": "分值", "score": "得分", "rate": "执行率", "reason": "原因说明", "rows": "资金来源各行"}
SCORE_GROUP_FIELDS = {"level": "层级", "name": "指标", "parent": "上级指标", "weight": "分值", "self_score": "自评得分"}
SELF_EVAL_FIELDS = {
    "total": "自评总分",
    "total_weight": "总分分值",
    "grade": "自评等级",
    "conclusion": "评价结论",
    "problems": "存在问题",
    "measures": "改进措施",
}
# The kit's one "not applicable" set. NA_MARKS: the marks a form prints for "not applicable"
# (dashes and slashes, single or doubled); the importer reads a cell holding one as a dash.
# NOT_APPLICABLE: what a number field (分值, 得分, an amount) or an indicator's 指标值/实际完成值
# reads as "not applicable": the marks, and the word 无 (a text field that says 无 keeps it as text).
# Kept as printed, no value: never 0.
NA_MARKS = frozenset({"-", "/", "—", "－", "／", "\\", "--", "——", "－－", "//"})
NOT_APPLICABLE = NA_MARKS | {"无"}
SCORE_FIELDS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "weight": "分数",
    "description": "指标说明",
    "criteria": "评分标准",
    "self_score": "自评分数",
}
NARRATIVE_SECTIONS = {
    "functions": "部门主要职能",
    "annual_work": "年度总体工作和重点工作任务",
    "budget_preparation": "部门预算编制情况",
    "budget_execution": "部门预算执行情况",
    "duty_goals": "主要履职目标",
    "duty_performance": "主要履职情况",
    "performance_analysis": "部门履职绩效情况",
    "experience": "预算绩效管理工作主要经验、做法",
    "problems": "部门整体支出绩效存在的问题和改进措施",
    "plans": "后续工作计划、相关建议等",
}
# Inputs the scoring rules need that the form does not carry: key -> (label, kind).
# kind: 'amount' (元), 'pct', 'count', 'flag' (true/false), 'disclosure' (合规/有缺陷/未公开).
SUPPLEMENTARY = {
    "authorized_posts": ("核定编制数（含工勤人员）", "count"),
    "contract_staff": ("劳务派遣及直接聘用的编外人员数", "count"),
    "q1_progress": ("一季度末累计支出进度（%）", "pct"),
    "q2_progress": ("二季度末累计支出进度（%）", "pct"),
    "q3_progress": ("三季度末累计支出进度（%）", "pct"),
    "q4_progress": ("四季度末累计支出进度（%）", "pct"),
    "three_public_budget": ("“三公”经费预算安排数（元）", "amount"),
    "three_public_actual": ("“三公”经费实际支出数（元）", "amount"),
    "daily_public_budget": ("日常公用经费调整预算数（元）", "amount"),
    "daily_public_actual": ("日常公用经费决算数（元）", "amount"),
    "fixed_assets_in_use": ("实际在用固定资产总额（元）", "amount"),
    "fixed_assets_total": ("所有固定资产总额（元）", "amount"),
    "procurement_plan": ("政府采购计划金额（元）", "amount"),
    "procurement_actual": ("政府采购实际金额（元）", "amount"),
    "cumulative_adjustment": ("累计调整、调剂资金（元）", "amount"),
    "budget_disclosure": ("部门预算公开情况（合规/有缺陷/未公开）", "disclosure"),
    "final_disclosure": ("部门决算公开情况（合规/有缺陷/未公开）", "disclosure"),
    "classified": ("涉密部门（是/否）", "flag"),
    "petition_channel": ("建立了群众意见反映渠道和办理回复机制（是/否）", "flag"),
    "petition_reply_rate": ("群众信访办理回复率（%）", "pct"),
    "petition_timely_rate": ("群众信访及时办理回复率（%）", "pct"),
    "key_tasks_total": ("重点工作总数", "count"),
    "key_tasks_incomplete": ("未完成的重点工作数", "count"),
    "projects_planned": ("计划完成项目总数", "count"),
    "projects_on_time": ("按计划时间完成项目数", "count"),
    # MOF-2013 基础数据表: “三公经费”变动率 compares this year's 三公 with last year's.
    "three_public_prior_budget": ("上年“三公”经费预算数（元）", "amount"),
    "three_public_prior_actual": ("上年“三公”经费决算数（元）", "amount"),
}
DISCLOSURE_VALUES = ("合规", "有缺陷", "未公开")

# Loader guards (not audit rules): what no department's form can print.
# ≥ 1e15 元 (一千万亿元) loads with a warning: most likely a typing slip, and the auditor must see it.
HUGE_AMOUNT = Decimal(10) ** 15
# Load-finding codes raised by the model itself (kit.core.values.QUIRKS is the one table).
LOAD_NOTE_TEXT = {code: NOTE_TEXT[code] for code in ("negative", "huge", "duplicate")}
# A department code names output files and folders: ASCII letters, digits, '-' and '_' only.
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}\Z")
FLAG_VALUES = {"是": True, "否": False, "true": True, "false": False}

