"""Synthetic departments for tests, demos and benchmarks.

Each synthetic department is derived from a real one (by default the sample, 深圳市龙岗中心医院
2022) by keeping its structure and texts and varying amounts, task counts, indicators and
scores. Names say plainly that they are fictitious. Most are internally consistent; some carry
one planted problem per check category (A arithmetic, B re-scoring, C score table, D text vs
table, E malformed value), recorded in ``planted.json`` so tests can assert the kit finds them.
Deterministic for a given seed.
"""
from __future__ import annotations

import copy
import json
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from ..core.errors import KitError, Problem
from ..files.load import load_department
from ..model import to_document
from ..core.yamlio import dump_yaml
from ..core.vocab import Basis

CENT = Decimal("0.01")
SAMPLE_NAME = "022006-2022.yaml"
DEFAULT_SOURCE = Path(__file__).resolve().parents[2] / "data" / SAMPLE_NAME  # in a source checkout
PLANTS = ("A", "B", "C", "D", "E")


def _money(x: Decimal) -> str:
    return str(x.quantize(CENT, rounding=ROUND_HALF_UP))


def _split(total: Decimal, parts: int, rng: random.Random) -> list[Decimal]:
    """Split an amount into ``parts`` positive amounts (to the fen) that add up exactly."""
    cents = int(total / CENT)
    if parts <= 1 or cents < parts:
        return [total] + [Decimal("0.00")] * (parts - 1)
    cuts = sorted(rng.sample(range(1, cents), parts - 1))
    bounds = [0, *cuts, cents]
    return [Decimal(b - a) * CENT for a, b in zip(bounds, bounds[1:])]


# Rows scored by judgement alone (domain.md §6.3): whole points may be deducted at will.
JUDGEMENT_ROWS = frozenset({
    "预算编制合理性", "预算编制规范性", "绩效目标完整性", "绩效指标明确性",
    "项目实施程序", "项目监管", "资产管理安全性", "管理制度健全性",
})


def _weight(raw: str) -> Decimal:
    try:
        return Decimal(raw)
    except ArithmeticError:
        return Decimal(25)  # the sample's '#####' weight; 25 is implied by 100 − the others


def _proportional(total: Decimal, budgets: list[Decimal]) -> list[Decimal]:
    """Split ``total`` in proportion to ``budgets`` to the fen, each share at most its budget."""
    whole = sum(budgets)
    if whole == 0:
        return [Decimal("0.00")] * len(budgets)
    shares = [(b * total / whole).quantize(CENT, rounding="ROUND_FLOOR") for b in budgets]
    rest = total - sum(shares)
    for i in sorted(range(len(shares)), key=lambda k: budgets[k] - shares[k], reverse=True):
        if rest <= 0:
            break
        step = min(rest, budgets[i] - shares[i])
        shares[i] += step
        rest -= step
    return shares


def _align_scores(doc: dict) -> None:
    """Set the self score of every rule-decided row to the kit's recomputed score."""
    from ..engine.audit import run_audit
    from ..model import build_department

    scores = run_audit(build_department(doc)).scores
    recomputed = {
        r.indicator: r.recomputed_score for r in scores.itertuples(index=False) if r.basis in (Basis.EXACT, Basis.PROXY)
    }
    for srow in doc["scores"]:
        value = recomputed.get(srow["level3"])
        if value is not None:
            srow["self_score"] = _money(Decimal(value))


