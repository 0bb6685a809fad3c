"""Real PDFs (and web pages) of 财政部-style 自评表 forms (family ``mof_selfeval``), for the import
tests and the benchmark, and the synthetic departments laid out in them.

``write_mof_pdf(doc, path, layout)`` lays a document out as a published form in one of
``LAYOUTS``: ``mof`` (the 财预〔2020〕10号 template as Anhui and Hubei print it: 项目资金（万元） with
年初预算数 / 全年预算数 / 全年执行数 / 分值 / 执行率 / 得分, 年度总体目标, the 绩效指标 table
with merged 一级/二级 cells and 一级指标（N分）, 总分) and ``sichuan`` (报表 510000: 项目基本情况 first,
预算执行情况(10分) with 权重 and 原因, 绩效指标(90分) with 指标性质 and 度量单位, 合计, 评价结论 /
存在问题 / 改进措施). Ruled tables, wrapped cells, tables broken across pages with their header
again (the page writer of ``formpdf``). ``write_mof_html`` writes the same form as a saved web
page (table cells read back as tab-separated text). ``synth_mof(i, rng, layout)`` makes a
fictitious department's document in the family's data format.
"""
from __future__ import annotations

import html
import random
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from formpdf import STYLES, C, _merged, _Pdf

LAYOUTS = ("mof", "sichuan")
WIDTHS = {
    "mof": {"head": (0.16, 0.34, 0.16, 0.34), "funds": (0.12, 0.18, 0.12, 0.12, 0.12, 0.10, 0.12, 0.12),
            "goals": (0.12, 0.44, 0.44), "inds": (0.10, 0.12, 0.24, 0.11, 0.11, 0.07, 0.07, 0.18), "total": (0.58, 0.07, 0.07, 0.28)},
    "sichuan": {"head": (0.16, 0.84), "goals": (0.12, 0.44, 0.44),
                "funds": (0.10, 0.14, 0.10, 0.10, 0.10, 0.10, 0.08, 0.08, 0.20),
                "inds": (0.08, 0.08, 0.10, 0.18, 0.07, 0.08, 0.07, 0.09, 0.07, 0.07, 0.11),
                "total": (0.68, 0.07, 0.07, 0.18), "texts": (0.16, 0.84)},
}


def write_mof_pdf(doc: dict, path: Path, layout: str = "mof", style=STYLES[0]) -> Path:
    style = replace(style, widths={**style.widths, **WIDTHS[layout]})
    pdf = _Pdf(Path(path), style, "")
    h = doc.get("header", {})
    pdf.text(h.get("title", ""), pdf.st.margin + pdf.inner / 3, size=style.size + 4)
    if layout == "mof":
        _mof(pdf, doc, h)
    else:
        _sichuan(pdf, doc, h)
    pdf.save()
    return Path(path)


