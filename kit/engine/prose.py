"""Figures printed in the prose of a department: labelled, exact, with explicit units.

The self-evaluation report repeats numbers in running text (the next year's budget, the
execution rates, petition rates, satisfaction, head counts) and the 主要内容 of some tasks
list items with amounts. This module finds them, ties each to a normalised Chinese label
and returns ``Figure`` records; the audit checks (A8, A9, B11–B13, D1–D4) compare them with
the tables. Nothing here judges: no check, no score.

Conventions
- Amounts are converted to 元 exactly (``Decimal`` × 10000 for 万元, × 10^8 for 亿元); the
  printed unit is kept in ``printed_unit``. Percentages stay in percent (``unit == '%'``).
  Counts keep their measure word as unit ('个', '人', '张', '家').
- Text is normalised character by character with NFKC (full-width digits and punctuation to
  ASCII) except the full-width comma "，" (a clause separator in Chinese, never a thousands
  separator) and circled numbers (list markers). ``raw`` and ``context`` quote the original.
- Only the first ``MAX_SCAN`` (20,000) characters of each text are scanned; every pattern uses
  bounded repetition, so the work is linear in that length. Any ``str`` (or ``None``) is
  accepted: empty text, markup or odd Unicode give fewer figures, never an exception.
- Labels are data: ``LABEL_RULES`` below, in priority order (when two rules claim the same
  printed number, the earlier rule wins, e.g. 事业收入预算 before 合计).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation, localcontext
from functools import lru_cache
from typing import Iterable


MAX_SCAN = 20_000  # characters scanned per text (section, task content, profile text)
CONTEXT_CHARS = 24  # characters of context kept on each side of a figure


_WAN = Decimal(10000)
_YI = Decimal(100000000)
_UNIT_FACTOR = {"万元": _WAN, "亿元": _YI, "元": Decimal(1)}


# --- Label table -------------------------------------------------------------------------
@dataclass(frozen=True)
class LabelRule:
    """How one label is printed. ``pattern`` is a regex on the normalised text.

    Optional named groups in ``pattern``: ``year`` (the label carries a year), ``qual`` (a
    qualifier such as 门诊/住院), ``dir`` (上升/下降: the sign of a change).
    """

    label: str
    kind: str  # 'amount' (spending/budget, 元) | 'income' (元) | 'rate' | 'change' (%) | 'count'
    pattern: str
    units: str  # 'amount' | 'pct' | 'count'
    after: bool = False  # label printed after the number: "76个科室"
    next_year_label: str = ""  # label when the figure's year is the form's year + 1
    year_from: str = ""  # 'label' (the year group) | 'sentence' (last "NNNN年" before it)
    requires: str = ""  # regex that must occur earlier in the same sentence


_R = LabelRule
LABEL_RULES: tuple[LabelRule, ...] = (
    _R("预算收入执行率", "rate", r"预算收入执行率", "pct"),
    _R("预算支出执行率", "rate", r"预算支出执行率", "pct"),
    _R("财政专项拨款执行率", "rate", r"财政专项(?:拨款|资金)?执行率", "pct"),
    _R("预算执行率", "rate", r"(?<!收入)(?<!支出)(?<!拨款)(?<!资金)预算执行率", "pct"),
    _R("信访回复率", "rate", r"信访(?:意见|件|事项)?(?:办理)?(?:回复|答复|办结)率", "pct"),
    _R(
        "信访及时处理率",
        "rate",
        r"(?:规定时间内|规定时限内|按时|及时|按期)的?(?:办理|处理|回复|答复|办结){1,2}率",
        "pct",
        requires=r"信访",
    ),
    _R("满意度", "rate", r"(?P<qual>门诊|住院|患者|群众|社会公众|服务对象|总体|综合)?(?:患者)?满意度", "pct"),
    _R(
        "医疗收入同比变化",
        "change",
        r"医疗收入(?:同比|较)(?:(?:19|20)\d{2}年度?|上年|去年)?(?:同期)?"
        r"(?P<dir>上升|增长|增加|提高|上涨|下降|减少|降低|下滑|下跌)了?",
        "pct",
    ),
    _R("事业收入预算", "income", r"事业收入预算(?:合计|总额|总数|数)?", "amount"),
    _R("收入预算", "income", r"(?<!事业)收入预算(?:合计|总额|总数|数)?", "amount"),
    _R("下年预算", "amount", r"(?:下一?年度?|明年)(?:部门)?预算(?:数|总额|总数|总规模)?", "amount",
       next_year_label="下年预算", year_from="sentence"),
    _R(
        "预算数",
        "amount",
        r"(?P<year>(?:19|20)\d{2})年度?(?:部门)?预算(?:数|总额|总数|总规模|金额)?",
        "amount",
        next_year_label="下年预算",
        year_from="label",
    ),
    _R("预算数", "amount", r"预算(?:数|总额|总数|总规模)", "amount", next_year_label="下年预算",
       year_from="sentence"),
    _R("基本支出", "amount", r"基本支出(?:预算)?(?:数|总额)?", "amount", next_year_label="下年基本支出",
       year_from="sentence"),
    _R("项目支出", "amount", r"项目支出(?:预算)?(?:数|总额)?", "amount", next_year_label="下年项目支出",
       year_from="sentence"),
    _R("合计", "amount", r"(?:合计|总计|共计)", "amount"),
    _R("年末在编在职人数", "count", r"年末在编在职(?:人员)?(?:人数)?", "count"),
    _R("年末其他人员人数", "count", r"年末其他人员(?:人数)?", "count"),
    _R("年末离退休人数", "count", r"年末离退休(?:人员)?(?:人数)?", "count"),
)
del _R


def label_rules(specs) -> tuple[LabelRule, ...]:
    """Label rules a family adds (``prose_labels:`` in its family.yaml: label, kind, pattern, units, after)."""
    fields = set(LabelRule.__dataclass_fields__)
    return tuple(LabelRule(**{k: v for k, v in dict(spec).items() if k in fields}) for spec in specs or ())

# Words between a label and its number that do not change its meaning.
_FILLER = r"(?P<fill>(?:\s|为|是|达到|达|共计|共|约|合计|总额|:|<[^<>]{0,40}>){0,6})"
_NUM = r"(?<![\d.,])(?P<sign>[-+\u2212])?(?P<num>(?:\d{1,3}(?:,\d{3}){1,6}|\d{1,18})(?:\.\d{1,8})?)(?![\d])"
_UNITS = {
    "amount": r"\s?(?P<unit>亿元|万元|元)",
    # "98.82&": a stray character where the per cent sign belongs (catalogue E2).
    "pct": r"\s?(?:(?P<unit>%)|(?P<junk>[&#?*]))",
    "count": r"\s?(?P<unit>个|家|张|人|名|所)",
}
_NEGATIVE_DIR = frozenset({"下降", "减少", "降低", "下滑", "下跌"})


@lru_cache(maxsize=None)
def _compiled(rule: LabelRule) -> re.Pattern:
    if rule.after:
        return re.compile(_NUM + _UNITS[rule.units] + r"(?P<label>" + rule.pattern + r")")
    return re.compile(r"(?P<label>" + rule.pattern + r")" + _FILLER + _NUM + _UNITS[rule.units])


# --- Records -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """One labelled number found in prose.

    ``raw`` is the exact printed text of the match (label through unit, e.g.
    "预算支出执行率96.38%"); ``printed`` the number and unit alone ("195,004万元").
    ``value`` is in ``unit``: '元' for amounts (converted from ``printed_unit``), '%' for
    rates and changes, the measure word for counts. ``span`` are offsets in the source text.
    """

    source: str  # 'narrative:<key>', 'task:<name>', 'profile:<field>', 'indicator:<三级指标>'
    label: str
    raw: str
    value: Decimal
    unit: str
    printed_unit: str
    context: str
    year: int | None = None
    notes: tuple[str, ...] = ()
    kind: str = "amount"  # 'amount' | 'income' | 'rate' | 'change' | 'count' | 'item'
    qualifier: str = ""  # e.g. '门诊' / '住院' for 满意度
    printed: str = ""
    span: tuple[int, int] = (0, 0)
    row: int | None = None  # 1-based row of the narrative section / task / indicator


@dataclass(frozen=True)
class Item:
    """One numbered entry of an item list, e.g. "1、HPV筛查57.69万元"."""

    no: str  # printed number ('' when the entry carries none)
    name: str
    raw: str  # the printed entry without its number, e.g. "HPV筛查57.69万元"
    value: Decimal  # 元
    printed_unit: str
    notes: tuple[str, ...] = ()
    span: tuple[int, int] = (0, 0)
    printed: str = ""  # the amount as printed, e.g. "57.69万元"


@dataclass(frozen=True)
class ItemList:
    """Items with amounts listed in a task's 主要内容, their exact sum and the stated 合计."""

    items: tuple[Item, ...]
    total: Decimal  # exact sum of the items, 元
    stated_total: Figure | None = None  # the printed 合计 (label '合计', value in 元)
    unpriced: tuple[str, ...] = ()  # numbered entries that carry no amount
    notes: tuple[str, ...] = ()  # list-level quirks: 'separator_quirk', 'numbering_gap'

    @property
    def complete(self) -> bool:
        """True when every numbered entry carries an amount (the sum covers the list)."""
        return not self.unpriced

    def difference(self, amount: Decimal) -> Decimal:
        """Σ items − ``amount`` (both 元), exact."""
        with localcontext() as ctx:
            ctx.prec = 60
            return self.total - amount


