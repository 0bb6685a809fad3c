"""F1, every family's: whether the data file fits the family of the chosen rule file.

A form that does not fit gets no grade (``kit.audit.NO_GRADE``); the audit says why first.
"""
from __future__ import annotations

from .base import Context, Result, check
from ..vocab import Status


@check("F1", "数据文件与所选模板相符", "F", advice="按本表实际采用的模板选择相符的评分规则文件重新复核；如表上栏目与模板不同，请说明本表依据的自评表样式。")
def f1(ctx: Context):
    fam = ctx.family
    if ctx.misfit:
        yield Result(Status.FAIL, "本表与所选模板不符", "本表与所选模板不符：" + "；".join(ctx.misfit) + "。不予评级，请选择与本表相符的规则文件",
                     fam.title, None, None, "全表")
    else:
        yield Result(Status.PASS, "模板", f"本表按“{fam.title}”复核（规则文件 {ctx.rules.name}）", fam.title, fam.title, None, "全表")