def _mof(pdf: _Pdf, doc: dict, h: dict) -> None:
    rows = [[C("项目名称", 0), C(h.get("project", ""), 1, 3)],
            [C("主管部门", 0), C(h.get("authority", ""), 1), C("实施单位", 2), C(h.get("implementer", ""), 3)]]
    if _name_row(doc):
        rows.insert(0, [C("部门（单位）名称", 0), C(doc["department"]["name"], 1, 3)])
    pdf.table("head", [], rows, 4)
    f = doc["funds"]
    rows = f["rows"]
    head = [C("项目资金（万元）", 0, rowspan=1 + len(rows)), C("", 1), C("年初预算数", 2), C("全年预算数", 3), C("全年执行数", 4),
            C("分值", 5), C("执行率", 6), C("得分", 7)]
    body = []
    for k, r in enumerate(rows):
        w, rate, s = (f.get("weight", ""), f.get("rate", ""), f.get("score", "")) if k == 0 else (r.get("weight", ""), r.get("rate", ""), r.get("score", ""))
        body.append([C(r["source"], 1), C(r.get("initial", ""), 2), C(r.get("adjusted", ""), 3), C(r.get("actual", ""), 4),
                     C(w, 5), C(rate, 6), C(s, 7)])
    pdf.table("funds", [], [head] + body, 8)
    g = doc.get("goals", {})
    pdf.table("goals", [], [[C("年度总体目标", 0, rowspan=2), C("预期目标", 1), C("实际完成情况", 2)],
                            [C(g.get("expected", ""), 1), C(g.get("actual", ""), 2)]], 3)
    inds = doc["indicators"]
    s1, s2 = _merged(inds, "level1"), _merged(inds, "level2")
    weights = {g["name"]: g["weight"] for g in doc.get("score_groups") or []}
    body = []
    for k, ind in enumerate(inds):
        row = []
        if s1[k]:
            name = ind["level1"] + (f"（{weights[ind['level1']]}分）" if ind["level1"] in weights else "")
            row.append(C(name, 0, rowspan=s1[k], align="center"))
        if s2[k]:
            row.append(C(ind["level2"], 1, rowspan=s2[k], align="center"))
        row += [C(ind["level3"], 2), C(ind.get("target", ""), 3), C(ind.get("actual", ""), 4), C(ind.get("weight", ""), 5),
                C(ind.get("score", ""), 6), C(ind.get("deviation", ""), 7)]
        body.append(row)
    e = doc.get("self_eval", {})
    body.append([C("总分", 0, 5), C(e.get("total_weight", ""), 5), C(e.get("total", ""), 6), C("", 7)])
    pdf.table("inds", [[C("一级指标", 0), C("二级指标", 1), C("三级指标", 2), C("年度指标值", 3), C("实际完成值", 4), C("分值", 5),
                        C("得分", 6), C("偏差原因分析及改进措施", 7)]], body, 8)


def _sichuan(pdf: _Pdf, doc: dict, h: dict) -> None:
    rows = [[C("项目名称", 0), C(h.get("project", ""), 1)], [C("主管部门", 0), C(h.get("authority", ""), 1)],
            [C("实施单位（盖章）", 0), C(h.get("implementer", ""), 1)]]
    if _name_row(doc):
        rows.insert(0, [C("部门（单位）名称", 0), C(doc["department"]["name"], 1)])
    pdf.table("head", [], rows, 2)
    g = doc.get("goals", {})
    pdf.table("goals", [], [[C("项目基本情况", 0, rowspan=3), C("1.项目年度目标完成情况", 1, 2)],
                            [C("项目年度目标", 1), C("年度目标完成情况", 2)],
                            [C(g.get("expected", ""), 1), C(g.get("actual", ""), 2)]], 3)
    f = doc["funds"]
    rows = f["rows"]
    head = [C("预算执行情况(10分)", 0, rowspan=1 + len(rows)), C("年度预算数(万元)", 1), C("年初预算", 2), C("调整后预算数", 3),
            C("预算执行数", 4), C("预算执行率", 5), C("权重", 6), C("得分", 7), C("原因", 8)]
    body = []
    for k, r in enumerate(rows):
        w, rate, s = (f.get("weight", ""), f.get("rate", ""), f.get("score", "")) if k == 0 else (r.get("weight", ""), r.get("rate", ""), r.get("score", ""))
        body.append([C(r["source"], 1), C(r.get("initial", ""), 2), C(r.get("adjusted", ""), 3), C(r.get("actual", ""), 4),
                     C(rate, 5), C(w, 6), C(s, 7), C("", 8)])
    pdf.table("funds", [], [head] + body, 9)
    inds = doc["indicators"]
    s1, s2 = _merged(inds, "level1"), _merged(inds, "level2")
    e = doc.get("self_eval", {})
    # One table: the block label 绩效指标(90分) spans the header, the rows and 合计 (as printed).
    rows = [[C("绩效指标(90分)", 0, rowspan=len(inds) + 2, align="center"), C("一级指标", 1), C("二级指标", 2), C("三级指标", 3),
             C("指标性质", 4), C("指标值", 5), C("度量单位", 6), C("完成值", 7), C("权重", 8), C("得分", 9), C("未完成原因分析", 10)]]
    for k, ind in enumerate(inds):
        row = []
        if s1[k]:
            row.append(C(ind["level1"], 1, rowspan=s1[k], align="center"))
        if s2[k]:
            row.append(C(ind["level2"], 2, rowspan=s2[k], align="center"))
        row += [C(ind["level3"], 3), C(ind.get("nature", ""), 4), C(ind.get("target", ""), 5), C(ind.get("unit", ""), 6),
                C(ind.get("actual", ""), 7), C(ind.get("weight", ""), 8), C(ind.get("score", ""), 9), C(ind.get("deviation", ""), 10)]
        rows.append(row)
    rows.append([C("合计", 1, 7), C(e.get("total_weight", ""), 8), C(e.get("total", ""), 9), C("", 10)])
    pdf.table("inds", [], rows, 11)
    pdf.table("texts", [], [[C("评价结论", 0), C(e.get("conclusion", ""), 1)], [C("存在问题", 0), C(e.get("problems", ""), 1)],
                            [C("改进措施", 0), C(e.get("measures", ""), 1)]], 2)


