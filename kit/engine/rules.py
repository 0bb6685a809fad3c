"""Rule files: the scoring table of one template as data, plus the options of its ambiguities.

A rule file (``kit/families/<family>/rules.yaml``, or a district's own copy named by path)
lists the indicators it fixes with their 一/二级, weight, attainable scores, formula
(``kit.engine.formulas``) and bands; the rows the department writes itself (``table_rows``: scored
with the printed 分值); what checks need to know of the table (``check_params``); and the
options (with documented defaults) that settle the ambiguities of the rules. A department's
params file may override options (``options:``) and scores (``overrides:``); both are
validated here, with close-match hints.
"""
from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from importlib import import_module
from pathlib import Path
from typing import Any

from ..core.errors import KitError, Problem, RulesError
from ..families import FAMILIES_DIR, DEFAULT_FAMILY, get_family
from .scoretypes import REGISTRY
from ..core.values import fmt_score, norm_label
from ..core.yamlio import parse_yaml

# The kit's one label normaliser (kit.core.values.norm_label), under the name the form readers import.
norm_name = norm_label

def formulas() -> dict:
    """Every scoring formula a rule file may name: the shared plug-ins (``kit/engine/formulas.py``) and the
    plug-in module of each family folder that has one (``kit/families/<id>/formulas.py``), loaded
    into ``kit.engine.scoretypes.REGISTRY`` on first use."""
    if not _PLUGINS_LOADED:
        import_module("kit.engine.formulas")
        for path in sorted(FAMILIES_DIR.glob("*/formulas.py")):
            import_module(f"kit.families.{path.parent.name}.formulas")
        _PLUGINS_LOADED.append(True)
    return REGISTRY


_PLUGINS_LOADED: list[bool] = []

FORMAT = "kit-rules/1"
GRADES = ("优", "良", "中")  # 差 is everything below the 中 cut point
# Rule files are read with a size bound: they are small, and a path can be given by a user.
MAX_RULES_BYTES = 1_000_000


@dataclass(frozen=True)
class Band:
    op: str | None  # 'lt', 'le', 'ge', 'gt' or None (fallback)
    bound: Decimal | None
    score: Decimal

    def matches(self, x: Decimal) -> bool:
        if self.op is None:
            return True
        return {"lt": x < self.bound, "le": x <= self.bound, "ge": x >= self.bound, "gt": x > self.bound}[self.op]

    def describe(self) -> str:
        if self.op is None:
            return f"其他 → {fmt_score(self.score)} 分"
        sign = {"lt": "<", "le": "≤", "ge": "≥", "gt": ">"}[self.op]
        return f"{sign}{fmt_score(self.bound)}% → {fmt_score(self.score)} 分"


@dataclass(frozen=True)
class IndicatorRule:
    id: str
    level1: str
    level2: str
    name: str  # 三级指标 as printed on the template
    weight: Decimal
    formula: str
    check: str | None  # catalogue id of the check that reports the re-score (B3 …, C3)
    attainable: dict
    params: dict
    aliases: tuple[str, ...] = ()
    printed_in: str = ""  # '' = a row of the score table; 'funds' = the 分值/得分 of 年度预算执行情况
    weight_from_table: bool = False  # `weight: table`: the local table's printed 分值 is the weight (MOF-2013)

    def bands(self, key: str = "bands") -> tuple[Band, ...]:
        return self.params[key]


@dataclass(frozen=True)
class OptionSpec:
    name: str
    type: str  # 'choice', 'decimal', 'bool', 'grade_bands'
    default: Any
    doc: str
    choices: tuple[str, ...] = ()
    min: Decimal | None = None
    max: Decimal | None = None


@dataclass(frozen=True)
class TableRows:
    """Rows the department writes itself (财政部-style 绩效指标): scored with their printed 分值."""

    block: str  # 'indicators' or 'scores'
    formula: str  # formula for every such row
    weight_total: Decimal | None = None  # Σ printed 分值 the template fixes (e.g. 90), None if not fixed
    level1_weights: dict[str, Decimal] = field(default_factory=dict)  # e.g. 产出指标 50