def synth_document(base: dict, index: int, rng: random.Random, plant: str | None) -> tuple[dict, str]:
    """One synthetic department document; returns (document, description of the plant)."""
    doc = copy.deepcopy(base)
    code = f"S{index:05d}"
    doc["department"] = {"name": f"合成测试单位{index:04d}（虚构）", "code": code, "year": base["department"]["year"]}

    scale = Decimal(rng.randint(5, 400)) / Decimal(100)
    initial_basic = (Decimal(base["budget"]["initial"]["basic"]) * scale).quantize(CENT)
    initial_project = (Decimal(base["budget"]["initial"]["project"]) * scale).quantize(CENT)
    adj = Decimal(rng.randint(-8, 20)) / Decimal(100)
    adjusted_basic = (initial_basic * (1 + adj)).quantize(CENT)
    adjusted_project = (initial_project * (1 + adj)).quantize(CENT)
    rate = Decimal(rng.randint(85, 100)) / Decimal(100)
    actual_basic = (adjusted_basic * rate).quantize(CENT)
    actual_project = (adjusted_project * rate).quantize(CENT)
    b = doc["budget"]
    b["initial"] = {"total": _money(initial_basic + initial_project), "basic": _money(initial_basic), "project": _money(initial_project)}
    b["adjusted"] = {"total": _money(adjusted_basic + adjusted_project), "basic": _money(adjusted_basic), "project": _money(adjusted_project)}
    b["actual"] = {"total": _money(actual_basic + actual_project), "basic": _money(actual_basic), "project": _money(actual_project)}
    b["adjustment_reason"] = "" if adj == 0 else "年中追加（追减）预算，按财政批复调整。"

    def lines(amounts: tuple[Decimal, Decimal, Decimal], names: list[str]) -> list[dict]:
        splits = [_split(a, len(names), rng) for a in amounts]
        return [
            {"no": str(i + 1), "name": n, "budget": _money(splits[0][i]), "adjusted": _money(splits[1][i]), "actual": _money(splits[2][i])}
            for i, n in enumerate(names)
        ]

    doc["basic_lines"] = lines((initial_basic, adjusted_basic, actual_basic), ["人员经费", "公用经费"])
    doc["project_lines"] = lines((initial_project, adjusted_project, actual_project), ["项目支出"])

    # Tasks: a subset of the sample's tasks (texts kept), amounts re-split to cover the whole.
    n_tasks = rng.randint(min(3, len(base["tasks"])), len(base["tasks"]))  # a small base may have < 3
    tasks = copy.deepcopy(rng.sample(base["tasks"], n_tasks))
    budgets = _split(adjusted_basic + adjusted_project, n_tasks, rng)
    actuals = _proportional(actual_basic + actual_project, budgets)
    for t, bud, act in zip(tasks, budgets, actuals):
        bf = (bud * Decimal(rng.randint(0, 100)) / 100).quantize(CENT)
        af = min(bf, act)
        t["budget"] = {"total": _money(bud), "fiscal": _money(bf), "other": _money(bud - bf)}
        t["actual"] = {"total": _money(act), "fiscal": _money(af), "other": _money(act - af)}
        t["status"] = "已完成"
        if "万元" in t["content"]:
            # The sample's itemised amounts would no longer add up to the new table amount.
            t["content"] = f"（合成数据）{t['name']}相关支出，按年度计划执行。"
    doc["tasks"] = tasks

    # Indicators: vary the numeric actuals around their targets.
    for ind in doc["indicators"]:
        if ind["target"].startswith("≥") and ind["target"].endswith("%"):
            target = Decimal(ind["target"][1:-1])
            if "满意度" in ind["level3"]:
                a, b2 = (Decimal(rng.randint(850, 995)) / 10 for _ in range(2))
                ind["actual"] = f"门诊满意度{a}%、住院满意度{b2}%"
            else:
                ind["actual"] = f"{target + Decimal(rng.randint(-30, 30)) / 10}%"


    # Scores: judgement rows lose whole points now and then (attainable values); the rows the
    # rules decide are set to what the rules give, so an unplanted department is consistent.
    for srow in doc["scores"]:
        weight = _weight(srow["weight"])
        srow["weight"] = _money(weight)
        self_score = Decimal(srow["self_score"]) if srow["self_score"] else weight
        if srow["level3"] in JUDGEMENT_ROWS:
            self_score = max(Decimal(0), self_score - rng.choice((0, 0, 0, 1)))
        srow["self_score"] = _money(self_score)
    doc["narrative"]["budget_total"] = b["initial"]["total"]
    # Prose figures of the sample would not match the new amounts: keep texts without them.
    for sec in doc["narrative"]["sections"]:
        if sec["key"] in ("budget_preparation", "budget_execution"):
            sec["text"] = "（合成数据，无文字数字。）"
    doc["stray"] = []
    _align_scores(doc)

    what = ""
    if plant == "A":
        b["actual"]["total"] = _money(Decimal(b["actual"]["total"]) + Decimal("100.00"))
        what = "年末执行数：部门支出总金额比基本支出与项目支出之和多 100.00 元"
    elif plant == "B":
        for s in doc["scores"]:
            if s["level3"] == "编外人员控制率":
                s["self_score"] = "1.00"
        what = "编外人员控制率自评 1.00 分（按编外人员比例应得 0 分）"
    elif plant == "C":
        doc["scores"][0]["self_score"] = _money(Decimal(doc["scores"][0]["weight"]) + 1)
        what = f"{doc['scores'][0]['level3']}：自评分数超过权重"
    elif plant == "D":
        for sec in doc["narrative"]["sections"]:
            if sec["key"] == "budget_execution":
                sec["text"] = "本年度部门预算支出执行率50.00%。"
        what = "自评报告所述预算支出执行率 50.00% 与表内数据不符"
    elif plant == "E":
        doc["basic_lines"][0]["actual"] = "#####"
        what = "部门基本支出第1行 实际支出金额 印为“#####”"
    return doc, what


