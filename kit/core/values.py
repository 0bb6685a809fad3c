"""Printed values: exact numbers that remember how they were printed.

A form's cell is kept as ``Num(raw, value, unit, notes)``: ``raw`` is the text as printed,
``value`` the exact ``Decimal`` read from it (``None`` when nothing numeric could be read),
and ``notes`` the quirks met on the way (``#####``, trailing junk, full-width digits ...).
Nothing here guesses: a quirk is recorded, and the caller turns it into a load finding.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

@dataclass(frozen=True)
class Quirk:
    """A quirk of a printed value: what the report says, and which check of category E lists it."""

    text: str
    check: str  # catalogue id of category E
    benign: bool = False  # changes nothing about the value (normalisation): reported as info


# The one table of quirk codes: the value parser's, the loader's, the prose reader's and stray text.
QUIRKS = {
    "overflow": Quirk("单元格显示为“#####”（列宽不足导致数值未打印）", "E1"),
    "trailing_junk": Quirk("数值后带有非数字字符，已取其前面的数字", "E2"),
    "not_number": Quirk("不是数字", "E2"),
    "unreadable": Quirk("数值写法无法确定（多个小数点、分隔符位置不对、0x 等前缀或其后还有数字、字母），"
                        "未读取其中任何数字，按缺失处理，请对照原表核对", "E2"),
    "non_finite": Quirk("不是有限数值", "E2"),
    "fullwidth": Quirk("含全角数字或标点，已按半角读取", "E3", benign=True),
    "thousands": Quirk("含千位分隔符，已去除", "E3", benign=True),
    "wan": Quirk("以“万元”或“亿元”为单位，已换算为元", "E4", benign=True),
    "stray": Quirk("表上印有不属于任何栏目的文字", "E5"),
    "negative": Quirk("数值为负数，请核对表上是否如此印刷", "E7"),
    "huge": Quirk("金额异常大（不少于 1 000 万亿元），可能是录入错误", "E7"),
    "duplicate": Quirk("与第{first}行完全相同，是否重复填报？", "E8"),
    "separator_quirk": Quirk("列表序号后误印为“；”（如“2；”），已将序号归入下一项", "E2"),
    "numbering_gap": Quirk("列表序号不连续", "E2"),
    "approximate": Quirk("原文为约数（“约”）", "E2"),
    "several_amounts": Quirk("同一列项中有多个金额，仅取最后一个", "E2"),
    "truncated": Quirk("文字超过{limit}字，仅检查前{limit}字", "E2"),
    "unencodable": Quirk("含有无法编码的字符（孤立的 UTF-16 代理项，如 \\uD800 或 _xD800_），已替换为 {replacement}", "E9"),
}
NOTE_TEXT = {code: q.text for code, q in QUIRKS.items()}
BENIGN_NOTES = frozenset(code for code, q in QUIRKS.items() if q.benign)

_COMPARATORS = {"≥": "≥", ">=": "≥", "≤": "≤", "<=": "≤", ">": ">", "<": "<", "=": "="}
_NUM_RE = re.compile(
    r"^(?P<cmp>>=|<=|[≥≤><=])?\s*(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)"
    r"\s*(?P<unit>亿元|万元|元|%)?(?P<rest>.*)$",
    re.S,
)
_OVERFLOW_RE = re.compile(r"^#+$")
# What may follow a number as a known printing quirk (the number is then kept, flagged
# trailing_junk): at most two characters, none a digit, a latin letter, a point or a comma
# (``100分``, ``864.2万``, ``98.82&``, ``12人``), or one full stop (``7.50.``). Anything else after
# the digits (``0x10``, ``12.3.4``, ``1,2,3``, ``5e3``, ``12 34``) means the printed number is
# not known: ``unreadable``, value None, never the leading digits.
_KNOWN_TRAILING = re.compile(r"^(?:[^0-9A-Za-z.,，．。\s]{1,2}|[.。])$")
# What a printed number may be. Beyond these the kit cannot compute exactly (Decimal keeps 28
# digits) or show the number as printed; the loader refuses it (``out_of_range``). No form
# prints more than a few decimals (万元 with six is still whole cents), so a seventh is not a form's.
MAX_INTEGER_DIGITS = 20
MAX_SIGNIFICANT_DIGITS = 28
MAX_PLACES = 6
_WAN = Decimal(10000)
_YI = Decimal(100000000)


@dataclass(frozen=True, slots=True)
class Num:
    """A number as printed on the form."""

    raw: str
    value: Decimal | None
    unit: str = ""  # '元', '%', '' (amounts in 万元/亿元 are converted to 元; see notes)
    notes: tuple[str, ...] = ()
    comparator: str | None = None  # '≥', '≤', '>', '<', '=' for targets such as '≥28%'

    @property
    def ok(self) -> bool:
        return self.value is not None

    @property
    def blank(self) -> bool:
        return self.raw.strip() == ""

    def __str__(self) -> str:
        return self.raw


BLANK = Num("", None)


_LABEL_DROP = re.compile(r"[\s*]+")


def norm_label(text: object) -> str:
    """A printed label as the kit compares it: NFKC (full-width brackets, colons and digits to ASCII),
    no white space (PDF extraction breaks lines inside labels), no required-field marks (*).
    The kit's one label normaliser: both sides of a comparison go through it."""
    return _LABEL_DROP.sub("", unicodedata.normalize("NFKC", str(text or "")))


