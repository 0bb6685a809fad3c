"""Category E: malformed values met while loading or reading the prose (severity: warning).

The loader records quirks as ``dept.load_findings``; each becomes a row here. Values are
quarantined (read as missing, or as the leading number) and the row says so.
"""
from __future__ import annotations

from ..formulas import NATURE_SIGNS
from ...model import NARRATIVE_SECTIONS, LoadFinding
from ..prose import MAX_SCAN
from ...core.values import NOTE_TEXT, QUIRKS, fmt_amount, normalise_text, parse_num
from .base import Context, Result, check
from ...core.vocab import Severity, Status

CODE_TO_CHECK = {code: q.check for code, q in QUIRKS.items()}


def _where(f: LoadFinding) -> str:
    """'评分表 第19行·分数': the one way the kit cites a place on the form (block, its row, field)."""
    place = " ".join(p for p in (f.block, f"第{f.row}行" if f.row else "") if p)
    return "·".join(p for p in (place, f.field) if p)


def _load_rows(ctx: Context, check_id: str, none_message: str):
    hits = [f for f in ctx.dept.load_findings if CODE_TO_CHECK.get(f.code, "E2") == check_id]
    for f in hits:
        message, severity = f"{f.message}（原文“{f.raw}”）", f.severity
        if f.code == "stray":
            # A seal, page number or page text picked up by extraction: noted, never a discrepancy.
            message, severity = f"{f.message}（原文“{f.raw}”），多为印章、页码或页眉页脚文字，未作为数据读取", Severity.INFO
        yield Result(Status.FAIL, _where(f) or f.block, message, None, f.raw, None, _where(f), severity=severity)
    if not hits:
        yield Result(Status.PASS, "全表", none_message, location="全表")


@check("E1", "数值单元格印为“#####”", "E", Severity.WARNING, advice="调整列宽后重新打印该单元格，使数值完整显示。", format_note=True)
def e1(ctx: Context):
    yield from _load_rows(ctx, "E1", "没有印为“#####”的单元格")


@check("E2", "数值后带有非数字字符", "E", Severity.WARNING, advice="更正该数值，删除数字后的多余字符。", format_note=True)
def e2(ctx: Context):
    rows = list(_load_rows(ctx, "E2", "没有带非数字字符的数值"))
    hits = [r for r in rows if r.status == Status.FAIL]
    # The same quirk in narrative prose (the loader scans tables and indicators only).
    for f in ctx.prose.figures:
        if "trailing_junk" in f.notes and f.source.startswith("narrative:"):
            hits.append(Result(Status.FAIL, f.label, f"自评报告中“{f.raw}”数值后带有非数字字符，已取其前面的数字",
                               None, f.raw, None, "自评报告·" + f.source.split(":", 1)[1]))
    # Texts longer than the prose reader scans: say that their end was not checked.
    for source in ctx.prose.truncated:
        kind, _, name = source.partition(":")
        where = {"task": "年度主要任务", "narrative": "自评报告", "indicator": "绩效指标", "profile": "部门基本情况"}
        hits.append(Result(Status.UNVERIFIABLE, name, NOTE_TEXT["truncated"].format(limit=MAX_SCAN),
                           location=f"{where.get(kind, kind)}·{name}", severity=Severity.WARNING))
    yield from hits or rows


@check("E3", "全角数字、千位分隔符已规范化", "E", Severity.INFO, advice="数值中请勿使用全角字符或在文字中混用千位分隔符（已按规范读取，无需更正金额）。", format_note=True)
def e3(ctx: Context):
    rows = [r for r in _load_rows(ctx, "E3", "") if r.status == Status.FAIL]
    for f in ctx.prose.figures:
        if f.source.startswith("indicator:"):
            continue
        for note, what in (("thousands", "含千位分隔符"), ("fullwidth", "含全角数字或标点")):
            if note in f.notes:
                rows.append(Result(Status.FAIL, f.label, f"文字中的“{f.printed or f.raw}”{what}，已规范化读取为 {_value_text(f)}",
                                   None, f.printed or f.raw, None, _prose_location(f), severity=Severity.INFO))
    yield from rows or [Result(Status.PASS, "全表", "没有全角数字或千位分隔符", location="全表")]


def _value_text(f) -> str:
    return f"{fmt_amount(f.value)} 元" if f.unit == "元" else f"{f.value}{f.unit or ''}"


def _prose_location(f) -> str:
    kind, _, name = f.source.partition(":")
    if kind == "task":
        return f"年度主要任务完成情况 第{f.row}行·主要内容" if f.row else f"年度主要任务（{name}）·主要内容"
    if kind == "narrative":
        return f"自评报告·{NARRATIVE_SECTIONS.get(name, name)}"
    if kind == "profile":
        return "部门基本情况"
    if kind == "indicator":
        return f"年度绩效指标完成情况 第{f.row}行" if f.row else "年度绩效指标完成情况"
    return f.source