def default_source() -> Path:
    """The sample department: in the checkout, else where a regular install put it."""
    from ..run.rendering import installed_data_dirs

    for path in (DEFAULT_SOURCE, *(d / "data" / SAMPLE_NAME for d in installed_data_dirs())):
        if path.is_file():
            return path
    return DEFAULT_SOURCE


def write_synthetic(n: int, out: Path, seed: int = 0, source: Path | None = None, planted_share: float = 0.3) -> list[dict]:
    """Write ``n`` synthetic departments under ``out`` (data/, params/, planted.json)."""
    source = Path(source) if source else default_source()
    if not source.is_file():
        raise KitError(Problem("找不到用作合成基础的部门数据文件", file=str(source), expected="--from 指定一个数据文件"))
    base = to_document(load_department(source))
    rng = random.Random(seed)
    (out / "data").mkdir(parents=True, exist_ok=True)
    (out / "params").mkdir(parents=True, exist_ok=True)
    manifest: list[dict[str, Any]] = []
    for i in range(1, n + 1):
        plant = PLANTS[(i - 1) % len(PLANTS)] if rng.random() < planted_share else None
        try:
            doc, what = synth_document(base, i, rng, plant)
        except (ValueError, KeyError, IndexError, TypeError, ArithmeticError) as exc:
            raise KitError(Problem("该部门数据无法作为合成基础", file=str(source),
                                   value=f"{type(exc).__name__}: {exc}",
                                   expected="结构完整的部门数据（默认示例部门可用）")) from None
        code = doc["department"]["code"]
        data_name = f"{code}-{doc['department']['year']}.yaml"
        (out / "data" / data_name).write_text(
            "# 合成测试数据（虚构单位），由 kit synth 生成\n" + dump_yaml(doc), encoding="utf-8"
        )
        (out / "params" / f"{code}.yaml").write_text(
            f'dept_code: "{code}"\nfiscal_year: {doc["department"]["year"]}\ndata: ../data/{data_name}\n',
            encoding="utf-8",
        )
        manifest.append({"dept_code": code, "plant": plant, "description": what})
    (out / "planted.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


# --- Families other than the default: departments built from the family's `synth:` rows ------------
def _parts(total: int, k: int, rng: random.Random) -> list[int]:
    """``total`` split into ``k`` positive integers."""
    cuts = sorted(rng.sample(range(1, total), k - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total])]


def _wan(x: Decimal) -> str:
    return _money(x)


def _plain(x: Decimal) -> str:
    """A score as forms print it: '9.5', '10', '8.25'."""
    return _money(x).rstrip("0").rstrip(".")


