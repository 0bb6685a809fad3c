"""F1, every family's: whether the data file fits the family of the chosen rule file.

A form that does not fit gets no grade (``kit.engine.audit.NO_GRADE``); the audit says why first.
"""
from __future__ import annotations

from ...families import no_template_text
from ...core.vocab import Severity, Status
from .base import Context, Result, check


@check("F1", "数据文件与所选模板相符", "F", advice="按本表实际采用的模板选择相符的评分规则文件重新复核；如表上栏目与模板不同，请说明本表依据的自评表样式。")
def f1(ctx: Context):
    fam = ctx.family
    if ctx.misfit:
        fits = ("与本表印出的分值相符的规则：" + "、".join(ctx.fitting) + "，请按其复核") if ctx.fitting else "没有与本表印出的分值相符的评分规则"
        yield Result(Status.FAIL, "本表与所选模板不符", "本表与所选模板不符：" + "；".join(ctx.misfit) + "。不予评级，不给出复核总分；" + fits,
                     fam.title, None, None, "全表")
    elif not fam.graded:
        yield Result(Status.PASS, "模板", no_template_text(ctx.dept.detection) + "；以下只核对表上印出的勾稽关系", None, None, None,
                     "全表", severity=Severity.INFO)
    else:
        yield Result(Status.PASS, "模板", f"本表按“{fam.title}”复核（规则文件 {ctx.rules.name}）", fam.title, fam.title, None, "全表")
