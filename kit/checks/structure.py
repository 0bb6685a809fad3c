"""Category F: the form against its template family, and the structure of 财政部-style tables.

F1 says whether the data file fits the family of the chosen rule file (else no grade). The
others read the blocks of the families that print an execution-rate block (年度预算执行情况),
their own 绩效指标 with 分值 and 得分, printed group weights and a printed total and grade.
"""
from __future__ import annotations

from .base import Context, Result, check


@check("F1", "数据文件与所选模板相符", "F")
def f1(ctx: Context):
    fam = ctx.family
    if ctx.misfit:
        yield Result("fail", "本表与所选模板不符", "本表与所选模板不符：" + "；".join(ctx.misfit) + "。不予评级，请选择与本表相符的规则文件",
                     fam.title, None, None, "全表")
    else:
        yield Result("pass", "模板", f"本表按“{fam.title}”复核（规则文件 {ctx.rules.name}）", fam.title, fam.title, None, "全表")
