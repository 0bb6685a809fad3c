"""The reviewer's summary: 复核结论, coverage of the score table, the sign-off block, the page
header's headline and the rich display of an ``AuditResult`` in JupyterLab.

Every figure comes from the audit result and its rule set (``rules.total``, the score rows,
level-1 names); nothing here names a template.
"""
from __future__ import annotations

from decimal import Decimal

from ..core.vocab import ReviewStatus, Severity
from . import tables as t
from .facts import facts

BASIS_ORDER = ("exact", "proxy", "override", "judgement", "unverifiable")
MATERIAL = 5  # problems named in the conclusion
PER_KIND = 3  # facts named per kind (数据不一致 / 其他问题 / 评分差异): page 1 keeps the sign-off
SUPPLY_NAMED = 6  # inputs named in the conclusion (the rest are in 需补充资料)


def _pts(x) -> str:
    return t.score(x)


def _change(audit) -> str:
    tot, g = audit.totals, audit.grade
    if tot["recomputed"] is None or tot["self"] is None:
        return "表上未印出全部自评分数，无法与自评总分比较"
    d = Decimal(str(tot["recomputed"])) - Decimal(str(tot["self"]))
    if not audit.summary()["points_rechecked"]:
        return "未能复核（可复核分数为 0 分），复核总分沿用自评分数"
    if d == 0:
        text = "与自评一致"
    else:
        text = f"较自评{'增加' if d > 0 else '减少'} {_pts(abs(d))} 分"
    if g["self"] == g["recomputed"]:
        text += "，等级不变"
    else:
        text += f"，等级由“{g['self']}”变为“{g['recomputed']}”"
    return text


def headline(audit) -> dict[str, str]:
    """The page header's status and score line (``nb.metadata['kit']``): it says the coverage."""
    s = audit.summary()
    tot, g = audit.totals, audit.grade
    return {
        "status_label": s["status_label"],
        "review_status": s["status"],
        "grade": (f"{_pts(tot['recomputed'])}（{g['recomputed']}）；自评 {_pts(tot['self'])}（{g['self']}）；"
                  f"可复核 {_pts(s['points_rechecked'])} / {_pts(s['points_total'])} 分"),
    }


def coverage_sentence(audit) -> str:
    s = audit.summary()
    p = s["points"]
    n_rows = len(audit.scores)
    parts = [f"按规则复核 {_pts(p['exact'])} 分", f"以替代口径复核 {_pts(p['proxy'])} 分"]
    if p["override"]:
        parts.append(f"由审核人员调整 {_pts(p['override'])} 分")
    text = (f"评分表共 {n_rows} 项三级指标、满分 {_pts(audit.rules.total)} 分，其中{'、'.join(parts)}，"
            f"合计 {_pts(s['points_rechecked'])} 分得到复核；{_pts(p['judgement'])} 分为专业判断项，保留自评分数；"
            f"{_pts(p['unverifiable'])} 分因缺少资料无法复核，保留自评分数。")
    kept = p["judgement"] + p["unverifiable"]
    if s["status"] == ReviewStatus.PARTIAL:
        text += (f"因此本次为部分复核：复核总分中有 {_pts(kept)} 分沿用自评分数（其中 {_pts(p['unverifiable'])} 分"
                 "有待补充资料后复核），复核总分不是对全部评分的确认。")
    else:
        text += f"需复核的事项均已复核；复核总分中 {_pts(kept)} 分为专业判断，沿用自评分数。"
    return text


