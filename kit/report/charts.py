"""The report's charts: what each chart shows, computed from the department or the audit result.

``budget_chart``, ``tasks_chart`` and ``scores_chart`` return a ``Chart``: per panel its title,
axis label, scale and limits, every bar (position, length, colour), every text written in the
plot, the row labels and the legend. ``kit.report.svg.chart_svg`` writes it as an inline SVG
(text as text, drawn by the page's own font: the glyphs travel with the page, see
``pagefont``), so the report needs no plotting library at render time. The content is the one
the former matplotlib drawing showed (tests/test_charts_content.py compares them live with
benchmarks/legacy_charts.py), including the limits matplotlib chose (``_auto_limits``).

Money is Decimal in the kit; charts are the one place where it becomes float.

``_new_figure`` and ``figure_png`` remain for the batch index's matplotlib charts
(``kit.run.portfolio``); matplotlib is imported only when they are called.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Callable

from ..model import BUDGET_STAGES, Department
from ..core.text import for_terminal

DPI = 110
WAN = Decimal(10000)
# A sober palette that survives greyscale printing (dark, mid, light).
COLOURS = {"initial": "#9db4cf", "adjusted": "#3f6e9e", "actual": "#c9822b"}
SELF_COLOUR = "#3f6e9e"
RECOMPUTED_COLOUR = "#c9822b"
WEIGHT_COLOUR = "#e3e7ec"
OVER_COLOUR = "#b5462f"   # an execution rate other than 100 %
NOTE_COLOUR = "#7a2f1f"   # 无法复核
TEXT_COLOUR = "#000000"

# The execution-rate panel's scale; a rate beyond it (a 1 元 budget spent 360,000 元) is drawn at
# the edge with its value written, never placed off the canvas.
RATE_AXIS_MAX = 130.0
# Rows drawn in the task chart; a longer list is summed up in the title (the table has them all).
MAX_TASK_ROWS = 60
# Sizes in points, as the former charts had them (matplotlib's "medium" is 10).
TICK_SIZE = 10.0
ROW_LABEL_SIZE = 8.0
TITLE_SIZE = 10.0
LEGEND_SIZE = 8.0
MARGIN = 0.05  # matplotlib's default axes margin, in data units of the span


@dataclass
class Bar:
    x: float        # where the bar starts (0)
    y: float        # its lower edge in row units (rows are 0, 1, 2 … downwards)
    width: float    # its length (negative for a negative amount)
    height: float
    colour: str


@dataclass
class Note:
    """A text written in the plot: ``ha`` says which end of it is at ``x``."""
    text: str
    x: float
    y: float
    ha: str = "left"
    colour: str = TEXT_COLOUR
    size: float = 8.0


@dataclass
class Panel:
    title: str
    xlabel: str
    xlim: tuple[float, float]
    ylim: tuple[float, float]          # as matplotlib reports an inverted axis: the bottom value first
    yticks: list[float]
    yticklabels: list[str]             # empty on a panel that shares its neighbour's rows
    bars: list[Bar] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (label, colour)
    vlines: list[float] = field(default_factory=list)            # dashed reference lines (100 %)
    xscale: str = "linear"
    tick_format: Callable[[float], str] | None = None
    label_size: float = TICK_SIZE
    width_ratio: float = 1.0


@dataclass
class Chart:
    width: float                     # inches
    height: float
    panels: list[Panel]
    left: float                      # margins in inches
    right: float
    top: float
    bottom: float
    gap: float = 0.0                 # between panels, as a fraction of the mean panel width
    alt: str = ""


def plain(text: str) -> str:
    """Department text for a label: controls and bidi marks as visible escapes, as in the tables."""
    return for_terminal(str(text))


def _wan(value: Decimal | None) -> float | None:
    return None if value is None else float(value / WAN)


def _fmt_wan(x: float) -> str:
    return f"{x:,.2f}"


def _short(text: str, limit: int = 16) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# Advance widths (1/1000 em) of printable ASCII in the kit's font (Noto Sans CJK SC); any other
# character is taken as one em (CJK, full-width punctuation). Used for the room labels need.
_ASCII_WIDTHS = (
    224, 323, 474, 555, 555, 921, 680, 278, 338, 338, 467, 555, 278, 347, 278, 392, 555, 555, 555, 555, 555, 555,
    555, 555, 555, 555, 278, 278, 555, 555, 555, 474, 946, 608, 657, 638, 688, 589, 552, 689, 728, 293, 535, 646,
    543, 812, 723, 742, 633, 742, 635, 596, 599, 721, 575, 878, 573, 531, 603, 338, 392, 338, 555, 559, 606, 563,
    618, 510, 620, 554, 325, 564, 607, 275, 275, 552, 284, 926, 610, 606, 620, 620, 388, 468, 377, 607, 521, 802,
    498, 521, 475, 338, 270, 338, 555,
)


def text_width(text: str, size: float) -> float:
    """The width of ``text`` at ``size`` points, in points."""
    em = sum(_ASCII_WIDTHS[ord(c) - 32] if 32 <= ord(c) < 127 else (0 if ord(c) < 32 else 1000) for c in text)
    return em * size / 1000


def _margins(labels: list[str], label_size: float, right: float = 0.15, top: float = 0.38,
             bottom: float = 0.5) -> dict[str, float]:
    """Margins in inches that leave room for the row ``labels``, the title above and the x tick
    labels and axis label below."""
    widest = max((text_width(s, label_size) for s in labels), default=0.0) / 72
    return {"left": widest * 1.06 + 0.16, "right": right, "top": top, "bottom": bottom}


# --- Limits: the ones matplotlib chose for the former charts (autoscaled, 5 % margins) --------


def _span(bars: list[Bar], axis: str) -> tuple[float, float, float] | None:
    """(lowest, highest, lowest positive) edge of the bars along ``axis``; None with no bar.
    A bar with neither width nor height does not count (as in matplotlib)."""
    edges = []
    for b in bars:
        if not b.width and not b.height:
            continue
        edges += [b.x, b.x + b.width] if axis == "x" else [b.y, b.y + b.height]
    if not edges:
        return None
    positive = [e for e in edges if e > 0]
    return min(edges), max(edges), min(positive, default=math.inf)


def _linear_limits(bars: list[Bar], axis: str, sticky: tuple[float, ...] = ()) -> tuple[float, float]:
    """An autoscaled linear axis: the bars' extent widened by the margin on each side, never past
    a sticky edge (the bars' base, 0) the data reach."""
    span = _span(bars, axis)
    if span is None:  # nothing drawn: matplotlib's untouched 0–1
        return 0.0, 1.0
    lo, hi, _ = span
    if lo == hi:  # a single value: widened by 5 % of itself (0 → ±0.05)
        lo, hi = (lo - MARGIN * abs(lo), hi + MARGIN * abs(hi)) if lo else (-MARGIN, MARGIN)
    tol = 1e-5 * max(abs(lo), abs(hi), abs(hi - lo))
    below = [s for s in sticky if s < lo + tol]
    above = [s for s in sticky if s > hi - tol]
    delta = (hi - lo) * MARGIN
    x0, x1 = lo - delta, hi + delta
    if below:
        x0 = max(x0, max(below))
    if above:
        x1 = min(x1, min(above))
    return x0, x1


def _log_limits(bars: list[Bar]) -> tuple[float, float]:
    """An autoscaled log axis: from the smallest positive edge to the largest (1–10 when nothing
    positive is drawn), widened by the margin in decades."""
    span = _span(bars, "x")
    lo, hi, minpos = (1.0, 10.0, 1.0) if span is None or span[1] <= 0 else span
    lo = minpos if lo <= 0 else lo
    if lo == hi:
        lo, hi = 10 ** math.floor(math.log10(lo) - 1e-12), 10 ** math.ceil(math.log10(hi) + 1e-12)
    a, b = math.log10(lo), math.log10(hi)
    d = (b - a) * MARGIN
    return 10 ** (a - d), 10 ** (b + d)


def _rows(bars: list[Bar], ticks: list[float]) -> tuple[float, float]:
    """Row limits (the bottom value first: rows run downwards): the bars' extent with margins,
    reaching every row label."""
    lo, hi = _linear_limits(bars, "y")
    if len(ticks) > 1:
        lo, hi = min(lo, *ticks), max(hi, *ticks)
    return hi, lo


def _series(bars: list[tuple[float, float]], height: float, colour: str) -> list[Bar]:
    """Horizontal bars ``(centre y, length)`` of one series."""
    return [Bar(0.0, y - height / 2, v, height, colour) for y, v in bars]


def _legend(entries: list[tuple[str, str, bool]]) -> list[tuple[str, str]]:
    """The legend names a series when its first row has a bar, as the former charts did."""
    return [(label, colour) for label, colour, named in entries if named]


# --- The three charts ----------------------------------------------------------------------


def budget_chart(dept: Department) -> Chart:
    """年初预算 / 调整后预算 / 执行数 for 基本支出, 项目支出 and 合计 (万元), as horizontal bars."""
    parts = (("total", "部门支出合计"), ("basic", "基本支出"), ("project", "项目支出"))
    h = 0.26
    top = bottom = 0.0
    bars: list[Bar] = []
    notes: list[Note] = []
    legend: list[tuple[str, str, bool]] = []
    for i, (stage, label) in enumerate(BUDGET_STAGES.items()):
        row = getattr(dept.budget, stage)
        named = False
        for j, (part, _plabel) in enumerate(parts):
            v = _wan(getattr(row, part).value)
            y = j + (i - 1) * h
            if v is None:
                notes.append(Note(" 无数值", 0, y, size=8))
                continue
            top, bottom = max(top, v), min(bottom, v)
            bars += _series([(y, v)], h * 0.92, COLOURS[stage])
            named = named or j == 0
            # A negative amount's label ends at its bar's end, inside the axis (the limits below).
            notes.append(Note(f" {_fmt_wan(v)}" if v >= 0 else f"{_fmt_wan(v)} ", v, y,
                              "left" if v >= 0 else "right", size=7.5))
        legend.append((label, COLOURS[stage], named))
    ticks = [0.0, 1.0, 2.0]
    labels = [p[1] for p in parts]
    panel = Panel("部门预算：年初批复、调整后与年末执行", "金额（万元）",
                  (bottom * 1.22 if bottom < 0 else 0, top * 1.22 if top > 0 else 1), _rows(bars, ticks),
                  ticks, labels, bars, notes, _legend(legend), tick_format=lambda v: f"{v:,.0f}")
    return Chart(8.0, 3.6, [panel], **_margins(labels, TICK_SIZE), alt="部门预算年初批复、调整后与年末执行对比柱状图")


def tasks_chart(dept: Department) -> Chart:
    """Per 年度主要任务: 预算数 vs 执行数 (万元, log scale) and the execution rate."""
    tasks = list(dept.tasks)[:MAX_TASK_ROWS]
    n = max(len(tasks), 1)
    names = [f"{i + 1}. {plain(_short(t.name))}" for i, t in enumerate(tasks)]
    ys = [float(y) for y in range(len(tasks))]
    h = 0.38
    budget: list[tuple[float, float]] = []
    actual: list[tuple[float, float]] = []
    rate_bars: list[Bar] = []
    rate_notes: list[Note] = []
    for y, t in zip(ys, tasks):
        b, a = _wan(t.budget.total.value), _wan(t.actual.total.value)
        if b is not None and b > 0:
            budget.append((y - h / 2, b))
        if a is not None and a > 0:
            actual.append((y + h / 2, a))
        if b and a is not None and t.budget.total.value:
            rate = float(t.actual.total.value / t.budget.total.value * 100)
            shown = min(max(rate, 0.0), RATE_AXIS_MAX)
            rate_bars += _series([(y, shown)], 0.6, COLOURS["adjusted"] if abs(rate - 100) < 0.005 else OVER_COLOUR)
            beyond = rate > RATE_AXIS_MAX
            rate_notes.append(Note(f"{rate:,.2f}% " if beyond else f" {rate:,.2f}%", shown, y,
                                   "right" if beyond else "left", "#ffffff" if beyond else TEXT_COLOUR, 7))
        else:
            rate_notes.append(Note(" 无法计算", 0, y, size=7))
    bars = _series(budget, h, COLOURS["adjusted"]) + _series(actual, h, COLOURS["actual"])
    legend = _legend([("预算数", COLOURS["adjusted"], any(y == -h / 2 for y, _ in budget)),
                      ("执行数", COLOURS["actual"], any(y == h / 2 for y, _ in actual))])
    rows = _rows(bars + rate_bars, ys)
    more = len(dept.tasks) - len(tasks)
    title = "年度主要任务：预算数与执行数" + (f"（仅列前 {len(tasks)} 项，另有 {more} 项见上表）" if more > 0 else "")
    amounts = Panel(title, "金额（万元，对数刻度）", _log_limits(bars), rows, ys, names, bars, [], legend,
                    xscale="log", tick_format=lambda v: f"{v:,.0f}" if v >= 1 else f"{v:g}",
                    label_size=ROW_LABEL_SIZE, width_ratio=3)
    rates = Panel("执行率", "执行率（%）", (0.0, RATE_AXIS_MAX), rows, ys, [], rate_bars, rate_notes,
                  vlines=[100.0], width_ratio=1.3)
    return Chart(9.0, 1.2 + 0.38 * n, [amounts, rates], **_margins(names, ROW_LABEL_SIZE, right=0.2), gap=0.08,
                 alt="各年度主要任务预算数与执行数对比及执行率条形图")


def _score(value) -> float | None:
    if value is None:
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(value) else value


def scores_chart(audit_or_scores) -> Chart:
    """Per 三级指标: 分数 (weight), 自评分数 and 复核分数; rows that cannot be recomputed are marked."""
    scores = getattr(audit_or_scores, "scores", audit_or_scores)
    rows = list(scores.itertuples(index=False))
    n = max(len(rows), 1)
    labels = [plain(_short(str(row.indicator), 14)) for row in rows]
    ys = [float(y) for y in range(len(rows))]
    weights: list[tuple[float, float]] = []
    selfs: list[tuple[float, float]] = []
    recomputed: list[tuple[float, float]] = []
    notes: list[Note] = []
    for y, row in zip(ys, rows):
        w, s, r = _score(row.weight), _score(row.self_score), _score(row.recomputed_score)
        if w is not None:
            weights.append((y, w))
        if s is not None:
            selfs.append((y - 0.15, s))
        if r is not None:
            recomputed.append((y + 0.15, r))
        else:
            notes.append(Note("无法复核", 0.1, y + 0.15, colour=NOTE_COLOUR, size=7))
    bars = (_series(weights, 0.8, WEIGHT_COLOUR) + _series(selfs, 0.3, SELF_COLOUR)
            + _series(recomputed, 0.3, RECOMPUTED_COLOUR))
    legend = _legend([("分数（权重）", WEIGHT_COLOUR, any(y == 0 for y, _ in weights)),
                      ("自评分数", SELF_COLOUR, any(y == -0.15 for y, _ in selfs)),
                      ("复核分数", RECOMPUTED_COLOUR, any(y == 0.15 for y, _ in recomputed))])
    panel = Panel("评分复核：各三级指标的分数、自评分数与复核分数", "分值", _linear_limits(bars, "x", (0.0,)),
                  _rows(bars, ys), ys, labels, bars, notes, legend, label_size=ROW_LABEL_SIZE)
    return Chart(9.0, 1.3 + 0.3 * n, [panel], **_margins(labels, ROW_LABEL_SIZE),
                 alt="各三级指标分数、自评分数与复核分数对比条形图")


# --- matplotlib, for the batch index's charts (kit.run.portfolio) only --------------------------


def _new_figure(width: float, height: float, layout: str | None = "constrained"):
    """A matplotlib figure with the CJK font registered (no pyplot state)."""
    from matplotlib.figure import Figure

    from .fonts import setup_fonts

    setup_fonts()
    return Figure(figsize=(width, height), dpi=DPI, layout=layout)


PNG_COLOURS = 64  # a chart has a few flat colours and antialiased text: 64 keep it as drawn


def figure_png(fig) -> bytes:
    """PNG bytes of a matplotlib figure at a fixed dpi, no metadata: the same figure gives the
    same bytes. Stored with a palette of ``PNG_COLOURS`` colours (no dithering): it looks the
    same at a quarter of the size of the full-colour PNG."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text
    from PIL import Image

    # Labels are plain text even under a matplotlibrc with text.usetex: LaTeX would read
    # department text ('%', '_', '#', '\\') as markup. Ticks made while drawing follow the rc.
    if matplotlib.rcParams["text.usetex"]:
        for text in fig.findobj(Text):
            text.set_usetex(False)
    with matplotlib.rc_context({"text.usetex": False}):
        fig.set_dpi(DPI)
        fig.set_facecolor("white")
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        rgb = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba()).convert("RGB")
    image = rgb.quantize(PNG_COLOURS, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=6)
    return buf.getvalue()
