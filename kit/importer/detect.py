"""Which template family a published form belongs to, decided from its content.

Each family lists phrases its printed form carries; the family with the most (and at least
its minimum) wins, and the reason names the phrases found. Families whose layout the importer
does not read yet are still recognised, so the message can say so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import Problem
from .sources import Form, FormError


@dataclass(frozen=True)
class Family:
    id: str
    title: str
    marks: tuple[str, ...]  # phrases the form prints
    minimum: int  # how many must be found
    supported: bool


FAMILIES = (
    Family(
        "shenzhen_2022",
        "深圳市部门整体支出绩效自评表（100 分制）",
        ("部门编码", "部门主要职责", "人员编制情况", "年度主要任务完成情况", "年度总体目标完成情况",
         "年度绩效指标完成情况", "实际完成指标值", "指标说明", "评分标准", "部门决策", "部门管理", "部门绩效"),
        6,
        True,
    ),
    Family(
        "mof_selfeval",
        "财政部式 绩效自评表（项目/部门整体）",
        ("绩效自评表", "年度资金总额", "资金来源", "年初预算数", "全年预算数", "全年执行数", "执行率",
         "分值", "得分", "年度总体目标", "偏差原因分析及改进措施", "总分"),
        5,
        False,
    ),
    Family(
        "mof_2013",
        "部门整体支出绩效评价指标体系（投入/过程/产出/效果）",
        ("投入", "过程", "产出", "效果", "预算配置", "预算执行", "预算管理", "资产管理", "职责履行", "履职效益"),
        6,
        False,
    ),
)
BY_ID = {f.id: f for f in FAMILIES}
_WS = re.compile(r"\s+")


def detect(form: Form) -> tuple[Family, str]:
    """(family, reason) for a form, or ``FormError`` when no family fits."""
    text = _WS.sub("", form.text())
    found = {f.id: [m for m in f.marks if m in text] for f in FAMILIES}
    ranked = sorted(FAMILIES, key=lambda f: len(found[f.id]) / len(f.marks), reverse=True)
    best = ranked[0]
    if len(found[best.id]) < best.minimum:
        raise FormError(Problem(
            "无法从内容判断表式：没有找到任何已知表式的足够特征文字",
            file=str(form.path),
            expected="深圳市部门整体支出绩效自评表等已知表式；或用 --family 指定（" + "、".join(BY_ID) + "）",
        ))
    reason = f"内容中有 {len(found[best.id])}/{len(best.marks)} 个该表式的特征文字（" + "、".join(found[best.id][:6]) + ("等" if len(found[best.id]) > 6 else "") + "）"
    return best, reason


def by_id(family_id: str, file: str = "") -> Family:
    if family_id not in BY_ID:
        raise FormError(Problem("未知的表式", file=file, field="--family", value=family_id, expected="、".join(BY_ID)))
    return BY_ID[family_id]
