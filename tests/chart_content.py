"""What a chart shows, independent of how it is laid out or rasterised: per axes its title,
axis labels, scale and limits, every bar (position, length, colour), every text written in the
plot, the row labels and the legend's entries. Two charts with the same content show the same
figures to a reader (tests/test_charts_content.py compares the report's charts with the content
they had before the drawing was made cheaper)."""
from __future__ import annotations

from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle


def _r(v: float) -> float:
    """Nine significant digits, at most six decimals: far beyond what a reader sees, and blind to
    the last bits of float arithmetic (a log axis' limit near 2e17 computed two ways)."""
    v = round(float(v), 6)
    return float(f"{v:.9g}") + 0.0


def content(fig) -> list[dict]:
    fig.canvas.draw() if fig.canvas is not None and hasattr(fig.canvas, "draw") else None
    out = []
    for ax in fig.axes:
        bars = sorted((_r(p.get_x()), _r(p.get_y()), _r(p.get_width()), _r(p.get_height()), to_hex(p.get_facecolor()))
                      for p in ax.patches if isinstance(p, Rectangle))
        texts = sorted((t.get_text(), _r(t.get_position()[0]), _r(t.get_position()[1]), t.get_ha(), to_hex(t.get_color()))
                       for t in ax.texts)
        legend = ax.get_legend()
        out.append({
            "title": ax.get_title(), "xlabel": ax.get_xlabel(), "xscale": ax.get_xscale(),
            "xlim": [_r(v) for v in ax.get_xlim()], "ylim": [_r(v) for v in ax.get_ylim()],
            "yticks": [_r(v) for v in ax.get_yticks()],
            "yticklabels": [t.get_text() for t in ax.get_yticklabels() if t.get_visible()],
            "bars": [list(b) for b in bars], "texts": [list(t) for t in texts],
            "legend": [t.get_text() for t in legend.get_texts()] if legend else [],
        })
    return out


def chart_content(chart) -> list[dict]:
    """The same record for a ``kit.report.charts.Chart`` (what the kit draws as SVG). The former
    drawing wrote a '$' in department text as '\\$' (matplotlib's math escape): compared so."""
    def label(text: str) -> str:
        return text.replace("$", "\\$")

    out = []
    for p in chart.panels:
        out.append({
            "title": p.title, "xlabel": p.xlabel, "xscale": p.xscale,
            "xlim": [_r(v) for v in p.xlim], "ylim": [_r(v) for v in p.ylim],
            "yticks": [_r(v) for v in p.yticks],
            "yticklabels": [label(t) for t in p.yticklabels],
            "bars": [list(b) for b in sorted((_r(b.x), _r(b.y), _r(b.width), _r(b.height), b.colour) for b in p.bars)],
            "texts": [list(t) for t in sorted((label(n.text), _r(n.x), _r(n.y), n.ha, n.colour) for n in p.notes)],
            "legend": [name for name, _ in p.legend],
        })
    return out