@dataclass(frozen=True)
class RuleSet:
    name: str
    title: str
    path: str
    sha256: str
    total: Decimal
    level1_weights: dict[str, Decimal]
    indicators: tuple[IndicatorRule, ...]
    options: dict[str, OptionSpec]
    text: dict[str, tuple[str, ...]] = field(default_factory=dict)
    family: str = DEFAULT_FAMILY
    table_rows: TableRows | None = None
    score_block: str = "scores"  # the block whose rows carry the printed scores of named indicators
    check_params_: dict[str, Any] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """Where the rule file comes from, without local paths: the kit's own file, or a user file's name."""
        p = Path(self.path)
        try:
            return "kit/families/" + p.resolve().relative_to(FAMILIES_DIR).as_posix()
        except ValueError:
            return p.name

    def scored_blocks(self) -> set[str]:
        """The blocks whose printed rows carry the scores the totals add up."""
        out = {self.table_rows.block if self.table_rows else self.score_block}
        return out | {r.printed_in for r in self.indicators if r.printed_in}

    def check_params(self, check_id: str) -> dict[str, Any]:
        """What one check needs to know of this table (``check_params:`` in the rule file)."""
        return dict(self.check_params_.get(check_id) or {})

    def defaults(self) -> dict[str, Any]:
        return {k: spec.default for k, spec in self.options.items()}

    def indicator(self, key: str) -> IndicatorRule | None:
        """By id, name or alias (normalised); None when unknown."""
        k = norm_label(key)
        for ind in self.indicators:
            if k == ind.id or k == norm_label(ind.name) or k in (norm_label(a) for a in ind.aliases):
                return ind
        return None


# --- Loading -----------------------------------------------------------------------------
def _line(node: Any, key: Any = None) -> int | None:
    """The line of ``key`` in a mapping read by kit.core.yamlio (or of the mapping's first key)."""
    lines = getattr(node, "lines", None)
    if not lines:
        return None
    return lines.get(key) if key in lines else min(lines.values())


def _dec(v: Any, where: str, problems: list[Problem], path: str, line: int | None = None) -> Decimal | None:
    try:
        if isinstance(v, (bool, dict, list)) or v is None:
            raise InvalidOperation
        d = Decimal(str(v).strip())
        if not d.is_finite():
            raise InvalidOperation
        return d
    except (InvalidOperation, ValueError):
        problems.append(Problem("此处应为数字", file=path, field=where, value=str(v), line=line))
        return None


def _non_negative(d: Decimal | None, what: str, where: str, problems: list[Problem], path: str,
                  line: int | None) -> None:
    if d is not None and d < 0:
        problems.append(Problem(f"{what}不能为负数（负数与其他项相抵后合计仍可能相符，评分会因此出错）",
                                file=path, field=where, value=str(d), line=line, expected="不小于 0 的数"))


def _bands(raw: Any, where: str, problems: list[Problem], path: str, line: int | None = None) -> tuple[Band, ...]:
    out = []
    if not isinstance(raw, list) or not raw:
        problems.append(Problem("分档表应为非空列表", file=path, field=where, line=line))
        return ()
    lines: list[int | None] = []
    for i, b in enumerate(raw):
        bl = _line(b) or line
        conds = [k for k in ("lt", "le", "ge", "gt") if isinstance(b, dict) and k in b]
        if not isinstance(b, dict) or len(conds) > 1 or "score" not in b:
            problems.append(Problem("分档项应有一个条件（lt/le/ge/gt）和 score", file=path, field=f"{where}[{i}]", line=bl))
            continue
        op = conds[0] if conds else None
        bound = _dec(b[op], f"{where}[{i}].{op}", problems, path, _line(b, op)) if op else None
        score = _dec(b["score"], f"{where}[{i}].score", problems, path, _line(b, "score"))
        _non_negative(score, "分档得分", f"{where}[{i}].score", problems, path, _line(b, "score"))
        if score is not None and (op is None or bound is not None):
            out.append(Band(op, bound, score))
            lines.append(bl)
    if out and out[-1].op is not None:
        problems.append(Problem("分档表最后一项应为无条件的兜底项", file=path, field=where, line=lines[-1]))
    for k, b in enumerate(out[:-1]):
        if b.op is None:
            problems.append(Problem("兜底项（无条件）之后的分档永远不会被用到", file=path, field=f"{where}[{k}]",
                                    line=lines[k], expected="兜底项放在最后"))
            break
    _band_order(out, lines, where, problems, path)
    return tuple(out)