def conclusion(audit) -> str:
    """复核结论: a reviewer's paragraph generated from the results, then the material problems
    and what the department must supply."""
    d = audit.department
    s = audit.summary()
    tot, g = audit.totals, audit.grade
    form = d.header.title or (audit.family.text("form_name") if audit.family else "") or "自评表"
    lead = (f"{d.name}{d.year} 年度《{form}》自评总分 {_pts(tot['self'])} 分（{g['self']}），"
            f"经复核为 {_pts(tot['recomputed'])} 分（{g['recomputed']}），{_change(audit)}。")
    if not audit.graded:  # never a grade under another template nor without one: say why, and no recomputed total
        self_part = f"自评总分 {_pts(tot['self'])} 分。" if tot["self"] is not None else ""
        lead = f"{d.name}{d.year} 年度《{form}》{self_part}{audit.no_grade_reason()}。"
    if audit.family is not None and not audit.family.graded:  # no template: nothing is re-scored
        cover = ("本表没有评分表可供复核，" if audit.scores.empty else "本表没有评分模板，各项得分不予复核，") + "以下只核对表上印出的勾稽关系。"
    elif audit.misfit:  # no score under rules that do not fit: nothing of their coverage to say
        cover = "以下核对表上印出的勾稽关系；按所选规则的复核分数不作结论。"
    elif not audit.graded:  # no score table read: there is no coverage of scores to state
        cover = "本表没有读到评分表，各项得分不予复核，以下只核对表上印出的勾稽关系。"
    else:
        cover = coverage_sentence(audit)
    parts = [f'<div class="kit-conclusion"><p>{t.esc(lead)}{t.esc(cover)}</p>']
    probs = audit.issues("problem", labels="machine")
    probs = probs[probs["decision"] != "rejected"]  # not adopted: in the appendix with the reasons
    n = s["problems"]
    counts = "、".join(f"{t.SEVERITY[k]} {n[k]} 条" for k in ("error", "warning", "info") if n[k])
    groups = facts(audit, probs.to_dict("records"))
    if len(probs):
        parts.append(f"<p>{t.esc(f'发现问题 {len(probs)} 条（{counts}），归为 {len(groups)} 项事实：')}</p>")
        parts.append(material_list(groups))
    elif not s["points_rechecked"]:
        parts.append("<p>未能复核：评分表没有可以按规则复核的分数，不能据此认为“未发现问题”；请先补充下列资料。</p>")
    else:
        parts.append("<p>未发现问题。</p>")
    review = review_sentence(audit)
    if review:
        parts.append(f"<p>{t.esc(review)}</p>")
    tail = []
    if s["unverifiable"]:
        tail.append(f"另有 {s['unverifiable']} 项检查因缺少资料无法核实")
    if s["format"]:
        tail.append(f"{s['format']} 条格式与解析说明（表上印刷或提取的问题，已按原样读取，不影响复核结论）")
    if tail:
        parts.append(f"<p>{t.esc('；'.join(tail) + '，均见“问题清单”。')}</p>")
    m = audit.missing_inputs
    if len(m):
        named = "、".join(m["label"].head(SUPPLY_NAMED))
        more = f"等 {len(m)} 项" if len(m) > SUPPLY_NAMED else f"共 {len(m)} 项"
        unv = s["points"]["unverifiable"]
        after = f"，补充后复核其余 {_pts(unv)} 分" if unv else ""
        parts.append(f"<p>{t.esc(f'请部门补充：{named}{more}（见“需补充资料”）{after}。')}</p>")
    parts.append("</div>")
    return "".join(parts)


NUMERALS = "一二三四五六七八九十"


def _fact_item(g) -> str:
    lead = g.findings[0]
    checks = "、".join(g.checks)
    proxy = "；此项扣分依据替代口径，补充资料后再确认" if lead["score_effect"] and lead.get("proxy") else ""
    points = ""
    if len(g.findings) > 1:
        points = "<ul>" + "".join(f"<li>{t.esc(f['check_id'])}：{t.esc(f['message'])}</li>" for f in g.findings[1:MATERIAL])
        more = len(g.findings) - MATERIAL
        points += (f'<li class="kit-muted">另有 {more} 条同类（见“问题清单”）</li>' if more > 0 else "") + "</ul>"
    return (f"<li><strong>{t.esc(g.title)}</strong>：{t.esc(lead['message'])}{t.esc(proxy)}"
            f'<span class="kit-muted">（{t.esc(checks)}）</span>{points}</li>')


def material_list(groups) -> str:
    """The problems by fact under 数据不一致 / 其他问题 / 评分差异, errors and amounts before score points."""
    from .facts import KIND_ORDER

    out = []
    for n, kind in enumerate(k for k in KIND_ORDER if any(g.kind == k for g in groups)):
        mine = [g for g in groups if g.kind == kind]
        shown = [g for g in mine if g.severity != Severity.INFO][:PER_KIND] or mine[:1]
        rest = len(mine) - len(shown)
        tail = f'<p class="kit-muted">另有 {rest} 项（见“问题清单”）。</p>' if rest > 0 else ""
        out.append(f'<p class="kit-kind"><strong>{NUMERALS[n]}、{t.esc(kind)}（{len(mine)} 项）</strong></p>'
                   f'<ol class="kit-material">{"".join(_fact_item(g) for g in shown)}</ol>{tail}')
    return "".join(out)


def review_sentence(audit) -> str:
    """复核决定: how many problems the reviewer confirmed (of them explained / corrected by the
    department), how many await a decision, how many were not adopted; overrides and orphans."""
    r = audit.summary()["review"]
    total = sum(r.values())
    parts = []
    if total:
        confirmed = r["confirmed"] + r["explained"] + r["rectified"]
        text = f"复核决定：已确认问题 {confirmed} 条"
        if r["pending"] == total:
            text = f"复核决定：尚未对问题作出决定（{total} 条待定）"
        sub = [f"{lab} {r[k]} 条" for k, lab in (("explained", "部门已说明"), ("rectified", "已整改")) if r[k]]
        if sub:
            text += "（其中" + "、".join(sub) + "）"
        if r["pending"] != total:
            text += f"，待定 {r['pending']} 条" if r["pending"] else "，全部问题均已作出决定"
        if r["rejected"]:
            text += f"；不采纳 {r['rejected']} 条（理由见“附：不采纳的问题”）"
        parts.append(text)
    if audit.review.overrides:
        parts.append(f"审核人员调整分数 {len(audit.review.overrides)} 项（见“评分复核”）")
        if audit.before is not None:
            b = audit.before
            parts.append(f"调整前复核总分 {_pts(b['totals']['recomputed'])} 分（{b['grade']['recomputed']}），"
                         f"调整后 {_pts(audit.totals['recomputed'])} 分（{audit.grade['recomputed']}）")
    orphans = audit.orphans()
    if orphans:
        parts.append(f"复核文件中有 {len(orphans)} 条决定找不到对应的问题（本次复核已无此问题，决定仍保留，见“附：复核决定”）")
    return "；".join(parts) + "。" if parts else ""


def sign_off(audit) -> str:
    """复核签署: 复核单位, 复核人 and 复核日期, 审核人 and 审核日期, 复核意见 (from the parameter file,
    or lines for a hand signature), and the line for the evaluated unit's 确认."""
    values = dict(getattr(audit.params, "sign_off", {}) or {}) if audit.params is not None else {}
    line = t.Raw('<span class="kit-sign-line"></span>')

    def v(key: str):
        return values.get(key) or line

    opinion = (t.text_block(values["review_opinion"]) if values.get("review_opinion")
               else t.Raw('<span class="kit-sign-line"></span><span class="kit-sign-line"></span>'))
    rows = [
        ["复核单位", v("review_unit"), "复核日期", v("review_date")],
        ["复核人", v("reviewer"), "审核人", v("approver")],
        ["复核意见", opinion, "审核日期", v("approve_date")],
        ["被评价单位确认", t.Raw('<span class="kit-sign-line"></span><span class="kit-muted">（盖章）</span>'),
         "确认日期", line],
    ]
    return t.table(rows, ["签署", "内容", "签署", "内容"], caption="复核签署", cls="kit-signoff",
                   col_classes=["kit-nowrap", "", "kit-nowrap", ""])


def coverage_table(audit) -> str:
    """Score-table points by basis (按规则 / 替代口径 / 审核调整 / 专业判断 / 无法复核), per level-1 group."""
    s = audit.summary()
    sc = audit.scores
    level1 = list(dict.fromkeys(sc["level1"]))
    rows = []
    for b in BASIS_ORDER:
        if b == "override" and not s["points"][b]:
            continue
        # A row whose 分值 is not printed has no weight: it adds no points (the table says so elsewhere).
        per = [sum((w for w, l1, bb in zip(sc["weight"], sc["level1"], sc["basis"])
                    if l1 == name and bb == b and w is not None), Decimal(0)) for name in level1]
        n_rows = int((sc["basis"] == b).sum())
        total = s["points"][b]
        rows.append([t.badge(b, t.BASIS[b]), str(n_rows), *(_pts(x) for x in per), _pts(total),
                     t.pct(total, s["points_total"], 0)])
    rows.append(["合计", str(len(sc)), *(_pts(sum((w for w, l1 in zip(sc["weight"], sc["level1"])
                                                   if l1 == name and w is not None), Decimal(0))) for name in level1),
                 _pts(s["points_total"]), "100%"])
    header = ["复核依据", "指标数", *level1, "分数合计", "占满分"]
    numeric = range(1, len(header))
    return t.table(rows, header, numeric=numeric, caption=f"复核覆盖：评分表 {_pts(s['points_total'])} 分按复核依据分布",
                   row_classes=[""] * (len(rows) - 1) + ["kit-total"], col_classes=["kit-nowrap"])


def result_html(audit) -> str:
    """The rich display of an AuditResult in JupyterLab: the conclusion, coverage and top problems."""
    d = audit.department
    s = audit.summary()
    head = (f'<p class="kit-result-title"><strong>{t.esc(d.name)}</strong>（{t.esc(d.code)}）{t.esc(d.year)} 年度 · '
            f'{t.badge("pass" if s["status"] == ReviewStatus.COMPLETE else "unverifiable", s["status_label"])}</p>')
    all_ = audit.issues(labels="machine")
    probs = all_[all_["kind"] == "problem"].head(8)
    # 序号 as in result.issues(): what result.decide(序号, …) takes
    rows = [[str(i + 1), t.badge(r["severity"]), r["check_id"], r["subject"], r["message"], audit.decision_text(r["key"]),
             r["key"]] for i, r in zip(probs.index, probs.to_dict("records"))]
    top = t.table(rows, ["序号", "结论", "检查", "对象", "说明", "复核决定", "问题键"],
                  caption="影响最大的问题（全部见 result.issues()；决定：result.decide(序号或问题键, “确认”…)）",
                  col_classes=["", "kit-nowrap", "kit-nowrap", "kit-w-subject", "kit-w-msg", "kit-w-decision", "kit-w-loc"]
                  ) if rows else ""
    before = ""
    if audit.before is not None:
        b = audit.before
        before = t.note(f"审核调整前：复核总分 {_pts(b['totals']['recomputed'])}（{b['grade']['recomputed']}）；"
                        f"调整后：{_pts(audit.totals['recomputed'])}（{audit.grade['recomputed']}）。"
                        "result.save_review() 保存后，kit render 生成同样的报告。")
    return t.wrap(head, before, conclusion(audit), coverage_table(audit), top)
