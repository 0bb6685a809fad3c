"""Amount cells of the Shenzhen form: what a printed cell holds, under which header and in which unit.

Shared by the text-layer reader (``shenzhen``) and the PDF cell reader (``shenzhen_pdf``):

* ``column_roles`` reads a header's printed labels into column roles (a vocabulary kept as
  data in ``BUDGET_COLUMNS``) with the unit each label prints (``（元）``, ``（万元）``, ``（亿元）``).
* ``is_cell_token`` tells a printed amount cell (however damaged: full-width digits,
  ``(1,234.00)``, ``—``, ``#####``, ``12.3.4``) from words of a sentence, so that an unreadable
  cell still holds its place in its row and never lets the next row move up.
* ``place_amount`` writes one amount: exactly as printed (the model reads full-width digits and
  thousands separators exactly, and keeps ``#####`` as a quirk), with its column's unit when
  the header prints one other than 元 (``197879.94万元``: the model converts to 元 and lists it
  under E4, so every comparison is in one unit), or leaves it absent with its raw text and the
  reason when the kit cannot hold it as printed (``—``, ``(x)``, trailing junk).
"""
from __future__ import annotations

import re
import unicodedata

from ..core.values import norm_label, parse_num
from .record import Record
from .shenzhen_vocab import AMOUNT, STAGE_LABELS, label_key

UNITS = ("元", "万元", "亿元")
_UNIT_IN_LABEL = re.compile(r"[（(]\s*(元|万元|亿元)\s*[)）]")
# Roles of the budget table's columns, by the words their header prints (first match wins:
# the longer names come first, as 部门支出总金额 is not inside the others but may be in a variant).
BUDGET_COLUMNS = (
    ("基本支出总金额", "basic"), ("基本支出", "basic"),
    ("项目支出总金额", "project"), ("项目支出", "project"),
    ("部门支出总金额", "total"), ("支出总金额", "total"), ("总金额", "total"),
    ("预算调整", "reason"), ("原因及情况说明", "reason"),
)
# Line tables (部门基本支出 / 项目支出 / 转移支付): 序号, 项目名称 and three amounts.
LINE_COLUMNS = (("预算调整后金额", "adjusted"), ("调整后", "adjusted"), ("预算金额", "budget"),
                ("实际支出金额", "actual"), ("实际支出", "actual"), ("项目名称", "name"), ("序号", "no"))
# Texts a form prints for "no value" in an amount cell.
PLACEHOLDERS = frozenset({"—", "——", "-", "--", "–", "―", "－", "/", "／", "无", "…", "——————"})
_OVERFLOW = re.compile(r"^#{2,}$")
_CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff0f]")
_PAREN = re.compile(r"^[(（].*[)）]$")
_PLAIN = re.compile(r"^-?[0-9]{1,20}(?:\.[0-9]{1,6})?$")


def unit_of(label: str) -> str:
    """The unit a header label prints ('' when none)."""
    m = _UNIT_IN_LABEL.search(label)
    return m.group(1) if m else ""


def strip_unit(label: str) -> str:
    """A label without its printed unit: '部门支出总金额（万元）' → '部门支出总金额'."""
    return _UNIT_IN_LABEL.sub("", label)


def role_of(label: str, vocabulary=BUDGET_COLUMNS) -> str | None:
    key = norm_label(strip_unit(label))
    for words, role in vocabulary:
        if words in key:
            return role
    return None


def column_roles(labels: list[str], vocabulary=BUDGET_COLUMNS) -> list[tuple[str, str]]:
    """(role, unit) of each printed header label in printed order; labels of no known role are skipped."""
    out = []
    for label in labels:
        role = role_of(label, vocabulary)
        if role and role not in (r for r, _ in out):
            out.append((role, unit_of(label)))
    return out


def table_unit(text: str) -> str:
    """The one unit a table's header prints ('' when none, or when it prints several)."""
    found = {m.group(1) for m in _UNIT_IN_LABEL.finditer(text)}
    return found.pop() if len(found) == 1 else ""


def _nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s).replace("，", ",")


def is_cell_token(tok: str) -> bool:
    """A token that is an amount cell as printed, readable or not (never words of a sentence)."""
    n = _nfkc(tok.strip())
    if not n:
        return False
    if n in PLACEHOLDERS or tok.strip() in PLACEHOLDERS or _OVERFLOW.match(n):
        return True
    # A damaged number ('0x10', '12.3.4', '(1,234.00)') is still a cell; words are not.
    core = re.sub(r"(?:元|万元|亿元)$", "", n)
    return bool(re.search(r"\d", n)) and not _CJK.search(core)