# Bands are read top to bottom and the first match wins: with lower bounds (ge, gt) each band's
# bound must be below the one before (≥95, ≥90, ≥80), with upper bounds (lt, le) above it
# (<5, ≤10). Otherwise a band is never reached or the order says something else than it means.
_LOWER = {"ge": 0, "gt": 1}
_UPPER = {"lt": 0, "le": 1}


def _band_order(bands, lines, where: str, problems: list[Problem], path: str) -> None:
    cond = [(b, ln) for b, ln in zip(bands, lines) if b.op is not None]
    kinds = {"lower" if b.op in _LOWER else "upper" for b, _ in cond}
    if len(kinds) > 1:
        problems.append(Problem("分档条件混用了下限（ge/gt）和上限（lt/le），先后顺序无法确定各档的范围",
                                file=path, field=where, line=cond[0][1], expected="同一分档表只用 ge/gt 或只用 lt/le"))
        return
    for (a, _), (b, ln) in zip(cond, cond[1:]):
        if a.op in _LOWER:  # descending bounds; at an equal bound '>' comes before '≥'
            ok = b.bound < a.bound or (b.bound == a.bound and _LOWER[a.op] > _LOWER[b.op])
            want = "自上而下分界递减（如 ge 95、ge 90、ge 80）"
        else:  # ascending bounds; at an equal bound '<' comes before '≤'
            ok = b.bound > a.bound or (b.bound == a.bound and _UPPER[a.op] < _UPPER[b.op])
            want = "自上而下分界递增（如 lt 5、le 10）"
        if not ok:
            problems.append(Problem("分档顺序不对：这一档在上一档之后永远不会被用到，或与上一档重叠",
                                    file=path, field=where, value=f"{a.op} {a.bound} → {b.op} {b.bound}", line=ln,
                                    expected=want))
            return


def rule_file(name_or_path: str | Path | None = None, base: Path | None = None) -> Path:
    """The rule file a name or path means: a built-in rule set by name (its family folder), or a
    path (relative to ``base``, e.g. the params file's folder)."""
    name = str(name_or_path) if name_or_path else DEFAULT_FAMILY
    if Path(name).suffix.lower() in (".yaml", ".yml"):
        p = Path(name)
        return p if p.is_absolute() or base is None else base / p
    for cand in (FAMILIES_DIR / name / "rules.yaml", *FAMILIES_DIR.glob(f"*/{name}.yaml")):
        if cand.is_file():
            return cand
    return FAMILIES_DIR / name / "rules.yaml"


def rule_names() -> list[str]:
    """Built-in rule sets: each family's rules.yaml (by the family's id) and the variants beside it (by file stem)."""
    names = {p.parent.name for p in FAMILIES_DIR.glob("*/rules.yaml")}
    names |= {p.stem for p in FAMILIES_DIR.glob("*/*.yaml") if p.name not in ("rules.yaml", "family.yaml")}
    return sorted(names)


def load_rules(name_or_path: str | Path | None = None, base: Path | None = None) -> RuleSet:
    """Load a rule file by name (a built-in rule set) or path; cached per path."""
    p = rule_file(name_or_path, base)
    if not p.is_file():
        raise RulesError(Problem("找不到规则文件", file=str(name_or_path or p),
                                 expected="以下之一：" + "、".join(rule_names()) + "，或一个 .yaml 规则文件的路径"))
    return _load_rules_cached(str(p.resolve()))


def rules_for(family_id: str | None) -> RuleSet:
    """The default rule file of a family."""
    fam = get_family(family_id)
    return load_rules(fam.rules_path)


