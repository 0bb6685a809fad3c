"""A chart (``kit.report.charts.Chart``) written as an inline SVG element.

The SVG is laid out in points (the viewBox) and shown at the size the former 110-dpi PNG had;
it scales with the page and prints as vectors in the PDF. Its texts are text: the page's font
stack draws them (the page carries the Chinese glyphs it uses, ``pagefont``), a reader can
select and search them, and department text is escaped as everywhere on the page. No id, no
script, no external reference: several charts live on one page without clashing.

Layout follows matplotlib's defaults the former charts used: left and bottom spines, ticks
3.5 pt outward with labels 3.5 pt beyond, the title 6 pt above the plot, the axis label 4 pt
below the tick labels; the legend is one row above the plot, right-aligned, where it can never
hide a bar.
"""
from __future__ import annotations

import html
import math

from .charts import DPI, LEGEND_SIZE, TEXT_COLOUR, TICK_SIZE, TITLE_SIZE, Chart, Panel, text_width

PT = 72.0                 # points per inch: the viewBox unit
TICK = 3.5                # tick length and label pad, points
LEGEND_ROW = 0.2          # inches added above the plot for the legend row
SPACE = 0.224             # the font's space, in em (a text's leading or trailing space is an offset)


def _n(v: float) -> str:
    """A coordinate, short: one decimal in points is a tenth of a pixel or less."""
    s = f"{v:.1f}"
    return s[:-2] if s.endswith(".0") else ("0" if s == "-0" else s)


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _text(x: float, y: float, text: str, size: float, anchor: str = "start", colour: str = TEXT_COLOUR,
          baseline: str = "central") -> str:
    """One text; spaces at its ends become an offset (SVG would collapse them)."""
    lead, trail = len(text) - len(text.lstrip(" ")), len(text) - len(text.rstrip(" "))
    x += (lead if anchor == "start" else -trail if anchor == "end" else 0) * SPACE * size
    attrs = f'x="{_n(x)}" y="{_n(y)}" font-size="{_n(size) if size != int(size) else int(size)}"'
    if anchor != "start":
        attrs += f' text-anchor="{anchor}"'
    if baseline:
        attrs += f' dominant-baseline="{baseline}"'
    if colour != TEXT_COLOUR:
        attrs += f' fill="{colour}"'
    return f"<text {attrs}>{_esc(text.strip(' '))}</text>"


def nice_ticks(lo: float, hi: float, length: float) -> list[float]:
    """Ticks at 1, 2, 2.5 or 5 times a power of ten, at most one per three tick-label heights."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    bins = max(1, min(9, int(length // (TICK_SIZE * 3))))
    raw = (hi - lo) / bins
    mag = 10 ** math.floor(math.log10(raw))
    step = next(s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw * (1 - 1e-9))
    first = math.ceil(lo / step - 1e-9)
    ticks = []
    k = first
    while k * step <= hi + step * 1e-9:
        ticks.append(0.0 if abs(k * step) < step * 1e-9 else k * step)
        k += 1
    return ticks


def log_ticks(lo: float, hi: float, length: float) -> tuple[list[float], list[float]]:
    """Major ticks at powers of ten (at 2 and 5 times them, or at every step, when fewer than
    two fit; evenly spaced values within a single step) and the minor ticks between them."""
    a, b = math.ceil(math.log10(lo) - 1e-9), math.floor(math.log10(hi) + 1e-9)
    decades = list(range(a, b + 1))
    stride = max(1, math.ceil(len(decades) / max(1, min(9, int(length // (TICK_SIZE * 3))))))
    major = [10.0 ** k for k in decades[::stride]]
    span = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    steps = [m * 10.0 ** k for k in range(span[0], span[1] + 1) for m in range(1, 10)]
    inside = [v for v in steps if lo <= v <= hi]
    if len(major) < 2:  # less than a decade shown: 1, 2 and 5 times a power of ten, else every step
        major = [v for v in inside if round(v / 10 ** math.floor(math.log10(v) + 1e-9)) in (1, 2, 5)]
        if len(major) < 2:
            major = inside if len(inside) >= 2 else nice_ticks(lo, hi, length)
    minor = [v for v in inside if v not in major] if span[1] - span[0] <= 10 else []
    return major, minor


def _plain_format(ticks: list[float]):
    """Tick labels with the decimals the ticks need (0, 2.5, 5.0 …), as matplotlib shows them."""
    decimals = 0
    for v in ticks:
        for d in range(0, 7):
            if abs(round(v, d) - v) < 1e-9 * max(1.0, abs(v)):
                decimals = max(decimals, d)
                break
    return lambda v: f"{v:.{decimals}f}"


class _Axes:
    """A panel's place on the canvas (points) and its data-to-canvas mapping."""

    def __init__(self, panel: Panel, left: float, top: float, width: float, height: float):
        self.p, self.left, self.top, self.width, self.height = panel, left, top, width, height
        self.log = panel.xscale == "log"

    def x(self, v: float) -> float:
        x0, x1 = self.p.xlim
        if self.log:
            v = max(v, x0 * 1e-3) if v > 0 else x0 * 1e-3  # 0 on a log axis is past its left edge
            f = (math.log10(v) - math.log10(x0)) / (math.log10(x1) - math.log10(x0))
        else:
            f = (v - x0) / (x1 - x0) if x1 != x0 else 0.0
        return self.left + min(max(f, -0.001), 1.001) * self.width  # bars stop at the plot's edges

    def y(self, v: float) -> float:
        bottom, top = self.p.ylim  # as matplotlib reports an inverted axis: the value at the bottom first
        return self.top + ((v - top) / (bottom - top) if bottom != top else 0.5) * self.height