def _family_doc(fam, rules, index: int, rng: random.Random) -> dict:
    """A consistent department of a non-default family (scores aligned afterwards)."""
    spec = fam.synth
    code = f"S{index:05d}"
    doc: dict[str, Any] = {
        "format": "kit-dept/1", "family": fam.id,
        "department": {"name": f"合成测试单位{index:04d}（虚构）", "code": code, "year": 2023},
    }
    if "header" in fam.blocks:
        doc["header"] = {"title": fam.title, "project": "合成测试项目（虚构）", "unit": "万元"}
    initial = Decimal(rng.randint(50, 5000))
    # within the 5% a budget may move without a stated reason (G2): a clean department has no finding
    adjusted = (initial * (1 + Decimal(rng.randint(0, 4)) / 100)).quantize(CENT)
    rate = Decimal(rng.randint(8000, 9999)) / Decimal(10000)  # below 100%: a planted full score is then wrong
    actual = (adjusted * rate).quantize(CENT)
    if "funds" in fam.blocks and spec.get("funds_sources"):
        exec_rule = next((i for i in rules.indicators if i.printed_in == "funds"), None)
        rows = [{"source": "年度资金总额", "initial": _wan(initial), "adjusted": _wan(adjusted), "actual": _wan(actual)}]
        sources = spec["funds_sources"]
        shares = [_split(x, len(sources), rng) for x in (initial, adjusted)]
        acts = _proportional(actual, shares[1])
        for i, src in enumerate(sources):
            rows.append({"source": src, "initial": _wan(shares[0][i]), "adjusted": _wan(shares[1][i]),
                         "actual": _wan(acts[i]), "weight": "/", "score": "/"})
        doc["funds"] = {"weight": _plain(exec_rule.weight) if exec_rule else "",
                        "rate": f"{(actual / adjusted * 100).quantize(CENT, rounding=ROUND_HALF_UP)}%", "score": "",
                        "rows": rows}
    elif "funds" in fam.blocks:
        doc["funds"] = {"rows": [{"source": "部门整体支出", "initial": _wan(initial), "adjusted": _wan(adjusted)}]}
    if spec.get("indicators"):
        total = int(rules.table_rows.weight_total)
        k = rng.randint(3, min(6, len(spec["indicators"])))
        picks = rng.sample(spec["indicators"], k)
        inds = []
        for tmpl, w in zip(picks, _parts(total // 5, k, rng)):
            t = rng.randint(int(tmpl["low"]), int(tmpl["high"]))
            ceiling = 100 if tmpl["unit"] == "%" else int(tmpl["high"]) * 2
            a = rng.randint(t, max(t, ceiling)) if tmpl["cmp"] == "≥" else rng.randint(max(1, t // 2), t)
            inds.append({"level1": tmpl["level1"], "level2": tmpl["level2"], "level3": tmpl["level3"],
                         "target": f"{tmpl['cmp']}{t}{tmpl['unit']}", "actual": f"{a}{tmpl['unit']}",
                         "weight": str(w * 5), "score": str(w * 5), "_cmp": tmpl["cmp"], "_t": t, "_unit": tmpl["unit"]})
        doc["indicators"] = inds
        doc["goals"] = {"expected": "（合成数据）完成年度目标。", "actual": "（合成数据）已完成。"}
    if spec.get("rows"):
        posts = rng.randint(20, 300)
        doc["profile"] = {"counts": {"authorized_posts": str(posts), "on_staff": str(rng.randint(int(posts * 0.85), posts))}}
        prior = Decimal(rng.randint(1000, 8000)) / 100
        doc["supplementary"] = {"three_public_prior_budget": f"{prior}万元",
                                "three_public_budget": f"{(prior * Decimal(rng.randint(80, 100)) / 100).quantize(CENT)}万元"}
        doc["header"] = {"title": fam.title, "unit": "万元"}
        doc["scores"] = [{"level1": r["level1"], "level2": r["level2"], "level3": r["level3"], "weight": r["weight"],
                          "description": "（合成数据）", "criteria": r.get("criteria", ""), "self_score": r["weight"]}
                         for r in spec["rows"]]
    doc["self_eval"] = {"total_weight": format(rules.total, "f")}
    return doc


def _align_family(doc: dict, rules) -> None:
    """Every score the rules compute exactly is set to the recomputed value."""
    from ..engine.audit import run_audit
    from ..families import get_family
    from ..model import build_department

    clean = {k: v for k, v in doc.items()}
    clean["indicators"] = [{k: v for k, v in i.items() if not k.startswith("_")} for i in doc.get("indicators", [])]
    dept = build_department(clean, required=get_family(doc["family"]).required)
    funds_ids = {i.id for i in rules.indicators if i.printed_in == "funds"}
    block = rules.table_rows.block if rules.table_rows else rules.score_block
    for s in run_audit(dept, rules=rules).scores.itertuples(index=False):
        if s.basis != Basis.EXACT or s.recomputed_score is None:
            continue
        value = _plain(Decimal(s.recomputed_score))
        if s.indicator_id in funds_ids:
            doc["funds"]["score"] = value
        elif s.row and block == "indicators":
            doc["indicators"][int(s.row) - 1]["score"] = value
        elif s.row:
            doc["scores"][int(s.row) - 1]["self_score"] = value


def _sums(doc: dict) -> None:
    """Printed group scores and the printed total = the sums of the printed rows."""
    def dec(x: str) -> Decimal:
        return Decimal(x) if x not in ("", "/", None) else Decimal(0)

    total = Decimal(0)
    if doc.get("funds", {}).get("score"):
        total += dec(doc["funds"]["score"])
    total += sum((dec(i["score"]) for i in doc.get("indicators", [])), Decimal(0))
    rows = doc.get("scores", [])
    total += sum((dec(r["self_score"]) for r in rows), Decimal(0))
    doc["self_eval"]["total"] = _plain(total)
    if rows:
        groups = []
        for l1 in dict.fromkeys(r["level1"] for r in rows):
            members = [r for r in rows if r["level1"] == l1]
            groups.append({"level": "1", "name": l1, "weight": str(sum(int(r["weight"]) for r in members)),
                           "self_score": _plain(sum((dec(r["self_score"]) for r in members), Decimal(0)))})
        doc["score_groups"] = groups


def _plant(doc: dict, plant: str, rng: random.Random) -> None:
    funds, inds, rows = doc.get("funds", {}), doc.get("indicators", []), doc.get("scores", [])
    if plant == "F3":
        funds["score"] = funds["weight"]
    elif plant == "F4":
        funds["rows"][-1]["actual"] = _money(Decimal(funds["rows"][-1]["actual"]) - 1)
    elif plant == "F8":
        i = inds[0]
        i["actual"] = (f"{max(0, i['_t'] - rng.randint(1, max(1, i['_t'] // 3)))}" if i["_cmp"] == "≥"
                       else f"{i['_t'] + rng.randint(1, 10)}") + i["_unit"]
    elif plant == "F9":
        inds[0]["weight"] = str(int(inds[0]["weight"]) + 5)
        inds[0]["score"] = inds[0]["weight"]
    elif plant == "F14":
        c = doc["profile"]["counts"]
        c["on_staff"] = str(int(int(c["authorized_posts"]) * 1.1) + 1)
    elif plant == "F13":
        next(r for r in rows if r["level3"] == "管理制度健全性")["self_score"] = "9"
    elif plant == "C1":
        r = next(r for r in rows if r["level3"] == "资金使用合规性")
        r["self_score"] = str(int(r["weight"]) + 1)


def _plant_after_sums(doc: dict, plant: str) -> None:
    if plant == "F10":
        if doc.get("funds", {}).get("score") and doc.get("indicators"):
            doc["self_eval"]["total"] = _plain(sum((Decimal(i["score"]) for i in doc["indicators"]), Decimal(0)))
        else:
            doc["self_eval"]["total"] = _plain(Decimal(doc["self_eval"]["total"]) + 1)
    elif plant == "F12":
        g = doc["score_groups"][0]
        g["weight"] = str(int(g["weight"]) + 2)


def write_family_synthetic(family_id: str, n: int, out: Path, seed: int = 0, planted_share: float = 0.3) -> list[dict]:
    """``n`` fictitious departments of a family (data/, params/, planted.json); planted problems per
    the family's ``synth.plants`` (check id → description)."""
    from ..families import get_family
    from ..engine.rules import rules_for

    fam = get_family(family_id)
    if not fam.synth:
        raise KitError(Problem("该模板类型没有合成数据的说明（family.yaml 的 synth）", field="family", value=family_id))
    rules = rules_for(family_id)
    plants = tuple(fam.synth.get("plants") or ())
    rng = random.Random(seed)
    (out / "data").mkdir(parents=True, exist_ok=True)
    (out / "params").mkdir(parents=True, exist_ok=True)
    manifest: list[dict[str, Any]] = []
    for i in range(1, n + 1):
        plant = plants[(i - 1) % len(plants)] if plants and rng.random() < planted_share else None
        doc = _family_doc(fam, rules, i, rng)
        _align_family(doc, rules)
        if plant:
            _plant(doc, plant, rng)
        _sums(doc)
        if plant:
            _plant_after_sums(doc, plant)
        doc["indicators"] = [{k: v for k, v in x.items() if not k.startswith("_")} for x in doc.get("indicators", [])]
        if not doc["indicators"]:
            del doc["indicators"]
        code, year = doc["department"]["code"], doc["department"]["year"]
        data_name = f"{code}-{year}.yaml"
        (out / "data" / data_name).write_text("# 合成测试数据（虚构单位），由 kit synth 生成\n" + dump_yaml(doc), encoding="utf-8")
        (out / "params" / f"{code}.yaml").write_text(f'dept_code: "{code}"\nfiscal_year: {year}\ndata: ../data/{data_name}\n',
                                                     encoding="utf-8")
        manifest.append({"dept_code": code, "family": family_id, "plant": plant,
                         "description": fam.synth["plants"][plant] if plant else ""})
    (out / "planted.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest
