"""What a chart shows, independent of how it is laid out or rasterised: per axes its title,
axis labels, scale and limits, every bar (position, length, colour), every text written in the
plot, the row labels and the legend's entries. Two charts with the same content show the same
figures to a reader (tests/test_charts_content.py compares the report's charts with the content
they had before the drawing was made cheaper)."""
from __future__ import annotations

from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle


def _r(v: float) -> float:
    return round(float(v), 6)


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