def _name_row(doc: dict) -> bool:
    """The unit's name gets a row of its own when 实施单位 does not print it."""
    return doc.get("header", {}).get("implementer", "") != doc["department"]["name"]


def write_mof_html(doc: dict, path: Path) -> Path:
    """The MOF layout as a saved web page: one <tr> per printed row, merged cells once."""
    e = html.escape
    h, f, g = doc.get("header", {}), doc["funds"], doc.get("goals", {})
    rows = [[h.get("title", "")]] + ([["部门（单位）名称", doc["department"]["name"]]] if _name_row(doc) else []) + [
            ["项目名称", h.get("project", "")],
            ["主管部门", h.get("authority", ""), "实施单位", h.get("implementer", "")],
            ["项目资金（万元）", "", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"]]
    for k, r in enumerate(f["rows"]):
        w, rate, s = (f.get("weight", ""), f.get("rate", ""), f.get("score", "")) if k == 0 else (r.get("weight", ""), r.get("rate", ""), r.get("score", ""))
        rows.append([r["source"], r.get("initial", ""), r.get("adjusted", ""), r.get("actual", ""), w, rate, s])
    rows += [["年度总体目标", "预期目标", "实际完成情况"], [g.get("expected", ""), g.get("actual", "")],
             ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]]
    inds = doc["indicators"]
    s1, s2 = _merged(inds, "level1"), _merged(inds, "level2")
    weights = {g["name"]: g["weight"] for g in doc.get("score_groups") or []}
    for k, ind in enumerate(inds):
        l1 = ind["level1"] + (f"（{weights[ind['level1']]}分）" if ind["level1"] in weights else "")
        row = ([l1] if s1[k] else []) + ([ind["level2"]] if s2[k] else [])
        rows.append(row + [ind["level3"], ind.get("target", ""), ind.get("actual", ""), ind.get("weight", ""),
                           ind.get("score", ""), ind.get("deviation", "")])
    sev = doc.get("self_eval", {})
    rows.append(["总分", sev.get("total_weight", ""), sev.get("total", ""), ""])
    body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    Path(path).write_text(f"<html><head><title>自评表</title></head><body><p>发布时间：2023-06-30</p><table>{body}</table>"
                          "</body></html>", encoding="utf-8")
    return Path(path)


# --- synthetic departments ----------------------------------------------------------------------
_UNITS = ("县水利局", "区教育局", "市农业农村局", "镇人民政府", "县卫生健康局", "区住房和城乡建设局", "市生态环境局")
_PLACES = ("长丰", "临泉", "蒙城", "绩溪", "岳西", "青阳", "泾县", "祁门")
_PROJECTS = ("农村饮水安全维修养护", "义务教育学校设备购置", "高标准农田建设", "基层医疗机构运行保障", "城区道路维修改造",
             "污染防治专项", "公共法律服务体系建设")
_LEVEL2 = {"产出指标": ("数量指标", "质量指标", "时效指标", "成本指标"),
           "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
           "满意度指标": ("服务对象满意度指标",)}
_LEVEL3 = ("完成维修项目数量", "设备验收合格率", "资金支付及时率", "项目成本控制在预算内", "带动群众增收", "受益人口覆盖率",
           "水质达标率", "工程运行维护机制健全", "服务对象满意度", "培训人次", "新建道路长度", "群众投诉处理率")
_TARGETS = (("≥95%", "98%"), ("100%", "100%"), ("≥12个", "12个"), ("≤200万元", "196.5万元"), ("2023年12月底前", "2023年11月"),
            ("有效提升", "有效提升"), ("≥90%", "93%"), ("1200人次", "1180人次"))


def _amount(rng: random.Random, lo: int, hi: int) -> Decimal:
    return Decimal(rng.randint(lo * 100, hi * 100)) / 100


def synth_mof(i: int, rng: random.Random, layout: str = "mof") -> dict:
    """A fictitious 项目支出绩效自评表 in the family's data format (strings as printed)."""
    year = rng.choice((2021, 2022, 2023))
    unit = rng.choice(_PLACES) + rng.choice(_UNITS)
    init = _amount(rng, 20, 900)
    adj = init + _amount(rng, 0, 80) if rng.random() < 0.5 else init
    act = min(adj, (adj * Decimal(rng.randint(80, 100)) / 100).quantize(Decimal("0.01")))
    other = (adj * Decimal(rng.randint(0, 30)) / 100).quantize(Decimal("0.01")) if rng.random() < 0.4 else Decimal(0)
    rate = (act / adj * 100).quantize(Decimal("0.01"))
    escore = (Decimal(10) * act / adj).quantize(Decimal("0.01"))
    rows = [{"source": "年度资金总额" if layout == "mof" else "总额", "initial": f"{init}", "adjusted": f"{adj}", "actual": f"{act}"}]
    fiscal_adj, fiscal_act = adj - other, act - min(other, act)
    if layout == "mof":
        rows += [{"source": "其中：当年财政拨款", "initial": f"{init - other}" if init > other else f"{init}",
                  "adjusted": f"{fiscal_adj}", "actual": f"{fiscal_act}", "weight": "—", "score": "—"},
                 {"source": "上年结转资金", "weight": "—", "score": "—"},
                 {"source": "其他资金", "initial": f"{other}" if other else "", "adjusted": f"{other}" if other else "",
                  "actual": f"{min(other, act)}" if other else "", "weight": "—", "score": "—"}]
    else:
        rows += [{"source": "其中：财政资金", "initial": f"{init}", "adjusted": f"{adj}", "actual": f"{act}",
                  "rate": f"{rate}%", "weight": "/", "score": "/"},
                 {"source": "财政专户管理资金", "initial": "0.00", "adjusted": "0.00", "actual": "0.00", "rate": "0.00%",
                  "weight": "/", "score": "/"},
                 {"source": "其他资金", "weight": "/", "score": "/"}]
    for r in rows:  # the data format leaves blank cells out
        for k in [k for k, v in r.items() if v == ""]:
            del r[k]
    n = rng.randint(4, 12)
    splits = {"产出指标": 50, "效益指标": 30, "满意度指标": 10} if layout == "mof" else None
    inds, groups = [], []
    order = ["产出指标"] * max(1, n - 3) + ["效益指标"] * min(2, n - 2) + ["满意度指标"]
    weights = _split_weights(order, splits, rng)
    used3 = set()
    for k, (l1, w) in enumerate(zip(order, weights)):
        l2 = rng.choice(_LEVEL2[l1])
        l3 = rng.choice([x for x in _LEVEL3 if x not in used3] or _LEVEL3)
        used3.add(l3)
        target, actual = rng.choice(_TARGETS)
        missed = rng.random() < 0.2
        score = (w * Decimal(rng.randint(50, 95)) / 100).quantize(Decimal("0.1")) if missed else w
        ind = {"level1": l1, "level2": l2, "level3": l3, "target": target, "actual": actual, "weight": f"{w}",
               "score": f"{score}".rstrip("0").rstrip(".") if "." in f"{score}" else f"{score}"}
        if layout == "sichuan":
            ind["nature"] = rng.choice(("≥", "=", "≤", "定性"))
            ind["unit"] = rng.choice(("%", "个", "万元", "人次", ""))
            if not ind["unit"]:
                del ind["unit"]
        if missed:
            ind["deviation"] = "部分工程受汛期影响推迟至次年完成"
        inds.append(ind)
    inds.sort(key=lambda d: ["产出指标", "效益指标", "满意度指标"].index(d["level1"]))
    if layout == "mof":
        groups = [{"level": "1", "name": k, "weight": str(v)} for k, v in splits.items()]
    total = escore + sum(Decimal(x["score"]) for x in inds)
    doc = {
        "format": "kit-dept/1",
        "family": "mof_selfeval",
        "department": {"name": unit, "code": f"mof{i:03d}", "year": year},
        "header": {"title": f"项目支出绩效自评表（{year}年度）" if layout == "mof" else f"部门预算项目支出绩效自评表({year}年度)",
                   "project": rng.choice(_PROJECTS), "authority": unit, "implementer": unit, "unit": "万元"},
        "funds": {"weight": "10", "rate": f"{rate}%", "score": f"{escore}", "rows": rows},
        "goals": {"expected": f"按计划完成{rng.choice(_PROJECTS)}，资金支付率达到100%，群众满意度不低于90%。",
                  "actual": rng.choice(("已完成年度目标。", "基本完成，部分工程延至次年。"))},
        "indicators": inds,
        "self_eval": {"total_weight": "100", "total": f"{total}".rstrip("0").rstrip(".") if "." in f"{total}" else f"{total}"},
    }
    if groups:
        doc["score_groups"] = groups
    if layout == "sichuan":
        doc["self_eval"].update({"conclusion": "项目按计划实施，资金使用规范，达到预期效果。", "problems": "个别指标设置不够细化。",
                                 "measures": "进一步细化绩效目标，加强过程监控。"})
    return doc


def _split_weights(order: list[str], splits: dict | None, rng: random.Random) -> list[Decimal]:
    if splits:
        out = []
        for l1, total in splits.items():
            k = order.count(l1)
            base = [total // k] * k
            base[0] += total - sum(base)
            out += [Decimal(b) for b in base]
        return out
    k = len(order)
    base = [90 // k] * k
    base[0] += 90 - sum(base)
    rng.shuffle(base)
    return [Decimal(b) for b in base]


# --- MOF-2013 framework tables ------------------------------------------------------------------
LAYOUTS_2013 = ("city", "framework")
WIDTHS_2013 = {
    "staff": (0.25, 0.25, 0.25, 0.25), "money": (0.25, 0.25, 0.25, 0.25), "adjust": (0.34, 0.33, 0.33),
    "city": (0.09, 0.10, 0.14, 0.06, 0.27, 0.27, 0.07),
    "framework": (0.07, 0.05, 0.08, 0.05, 0.12, 0.05, 0.26, 0.26, 0.06),
}


def write_mof2013_pdf(doc: dict, path: Path, layout: str = "city", style=STYLES[0]) -> dict:
    """Lay a mof_2013 document out as a 基础数据表 and a 部门整体支出绩效评价指标表; return the
    document as this layout prints it (what an import can give back)."""
    style = replace(style, widths={**style.widths, **WIDTHS_2013})
    pdf = _Pdf(Path(path), style, "")
    dep, h = doc["department"], doc.get("header", {})
    year = int(dep["year"])
    printed = {"format": "kit-dept/1", "family": "mof_2013", "department": dict(dep),
               "header": {"title": h.get("title", ""), "unit": "万元"}}
    pdf.text("部门整体支出绩效评价基础数据表", pdf.st.margin + pdf.inner / 3, size=style.size + 3)
    pdf.text(f"填报单位：{dep['name']}", pdf.st.margin)
    pdf.text("单位：万元", pdf.st.margin)
    counts = doc.get("profile", {}).get("counts", {})
    posts, staff = counts.get("authorized_posts", ""), counts.get("on_staff", "")
    rate = f"{(Decimal(staff) / Decimal(posts) * 100).quantize(Decimal('0.01'))}%" if posts and staff else ""
    pdf.table("staff", [], [[C("财政供养人员情况", 0), C("编制数", 1), C(f"{year}年实际在职人数", 2), C("控制率", 3)],
                            [C("", 0), C(posts, 1), C(staff, 2), C(rate, 3)]], 4)
    if posts or staff:
        printed["profile"] = {"counts": {k: v for k, v in (("authorized_posts", posts), ("on_staff", staff)) if v},
                              "staffing": "，".join(f"{lab} {v}" for lab, v in (("编制数", posts), (f"{year}年实际在职人数", staff),
                                                                              ("控制率", rate)) if v)}
    sup = doc.get("supplementary", {})

    def wan(key: str) -> str:
        v = str(sup.get(key, ""))
        return v[:-2] if v.endswith("万元") else ""

    pdf.table("money", [], [[C("经费控制情况", 0), C(f"{year - 1}年预算数", 1), C(f"{year}年预算数", 2), C(f"{year}年决算数", 3)],
                            [C("三公经费", 0), C(wan("three_public_prior_budget"), 1), C(wan("three_public_budget"), 2),
                             C(wan("three_public_actual"), 3)]], 4)
    printed["supplementary"] = {k: sup[k] for k in ("three_public_prior_budget", "three_public_budget", "three_public_actual")
                                if wan(k)}
    rows = doc.get("funds", {}).get("rows") or []
    if rows:
        r0 = rows[0]
        pdf.table("adjust", [], [[C("预算调整情况", 0), C("年初预算数", 1), C("调整后预算数", 2)],
                                 [C(r0["source"], 0), C(r0.get("initial", ""), 1), C(r0.get("adjusted", ""), 2)]], 3)
        printed["funds"] = {"rows": [{k: r0[k] for k in ("source", "initial", "adjusted") if r0.get(k)}]}
    pdf.gap(12)
    pdf.text(h.get("title", ""), pdf.st.margin + pdf.inner / 4, size=style.size + 3)
    scores = doc["scores"]
    groups = {g["name"]: g for g in doc.get("score_groups") or [] if g.get("level") == "1"}
    s1, s2 = _merged(scores, "level1"), _merged(scores, "level2")
    e = doc.get("self_eval", {})
    body = []
    for k, s in enumerate(scores):
        row = []
        w1 = groups.get(s["level1"], {}).get("weight", "")
        if layout == "city":
            if s1[k]:
                row.append(C(s["level1"] + (f"（{w1}分）" if w1 else ""), 0, rowspan=s1[k], align="center"))
            if s2[k]:
                row.append(C(s["level2"], 1, rowspan=s2[k], align="center"))
            row += [C(s["level3"], 2), C(s["weight"], 3), C(s.get("criteria", ""), 4), C(s.get("description", ""), 5),
                    C(s.get("self_score", ""), 6)]
        else:
            if s1[k]:
                row += [C(s["level1"], 0, rowspan=s1[k], align="center"), C(w1, 1, rowspan=s1[k])]
            if s2[k]:
                row += [C(s["level2"], 2, rowspan=s2[k], align="center"), C("", 3, rowspan=s2[k])]
            row += [C(s["level3"], 4), C(s["weight"], 5), C(s.get("criteria", ""), 6), C(s.get("description", ""), 7),
                    C(s.get("self_score", ""), 8)]
        body.append(row)
    if layout == "city":
        head = [[C("一级指标", 0), C("二级指标", 1), C("三级指标", 2), C("分值", 3), C("评分标准", 4), C("指标说明", 5), C("自评得分", 6)]]
        body.append([C("合计", 0, 3), C(e.get("total_weight", ""), 3), C("", 4), C("", 5), C(e.get("total", ""), 6)])
        n = 7
    else:
        head = [[C("一级指标", 0), C("分值", 1), C("二级指标", 2), C("分值", 3), C("三级指标", 4), C("分值", 5), C("评价标准", 6),
                 C("指标说明", 7), C("得分", 8)]]
        body.append([C("合计", 0, 5), C(e.get("total_weight", ""), 5), C("", 6), C("", 7), C(e.get("total", ""), 8)])
        n = 9
    pdf.table(layout, head, body, n)
    pdf.save()
    printed["score_groups"] = [{"level": "1", "name": g["name"], "weight": g["weight"]} for g in groups.values() if g.get("weight")]
    printed["scores"] = [{k: s.get(k, "") for k in ("level1", "level2", "level3", "weight", "description", "criteria", "self_score")}
                         for s in scores]
    printed["self_eval"] = {k: e[k] for k in ("total_weight", "total") if e.get(k)}
    return printed