@check("E4", "金额单位：文字用万元、表格用元（已明确换算）", "E", Severity.INFO, advice="文字与表格的金额单位不同（已换算），建议在文字中注明单位。", format_note=True)
def e4(ctx: Context):
    rows = [r for r in _load_rows(ctx, "E4", "") if r.status == Status.FAIL]
    groups: dict[str, list] = {}
    for f in ctx.prose.figures:
        if f.printed_unit in ("万元", "亿元"):
            groups.setdefault(_prose_location(f), []).append(f)
    for loc, figs in groups.items():
        sample = "、".join(f"{f.printed or f.raw} = {f.value:,} 元" for f in figs[:3]) + ("……" if len(figs) > 3 else "")
        rows.append(Result(Status.FAIL, loc, f"{len(figs)} 个金额以万元印出，已按 1 万元 = 10,000 元换算：{sample}",
                           None, "、".join(f.printed or f.raw for f in figs[:3]) + ("……" if len(figs) > 3 else ""), None,
                           loc, severity=Severity.INFO))
    yield from rows or [Result(Status.PASS, "全表", "文字与表格单位一致，无需换算", location="全表")]


@check("E5", "无归属文字与缺失的比较符号", "E", Severity.WARNING, advice="核实表上无归属的文字；如为印章或页眉页脚文字，无需处理。", format_note=True)
def e5(ctx: Context):
    rows = [r for r in _load_rows(ctx, "E5", "") if r.status == Status.FAIL]
    for i, ind in enumerate(ctx.dept.indicators, start=1):
        n = parse_num(ind.target)
        # A numeric target without ≥/≤: the comparison sign was probably lost in extraction
        # (unless the form prints it in its own 指标性质 column).
        if n.value is not None and n.comparator is None and not n.notes and n.raw.strip() and not _signed(ind.nature):
            rows.append(Result(Status.FAIL, f"{ind.level2}：{ind.level3}", f"指标值“{ind.target}”没有比较符号（≥、≤），可能在提取时丢失，按“≥”比较",
                               "≥ 或 ≤", ind.target, None, f"年度绩效指标完成情况 第{i}行"))
    yield from rows or [Result(Status.PASS, "全表", "没有无归属文字，指标值均带比较符号", location="全表")]


def _signed(nature: str) -> bool:
    return normalise_text(nature).strip() in NATURE_SIGNS


@check("E6", "表格不完整（缺行、缺栏目）", "E", Severity.WARNING, advice="补齐表格中缺失的行或栏目。")
def e6(ctx: Context):
    rows = []
    for s in ctx.scores:
        if s.row is None:
            rows.append(Result(Status.UNVERIFIABLE, s.rule.name, f"评分表中没有“{s.rule.name}”这一行（表格不完整），该项按缺失处理",
                               s.rule.name, None, None, "评分表", (f"score_row:{s.rule.name}",)))
    for no, row in ctx.extra_rows:
        rows.append(Result(Status.FAIL, row.level3, f"评分表第{no}行“{row.level3}”不是评分规则中的指标", None, row.level3, None,
                           f"评分表 第{no}行"))
    for attr, label in (("tasks", "年度主要任务完成情况"), ("indicators", "年度绩效指标完成情况"),
                        ("basic_lines", "部门基本支出")):
        if not getattr(ctx.dept, attr):
            rows.append(Result(Status.UNVERIFIABLE, label, f"“{label}”没有任何行（表格不完整）", None, None, None, label, (attr,)))
    yield from rows or [Result(Status.PASS, "全表", f"评分表 {len(ctx.scores)} 行齐全，各表均有内容", location="全表")]


@check("E7", "负数或异常大的金额", "E", Severity.WARNING, advice="核实负数或异常大的金额，更正或说明原因。")
def e7(ctx: Context):
    yield from _load_rows(ctx, "E7", "没有负数或异常大的金额")


@check("E8", "完全相同的重复行", "E", Severity.WARNING, advice="删除重复的行，或说明两行分别是什么。")
def e8(ctx: Context):
    yield from _load_rows(ctx, "E8", "没有完全相同的重复行")


@check("E9", "无法编码的字符", "E", Severity.WARNING, advice="核对原表该处文字（无法编码的字符已替换），如为录入或转换错误，请重新提供正确的文字。")
def e9(ctx: Context):
    yield from _load_rows(ctx, "E9", "没有无法编码的字符")
