"""Printed widths and line joining: telling a wrapped line from a line the writer ended.

A cell's text is printed over several lines. A line ended by the cell's edge (the next word
did not fit) is joined to the next without a separator; a line that ends with room to spare
for the next word was ended by the writer and keeps a break. In a text layer widths are
counted in half-width units (a CJK character is 2, as in the fonts forms are printed with);
in a PDF they are measured in points.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Sequence

# A token that wraps as a whole: a run of latin letters, digits and number punctuation.
_LATIN_RUN = re.compile(r"[A-Za-z0-9.,%&#+\-/:=_()]+")
# The start of an enumerated item: '2.', '3、', '（1）', '(2)'.
ENUM_START = re.compile(r"^(?:\d{1,2}\s?[.、．]|[（(]\d{1,2}[)）])")
_SENTENCE_END = ("。", "！", "？", "!", "?")
_SPACES = re.compile(r"[ \u3000]{2,}")


def char_width(ch: str) -> int:
    if ch == "\t":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WFA" else 1


def text_width(s: str) -> int:
    return sum(char_width(c) for c in s)


# Line-breaking rules of CJK typesetting (and of the spreadsheets forms come from): these
# never start a line, so they travel with the character before them; opening marks never end
# one, so they travel with the character after.
_NO_START = set("）)]」』】〉》”’，。、；：！？,.;:!?%…·")
_NO_END = set("（([「『【〈《“‘")


def first_token(s: str) -> str:
    """The unit a writer moves to the next line as a whole: a latin word or one CJK character,
    with the opening marks before it and the closing punctuation after it."""
    s = s.lstrip()
    i = 0
    while i < len(s) and s[i] in _NO_END:
        i += 1
    m = _LATIN_RUN.match(s, i)
    j = m.end() if m and m.end() > i else min(i + 1, len(s))
    while j < len(s) and s[j] in _NO_START:
        j += 1
    return s[:j]


def clean_line(s: str) -> str:
    """A text-layer line as printed: padding tabs and spaces at the ends removed, wide gaps (runs
    of spaces left by justified cells) read as one space."""
    return _SPACES.sub(" ", s.replace("\t", " ")).strip()


# Printed widths are not whole half-width units (quotes, digits and punctuation vary by font):
# a line counts as ended by the writer only when the next token fits with this much to spare.
SLACK = 2


def is_wrapped(prev_width: int, nxt: str, capacity: int, slack: int = SLACK) -> bool:
    """True when a line of ``prev_width`` ended because ``nxt``'s first token would not fit."""
    return prev_width + text_width(first_token(nxt)) > capacity - slack


def join_lines(lines: Sequence[str], capacity: int, hard: str = "\n", enum_hard: bool = False,
               widths: Sequence[int] | None = None) -> str:
    """Join the printed lines of one cell: wrapped lines directly, ended lines with ``hard``.

    ``widths``: the printed width of each line (as laid out, wide gaps included) when the
    lines were cleaned. ``enum_hard``: a line followed by an enumerated item ('2.', '（3）')
    ends there even when full (score-table criteria list their items that way).
    """
    widths = list(widths) if widths is not None else [text_width(s) for s in lines]
    out = ""
    for i, line in enumerate(lines):
        if i == 0:
            out = line
        elif ENUM_START.match(line) and (enum_hard or lines[i - 1].endswith(_SENTENCE_END)):
            # A new numbered item after a finished sentence starts a new line even when the
            # sentence happened to fill its line.
            out += hard + line
        elif is_wrapped(widths[i - 1], line, capacity):
            out += line
        else:
            out += hard + line
    return out


def capacity_of(widths: Sequence[int]) -> int:
    """The width of a column estimated from its lines' printed widths: the widest line."""
    return max(widths, default=0)


def printed_width(raw: str) -> int:
    """Width of a text-layer line as laid out: padding tabs dropped, inner gaps kept."""
    return text_width(raw.replace("\t", " ").strip())


def join_cell_lines(lines, inner_width: float, hard: str = "\n", tol: float = 0.005) -> str:
    """Join a PDF cell's lines (``sources.CellLine``) using measured widths in points."""
    out = ""
    for i, ln in enumerate(lines):
        if i == 0:
            out = ln.text
            continue
        prev = lines[i - 1]
        used = prev.x1 - prev.x0
        if ENUM_START.match(ln.text) and prev.text.endswith(_SENTENCE_END):
            out += hard + ln.text
        elif used + ln.first_token > inner_width + tol:
            out += ln.text
        else:
            out += hard + ln.text
    return out