@lru_cache(maxsize=16)
def _load_rules_cached(path: str) -> RuleSet:
    if Path(path).stat().st_size > MAX_RULES_BYTES:
        raise RulesError(Problem("规则文件过大", file=path, expected=f"不超过 {MAX_RULES_BYTES} 字节"))
    raw = Path(path).read_bytes()
    doc = parse_yaml(raw.decode("utf-8-sig"), path)
    problems: list[Problem] = []
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise RulesError(Problem("不是规则文件", file=path, field="format", expected=FORMAT))
    indicators = []
    raw_indicators = doc.get("indicators") or []
    if not isinstance(raw_indicators, list):
        raise RulesError(Problem("indicators 应为列表", file=path, field="indicators", line=_line(doc, "indicators")))
    for i, d in enumerate(raw_indicators):
        where = f"indicators[{i}]"
        if not isinstance(d, dict):
            problems.append(Problem("每个指标应为键值表", file=path, field=where, line=_line(doc, "indicators")))
            continue
        name_ = str(d.get("name") or d.get("id") or "")
        where = f"indicators[{i}]（{name_}）" if name_ else where
        formula = d.get("formula", "")
        if formula not in formulas():
            problems.append(Problem("未知的计算公式", file=path, field=where + ".formula", value=str(formula),
                                    expected="、".join(sorted(formulas())), line=_line(d, "formula")))
        from_table = str(d.get("weight", "")).strip() == "table"
        weight = Decimal(0) if from_table else _dec(d.get("weight"), where + ".weight", problems, path, _line(d, "weight"))
        _non_negative(weight, "权重", where + ".weight", problems, path, _line(d, "weight"))
        raw_params = d.get("params") or {}
        if not isinstance(raw_params, dict):
            problems.append(Problem("params 应为键值表", file=path, field=where + ".params", line=_line(d, "params")))
            raw_params = {}
        params = dict(raw_params)
        pline = lambda key: _line(raw_params, key) or _line(d, "params")  # noqa: E731
        for key in list(params):
            if key == "bands" or key.endswith("_bands"):
                params[key] = _bands(params[key], f"{where}.params.{key}", problems, path, pline(key))
                top = max((b.score for b in params[key]), default=None)
                if top is not None and not from_table and weight is not None and top > weight:
                    problems.append(Problem("分档得分超过该指标权重", file=path, field=f"{where}.params.{key}",
                                            value=str(top), line=pline(key), expected=f"不超过 {weight}"))
        for key in ("judgement_points", "rule_points", "part_points", "quarter_points", "mean_points",
                    "per_incomplete", "channel_points", "reply_points", "timely_points", "full_rate"):
            if key in params:
                params[key] = _dec(params[key], f"{where}.params.{key}", problems, path, pline(key))
                _non_negative(params[key], "分值", f"{where}.params.{key}", problems, path, pline(key))
                if (key.endswith("_points") and params[key] is not None and not from_table and weight is not None
                        and params[key] > weight):
                    problems.append(Problem("分值超过该指标权重", file=path, field=f"{where}.params.{key}",
                                            value=str(params[key]), line=pline(key), expected=f"不超过 {weight}"))
        parts = [params.get(k) for k in ("judgement_points", "rule_points")]
        if all(isinstance(x, Decimal) for x in parts) and not from_table and weight is not None \
                and sum(parts) != weight:
            problems.append(Problem("judgement_points 与 rule_points 之和应等于该指标权重", file=path,
                                    field=f"{where}.params", value=str(sum(parts)), line=_line(d, "params"),
                                    expected=str(weight)))
        if "schedule" in params:
            sched = params["schedule"] if isinstance(params["schedule"], list) else []
            params["schedule"] = tuple(_dec(x, f"{where}.params.schedule", problems, path, pline("schedule")) for x in sched)
        if "part_scores" in params:
            ps = params["part_scores"] if isinstance(params["part_scores"], dict) else {}
            params["part_scores"] = {k: _dec(v, where, problems, path, pline("part_scores")) for k, v in ps.items()}
            for k, v in params["part_scores"].items():
                _non_negative(v, "分值", f"{where}.params.part_scores.{k}", problems, path, pline("part_scores"))
        att = dict(d.get("attainable") or {}) if isinstance(d.get("attainable") or {}, dict) else {}
        aline = _line(d, "attainable")
        if "set" in att:
            att["set"] = tuple(_dec(x, where + ".attainable", problems, path, aline)
                               for x in (att["set"] if isinstance(att["set"], list) else []))
            for x in att["set"]:
                _non_negative(x, "可得分值", where + ".attainable.set", problems, path, aline)
                if x is not None and not from_table and weight is not None and x > weight:
                    problems.append(Problem("可得分值超过该指标权重", file=path, field=where + ".attainable.set",
                                            value=str(x), line=aline, expected=f"不超过 {weight}"))
        if "step" in att:
            att["step"] = _dec(att["step"], where + ".attainable", problems, path, aline)
            if att["step"] is not None and att["step"] <= 0:
                problems.append(Problem("得分步长应大于 0", file=path, field=where + ".attainable.step",
                                        value=str(att["step"]), line=aline))
        indicators.append(
            IndicatorRule(
                id=str(d.get("id")),
                level1=str(d.get("level1")),
                level2=str(d.get("level2")),
                name=str(d.get("name")),
                weight=weight if weight is not None else Decimal(0),
                formula=formula,
                check=d.get("check"),
                attainable=att,
                params=params,
                aliases=tuple(d.get("aliases") or ()),
                printed_in=str(d.get("printed_in") or ""),
                weight_from_table=from_table,
            )
        )
    options = {}
    raw_options = doc.get("options") or {}
    if not isinstance(raw_options, dict):
        problems.append(Problem("options 应为键值表", file=path, field="options", line=_line(doc, "options")))
        raw_options = {}
    for name, spec in raw_options.items():
        if not isinstance(spec, dict):
            problems.append(Problem("选项应为键值表（type、default、doc）", file=path, field=f"options.{name}",
                                    line=_line(raw_options, name)))
            continue
        typ = spec.get("type")
        default = spec.get("default")
        os_ = OptionSpec(
            name=name,
            type=typ,
            default=None,
            doc=str(spec.get("doc", "")).strip(),
            choices=tuple(spec.get("choices") or ()),
            min=_dec(spec["min"], name, problems, path) if "min" in spec else None,
            max=_dec(spec["max"], name, problems, path) if "max" in spec else None,
        )
        value, errs = _coerce_option(os_, default)
        if errs:
            problems.append(Problem(f"选项默认值无效：{errs}", file=path, field=f"options.{name}",
                                    line=_line(raw_options, name)))
        options[name] = OptionSpec(**{**os_.__dict__, "default": value})
    raw_level1 = doc.get("level1_weights") or {}
    l1line = _line(doc, "level1_weights")
    level1 = {k: _dec(v, f"level1_weights.{k}", problems, path, l1line)
              for k, v in (raw_level1.items() if isinstance(raw_level1, dict) else ())}
    for k, v in level1.items():
        _non_negative(v, "一级指标权重", f"level1_weights.{k}", problems, path, l1line)
    total = _dec(doc.get("total", "100"), "total", problems, path, _line(doc, "total"))
    if total is not None and total <= 0:
        problems.append(Problem("总分应大于 0", file=path, field="total", value=str(total), line=_line(doc, "total")))
    weights = sum((i.weight for i in indicators), Decimal(0))
    table_rows = _table_rows(doc.get("table_rows"), problems, path, _line(doc, "table_rows"))
    if table_rows is not None and table_rows.weight_total is not None:
        weights += table_rows.weight_total
    fixed = not any(i.weight_from_table for i in indicators) and (table_rows is None or table_rows.weight_total is not None)
    if total is not None and weights != total and fixed:
        problems.append(Problem("各指标权重之和与总分不符", file=path, field="indicators", value=str(weights),
                                expected=str(total), line=_line(doc, "indicators")))
    if level1 and total is not None and all(v is not None for v in level1.values()) and sum(level1.values()) != total:
        problems.append(Problem("一级指标权重之和与总分不符", file=path, field="level1_weights",
                                value=str(sum(level1.values())), expected=str(total), line=l1line))
    for l1, w in level1.items() if table_rows is None else ():
        s = sum((i.weight for i in indicators if i.level1 == l1), Decimal(0))
        if w is not None and s != w:
            problems.append(Problem("一级指标权重之和不符", file=path, field=l1, value=str(s), expected=str(w), line=l1line))
    if table_rows is not None and table_rows.level1_weights and table_rows.weight_total is not None \
            and all(v is not None for v in table_rows.level1_weights.values()) \
            and sum(table_rows.level1_weights.values()) != table_rows.weight_total:
        problems.append(Problem("table_rows 的一级指标权重之和与 weight_total 不符", file=path,
                                field="table_rows.level1_weights", value=str(sum(table_rows.level1_weights.values())),
                                expected=str(table_rows.weight_total), line=_line(doc, "table_rows")))
    family = str(doc.get("family") or DEFAULT_FAMILY)
    try:
        get_family(family, path)
    except KitError as exc:
        problems.extend(exc.problems)
    if problems:
        raise RulesError(problems)
    text = {k: tuple(v) for k, v in (doc.get("text") or {}).items()}
    return RuleSet(
        name=str(doc.get("name") or Path(path).stem),
        title=str(doc.get("title", "")),
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        total=total,
        level1_weights=level1,
        indicators=tuple(indicators),
        options=options,
        text=text,
        family=family,
        table_rows=table_rows,
        score_block=str(doc.get("score_block") or "scores"),
        check_params_=dict(doc.get("check_params") or {}),
    )


def _table_rows(raw: Any, problems: list[Problem], path: str, line: int | None = None) -> TableRows | None:
    if not raw:
        return None
    if not isinstance(raw, dict) or raw.get("block") not in ("indicators", "scores"):
        problems.append(Problem("table_rows 应为键值表，block 为 indicators 或 scores", file=path, field="table_rows",
                                line=line))
        return None
    formula = str(raw.get("formula", ""))
    if formula not in formulas():
        problems.append(Problem("未知的计算公式", file=path, field="table_rows.formula", value=formula,
                                expected="、".join(sorted(formulas())), line=_line(raw, "formula")))
    wt = raw.get("weight_total")
    weight_total = (_dec(wt, "table_rows.weight_total", problems, path, _line(raw, "weight_total"))
                    if wt not in (None, "") else None)
    _non_negative(weight_total, "权重", "table_rows.weight_total", problems, path, _line(raw, "weight_total"))
    raw_l1 = raw.get("level1_weights") or {}
    l1 = {k: _dec(v, f"table_rows.level1_weights.{k}", problems, path, _line(raw, "level1_weights"))
          for k, v in (raw_l1.items() if isinstance(raw_l1, dict) else ())}
    for k, v in l1.items():
        _non_negative(v, "一级指标权重", f"table_rows.level1_weights.{k}", problems, path, _line(raw, "level1_weights"))
    return TableRows(block=raw["block"], formula=formula, weight_total=weight_total, level1_weights=l1)