# --- Normalisation -----------------------------------------------------------------------
_KEEP = frozenset("，") | frozenset(chr(c) for c in range(0x2460, 0x2474))  # ，and ①..⑳


@lru_cache(maxsize=4096)
def _nfkc_char(ch: str) -> str:
    try:
        return unicodedata.normalize("NFKC", ch)
    except Exception:  # pragma: no cover - defensive: normalize accepts every str
        return ch


def _is_fw_digit(ch: str) -> bool:
    return "\uff10" <= ch <= "\uff19"


def normalise(text: str) -> tuple[str, list[int]]:
    """NFKC text (keeping "，" and ①..⑳) and, per output character, its original index.

    The index list has one extra entry (the original length) so that an end offset maps too.
    """
    out: list[str] = []
    index: list[int] = []
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch == "，" and 0 < i < last and _is_fw_digit(text[i - 1]) and _is_fw_digit(text[i + 1]):
            # "１，２３４": inside a full-width number the comma is a thousands separator.
            out.append(",")
            index.append(i)
            continue
        if ch < "\x80" or ch in _KEEP:
            out.append(ch)
            index.append(i)
            continue
        n = _nfkc_char(ch)
        out.append(n)
        index.extend([i] * len(n))
    index.append(len(text))
    return "".join(out), index


def _as_text(text: object) -> str:
    if text is None:
        return ""
    try:
        s = text if isinstance(text, str) else str(text)
    except Exception:
        return ""
    return s[:MAX_SCAN]


def _orig_span(index: list[int], start: int, end: int) -> tuple[int, int]:
    if end <= start:
        return index[start], index[start]
    return index[start], index[end - 1] + 1


def _snippet(text: str, start: int, end: int) -> str:
    a = max(0, start - CONTEXT_CHARS)
    b = min(len(text), end + CONTEXT_CHARS)
    s = re.sub(r"\s+", " ", text[a:b]).strip()
    return ("…" if a > 0 else "") + s + ("…" if b < len(text) else "")


def _to_decimal(num: str) -> Decimal | None:
    try:
        return Decimal(num.replace(",", ""))
    except (InvalidOperation, ValueError):
        return None


def to_yuan(value: Decimal, printed_unit: str) -> Decimal:
    """An amount printed in 元/万元/亿元 as 元, exactly."""
    with localcontext() as ctx:
        ctx.prec = 60
        return value * _UNIT_FACTOR.get(printed_unit, Decimal(1))


_SENTENCE_END = re.compile(r"[。;!?\n]")
_YEAR = re.compile(r"((?:19|20)\d{2})年")
_NEXT_YEAR_WORD = re.compile(r"下一?年度?|明年")


def _sentence_before(norm: str, pos: int, limit: int = 200) -> str:
    lo = max(0, pos - limit)
    chunk = norm[lo:pos]
    ends = [m.end() for m in _SENTENCE_END.finditer(chunk)]
    return chunk[ends[-1]:] if ends else chunk


# --- Scanning one text -------------------------------------------------------------------
def scan_text(text: object, source: str = "", form_year: int | None = None,
              rules: tuple[LabelRule, ...] = LABEL_RULES) -> list[Figure]:
    """Every labelled figure in one text, in printed order.

    ``form_year`` is the year of the form: a figure whose year is ``form_year + 1`` gets the
    rule's next-year label ('下年预算', '下年基本支出', '下年项目支出').
    Scans at most ``MAX_SCAN`` characters; never raises.
    """
    orig = _as_text(text)
    if not orig:
        return []
    norm, index = normalise(orig)
    claimed: dict[tuple[int, int], tuple[int, Figure]] = {}
    for prio, rule in enumerate(rules):
        for m in _compiled(rule).finditer(norm):
            key = m.span("num")
            if key in claimed and claimed[key][0] <= prio:
                continue
            fig = _figure_from_match(rule, m, orig, norm, index, source, form_year)
            if fig is not None:
                claimed[key] = (prio, fig)
    figs = [f for _, f in claimed.values()]
    figs.sort(key=lambda f: f.span)
    return figs


def _figure_from_match(rule, m, orig, norm, index, source, form_year) -> Figure | None:
    label_start = m.start("label")
    sentence = _sentence_before(norm, label_start)
    if rule.requires and not re.search(rule.requires, sentence):
        return None
    value = _to_decimal(m.group("num"))
    if value is None:  # pragma: no cover - the regex admits only digits
        return None
    groups = m.groupdict()
    notes: list[str] = []
    if "," in m.group("num"):
        notes.append("thousands")
    if "约" in (groups.get("fill") or ""):
        notes.append("approximate")
    unit = groups.get("unit") or ""
    printed_unit = unit
    if rule.units == "amount":
        if unit in ("万元", "亿元"):
            notes.append("wan")
        value = to_yuan(value, unit)
        unit = "元"
    elif rule.units == "pct":
        if groups.get("junk"):
            notes.append("trailing_junk")
        unit = "%"
    if groups.get("sign") in ("-", "\u2212"):
        value = -value
    if groups.get("dir") in _NEGATIVE_DIR:
        value = -value
    year = None
    next_word = False  # "下年/明年" printed instead of a year
    if rule.year_from == "label" and groups.get("year"):
        year = int(groups["year"])
    elif rule.year_from == "sentence":
        years = _YEAR.findall(sentence)
        year = int(years[-1]) if years else None
        if year is None and _NEXT_YEAR_WORD.search(sentence + (m.group("label") or "")):
            next_word = True
            year = form_year + 1 if form_year is not None else None
    label = rule.label
    if rule.next_year_label and (next_word or (form_year is not None and year == form_year + 1)):
        label = rule.next_year_label
    s, e = _orig_span(index, m.start(), m.end())
    ns, ne = _orig_span(index, m.start("sign") if groups.get("sign") else m.start("num"), m.end())
    raw = orig[s:e]
    if raw != norm[m.start():m.end()]:
        notes.append("fullwidth")
    return Figure(
        source=source,
        label=label,
        raw=raw,
        value=value,
        unit=unit,
        printed_unit=printed_unit,
        context=_snippet(orig, s, e),
        year=year,
        notes=tuple(notes),
        kind=rule.kind,
        qualifier=groups.get("qual") or "",
        printed=orig[ns:ne],
        span=(s, e),
    )


# --- Item lists --------------------------------------------------------------------------
_PIECE = re.compile(r"[^;。\n]+")
_MARKER_AHEAD = r"(?:\d{1,3}\s?(?:、|\.(?!\d))|\(\d{1,3}\)|[\u2460-\u2473])"
# A new entry also starts at "，1、…" and at any circled number (printed without separator).
_SUBSPLIT = re.compile(r"[,，、]\s*(?=" + _MARKER_AHEAD + r")|(?=[\u2460-\u2473])")
_MARKER = re.compile(r"^\s*(?:(?P<no>\d{1,3})\s?(?:、|\.(?!\d))|\((?P<no2>\d{1,3})\)|(?P<circ>[\u2460-\u2473]))\s*")
_ORPHAN = re.compile(r"^\s*(?P<no>\d{1,3})\s*$")
_AMOUNT_END = re.compile(
    r"(?P<pre>约)?\s?(?<![\d.,])(?P<num>(?:\d{1,3}(?:,\d{3}){1,6}|\d{1,18})(?:\.\d{1,8})?)"
    r"\s?(?P<unit>亿元|万元|元)[\s)\]]{0,3}$"
)
_AMOUNT_ANY = re.compile(r"\d(?:\.\d+)?\s?(?:亿元|万元|元)")
_TOTAL_NAMES = re.compile(r"^(?:合计|总计|共计|小计|总额)")


def itemised_amounts(text: object, source: str = "") -> ItemList | None:
    """The numbered items with amounts in a 主要内容 text, or None when it lists none.

    Entries are split at "；", "。" and line ends (and at "，"/"、" before a new number). An
    entry is an item when it is numbered ("1、", "1.", "(1)", "①") and ends with an amount.
    A bare number followed by "；" ("2；乳腺癌筛查…") numbers the next entry (quirk
    'separator_quirk'). A "合计…万元" entry gives ``stated_total`` (a ``Figure`` labelled '合计',
    with ``source``). Items are never converted through float. Returns None unless
    at least one numbered entry carries an amount. Scans at most ``MAX_SCAN`` characters.
    """
    orig = _as_text(text)
    if not orig:
        return None
    norm, index = normalise(orig)
    items: list[Item] = []
    unpriced: list[str] = []
    list_notes: list[str] = []
    stated: Figure | None = None
    pending_no: str | None = None
    for piece_m in _PIECE.finditer(norm):
        p0 = piece_m.start()
        piece = piece_m.group()
        cuts = [0] + [m.end() for m in _SUBSPLIT.finditer(piece)] + [len(piece)]
        for a, b in zip(cuts, cuts[1:]):
            part = piece[a:b].rstrip(",，、 \t")
            start = p0 + a
            if not part.strip():
                continue
            orphan = _ORPHAN.match(part)
            if orphan:
                pending_no = orphan.group("no")
                continue
            mk = _MARKER.match(part)
            notes: list[str] = []
            if mk:
                no = mk.group("no") or mk.group("no2") or str(ord(mk.group("circ")) - 0x2460 + 1)
                body_off = mk.end()
            elif pending_no is not None:
                no, body_off = pending_no, len(part) - len(part.lstrip())
                notes.append("separator_quirk")
                if "separator_quirk" not in list_notes:
                    list_notes.append("separator_quirk")
            else:
                no, body_off = "", len(part) - len(part.lstrip())
            pending_no = None
            body = part[body_off:]
            am = _AMOUNT_END.search(body)
            if am is None:
                if no:
                    s, e = _orig_span(index, start + body_off, start + len(part))
                    unpriced.append(orig[s:e].strip())
                continue
            name = body[: am.start()].strip(" :,，、\t")
            printed_unit = am.group("unit")
            value = to_yuan(_to_decimal(am.group("num")) or Decimal(0), printed_unit)
            s, e = _orig_span(index, start + body_off, start + body_off + am.end())
            raw = orig[s:e].strip()
            ps, pe = _orig_span(index, start + body_off + am.start("num"), start + body_off + am.end("unit"))
            if am.group("pre") == "约":
                notes.append("approximate")
            if "," in am.group("num"):
                notes.append("thousands")
            if raw != norm[start + body_off:start + body_off + am.end()].strip():
                notes.append("fullwidth")
            if printed_unit != "元":
                notes.append("wan")
            if _TOTAL_NAMES.match(name) and (not no or name in ("合计", "总计", "共计", "小计", "总额")):
                if stated is None:  # the first stated total counts
                    stated = Figure(source, "合计", raw, value, "元", printed_unit, _snippet(orig, s, e),
                                    notes=tuple(n for n in notes if n != "separator_quirk"),
                                    printed=orig[ps:pe], span=(s, e))
                continue
            if not no:
                continue  # unnumbered prose with an amount: not an item
            if len(_AMOUNT_ANY.findall(body)) > 1:
                notes.append("several_amounts")
            items.append(Item(no, name, raw, value, printed_unit, tuple(notes), (s, e), orig[ps:pe]))
    if not items:
        return None
    numbers = [int(i.no) for i in items if i.no.isdigit()]
    if numbers and numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        list_notes.append("numbering_gap")
    with localcontext() as ctx:
        ctx.prec = 60
        total = sum((i.value for i in items), Decimal(0))
    return ItemList(tuple(items), total, stated, tuple(unpriced), tuple(list_notes))


# --- Department-level extraction ---------------------------------------------------------
def _texts(dept) -> list[tuple[str, int | None, str]]:
    """(source, row, text) for every prose text of a department, in form order."""
    out: list[tuple[str, int | None, str]] = []
    profile = getattr(dept, "profile", None)
    for key in ("duties", "organisation", "staffing"):
        out.append((f"profile:{key}", None, getattr(profile, key, "") or ""))
    narrative = getattr(dept, "narrative", None)
    for i, sec in enumerate(getattr(narrative, "sections", ()) or (), start=1):
        out.append((f"narrative:{sec.key}", i, sec.text or ""))
    for i, task in enumerate(getattr(dept, "tasks", ()) or (), start=1):
        out.append((f"task:{task.name}", i, task.content or ""))
    for i, ind in enumerate(getattr(dept, "indicators", ()) or (), start=1):
        out.append((f"indicator:{ind.level3}", i, ind.actual or ""))
    return out


def extract_figures(dept, extra_rules: tuple[LabelRule, ...] = ()) -> list[Figure]:
    """Every labelled figure in a department's prose, in form order.

    Texts scanned: profile (duties, organisation, staffing), narrative sections, each task's
    主要内容 (plus its list items, kind 'item', labelled with the item's own name), and each
    indicator's 实际完成指标值. Each text: first ``MAX_SCAN`` characters. ``Figure.row`` is
    the 1-based row of the section / task / indicator (None for profile texts): task names
    may repeat, rows do not.
    """
    year = getattr(dept, "year", None)
    rules = LABEL_RULES + tuple(extra_rules)  # a family's own labels (e.g. 科室数) rank after the common ones
    figs: list[Figure] = []
    for source, row, text in _texts(dept):
        found = [replace(f, row=row) for f in scan_text(text, source, year, rules)]
        figs.extend(found)
        if source.startswith("task:"):
            figs.extend(replace(f, row=row) for f in _item_figures(text, source, found))
    return figs


def _item_figures(text: str, source: str, labelled: list[Figure]) -> list[Figure]:
    lst = itemised_amounts(text, source)
    if lst is None:
        return []
    taken = [f.span for f in labelled]
    orig = _as_text(text)
    out = []
    for it in lst.items:
        if any(a < it.span[1] and it.span[0] < b for a, b in taken):
            continue  # a labelled rule already claimed this amount
        out.append(
            Figure(
                source=source,
                label=it.name,
                raw=it.raw,
                value=it.value,
                unit="元",
                printed_unit=it.printed_unit,
                context=_snippet(orig, *it.span),
                notes=it.notes,
                kind="item",
                printed=it.printed,
                span=it.span,
            )
        )
    return out




def truncated_sources(dept) -> list[str]:
    """Sources whose text is longer than ``MAX_SCAN`` (only its start was scanned: 'truncated')."""
    return [source for source, _, text in _texts(dept) if len(text) > MAX_SCAN]


def by_label(figures: Iterable[Figure], label: str, source_prefix: str = "") -> list[Figure]:
    """The figures with a label (optionally only from sources starting with a prefix)."""
    return [f for f in figures if f.label == label and f.source.startswith(source_prefix)]


def _first(figures: list[Figure], label: str) -> Figure | None:
    for f in figures:
        if f.label == label:
            return f
    return None






EXECUTION_RATE_LABELS = ("预算收入执行率", "预算支出执行率", "财政专项拨款执行率", "预算执行率")
PETITION_LABELS = ("信访回复率", "信访及时处理率")


def select_rates(figures: list[Figure]) -> dict[str, Figure]:
    """The rates the checks compare, keyed by label (first occurrence of each).

    Execution rates (``EXECUTION_RATE_LABELS``) come first from 部门预算执行情况, then from the
    other narrative sections; 信访 rates from anywhere in the prose.
    """
    figs = [f for f in figures if f.kind == "rate"]
    out: dict[str, Figure] = {}
    preferred = [f for f in figs if f.source == "narrative:budget_execution"]
    for f in preferred + [f for f in figs if f.source.startswith("narrative:")]:
        if f.label in EXECUTION_RATE_LABELS:
            out.setdefault(f.label, f)
    for f in figs:
        if f.label in PETITION_LABELS:
            out.setdefault(f.label, f)
    return out


def select_next_year(figures: list[Figure]) -> dict[str, Figure | None]:
    """{'total', 'basic', 'project'} -> the next year's budget figures stated in 部门预算编制情况
    (None when the section does not state it, or states another year)."""
    figs = [f for f in figures if f.source == "narrative:budget_preparation"]
    return {key: _first(figs, label) for key, label in
            (("total", "下年预算"), ("basic", "下年基本支出"), ("project", "下年项目支出"))}














# --- Claims ------------------------------------------------------------------------------
# key -> (subject, positive wording, negative wording); regexes on the normalised text.
CLAIM_RULES: dict[str, tuple[str, str, str]] = {
    "key_work_completed": (
        r"重点工作",
        r"均已完成|全部完成|均完成|已全部完成|均按期完成|全面完成",
        r"(?<![无没])(?:未能?|没有)(?:按期|全部)?完成|部分完成|尚未完成",
    ),
    "projects_on_schedule": (
        r"项目完成及时性|重点项目|项目",
        r"均按计划|均按时|均按期|按计划时间完成|全部按时",
        r"(?<![无没])(?:未能?|没有)按(?:计划|时|期)|延期|滞后",
    ),
    "three_public_within_budget": (
        r"三公",
        r"均?未超出?预算|未超支|控制在预算(?:范围)?内",
        r"(?<![未不没])超出预算|(?<![未不没])超支",
    ),
}
_CLAIM_SEGMENT = re.compile(r"[^。;\n]+")


def claim(dept, key: str) -> tuple[bool | None, str]:
    """What the narrative claims on a topic of ``CLAIM_RULES``: (verdict, evidence text).

    True/False when a sentence naming the subject states it positively/negatively; None with
    that sentence as evidence when it says neither (or both); (None, '') when no sentence
    names the subject.
    """
    subject, positive, negative = CLAIM_RULES[key]
    first_mention = ""
    narrative = getattr(dept, "narrative", None)
    for sec in getattr(narrative, "sections", ()) or ():
        orig = _as_text(sec.text)
        norm, index = normalise(orig)
        for seg in _CLAIM_SEGMENT.finditer(norm):
            text = seg.group()
            if not re.search(subject, text):
                continue
            s, e = _orig_span(index, seg.start(), seg.end())
            evidence = orig[s:e].strip()
            pos = re.search(positive, text) is not None
            neg = re.search(negative, text) is not None
            if pos != neg:
                return pos, evidence
            if not first_mention:
                first_mention = evidence
    return None, first_mention


def key_work_all_completed(dept) -> tuple[bool | None, str]:
    """Does the narrative say every 重点工作 was completed? (check B11/D4) -> (verdict, evidence)."""
    return claim(dept, "key_work_completed")


# --- Small comparison helpers ------------------------------------------------------------


# --- Sums a text states: "共 N 万元，其中 A n1 万元、B n2 万元" --------------------------------------
@dataclass(frozen=True)
class StatedSum:
    """A total a sentence states and the parts it lists after 其中 / 包括 (same kind of unit)."""

    total_raw: str  # '145.25万元'
    total: Decimal  # in the base unit of its kind (元 for amounts, the count itself)
    parts: tuple[tuple[str, Decimal], ...]  # (raw, value) of each part
    kind: str  # 'amount' | 'count'
    sentence: str  # the clause as printed (trimmed)
    factor: Decimal = Decimal(1)  # base units per unit of the printed total (10000 for 万元)


# Units of the numbers a stated sum adds: amounts (to 元) and counts (the measure word must agree).
_SUM_UNITS = {"亿元": ("amount", _YI), "万元": ("amount", _WAN), "元": ("amount", Decimal(1))}
_COUNT_WORDS = ("个", "人", "名", "项", "家", "件", "座", "户", "所", "次", "宗", "批", "条", "辆", "台", "套", "处")
_SUM_NUM = re.compile(r"(?<![\d.])(\d{1,3}(?:,\d{3})+|\d{1,15})(\.\d{1,6})?\s?(亿元|万元|元|" + "|".join(_COUNT_WORDS) + r")")
_CLAUSE = re.compile(r"[^。;；\n]+")
_LIST_START = re.compile(r"(?:^|\s)\d{1,2}[、.](?!\d)")
_PART_MARK = re.compile(r"其中|包括")


def stated_sums(text: object) -> list[StatedSum]:
    """Every "total, 其中 parts" a text states, each with its clause: the total is the last number
    before 其中 (or 包括) in the clause, the parts are the numbers after it with the same kind of unit
    (counts: the same measure word). Years, rates and bare numbers are never parts."""
    orig = _as_text(text)[:MAX_SCAN]
    norm, _ = normalise(orig)
    out: list[StatedSum] = []
    last: tuple[re.Match, str] | None = None  # the last number of the sentence before ("…205人。其中,…")
    for m in _CLAUSE.finditer(norm):
        clause = m.group()
        # a numbered list ("1、… 2、…") inside one sentence: each item is its own clause
        starts = [x.start() for x in _LIST_START.finditer(clause)] + [len(clause)]
        pieces = [clause[:starts[0]]] + [clause[a:b] for a, b in zip(starts, starts[1:])]
        for piece in pieces:
            mark = _PART_MARK.search(piece)
            before = list(_SUM_NUM.finditer(piece[:mark.start()])) if mark else []
            opener = mark is not None and not before and not piece[:mark.start()].strip(" ,，、:：")
            prev, last = last, ((list(_SUM_NUM.finditer(piece))[-1], piece) if _SUM_NUM.search(piece) else None)
            out.extend(_bracketed(piece))
            if not mark:
                continue
            if opener and prev is not None:  # the sentence opens with 其中: its total ends the one before
                tot, head = prev
                piece_text = head.strip(" ,，、") + "。" + piece.strip(" ,，、")
            elif before:
                tot, piece_text = before[-1], piece.strip(" ,，、")
            else:
                continue
            kind, factor = _SUM_UNITS.get(tot.group(3), ("count", Decimal(1)))
            parts = []
            for p in _SUM_NUM.finditer(piece, mark.end()):
                pk, pf = _SUM_UNITS.get(p.group(3), ("count", Decimal(1)))
                if pk != kind or (kind == "count" and p.group(3) != tot.group(3)):
                    continue
                parts.append((p.group(0).strip(), _sum_value(p) * pf))
            if parts:
                out.append(StatedSum(tot.group(0).strip(), _sum_value(tot) * factor, tuple(parts), kind, piece_text, factor))
    return out


_OPEN = re.compile(r"\s?[（(]")


def _parts_of(tot: re.Match, text: str, start: int, end: int) -> list[tuple[str, Decimal]]:
    kind, _ = _SUM_UNITS.get(tot.group(3), ("count", Decimal(1)))
    parts = []
    for p in _SUM_NUM.finditer(text, start, end):
        pk, pf = _SUM_UNITS.get(p.group(3), ("count", Decimal(1)))
        if pk == kind and (kind == "amount" or p.group(3) == tot.group(3)):
            parts.append((p.group(0).strip(), _sum_value(p) * pf))
    return parts


def _bracketed(piece: str) -> list[StatedSum]:
    """"实有人数78人（在职51人、退休26人）": a total whose parts follow it in brackets (two or more)."""
    out = []
    for tot in _SUM_NUM.finditer(piece):
        o = _OPEN.match(piece, tot.end())
        if not o:
            continue
        close = min((i for i in (piece.find("）", o.end()), piece.find(")", o.end())) if i >= 0), default=-1)
        if close < 0:
            continue
        parts = _parts_of(tot, piece, o.end(), close)
        if len(parts) >= 2:
            kind, factor = _SUM_UNITS.get(tot.group(3), ("count", Decimal(1)))
            out.append(StatedSum(tot.group(0).strip(), _sum_value(tot) * factor, tuple(parts), kind,
                                 piece[max(0, tot.start() - 20):close + 1].strip(" ,，、"), factor))
    return out


def _sum_value(m: re.Match) -> Decimal:
    return Decimal(m.group(1).replace(",", "") + (m.group(2) or ""))