def is_cell_row(toks: list[str]) -> bool:
    """A printed row of amount cells: every token a cell, and a number among them or several cells."""
    return bool(toks) and all(is_cell_token(t) for t in toks) and (len(toks) >= 2 or bool(re.search(r"\d", toks[0])))


def read_amount(raw: str, unit: str = "") -> tuple[str | None, str]:
    """(value to write, '') for a cell the kit holds as printed, else (None, why it is left absent)."""
    s = raw.strip()
    if _PLAIN.match(s):  # the common cell: ASCII digits, as printed
        return (s if unit in ("", "元") else s + unit), ""
    n = _nfkc(s)
    if not s:
        return None, "这一格没有印字"
    if n in PLACEHOLDERS or s in PLACEHOLDERS:
        return None, f"印为“{s}”，不是数值"
    if _OVERFLOW.match(n):
        return s, ""  # kept as printed: the model lists the overflow (E1)
    printed_unit = next((u for u in ("亿元", "万元", "元") if n.endswith(u)), "")
    if printed_unit and unit and printed_unit != unit:
        return None, f"单元格印的单位“{printed_unit}”与表头的“{unit}”不同，无法确定"
    value = s if printed_unit or unit in ("", "元") else s + unit
    got = parse_num(value, "元")
    bad = {"not_number", "trailing_junk", "non_finite"} & set(got.notes)
    if got.value is None or bad:
        if _PAREN.match(n):
            return None, "括号内的金额（负数的会计写法），数据文件不能按原样保存，未导入；请按表上核对"
        return None, "不是可读的金额（含多余的符号或字符）"
    if _PAREN.match(n) and got.value >= 0:
        return None, "括号内的金额（负数的会计写法）读成了非负数，未导入"
    return value, ""


def place_amount(rec: Record, path: tuple, raw: str, source: dict, unit: str = "", how: str = "layout",
                 reason: str = "", verify: str | None = None) -> bool:
    """Place one amount cell (see ``read_amount``); True when placed."""
    value, why = read_amount(raw, unit)
    if value is None:
        rec.absent(path, raw.strip(), source, why, blank="")
        return False
    if verify is not None and _squash(raw) not in _squash(verify):
        rec.absent(path, verify, source, "内部核对未通过：读出的值不在原文中，未采用", blank="")
        return False
    if value != raw.strip():
        unit_why = f"表头印“（{unit}）”，金额按原样保留并注明单位"
        reason = f"{reason}；{unit_why}" if reason else unit_why
    rec.place(path, value, source, how, reason)
    return True


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def is_ruled(line: str) -> bool:
    """A row printed with '|' between its cells (a web page's table saved as text)."""
    s = line.strip()
    return s.count("|") >= 2 or s.count("｜") >= 2


def split_row(line: str) -> list[str]:
    """A printed row's cells: '|'-ruled rows keep their empty cells; otherwise whitespace splits."""
    s = line.strip()
    if is_ruled(s):
        cells = [c.strip() for c in re.split(r"[|｜]", s)]
        if cells and cells[0] == "":
            cells = cells[1:]
        if cells and cells[-1] == "":
            cells = cells[:-1]
        return cells
    return s.split()


def line_row(toks: list[str]) -> tuple[str, str, str, list[str]] | None:
    """(section label, 序号, 项目名称, amount cells) of a line-table row, or None: an optional
    label, a 序号, the name, then the amount cells (trailing cell tokens, unreadable ones too)."""
    k = 1 if toks and not re.fullmatch(r"\d{1,3}", toks[0]) else 0
    if len(toks) < k + 2 or not re.fullmatch(r"\d{1,3}", toks[k]):
        return None
    rest = toks[k + 1:]
    n = 0
    while n < len(rest) and is_cell_token(rest[-1 - n]):
        n += 1
    if n == 0:
        return None
    cells = rest[len(rest) - n:]
    return (toks[0] if k else ""), toks[k], " ".join(rest[:len(rest) - n]), cells


def stage_prefix(toks: list[str]) -> tuple[str | None, list[str]]:
    """(stage, the rest) when a row starts with its printed stage label ('年初预算批复（收入） 1 2 3')."""
    for n in (1, 2):
        key = label_key("".join(toks[:n]))
        if key in STAGE_LABELS:
            return STAGE_LABELS[key], toks[n:]
    return None, toks


def amounts_line(s: str) -> bool:
    """Mostly amounts: two or more, and nothing but a short status word besides."""
    toks = s.split()
    nums = [t for t in toks if AMOUNT.match(t) and re.search(r"\d|#", t)]
    return len(nums) >= 2 and len(toks) - len(nums) <= 1 and all(len(t) <= 6 for t in toks if t not in nums)