def _panel(ax: _Axes, legend_row: bool) -> list[str]:
    p = ax.p
    out = ['<g shape-rendering="crispEdges">']
    for b in p.bars:
        xa, xb = sorted((ax.x(b.x), ax.x(b.x + b.width)))
        ya, yb = sorted((ax.y(b.y), ax.y(b.y + b.height)))
        if xb - xa > 0.01 and yb - ya > 0.01:
            out.append(f'<rect x="{_n(xa)}" y="{_n(ya)}" width="{_n(xb - xa)}" height="{_n(yb - ya)}" fill="{b.colour}"/>')
    out.append("</g>")
    for v in p.vlines:
        x = ax.x(v)
        out.append(f'<line x1="{_n(x)}" y1="{_n(ax.top)}" x2="{_n(x)}" y2="{_n(ax.top + ax.height)}" '
                   f'stroke="#555555" stroke-width="0.8" stroke-dasharray="3 1.3"/>')
    for t in p.notes:
        anchor = {"left": "start", "right": "end", "center": "middle"}[t.ha]
        out.append(_text(ax.x(t.x), ax.y(t.y), t.text, t.size, anchor, t.colour))
    # Spines, ticks and their labels.
    left, bottom, right = ax.left, ax.top + ax.height, ax.left + ax.width
    ticks = ['<path stroke="#000000" stroke-width="0.8" fill="none" d="'
             f'M{_n(left)} {_n(ax.top)}V{_n(bottom)}H{_n(right)}']
    labels = []
    lo, hi = sorted(p.ylim)
    for v, label in zip(p.yticks, p.yticklabels or [""] * len(p.yticks)):
        if lo - 1e-9 <= v <= hi + 1e-9:
            y = ax.y(v)
            ticks.append(f"M{_n(left)} {_n(y)}h-{TICK}")
            if label:
                labels.append(_text(left - 2 * TICK, y, label, p.label_size, "end"))
    if ax.log:
        major, minor = log_ticks(*p.xlim, ax.width)
    else:
        major, minor = nice_ticks(*p.xlim, ax.width), []
    fmt = p.tick_format or _plain_format(major)
    for v in major:
        x = ax.x(v)
        ticks.append(f"M{_n(x)} {_n(bottom)}v{TICK}")
        labels.append(_text(x, bottom + 2 * TICK, fmt(v), TICK_SIZE, "middle", baseline="hanging"))
    for v in minor:
        ticks.append(f"M{_n(ax.x(v))} {_n(bottom)}v2")
    out.append("".join(ticks) + '"/>')
    out += labels
    centre = left + ax.width / 2
    if p.xlabel:
        out.append(_text(centre, bottom + 2 * TICK + TICK_SIZE * 1.2 + 4, p.xlabel, TICK_SIZE, "middle",
                         baseline="hanging"))
    title_y = ax.top - 6 - (LEGEND_ROW * PT if legend_row else 0)
    if p.title:
        out.append(_text(centre, title_y, p.title, TITLE_SIZE, "middle", baseline="auto"))
    if p.legend:
        out += _legend(p.legend, right, ax.top - 6)
    return out


def _legend(entries: list[tuple[str, str]], right: float, baseline: float) -> list[str]:
    """One row of colour swatches and labels ending at ``right``, its text centred ``baseline``
    minus half a line above the plot."""
    size = LEGEND_SIZE
    y = baseline - size * 0.35
    out = []
    x = right
    for label, colour in reversed(entries):
        x -= text_width(label, size)
        out.append(_text(x, y, label, size))
        x -= 0.8 * size + 2 * size
        out.append(f'<rect x="{_n(x)}" y="{_n(y - 0.35 * size)}" width="{_n(2 * size)}" height="{_n(0.7 * size)}" '
                   f'fill="{colour}"/>')
        x -= 1.5 * size
    return out


def chart_svg(chart: Chart) -> str:
    """The chart as an ``<svg>`` element (points in its viewBox, 110 px an inch on the page)."""
    legend_row = any(p.legend for p in chart.panels)
    extra = LEGEND_ROW if legend_row else 0.0
    w, h = chart.width * PT, (chart.height + extra) * PT
    left, right = chart.left * PT, w - chart.right * PT
    top, bottom = (chart.top + extra) * PT, h - chart.bottom * PT
    ratios = [p.width_ratio for p in chart.panels]
    n = len(ratios)
    cell = (right - left) / (n + chart.gap * (n - 1))  # the mean panel width
    gap = chart.gap * cell
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="kit-chart" viewBox="0 0 {_n(w)} {_n(h)}" '
             f'width="{round(chart.width * DPI)}" height="{round((chart.height + extra) * DPI)}" role="img" '
             f'aria-label="{_esc(chart.alt)}">',
             f'<rect width="{_n(w)}" height="{_n(h)}" fill="#ffffff"/>']
    x = left
    for p, r in zip(chart.panels, ratios):
        pw = cell * n * r / sum(ratios)
        parts += _panel(_Axes(p, x, top, pw, bottom - top), legend_row)
        x += pw + gap
    parts.append("</svg>")
    return "".join(parts)