# --- Options -----------------------------------------------------------------------------
def _coerce_option(spec: OptionSpec, value: Any) -> tuple[Any, str]:
    """(typed value, '' ) or (None, Chinese reason)."""
    if spec.type == "choice":
        if str(value) in spec.choices:
            return str(value), ""
        hint = difflib.get_close_matches(str(value), spec.choices, n=1)
        return None, "取值应为 " + "、".join(spec.choices) + (f"（是否应为 “{hint[0]}”？）" if hint else "")
    if spec.type == "bool":
        if isinstance(value, bool):
            return value, ""
        return None, "取值应为 true 或 false"
    if spec.type == "decimal":
        if isinstance(value, bool) or isinstance(value, (dict, list)):
            return None, "取值应为数字"
        try:
            d = Decimal(str(value).strip())
            if not d.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            return None, "取值应为数字"
        if spec.min is not None and d < spec.min:
            return None, f"不能小于 {spec.min}"
        if spec.max is not None and d > spec.max:
            return None, f"不能大于 {spec.max}"
        return d, ""
    if spec.type == "grade_bands":
        if not isinstance(value, dict):
            return None, "应为键值表，例如 {优: 90, 良: 80, 中: 60}"
        unknown = [k for k in value if k not in GRADES]
        if unknown or set(value) != set(GRADES):
            return None, "应正好包含 优、良、中 三个分界"
        out = {}
        for g in GRADES:
            try:
                out[g] = Decimal(str(value[g]))
            except (InvalidOperation, ValueError):
                return None, f"{g} 的分界应为数字"
        if not (Decimal(100) >= out["优"] > out["良"] > out["中"] > Decimal(0)):
            return None, "分界应满足 100 ≥ 优 > 良 > 中 > 0"
        return out, ""
    return None, f"未知的选项类型 {spec.type}"


