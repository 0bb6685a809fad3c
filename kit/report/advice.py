"""整改建议: what the department is asked to do about each finding, in the form's own terms.

One sentence per check of the catalogue (some depend on the finding: a proxy re-score asks for
the missing input, C2 on a task-list count asks for the list). Used by the report's 问题清单
and by the 问题清单.xlsx tracking workbook, so both ask for the same thing.
"""
from __future__ import annotations

from typing import Any

# Check id -> request. {subject} is the finding's object (task, indicator, field).
ADVICE = {
    "A1": "核对部门预算总表，更正总额或基本支出、项目支出，使总额等于两者之和，并说明差额原因。",
    "A2": "核对基本支出明细，更正人员经费、公用经费或基本支出合计，使两者一致。",
    "A3": "核对项目支出明细，更正各行金额或项目支出合计，使两者一致。",
    "A4": "更正“{subject}”预算数的资金来源拆分，使总数等于财政拨款与其他资金之和。",
    "A5": "更正“{subject}”执行数的资金来源拆分，使总数等于财政拨款与其他资金之和。",
    "A6": "补齐或更正年度主要任务的执行数，使各任务合计等于部门年末执行数。",
    "A7": "补齐或更正年度主要任务的预算数，使各任务合计等于部门调整后预算数。",
    "A8": "更正“{subject}”主要内容所列各项金额或表上预算数，使两者一致；未列全的分项予以补列。",
    "A9": "更正自评报告中下年预算的总额或基本支出、项目支出，使总额等于两者之和。",
    "A10": "按评分标准更正评分表的权重。",
    "A11": "核实并更正人员构成数字（在职总数、在编、编外）。",
    "B1": "说明执行数超过调整后预算的原因，并提供追加预算的批复文件。",
    "B2": "在“预算调整（如有）原因及情况说明”中说明该项调整的原因和依据。",
    "B14": "说明“{subject}”未达到指标值的原因，并在效果性评分中相应扣分。",
    "B15": "说明“{subject}”执行数超过预算数的原因及审批依据。",
    "B16": "提供年度预算调整、调剂的批复文件，说明调整后预算与执行数逐项相等的原因（是否按实际支出调整预算）。",
    "B17": "将“{subject}”按实际用途分解为具体任务，分别列明预算数、执行数和完成情况。",
    "C1": "更正“{subject}”的自评分数，使其在 0 与该指标分数之间。",
    "C2": "按评分标准可得的分值更正“{subject}”的自评分数。",
    "C4": "补印“{subject}”的分数（权重），并与评分标准核对。",
    "C5": "按复核后的总分更正自评等级。",
    "D1": "更正自评报告中的执行率，或写明其计算口径。",
    "D2": "更正自评报告表头的部门预算总额，使其等于年初预算批复数。",
    "D3": "统一文字中前后不一致的数目，并与填报数核对。",
    "D4": "使自评报告的表述与“{subject}”的评分一致：更正表述，或按实际情况调整评分。",
    "D5": "补写“预算调整（如有）原因及情况说明”，并附预算调整批复文件。",
    "D6": "核实“{subject}”的指标方向，更正指标值的表述（如平均住院日应为“较上年降低”）。",
    "D7": "在“{subject}”主要内容中说明文字所述金额与表上预算数的关系（如申报数与批复数），或更正其一。",
    "D8": "按实际完成情况填写“目标完成实际情况”，写明完成的数量、质量、时效和效果。",
    "D9": "填写“{subject}”实际完成的数值或事实，并附佐证材料。",
    "E1": "调整列宽后重新打印该单元格，使数值完整显示。",
    "E2": "更正该数值，删除数字后的多余字符。",
    "E3": "数值中请勿使用全角字符或在文字中混用千位分隔符（已按规范读取，无需更正金额）。",
    "E4": "文字与表格的金额单位不同（已换算），建议在文字中注明单位。",
    "E5": "核实表上无归属的文字；如为印章或页眉页脚文字，无需处理。",
    "E6": "补齐表格中缺失的行或栏目。",
    "E7": "核实负数或异常大的金额，更正或说明原因。",
    "E8": "删除重复的行，或说明两行分别是什么。",
}
RESCORE = "按评分标准更正“{subject}”的自评分数（复核应得 {expected} 分），或提供支持自评分数的资料。"
PROXY = "提供{missing}，以便按规则复核“{subject}”；按替代口径复核应得 {expected} 分。"
TASK_LIST = "核对年度主要任务清单：补列遗漏的项目，或说明哪一项未按时完成（自评分数对应的项目数与表上不同）。"
SUPPLY = "请补充：{missing}。"


def advice(row: dict[str, Any], labels: dict[str, str] | None = None, rescored: set[str] | frozenset = frozenset()) -> str:
    """The request for one finding (a machine-named record of ``AuditResult.findings``).

    ``labels`` names missing inputs in Chinese (``AuditResult.missing_inputs``); ``rescored`` holds
    the ids of the checks that re-score an indicator (B3 … C3).
    """
    labels = labels or {}
    cid, subject = str(row.get("check_id", "")), str(row.get("subject", ""))
    missing = "、".join(labels.get(k, k) for k in (row.get("missing") or ()))
    if row.get("status") == "unverifiable":
        return SUPPLY.format(missing=missing) if missing else "无需处理（表上没有可核对的内容）。"
    if cid == "C2" and row.get("severity") == "warning":
        return TASK_LIST
    if cid in rescored:
        expected = _score_text(row.get("expected"))
        if row.get("proxy") and missing:
            return PROXY.format(missing=missing, subject=subject, expected=expected)
        return RESCORE.format(subject=subject, expected=expected)
    text = ADVICE.get(cid)
    return text.format(subject=subject) if text else "请核实并说明。"


def _score_text(value: Any) -> str:
    from .tables import score

    return score(value)
