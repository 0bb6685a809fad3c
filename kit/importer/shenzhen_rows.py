"""Where a wrapped cell of the Shenzhen text layer ends, read from printed widths and the form's names:
a score row's opening line and its 二级/三级指标 names, how many body lines are 指标说明, where an
indicator's 三级指标 ends and its 指标值 begins (``TextLayout.indicators`` and ``scores``)."""
from __future__ import annotations

from collections import Counter

from .shenzhen_vocab import SCORE_LEVEL1, SCORE_LEVEL_LABELS, WEIGHT_LINE, rules_levels
from .wrap import text_width


def is_body_text(pre: str) -> bool:
    """A score row's head is a short name; a long sentence before a number is body text."""
    return text_width(pre) > 40 or any(c in pre for c in "，。；")


def starts_score_row(s: str) -> bool:
    """A line that opens a score row: a known 三级指标 (after an optional 二级指标) and its 分数."""
    m = WEIGHT_LINE.match(s)
    if not m or not m.group("pre"):
        return False
    _l2, name = score_names(m.group("pre").split())
    from ..engine.rules import norm_name

    return norm_name(name) in rules_levels()


def score_names(head: list[str]) -> tuple[str, str]:
    """(二级指标 or '', 三级指标) from a score row's head lines: '制度管理 管理制度健全性', or
    '效果性' on a line of its own before the wrapped 三级指标."""
    words: list[str] = []
    for t in head:
        words += t.split()
    level2 = ""
    while words and words[0] in SCORE_LEVEL_LABELS and len(words) > 1:
        w = words.pop(0)
        if w not in SCORE_LEVEL1:
            level2 = w
    return level2, "".join(words)


def mode_width(values: list) -> int:
    """The most frequent printed width (the narrower on a tie); lines or widths."""
    widths = Counter(v if isinstance(v, int) else text_width(v) for v in values if v)
    if not widths:
        return 0
    best = max(widths.values())
    return min(w for w, c in widths.items() if c == best)


def desc_lines(widths: list[int], desc_w: int) -> int:
    """How many of a score row's body lines are 指标说明 (the rest are 评分标准): the
    description's lines are full at its column width, its last line shorter."""
    if not widths:
        return 0
    n = 0
    for w in widths:
        if w > desc_w + 1:
            break
        n += 1
        if w < desc_w - 2:
            break
    return max(1, n) if len(widths) > 1 else 1


def split_inline(parts: list[str]) -> list[str]:
    """An indicator row's lines; a line holding two cells ('公立医院平均住院日 较上年提高') is split."""
    out = []
    for i, p in enumerate(parts):
        toks = p.split(" ")
        if i == 0 and len(toks) == 2:
            out += [toks[0], "\x00" + toks[1]]  # \x00: starts a new cell
        else:
            out.append(p)
    return out


def split_level3(parts: list[str], w3: int) -> tuple[str, str, str]:
    """(三级指标, 指标值, reason when inferred) from an indicator row's lines: the 三级指标's
    lines are full at its column width until its last line."""
    if any(p.startswith("\x00") for p in parts):
        k = next(i for i, p in enumerate(parts) if p.startswith("\x00"))
        level3 = parts[:k]
        target = [parts[k][1:]] + parts[k + 1:]
        return "".join(level3), "".join(target), ""  # a 指标值's lines are wrapped, never ended
    n = 0
    for p in parts:
        w = text_width(p)
        if n and w > w3:
            break
        n += 1
        if w < w3 - 1:
            break
    if n >= len(parts):
        if len(parts) >= 2:
            return "".join(parts[:-1]), parts[-1], "三级指标与指标值之间没有可分辨的界线；取最后一行为指标值"
        return parts[0], "", "只印出一个栏目，取作三级指标"
    return "".join(parts[:n]), "".join(parts[n:]), ""
