"""Property test of the generic reader: generated self-evaluation forms printed in every text layout
(`|` with merged cells printed blank, `|` with merged cells left out, tabs, runs of spaces, two forms
in one file), one cell blanked, garbled, merged with its neighbour or dropped. Whatever the damage, a
value placed is a cell printed on the line its record names, and no row the damage did not touch
gets a number other than its own; a damaged row's numbers are its own or absent."""
from __future__ import annotations

import re
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.importer import FormError, import_forms

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
STYLES = ("pipe_blank", "pipe_omit", "tab", "space", "stream", "two_forms")
FUND_COLS = ("source", "initial", "adjusted", "actual", "weight", "rate", "score")
IND_COLS = ("level1", "level2", "level3", "target", "actual", "weight", "score", "deviation")
NAMES = ("培训人次", "验收合格率", "资金支付完成率", "服务覆盖率", "群众满意度", "单位服务成本", "项目完成率", "设备完好率")
LEVELS = (("产出指标", ("数量指标", "质量指标", "时效指标")), ("效益指标", ("社会效益指标",)), ("满意度指标", ("服务对象满意度指标",)))
_WS = re.compile(r"\s+")


@dataclass
class Cell:
    text: str
    row: str  # the row's key (fund source or indicator name)
    field: str


def _amount(draw) -> str:
    v = draw(st.integers(min_value=1, max_value=99999))
    return f"{v / 100:.2f}" if draw(st.booleans()) else str(v)


@st.composite
def forms(draw):
    """(rows of cells, the generated values {(row, field): text}) for one form."""
    values: dict[tuple[str, str], str] = {}
    rows: list[list[Cell]] = []
    sources = ["年度资金总额", "其中:当年财政拨款", "上年结转资金", "其他资金"][: draw(st.integers(2, 4))]
    for k, src in enumerate(sources):
        a, b, c = _amount(draw), _amount(draw), _amount(draw)
        row = [Cell(src, src, "source"), Cell(a, src, "initial"), Cell(b, src, "adjusted"), Cell(c, src, "actual")]
        if k == 0:
            row += [Cell("10", src, "weight"), Cell(f"{draw(st.integers(50, 100))}%", src, "rate"),
                    Cell(str(draw(st.integers(5, 10))), src, "score")]
        else:
            row += [Cell("", src, "weight"), Cell("", src, "rate"), Cell("", src, "score")]
        rows.append(row)
    names = draw(st.lists(st.sampled_from(NAMES), min_size=2, max_size=6, unique=True))
    prev1 = prev2 = None
    for n in names:
        l1, l2s = draw(st.sampled_from(LEVELS))
        l2 = draw(st.sampled_from(l2s))
        target = draw(st.sampled_from(["100", "95%", "≥90%", "完成", "30"]))
        actual = draw(st.sampled_from(["100", "96%", "92%", "完成", "28"]))
        weight = str(draw(st.integers(5, 30)))
        score = str(draw(st.integers(0, int(weight))))
        dev = draw(st.sampled_from(["", "", "部分未完成"]))
        row = [Cell(l1 if l1 != prev1 else "", n, "level1"), Cell(l2 if (l1, l2) != (prev1, prev2) else "", n, "level2"),
               Cell(n, n, "level3"), Cell(target, n, "target"), Cell(actual, n, "actual"), Cell(weight, n, "weight"),
               Cell(score, n, "score"), Cell(dev, n, "deviation")]
        prev1, prev2 = l1, l2
        rows.append(row)
    for row in rows:
        for c in row:
            values[(c.row, c.field)] = c.text
    return rows, values


@st.composite
def damage(draw, rows):
    """(kind, row index, cell index, new text) — one cell of one data row."""
    r = draw(st.integers(0, len(rows) - 1))
    filled = [i for i, c in enumerate(rows[r]) if c.text and c.field not in ("source", "level3")]
    if not filled:
        return None
    i = draw(st.sampled_from(filled))
    how = draw(st.sampled_from(["blank", "garble", "merge", "drop", "none"]))
    text = draw(st.sampled_from(["8口0", "#x", "1O0", "２０", "(12.00)", "—"])) if how == "garble" else ""
    return how, r, i, text


def _print(rows: list[list[Cell]], style: str, year: int, name: str, total: int, keys: list) -> list[str]:
    """The printed lines; ``keys`` gets, line by line, the generated row each line prints (None: not a row)."""
    sep = {"tab": "\t", "space": "  "}.get(style, " | ")
    head = [f"{year}年度{name}项目支出绩效自评表", f"项目名称{sep}{name}", f"主管部门{sep}某局{sep}实施单位{sep}{name}中心",
            sep.join(("项目资金(万元)", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"))]
    if style == "stream":  # one cell per line, each closed by a bar; merged cells left out
        out = [head[0]] + [f"{x} |" for line in head[1:] for x in line.split(sep)]
        keys += [None] * len(out)
        ind_head = ("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施")
        for row in rows:
            if row[0].field == "level1" and f"{ind_head[0]} |" not in out:
                out += [f"{x} |" for x in ind_head]
                keys += [None] * len(ind_head)
            texts = [c.text for c in row]
            if row[0].field == "level1":
                while texts and not texts[0] and len(texts) > 6:
                    texts = texts[1:]
            out += [f"{x} |".strip() if x else "|" for x in texts]
            keys += [(name, row[0].row)] * len(texts)
        out += ["总分 |", "100 |", f"{total} |"]
        keys += [None] * 3
        return out
    out = list(head)
    keys += [None] * len(head)
    ind_head = sep.join(("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"))
    for row in rows:
        if row[0].field == "level1" and ind_head not in out:
            out.append(ind_head)
            keys.append(None)
        texts = [c.text for c in row]
        if style == "pipe_omit" and row[0].field == "level1":
            while texts and not texts[0] and len(texts) > 6:
                texts = texts[1:]
        if style == "space":
            texts = [t for t in texts if t]
        line = sep.join(texts)
        out.append(line.rstrip() if style != "tab" else line)
        keys.append((name, row[0].row))
    out.append(f"总分{sep}100{sep}{total}")
    keys.append(None)
    return out


def _apply(rows, dmg) -> tuple[list[list[Cell]], tuple[str, str] | None]:
    if dmg is None or dmg[0] == "none":
        return rows, None
    how, r, i, text = dmg
    rows = [list(row) for row in rows]
    cell = rows[r][i]
    if how in ("blank", "garble"):
        rows[r][i] = Cell(text, cell.row, cell.field)
    elif how == "merge" and i + 1 < len(rows[r]):
        rows[r][i] = Cell(f"{cell.text} {rows[r][i + 1].text}".strip(), cell.row, cell.field)
        del rows[r][i + 1]
    elif how == "drop":
        del rows[r][i]
    return rows, (cell.row, how)


def _cells_of(line: str) -> set[str]:
    parts = re.split(r"\||\t", line) if ("|" in line or "\t" in line) else line.split()
    return {_WS.sub("", p) for p in parts}


_FIELD = re.compile(r"^(?:funds\.rows\.\d+\.|funds\.|indicators\.\d+\.)(initial|adjusted|actual|weight|rate|score|target)$")


def _check(path, printed: list[str], keys: list, values: list[dict], touched: list[str]):
    try:
        found = import_forms(path, "generic")
    except FormError as exc:  # a refusal must say why, never a traceback
        assert str(exc)
        return
    assert len(found) == len(values)
    want = {(name, *k): v for name, w in zip("甲乙", values) for k, v in w.items()}
    strict = 0
    for _doc, rec in found:
        for e in rec.entries:
            src = e.source
            if "line" not in src or not re.search(r"\d", e.value) or e.field.startswith("department"):
                continue
            line = printed[src["line"] - 1]
            v = _WS.sub("", e.value)
            cells = _cells_of(line)
            assert v in cells or any(c.startswith(v) and re.fullmatch(r"\D{1,2}", c[len(v):]) for c in cells), \
                (e.field, e.value, line)
            m = _FIELD.match(e.field)
            key = keys[src["line"] - 1]
            if m and key is not None and key not in touched:  # a row the damage did not touch: its own number
                assert want.get((*key, m.group(1))) == e.value, (e.field, e.value, key, want.get((*key, m.group(1))), line)
                strict += 1
    if "gen_space" not in path.name:  # with blank cells kept, the rows the damage missed are read
        assert strict >= 3


def _total(want: dict) -> int:
    return sum(int(v) for (_k, f), v in want.items() if f == "score" and v and "%" not in v and _k not in FUNDS)


FUNDS = ("年度资金总额", "其中:当年财政拨款", "上年结转资金", "其他资金")


@SETTINGS
@given(data=st.data(), style=st.sampled_from(STYLES))
def test_damage_to_one_cell_never_moves_a_number(tmp_path, data, style):
    first, want1 = data.draw(forms())
    dmg = data.draw(damage(first))
    rows, touched = _apply(first, dmg)
    keys: list = []
    printed = _print(rows, "pipe_blank" if style == "two_forms" else style, 2021, "甲", _total(want1), keys)
    values = [want1]
    if style == "two_forms":
        second, want2 = data.draw(forms())
        printed += _print(second, "pipe_blank", 2021, "乙", _total(want2), keys)
        values.append(want2)
    path = tmp_path / f"gen_{style}_2021.txt"
    path.write_text("\n".join(printed) + "\n", encoding="utf-8")
    _check(path, printed, keys, values, [("甲", touched[0])] if touched else [])