def normalise_text(text: str) -> str:
    """Full-width digits and punctuation to ASCII (NFKC), keeping CJK as is."""
    return unicodedata.normalize("NFKC", text)


def parse_num(raw: object, default_unit: str = "") -> Num:
    """Read a printed number exactly. Never raises; quirks end up in ``notes``."""
    if raw is None:
        return BLANK
    if isinstance(raw, bool):  # YAML true/false where a number belongs
        return Num(str(raw), None, notes=("not_number",))
    if isinstance(raw, float):
        # Only reachable from callers that bypass the kit's YAML loader; repr keeps digits.
        raw = repr(raw)
    text = str(raw)
    stripped = text.strip().strip("\u3000")
    if stripped == "":
        return Num(text, None)
    notes: list[str] = []
    norm = normalise_text(stripped)
    if norm != stripped:
        notes.append("fullwidth")
    if _OVERFLOW_RE.match(norm):
        return Num(text, None, default_unit, ("overflow",))
    m = _NUM_RE.match(norm)
    if not m:
        return Num(text, None, default_unit, tuple(notes) + ("not_number",))
    num = m.group("num")
    if "," in num:
        notes.append("thousands")
        num = num.replace(",", "")
    try:
        value = Decimal(num)
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        return Num(text, None, default_unit, tuple(notes) + ("not_number",))
    unit = m.group("unit") or default_unit
    if unit == "万元":
        value *= _WAN
        unit = "元"
        notes.append("wan")
    elif unit == "亿元":
        value *= _YI
        unit = "元"
        notes.append("wan")
    rest = m.group("rest").strip()
    if rest:
        if not _KNOWN_TRAILING.match(rest) or any(c.isdigit() for c in rest):
            return Num(text, None, m.group("unit") or default_unit,
                       tuple(n for n in notes if n == "fullwidth") + ("unreadable",))
        notes.append("trailing_junk")
    cmp_ = m.group("cmp")
    return Num(text, value, unit, tuple(notes), _COMPARATORS.get(cmp_) if cmp_ else None)


def out_of_range(value: Decimal) -> tuple[str, str] | None:
    """``(message, expected)`` when a number is beyond what the kit computes and shows exactly."""
    if value.adjusted() >= MAX_INTEGER_DIGITS or len(value.as_tuple().digits) > MAX_SIGNIFICANT_DIGITS:
        return ("数值位数过多，无法精确计算",
                f"整数部分不超过 {MAX_INTEGER_DIGITS} 位、有效数字不超过 {MAX_SIGNIFICANT_DIGITS} 位")
    places = -value.normalize().as_tuple().exponent  # trailing zeros do not count
    if places > MAX_PLACES:
        return f"小数位数过多（{places} 位），不是表上印刷的数值", f"不超过 {MAX_PLACES} 位小数，按表上原样填写"
    return None


def fmt_amount(value: Decimal | None) -> str:
    """An amount in 元 with thousands separators and two decimals, or '—'."""
    if value is None:
        return "—"
    return f"{value:,.2f}"


def fmt_pct(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return "—"
    return f"{value:.{places}f}%"


def fmt_score(x: Decimal | None) -> str:
    """A score or bound without trailing zeros beyond two places ('6', '5.5', '0.82')."""
    if x is None:
        return "—"
    q = x.quantize(Decimal("0.01"))
    s = f"{q:f}"
    return s.rstrip("0").rstrip(".") if "." in s else s
