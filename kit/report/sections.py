"""One function per report section, returning escaped HTML built from the model and the audit.

The notebook calls these so that it stays short; each function is usable on its own in
JupyterLab (``show(budget_table(dept))``).
"""
from __future__ import annotations

from decimal import Decimal

from ..engine.checks import GOALS_TABLE, INDICATORS_TABLE, table_checks
from ..model import BUDGET_PARTS, BUDGET_STAGES, Department
from ..core.vocab import Status, WeightSource
from . import tables as t
from .charts import budget_chart, scores_chart, tasks_chart
from .svg import chart_svg
from .summary import coverage_table

PART_LABELS = {"total": "部门支出总金额", "basic": "基本支出", "project": "项目支出"}


def _sub(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a - b


def budget_table(dept: Department) -> str:
    """年初 / 调整后 / 执行 by 总额, 基本, 项目, with adjustment and execution rates."""
    rows = []
    for part in BUDGET_PARTS:
        ini = getattr(dept.budget.initial, part).value
        adj = getattr(dept.budget.adjusted, part).value
        act = getattr(dept.budget.actual, part).value
        rows.append([
            PART_LABELS[part], t.amount(ini), t.amount(adj), t.amount(act),
            t.amount(_sub(adj, ini)), t.pct(_sub(adj, ini), ini), t.pct(act, adj), t.pct(act, ini),
        ])
    header = ["口径", *BUDGET_STAGES.values(), "调整额（调整后−年初）", "调整幅度", "执行率（执行/调整后）",
              "执行/年初"]
    return t.table(rows, header, numeric=range(1, 8), caption="部门预算总表（元）")


def _family_has(dept: Department, block: str) -> bool:
    """Whether the department's template family has this block (kit/families/<id>/family.yaml)."""
    from ..families import get_family

    return block in get_family(dept.family or None).blocks


def funds_table(dept: Department) -> str:
    """年度预算执行情况 as printed (资金来源 rows), with the 执行率 recomputed per row."""
    unit = dept.header.unit or ""
    f = dept.funds
    if not f.rows:
        cut = "funds" in dept.incomplete
        return t.note("表上的“年度预算执行情况”" + ("在页面截断处之外，未能读到。" if cut else "没有资金来源行。"), "warning")
    rows = []
    for i, r in enumerate(f.rows):
        printed_rate = f.rate if i == 0 and f.rate.ok else r.rate
        budget = r.adjusted if r.adjusted.ok else r.initial
        rows.append([r.source, r.initial.raw or "—", r.adjusted.raw or "—", r.actual.raw or "—",
                     (f.weight.raw if i == 0 else r.weight.raw) or "—", printed_rate.raw or "—",
                     t.pct(r.actual.value, budget.value), (f.score.raw if i == 0 else r.score.raw) or "—"])
    header = ["资金来源", "年初预算数", "全年预算数（调整后）", "全年执行数", "分值", "执行率（表上）", "执行率（复算）", "得分"]
    return t.table(rows, header, numeric=range(1, 8), caption=f"年度预算执行情况（{unit or '金额单位见表头'}）")


def money_section(dept: Department) -> list[str]:
    """The money the form prints: 年度预算执行情况 where the family has it, else the budget totals."""
    if _family_has(dept, "funds") and not _family_has(dept, "budget"):
        return [funds_table(dept)]
    return [budget_table(dept), budget_figure(dept)]


def adjustment_section(dept: Department) -> list[str]:
    if not _family_has(dept, "basic_lines"):
        return [t.note("本表没有支出明细；年初预算数与调整后预算数见上表“年度预算执行情况”。")]
    return [lines_table(dept), adjustment_summary(dept)]


def tasks_section(dept: Department) -> list[str]:
    if not _family_has(dept, "tasks"):
        return [t.note("本表没有“年度主要任务完成情况”栏目。")]
    return [tasks_table(dept), tasks_totals(dept), tasks_figure(dept)]


def lines_table(dept: Department) -> str:
    """Every 基本支出 / 项目支出 / 转移支付 line with its adjustment, the basis of the adjustment analysis."""
    rows = []
    for label, lines in (("基本支出", dept.basic_lines), ("项目支出", dept.project_lines),
                         ("转移支付", dept.transfer_lines)):
        for ln in lines:
            b, a, x = ln.budget.value, ln.adjusted.value, ln.actual.value
            rows.append([label, ln.name or "（未填写名称）", t.amount(b), t.amount(a), t.amount(x),
                         t.amount(_sub(a, b)), t.pct(_sub(a, b), b), t.pct(x, a)])
    header = ["类别", "项目名称", "预算金额", "预算调整后金额", "实际支出金额", "调整额", "调整幅度", "执行率"]
    return t.table(rows, header, numeric=range(2, 8), caption="支出明细与调整（元）")


def adjustment_summary(dept: Department) -> str:
    """Net and gross adjustment against the 年初 total: the two measures the 10% rule can use."""
    ini = dept.budget.initial.total.value
    adj = dept.budget.adjusted.total.value
    deltas = [_sub(ln.adjusted.value, ln.budget.value)
              for ln in (*dept.basic_lines, *dept.project_lines, *dept.transfer_lines)]
    gross = None if any(d is None for d in deltas) else sum((abs(d) for d in deltas), Decimal(0))
    net = _sub(adj, ini)
    rows = [
        ["净调整额（调整后总额−年初总额）", t.amount(net), t.pct(net, ini)],
        ["各明细调整额绝对值合计", t.amount(gross), t.pct(gross, ini)],
    ]
    reason = dept.budget.adjustment_reason
    parts = [t.table(rows, ["口径", "金额（元）", "占年初预算比例"], numeric=(1, 2), caption="预算调整幅度")]
    if net is not None and net != 0 and not reason.strip():
        parts.append(t.note("调整后预算与年初预算不一致，但“预算调整（如有）原因及情况说明”未填写。", "warning"))
    parts.append(f'<p><strong>预算调整原因及情况说明：</strong>{t.text_block(reason)}</p>')
    parts.append(t.note("真实的累计调整、调剂资金不在表内；上表两种口径仅作替代参考（评分复核中标为“替代口径”）。"))
    return "".join(parts)


def budget_figure(dept: Department) -> str:
    chart = budget_chart(dept)
    return t.figure(chart_svg(chart), chart.alt,
                    "图 1　部门预算：年初批复、调整后与年末执行（万元）")


def tasks_table(dept: Department) -> str:
    """年度主要任务: 预算数 and 执行数 (总数 / 财政拨款 / 其他资金), rate and status; then the contents.

    The 主要内容 texts get a table of their own: beside seven amount columns they would be
    squeezed or pushed off the page (seen on the rendered sample).
    """
    rows = []
    for i, task in enumerate(dept.tasks, 1):
        b, a = task.budget, task.actual
        rows.append([
            str(i), task.name, task.status or "（未填写）",
            t.amount(b.total.value), t.amount(b.fiscal.value), t.amount(b.other.value),
            t.amount(a.total.value), t.amount(a.fiscal.value), t.amount(a.other.value),
            t.pct(a.total.value, b.total.value),
        ])
    header_rows = [
        [("序号", 1, 2), ("任务名称", 1, 2), ("完成情况", 1, 2), ("预算数（元）", 3, 1), ("执行数（元）", 3, 1),
         ("执行率", 1, 2)],
        [("总数", 1, 1), ("其中财政拨款", 1, 1), ("其他资金", 1, 1), ("总数", 1, 1), ("其中财政拨款", 1, 1),
         ("其他资金", 1, 1)],
    ]
    amounts = t.table(rows, [], numeric=range(3, 10), header_rows=header_rows, cls="kit-tasks",
                      caption="年度主要任务完成情况",
                      col_classes=["", "kit-w-name", "kit-nowrap"] + [""] * 7)
    contents = t.table(
        [[str(i), task.name, t.text_block(task.content)] for i, task in enumerate(dept.tasks, 1)],
        ["序号", "任务名称", "主要内容"], caption="各任务主要内容", cls="kit-task-contents",
        col_classes=["", "kit-w-name", "kit-w-text"],
    )
    return amounts + contents


def tasks_totals(dept: Department) -> str:
    """Σ task budget and execution beside the department totals they should equal."""
    def total(side: str, part: str) -> Decimal | None:
        vals = [getattr(getattr(tk, side), part).value for tk in dept.tasks]
        return None if any(v is None for v in vals) else sum(vals, Decimal(0))

    rows = [
        ["任务预算数合计", t.amount(total("budget", "total")), t.amount(total("budget", "fiscal")),
         t.amount(total("budget", "other")), "全年调整后预算数", t.amount(dept.budget.adjusted.total.value)],
        ["任务执行数合计", t.amount(total("actual", "total")), t.amount(total("actual", "fiscal")),
         t.amount(total("actual", "other")), "年末执行数", t.amount(dept.budget.actual.total.value)],
    ]
    return t.table(rows, ["合计", "总数", "其中财政拨款", "其他资金", "对应部门口径", "部门金额"],
                   numeric=(1, 2, 3, 5), caption="任务合计与部门预算总表（元）")


def tasks_figure(dept: Department) -> str:
    chart = tasks_chart(dept)
    return t.figure(chart_svg(chart), chart.alt,
                    "图 2　年度主要任务：预算数、执行数（万元，对数刻度）与执行率")


# --- Sections built from the audit result ------------------------------------------------
def _card(label: str, value: str, sub: str = "") -> str:
    import html

    sub_html = f'<div class="kit-card-sub">{html.escape(sub)}</div>' if sub else ""
    return (f'<div class="kit-card"><div class="kit-card-label">{html.escape(label)}</div>'
            f'<div class="kit-card-value">{html.escape(value)}</div>{sub_html}</div>')


def overview(audit) -> str:
    """Key figures (totals, coverage, findings by kind and severity), points by basis and by 一级指标."""
    dept = audit.department
    totals, grade = audit.totals, audit.grade
    sm = audit.summary()
    p = sm["points"]
    n = sm["problems"]
    diff = _diff(totals.get("recomputed"), totals.get("self"))
    cards = [
        _card("自评总分", t.score(totals.get("self")), f"等级：{grade.get('self', '—')}"),
        _card("复核总分", t.score(totals.get("recomputed")), f"等级：{grade.get('recomputed', '—')}；复核−自评 {diff}"),
        _card("复核状态", sm["status_label"],
              f"{t.score(p['unverifiable'])} 分无法复核" if p["unverifiable"] else "无无法复核的分数"),
        _card("可复核分数", f"{t.score(sm['points_rechecked'])} / {t.score(sm['points_total'])}",
              f"按规则 {t.score(p['exact'])} + 替代口径 {t.score(p['proxy'])}"
              + (f" + 审核调整 {t.score(p['override'])}" if p["override"] else "")),
        _card("问题", str(sum(n.values())), f"错误 {n['error']} · 警告 {n['warning']} · 提示 {n['info']}"),
        _card("无法核实", str(sm["unverifiable"]), f"需补充资料 {sm['missing_inputs']} 项"),
        _card("格式与解析说明", str(sm["format"]), "表上印刷或提取的问题"),
    ]
    parts = [
        f"<p>部门：<strong>{t.esc(dept.name)}</strong>（部门编码 {t.esc(dept.code)}），{t.esc(dept.year)} 年度。"
        f"复核共执行检查 {sm['checks']} 项，其中通过 {sm['passed']} 项。</p>",
        f'<div class="kit-cards">{"".join(cards)}</div>',
    ]
    parts.append(coverage_table(audit))
    rows = []
    for level1, v in (totals.get("by_level1") or {}).items():
        rows.append([level1, t.score(v.get("weight")), t.score(v.get("self")), t.score(v.get("recomputed")),
                     _diff(v.get("recomputed"), v.get("self"))])
    weights = [v.get("weight") for v in (totals.get("by_level1") or {}).values()]
    rows.append(["合计", t.score(None if None in weights else sum((Decimal(str(w)) for w in weights), Decimal(0))),
                 t.score(totals.get("self")), t.score(totals.get("recomputed")),
                 _diff(totals.get("recomputed"), totals.get("self"))])
    parts.append(t.table(rows, ["一级指标", "分数", "自评分数", "复核分数", "差异（复核−自评）"], numeric=(1, 2, 3, 4),
                         caption="按一级指标汇总", row_classes=[""] * (len(rows) - 1) + ["kit-total"]))
    parts.append(t.note(grade_bands_text(audit.options.get("grade_bands") or {})))
    if grade.get("self") != grade.get("recomputed"):
        parts.append(t.note(f"复核后等级由“{grade.get('self')}”变为“{grade.get('recomputed')}”。", "warning"))
    return "".join(parts)


def grade_bands_text(bands: dict) -> str:
    """'优 ≥ 90 分；良 80～90 分（不含 90）…' from the effective grade_bands option."""
    if not bands:
        return "等级划分：未设定。"
    items = sorted(bands.items(), key=lambda kv: -Decimal(str(kv[1])))
    parts, upper = [], None
    for name, low in items:
        low_s = t.score(low)
        parts.append(f"{name} ≥ {low_s} 分" if upper is None else f"{name} {low_s}～{upper} 分（含 {low_s}，不含 {upper}）")
        upper = low_s
    parts.append(f"差 < {upper} 分")
    return "等级划分（规则选项 grade_bands）：" + "；".join(parts) + "。"


def _diff(a, b) -> str:
    if a is None or b is None:
        return "—"
    try:
        d = Decimal(str(a)) - Decimal(str(b))
    except ArithmeticError:
        return "—"
    return ("+" if d > 0 else "") + t.score(d) if d != 0 else "0"


ASSESSMENT = {"pass": ("met", "达成"), "fail": ("missed", "未达成"), "unverifiable": ("notcomparable", "不可比")}


def indicators_table(audit) -> str:
    """年度绩效指标: target vs actual, and whether the target was met (the checks declared with
    ``table=INDICATORS_TABLE``: B14, or F8 where the family's indicators carry 分值 and 得分: then
    those columns too)."""
    dept = audit.department
    if not dept.indicators:
        return t.note("本表没有年度绩效指标" + ("（表格在页面截断处未印全）。" if "indicators" in dept.incomplete else "。"))
    f = audit.findings
    b14 = f[f["check_id"].astype(str).isin(table_checks(INDICATORS_TABLE))]
    scored = any(not (i.weight.blank and i.score.blank) for i in dept.indicators)
    rows = []
    for i, ind in enumerate(dept.indicators, 1):
        hit = b14[b14["subject"].astype(str).str.contains(ind.level3, regex=False)] if ind.level3 else b14.iloc[0:0]
        if len(hit):
            r = hit.iloc[0]
            cls, label = ASSESSMENT.get(r["status"], (r["status"], r["status"]))
            verdict, why = t.badge(cls, label), r["message"]
        else:
            verdict, why = t.badge("notcomparable", "未判定"), "无对应检查结果"
        extra = [ind.weight.raw or "—", ind.score.raw or "—"] if scored else []
        rows.append([str(i), ind.level1, ind.level2, ind.level3, ind.target, ind.actual, *extra, verdict, why])
    header = ["序号", "一级指标", "二级指标", "三级指标", "指标值", "实际完成指标值", *(["分值", "得分"] if scored else []),
              "判定", "说明"]
    return t.table(rows, header, caption="年度绩效指标完成情况",
                   col_classes=["", "kit-nowrap", "kit-nowrap", "kit-w-name", "", "", *(["", ""] if scored else []),
                                "kit-nowrap", "kit-w-msg"])


def scores_table(audit) -> str:
    """Every score row: weight, self score, recomputed score, basis and the explanation."""
    rows, classes = [], []
    prev = (None, None)
    for r in audit.scores.itertuples(index=False):
        # Like the printed form, a 一级/二级 name is shown once for its group of rows.
        l1 = r.level1 if r.level1 != prev[0] else ""
        l2 = r.level2 if (r.level1, r.level2) != prev else ""
        prev = (r.level1, r.level2)
        table_weight = getattr(r, "weight_source", "rule") == "table"  # a row no rule names: its printed 分值
        rows.append([l1, l2, r.indicator, t.score(r.weight), t.score(r.self_score),
                     t.score(r.recomputed_score), _diff(r.recomputed_score, r.self_score),
                     t.Raw(t.badge(r.basis, t.BASIS.get(r.basis, r.basis)).html
                           + ("<br>" + WeightSource.TABLE.label if table_weight else "")), r.note])
        classes.append("")
    totals = audit.totals
    weights = [w for w, placeholder in zip(audit.scores["weight"], audit.scores["self_score"].isna()) if not (w is None and placeholder)]
    rows.append(["合计", "", "", t.score(None if None in weights else sum((Decimal(str(w)) for w in weights), Decimal(0))),
                 t.score(totals.get("self")), t.score(totals.get("recomputed")),
                 _diff(totals.get("recomputed"), totals.get("self")), "", ""])
    classes.append("kit-total")
    header = ["一级指标", "二级指标", "三级指标", "分数", "自评分数", "复核分数", "差异（复核−自评）", "复核依据", "说明"]
    caption = f"评分表复核（{len(audit.scores)} 项三级指标，满分 {t.score(audit.rules.total)} 分）"
    return t.table(rows, header, numeric=(3, 4, 5, 6), caption=caption, row_classes=classes,
                   col_classes=["kit-nowrap", "kit-nowrap", "kit-w-name", "", "", "", "", "kit-nowrap", "kit-w-msg"])


def scores_figure(audit) -> str:
    chart = scores_chart(audit)
    return t.figure(chart_svg(chart), chart.alt,
                    "图 3　评分复核：分数（权重）、自评分数与复核分数")


def verdict(status: str, severity: str) -> t.Raw:
    """One label for a finding: 错误/警告/提示 when it fails, 无法核实 when inputs are missing."""
    if status == Status.FAIL:
        return t.badge(severity)
    return t.badge(status)


def advice_context(audit) -> tuple[dict, set]:
    labels = dict(zip(audit.missing_inputs["input"], audit.missing_inputs["label"]))
    rescored = {c for c in audit.scores["check_id"] if c}
    return labels, rescored


def problems_table(audit) -> str:
    """问题: failed checks, largest effect on the score first, then the amount at stake, then
    severity; each with what it should be, what the form says, 复核 − 填报, where, and 整改建议."""
    from .advice import advice
    from .places import Places

    issues = audit.issues("problem", labels="machine")
    issues = issues[issues["decision"] != "rejected"]  # not adopted: 附 不采纳的问题
    if not len(issues):
        return t.note("未发现问题。" if audit.summary()["points_rechecked"] else "未能复核：没有可复核的分数，不能据此认为未发现问题。")
    from .facts import SIDES, facts, shown_difference

    labels, rescored = advice_context(audit)
    places = Places(audit.department)
    rows, classes = [], []
    groups = facts(audit, issues.to_dict("records"))
    for i, g in enumerate(groups, 1):
        if len(g.findings) > 1:  # one 问题 per fact; the checks that found it are its points
            rows.append([str(i), "", t.Raw(f"<strong>{t.esc(g.title)}</strong>（{t.esc(g.kind)}；"
                                           f"{len(g.findings)} 条：{t.esc('、'.join(g.checks))}）"),
                         "", "", "", "", "", ""])
            classes.append("kit-group")
        for j, r in enumerate(g.findings, 1):
            sides = SIDES.get(r["check_id"])
            what = t.Raw(f"<strong>{t.esc(r['subject'])}</strong>：{t.esc(r['message'])}"
                         f'<br><span class="kit-muted">{t.esc(r["check_id"])} {t.esc(r["title"])}</span>'
                         f'<br><span class="kit-muted kit-key">问题键 {t.esc(r["key"])}</span>')
            diff = signed(shown_difference(r["check_id"], r["difference"]))
            rows.append([str(i) if len(g.findings) == 1 else f"{i}.{j}", verdict(r["status"], r["severity"]), what,
                         _side(sides, 0, r["expected"]), _side(sides, 1, r["actual"]),
                         _side(sides, 2, diff) if diff != "—" else diff, places.cite(r["location"]),
                         advice(r, labels, rescored), decision_cell(audit, r["key"])])
            classes.append("")
    header = ["序号", "结论", "问题", "应为（复核）", "实际（填报）", "差异（复核−填报）", "表内位置", "整改建议", "复核决定"]
    n = audit.summary()["problems"]
    caption = (f"问题（{len(issues)} 条，{len(groups)} 项事实：错误 {n['error']}、警告 {n['warning']}、提示 {n['info']}；"
               "数据不一致在前，其次其他问题、评分差异；同一事实的各条检查列在一起。"
               "两数比较的各栏注明哪一方是表内数、哪一方是文字所述数）")
    return t.table(rows, header, caption=caption, cls="kit-findings", numeric=(5,), row_classes=classes,
                   col_classes=["", "kit-nowrap", "kit-w-msg", "kit-w-val", "kit-w-val", "", "kit-w-loc", "kit-w-advice",
                                "kit-w-decision"])


def _side(sides, i: int, value):
    """A value cell; for a comparison of two figures of the form, labelled with its side."""
    cell = t.value_cell(value)
    if not sides:
        return cell
    shown = cell.html if isinstance(cell, t.Raw) else t.esc(cell)
    return t.Raw(f'<span class="kit-muted">{t.esc(sides[i])}</span><br>{shown}')


DECISION_BADGE = {"pending": "unverifiable", "confirmed": "fail", "explained": "info", "rectified": "pass",
                  "rejected": "notcomparable"}


def decision_cell(audit, key: str) -> t.Raw:
    """The reviewer's decision on a finding: a badge, then its reason / explanation, who and when."""
    from ..core.vocab import Decision

    e = audit.review.get(key)
    d = e.decision if e is not None else Decision.PENDING
    text = t.badge(DECISION_BADGE[d.value], d.label).html
    if e is not None:
        detail = e.summary()[len(d.label):].lstrip("：")
        if detail:
            text += f'<br><span class="kit-muted">{t.esc(detail)}</span>'
    return t.Raw(text)


def rejected_table(audit) -> str:
    """附 不采纳的问题: findings the reviewer did not adopt, each with the reason, who and when."""
    issues = audit.issues(labels="machine")
    issues = issues[issues["decision"] == "rejected"]
    if not len(issues):
        return t.note("没有不采纳的问题。")
    rows = []
    for i, r in enumerate(issues.to_dict("records"), 1):
        e = audit.review.get(r["key"])
        rows.append([str(i), f"{r['check_id']} {r['title']}", r["subject"], r["message"], e.reason,
                     "，".join(x for x in (e.reviewer, e.date) if x) or "—", r["key"]])
    return t.table(rows, ["序号", "检查项", "对象", "说明", "不采纳的理由", "复核人、日期", "问题键"],
                   caption=f"不采纳的问题（{len(rows)} 条，不计入问题数）", cls="kit-findings",
                   col_classes=["", "kit-w-check", "kit-w-subject", "kit-w-msg", "kit-w-advice", "kit-nowrap", "kit-w-loc"])


def review_table(audit) -> str:
    """附 复核决定: the review file, its overrides and the decisions whose finding is gone (orphans)."""
    rv = audit.review
    parts = []
    name = rv.path.name if rv.path else "（无）"
    if not rv.entries and not rv.overrides:
        return t.note(f"复核文件 {name}：尚无复核决定。在 JupyterLab 中用 result.decide(…) 记录决定、result.save_review() 保存；"
                      "部门回填的问题清单用 kit review-import 读回。")
    r = audit.summary()["review"]
    from ..core.vocab import Decision

    parts.append(t.note(f"复核文件 {name}：" + "、".join(f"{d.label} {r[d.value]} 条" for d in Decision) + "（问题类）。"))
    if rv.overrides:
        rows = [[o.get("indicator", ""), o.get("score", ""), o.get("reason", ""),
                 "，".join(x for x in (o.get("reviewer", ""), o.get("date", "")) if x) or "—"] for o in rv.overrides]
        if audit.before is not None:
            b = audit.before
            rows.append(["复核总分（调整前 → 调整后）",
                         f"{t.score(b['totals']['recomputed'])}（{b['grade']['recomputed']}）→ "
                         f"{t.score(audit.totals['recomputed'])}（{audit.grade['recomputed']}）", "", ""])
        parts.append(t.table(rows, ["三级指标", "调整后分数", "理由", "复核人、日期"], caption="审核人员调整分数"))
    orphans = audit.orphans()
    if orphans:
        rows = [[str(i), e.key, e.summary(), e.finding or "—"] for i, e in enumerate(orphans, 1)]
        parts.append(t.table(rows, ["序号", "问题键", "决定", "决定时的问题"],
                             caption=f"找不到对应问题的决定（{len(rows)} 条：本次复核已无此问题；决定保留在复核文件中，未删除）",
                             cls="kit-findings", col_classes=["", "kit-w-loc", "kit-w-advice", "kit-w-msg"]))
    return "".join(parts)


def unverifiable_table(audit) -> str:
    """无法核实: checks that could not be made, the score points they decide first."""
    from .advice import advice
    from .places import Places

    issues = audit.issues("unverifiable", labels="machine")
    if not len(issues):
        return t.note("没有因缺少资料而无法核实的检查。")
    labels, rescored = advice_context(audit)
    weights = dict(zip(audit.scores["indicator"], audit.scores["weight"]))
    places = Places(audit.department)
    rows = []
    for i, r in enumerate(issues.to_dict("records"), 1):
        pts = t.score(weights[r["subject"]]) if r["check_id"] in rescored and r["subject"] in weights else "—"
        rows.append([str(i), f"{r['check_id']} {r['title']}", r["subject"], r["message"], pts,
                     advice(r, labels, rescored), places.cite(r["location"])])
    return t.table(rows, ["序号", "检查项", "对象", "说明", "涉及分数", "需补充", "表内位置"], numeric=(4,),
                   caption=f"无法核实的事项（{len(rows)} 项；涉及评分的按分数排列在前）", cls="kit-findings",
                   col_classes=["", "kit-w-check", "kit-w-subject", "kit-w-msg", "", "kit-w-advice", "kit-w-loc"])


def format_table(audit) -> str:
    """格式与解析说明: quirks of the printed form (overflow, stray characters, separators, units,
    seal and page text), read as printed; not problems of the figures."""
    from .places import Places

    issues = audit.issues("format", labels="machine")
    if not len(issues):
        return t.note("表上没有需要说明的格式问题。")
    places = Places(audit.department)
    rows = [[str(i), verdict(r["status"], r["severity"]), f"{r['check_id']} {r['title']}", r["message"],
             t.number(r["actual"]), places.cite(r["location"])]
            for i, r in enumerate(issues.to_dict("records"), 1)]
    return t.table(rows, ["序号", "结论", "检查项", "说明", "原文", "表内位置"],
                   caption=f"格式与解析说明（{len(rows)} 条）", cls="kit-findings",
                   col_classes=["", "kit-nowrap", "kit-w-check", "kit-w-msg", "kit-w-val", "kit-w-loc"])


def findings_table(audit) -> str:
    """The three lists of 问题清单 together (for use outside the notebook)."""
    return problems_table(audit) + unverifiable_table(audit) + format_table(audit)


def signed(value) -> str:
    """A difference with its sign (+ when the reviewer's figure is larger), or '—'."""
    if not isinstance(value, Decimal):
        return "—" if value is None else str(t.number(value))
    shown = t.number(value)
    return f"+{shown}" if value > 0 else str(shown)


def goals_section(audit) -> str:
    """年度总体目标: 预期目标 beside 目标完成实际情况, with the D8 verdict."""
    g = audit.department.goals
    f = audit.findings
    d8 = f[f["check_id"].astype(str).isin(table_checks(GOALS_TABLE))]
    pair = (f'<div class="kit-pair"><div><h4>预期目标</h4>{t.esc(t.text_block(g.expected))}</div>'
            f'<div><h4>目标完成实际情况</h4>{t.esc(t.text_block(g.actual))}</div></div>')
    notes = [t.note(r.message, "warning" if r.status == Status.FAIL else "info") for r in d8.itertuples(index=False)
             if r.status != Status.PASS]
    return pair + "".join(notes)


def missing_table(audit) -> str:
    """Inputs to request from the department, and the scores (and checks) they decide."""
    m = audit.missing_inputs
    if not len(m):
        return t.note("评分复核所需资料齐全。")
    titles = dict(zip(audit.findings["check_id"], audit.findings["title"]))
    indicators = set(audit.scores["indicator"])
    rows = []
    for i, r in enumerate(m.itertuples(index=False), 1):
        needed = list(r.needed_by)
        scores_ = [n for n in needed if n in indicators]
        checks = [f"{n} {titles.get(n, '')}".strip() for n in needed if n not in indicators]
        rows.append([str(i), r.label, "、".join(scores_) or "—", "；".join(checks) or "—"])
    return t.table(rows, ["序号", "需补充的资料", "决定的评分指标", "相关检查"],
                   caption=f"需向部门补充的资料（共 {len(rows)} 项）")


PROSE_STATUS = {"pass": ("pass", "一致"), "fail": ("fail", "不一致"), "unverifiable": ("unverifiable", "无法核对"),
                "not_compared": ("info", "未核对")}


def source_label(source: str, row=None) -> str:
    """'task:租赁费' -> 年度主要任务“租赁费”·主要内容; 'narrative:budget_execution' -> 自评报告·部门预算执行情况."""
    from ..model import NARRATIVE_SECTIONS, PROFILE_TEXTS

    kind, _, key = str(source).partition(":")
    if kind == "task":
        return f"年度主要任务“{key}”·主要内容"
    if kind == "narrative":
        return f"自评报告·{NARRATIVE_SECTIONS.get(key, key)}"
    if kind == "indicator":
        return f"年度绩效指标“{key}”·实际完成指标值"
    if kind == "profile":
        return f"部门基本情况·{PROFILE_TEXTS.get(key, key)}"
    return str(source)


def prose_table(audit) -> str:
    """Figures found in the narrative and task contents, with their cross-check status."""
    df = audit.prose_figures
    if df is None or not len(df):
        return t.note("自评报告中未发现可核对的数字。")
    rows = []
    for i, r in enumerate(df.itertuples(index=False), 1):
        cls, label = PROSE_STATUS.get(r.status, ("info", str(r.status)))
        value = t.amount(r.value) if r.unit == "元" and isinstance(r.value, Decimal) else t.number(r.value)
        converted = f"{value}" + (f" {r.unit}" if r.unit else "")
        if r.printed_unit and r.printed_unit != r.unit:
            converted += f"（原文单位 {r.printed_unit}）"
        rows.append([str(i), source_label(r.source), r.label, r.raw, converted, r.check_id or "—", t.badge(cls, label)])
    return t.table(rows, ["序号", "出处", "指标", "原文", "读取数值", "核对检查", "核对结果"], numeric=(4,),
                   caption=f"自评报告及任务主要内容中的数字（共 {len(rows)} 个）")


def provenance(audit, params_file: str, render_time: str) -> str:
    """Kit version, rule file, data file (base name) and SHA-256, parameters and render time."""
    from pathlib import Path

    from ..core.version import __version__

    dept = audit.department
    params = audit.params
    rules = audit.rules
    rows = [
        ["工具版本", f"kit {__version__}"],
        ["规则文件", f"{getattr(rules, 'source', '')}（{getattr(rules, 'name', '')}）"],
        ["规则文件 SHA-256", getattr(rules, "sha256", "") or "—"],
        ["数据文件", Path(dept.source.path).name],
        ["数据文件 SHA-256", dept.source.sha256 or "—"],
        ["参数文件", Path(str(params_file)).name],
        ["部门编码 / 年度", f"{dept.code} / {dept.year}"],
        ["规则选项", _options_text(audit.options)],
        ["审核人员调整", _overrides_text(params, audit.review)],
        ["生成时间", t.Raw(f'<time class="kit-render-time">{t.esc(render_time)}</time>')],
    ]
    return t.table(rows, ["项目", "内容"], caption="出处与参数", cls="kit-provenance", col_classes=["kit-nowrap", ""])


def _option_value(v) -> str:
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, dict):
        return "、".join(f"{k} {_option_value(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return "、".join(_option_value(x) for x in v)
    return str(v)


def _options_text(options: dict) -> str:
    if not options:
        return "（默认）"
    return "；".join(f"{k} = {_option_value(v)}" for k, v in sorted(options.items()))


def _overrides_text(params, review=None) -> str:
    overrides = list(getattr(params, "overrides", ()) or ())
    overrides += [{k: v for k, v in o.items() if k in ("indicator", "score", "reason")}
                  for o in (getattr(review, "overrides", ()) or ())]
    text = "；".join("，".join(f"{k}：{v}" for k, v in o.items()) for o in overrides) or "无"
    if review is not None and review.path is not None and (review.entries or review.overrides):
        text += f"（复核文件 {review.path.name}：决定 {len(review.entries)} 条）"
    return text


def import_note(dept: Department) -> str:
    """导入说明 when the data file came from ``kit import`` (its record lies beside it), else ''."""
    from pathlib import Path

    from ..core.errors import KitError
    from ..importer.record import import_note_html
    from ..core.yamlio import parse_yaml, read_text

    data = Path(dept.source.path or "")
    record_path = data.with_name(data.stem + ".import.yaml")
    if not data.name or not record_path.is_file():
        return ""
    try:
        text, _ = read_text(record_path, "导入记录")
        record = parse_yaml(text, str(record_path))
    except KitError as exc:
        import html

        return f"<section class=\"import-note\"><h2>导入说明</h2><p>导入记录无法读取：{html.escape(str(exc))}</p></section>"
    return import_note_html(record if isinstance(record, dict) else {}, dept.source.sha256)