def validate_options(options: Any, rules: RuleSet, file: str = "") -> tuple[dict[str, Any], list[Problem]]:
    """Effective options (defaults + valid overrides) and the problems found in ``options``."""
    eff = rules.defaults()
    problems: list[Problem] = []
    if not options:
        return eff, problems
    if not isinstance(options, dict):
        return eff, [Problem("options 应为键值表", file=file, field="options")]
    for key, value in options.items():
        spec = rules.options.get(key)
        if spec is None:
            hint = difflib.get_close_matches(str(key), list(rules.options), n=1, cutoff=0.5)
            problems.append(
                Problem(
                    "未知的规则选项" + (f"，是否应为 “{hint[0]}”？" if hint else ""),
                    file=file,
                    block="options",
                    field=str(key),
                    expected="以下之一：" + "、".join(rules.options),
                )
            )
            continue
        typed, why = _coerce_option(spec, value)
        if why:
            problems.append(Problem(f"规则选项取值无效：{why}", file=file, block="options", field=str(key), value=str(value)))
        else:
            eff[key] = typed
    return eff, problems


@dataclass(frozen=True)
class Override:
    indicator: str  # rule indicator id
    score: Decimal
    reason: str


def validate_overrides(overrides: Any, rules: RuleSet, file: str = "") -> tuple[list[Override], list[Problem]]:
    """Auditor overrides ``[{indicator, score, reason}]``: indicator known, 0 ≤ score ≤ weight, reason given."""
    out: list[Override] = []
    problems: list[Problem] = []
    if not overrides:
        return out, problems
    if not isinstance(overrides, (list, tuple)):
        return out, [Problem("overrides 应为列表", file=file, field="overrides")]
    names = [i.name for i in rules.indicators]
    seen: set[str] = set()
    for n, o in enumerate(overrides, start=1):
        def bad(msg: str, fld: str = "", value: Any = None, expected: str = "") -> None:
            problems.append(Problem(msg, file=file, block="overrides", row=n, field=fld,
                                    value=None if value is None else str(value), expected=expected))

        if not isinstance(o, dict):
            bad("每项调整应为键值表", expected="{indicator: 指标名称, score: 分数, reason: 理由}")
            continue
        extra = [k for k in o if k not in ("indicator", "score", "reason")]
        for k in extra:
            hint = difflib.get_close_matches(str(k), ["indicator", "score", "reason"], n=1)
            bad("未知字段" + (f"，是否应为 “{hint[0]}”？" if hint else ""), str(k))
        key = o.get("indicator")
        rule = rules.indicator(str(key)) if key is not None else None
        if key is None:
            bad("缺少 indicator（三级指标名称）", "indicator")
        elif rule is None:
            hint = difflib.get_close_matches(str(key), names, n=1, cutoff=0.4)
            bad("未知的指标" + (f"，是否应为 “{hint[0]}”？" if hint else ""), "indicator", key,
                "评分表的三级指标名称之一")
        elif rule.id in seen:
            bad("同一指标重复调整", "indicator", key)
        reason = o.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            bad("审核调整必须写明理由", "reason", expected="非空文字")
        raw = o.get("score")
        score = None
        try:
            if isinstance(raw, bool) or raw is None:
                raise InvalidOperation
            score = Decimal(str(raw).strip())
            if not score.is_finite():
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            bad("分数应为数字", "score", raw)
        upper = None if rule is None or rule.weight_from_table else rule.weight  # a printed weight: checked by C1
        if rule is not None and score is not None and not (Decimal(0) <= score and (upper is None or score <= upper)):
            bad("分数超出范围", "score", raw,
                "不小于 0" if upper is None else f"0 至 {fmt_score(rule.weight)}（该指标权重）")
            score = None
        if rule is not None and score is not None and isinstance(reason, str) and reason.strip() and not extra:
            seen.add(rule.id)
            out.append(Override(rule.id, score, reason.strip()))
    return out, problems


def check_params_rules(options: Any, overrides: Any, file: str = "", rules_name: str | Path | None = None) -> list[Problem]:
    """Every problem with a params file's ``options`` and ``overrides`` (used by ``load_params``)."""
    rules = load_rules(rules_name)
    _, p1 = validate_options(options, rules, file)
    _, p2 = validate_overrides(overrides, rules, file)
    return p1 + p2
