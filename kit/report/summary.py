"""The reviewer's summary: 复核结论, coverage of the score table, the sign-off block, the page
header's headline and the rich display of an ``AuditResult`` in JupyterLab.

Every figure comes from the audit result and its rule set (``rules.total``, the score rows,
level-1 names); nothing here names a template.
"""
from __future__ import annotations

from decimal import Decimal

from ..vocab import ReviewStatus
from . import tables as t

BASIS_ORDER = ("exact", "proxy", "override", "judgement", "unverifiable")
MATERIAL = 5  # problems named in the conclusion
SUPPLY_NAMED = 6  # inputs named in the conclusion (the rest are in 需补充资料)


def _pts(x) -> str:
    return t.score(x)


def _change(audit) -> str:
    tot, g = audit.totals, audit.grade
    if tot["recomputed"] is None or tot["self"] is None:
        return "表上未印出全部自评分数，无法与自评总分比较"
    d = Decimal(str(tot["recomputed"])) - Decimal(str(tot["self"]))
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
    if audit.misfit:  # never a grade under another template: say why first
        lead = "本表与所选模板不符：" + "；".join(audit.misfit) + "，因此不予评级，以下分数仅供参考。" + lead
    parts = [f'<div class="kit-conclusion"><p>{t.esc(lead)}{t.esc(coverage_sentence(audit))}</p>']
    probs = audit.issues("problem", labels="machine")
    n = s["problems"]
    counts = "、".join(f"{t.SEVERITY[k]} {n[k]} 条" for k in ("error", "warning", "info") if n[k])
    material = probs[probs["severity"].isin(["error", "warning"])].head(MATERIAL)
    if len(probs):
        parts.append(f"<p>{t.esc(f'发现问题 {len(probs)} 条（{counts}），主要有：' if len(material) else f'发现问题 {len(probs)} 条（{counts}）。')}</p>")
    else:
        parts.append("<p>未发现问题。</p>")
    if len(material):
        items = "".join(
            f"<li>{t.esc(r.subject)}：{t.esc(r.message)}"
            f'<span class="kit-muted">（{t.esc(r.check_id)}，{t.esc(r.location)}）</span></li>'
            for r in material.itertuples(index=False)
        )
        parts.append(f'<ol class="kit-material">{items}</ol>')
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


def sign_off(audit) -> str:
    """复核人 / 复核日期 / 复核意见 from the parameter file, or lines for a hand signature."""
    values = dict(getattr(audit.params, "sign_off", {}) or {}) if audit.params is not None else {}
    blank = t.Raw('<span class="kit-sign-line"></span>')
    rows = [
        ["复核人", values.get("reviewer") or blank],
        ["复核日期", values.get("review_date") or blank],
        ["复核意见", t.text_block(values["review_opinion"]) if values.get("review_opinion")
         else t.Raw('<span class="kit-sign-line"></span><span class="kit-sign-line"></span><span class="kit-sign-line"></span>')],
    ]
    return t.table(rows, ["签署", "内容"], caption="复核签署", cls="kit-signoff", col_classes=["kit-nowrap", ""])


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
    probs = audit.issues("problem", labels="machine").head(8)
    rows = [[str(i), t.badge(r.severity), r.check_id, r.subject, r.message]
            for i, r in enumerate(probs.itertuples(index=False), 1)]
    top = t.table(rows, ["序号", "结论", "检查", "对象", "说明"], caption="影响最大的问题（全部见 result.issues()）",
                  col_classes=["", "kit-nowrap", "kit-nowrap", "kit-w-subject", "kit-w-msg"]) if rows else ""
    return t.wrap(head, conclusion(audit), coverage_table(audit), top)
