"""A page's ruled tables from its edges: pdfplumber's ``TableFinder`` with the lines strategy
(table.py, default tolerances), the same steps with the same float arithmetic in the same order,
so the same cells and table boxes. What differs is only how the work is looked up: edges as
tuples instead of dicts copied at every step, the intersections of an edge found by bisection
instead of against every edge of the other direction, and each point's cell found from the
points on its own row and column instead of a scan of every point after it
(``tests/test_pdf_reader.py`` compares both on every layout the import tests use).
"""
from __future__ import annotations

import bisect
import math
from itertools import groupby

SNAP = 3  # snap_tolerance
JOIN = 3  # join_tolerance
MIN_LENGTH = 3  # edge_min_length
MIN_LENGTH_PREFILTER = 1  # edge_min_length_prefilter
INTERSECT = 3  # intersection_tolerance

# An edge: [x0, top, x1, bottom, length] (length: height of a vertical edge, width of a
# horizontal one: the one of the two that pdfplumber's filters and joins read).
X0, TOP, X1, BOTTOM, LENGTH = range(5)


class GridTable:
    """What the reader uses of pdfplumber's ``Table``: its cells (x0, top, x1, bottom) and box."""

    __slots__ = ("cells",)

    def __init__(self, cells: list[tuple]) -> None:
        self.cells = cells

    @property
    def bbox(self) -> tuple:
        c = self.cells
        return (min(b[0] for b in c), min(b[1] for b in c), max(b[2] for b in c), max(b[3] for b in c))


def find_tables(edges: list[dict]) -> list[GridTable] | None:
    """The tables pdfplumber's ``TableFinder(page, {"vertical_strategy": "lines",
    "horizontal_strategy": "lines"}).tables`` finds on a page with these ``edges`` (pdfplumber's
    edge dicts: x0, x1, top, bottom, width, height, orientation); ``None`` when a coordinate is not
    finite (the caller asks pdfplumber itself)."""
    v = [[e["x0"], e["top"], e["x1"], e["bottom"], e["height"]] for e in edges
         if e["orientation"] == "v" and e["height"] >= MIN_LENGTH_PREFILTER]
    h = [[e["x0"], e["top"], e["x1"], e["bottom"], e["width"]] for e in edges
         if e["orientation"] == "h" and e["width"] >= MIN_LENGTH_PREFILTER]
    if not math.isfinite(sum(e[X0] + e[TOP] + e[X1] + e[BOTTOM] + e[LENGTH] for e in v + h)):
        return None  # an edge at infinity (or NaN): sorting and bisection are not pdfplumber's scan
    v, h = _merge(v, h)
    cells = _cells(_intersections(v, h))
    return [GridTable(t) for t in _tables(cells)]


def _snap(objs: list[list], key: int, lo: int, hi: int) -> list[list]:
    """pdfplumber's ``snap_objects``: values within ``SNAP`` of the previous one form a cluster;
    each object moved by (cluster average − its value), the average summed in the objects' order."""
    values = sorted(set(o[key] for o in objs))
    cluster: dict = {}
    k = -1
    last = None
    for x in values:
        if last is None or not x <= last + SNAP:
            k += 1
        cluster[x] = k
        last = x
    groups: list[list[list]] = [[] for _ in range(k + 1)]
    for o in objs:
        groups[cluster[o[key]]].append(o)
    out = []
    for g in groups:
        avg = sum(o[key] for o in g) / len(g)
        for o in g:
            d = avg - o[key]
            out.append([o[X0], o[TOP] + d, o[X1], o[BOTTOM] + d, o[LENGTH]] if key == TOP
                       else [o[X0] + d, o[TOP], o[X1] + d, o[BOTTOM], o[LENGTH]])
    return out


def _join(group: list[list], lo: int, hi: int) -> list[list]:
    """pdfplumber's ``join_edge_group``: edges on one line joined where they meet within ``JOIN``."""
    ordered = sorted(group, key=lambda e: e[lo])
    joined = [ordered[0]]
    for e in ordered[1:]:
        last = joined[-1]
        if e[lo] <= last[hi] + JOIN:
            if e[hi] > last[hi]:
                new = list(last)
                new[hi] = e[hi]
                # resize_object: width = x1 - x0 for x1; height + (new - old) for bottom
                new[LENGTH] = e[hi] - last[X0] if hi == X1 else last[LENGTH] + (e[hi] - last[hi])
                joined[-1] = new
        else:
            joined.append(e)
    return joined


def _merge(v: list[list], h: list[list]) -> tuple[list[list], list[list]]:
    """``merge_edges`` then ``filter_edges(min_length=3)``: vertical and horizontal edges, each
    list in pdfplumber's order (horizontal groups by top, then vertical groups by x0)."""
    sv = _snap(v, X0, TOP, BOTTOM)
    sh = _snap(h, TOP, X0, X1)
    outs = []
    for edges, pos, lo, hi in ((sh, TOP, X0, X1), (sv, X0, TOP, BOTTOM)):
        out = []
        for _, items in groupby(sorted(edges, key=lambda e: e[pos]), key=lambda e: e[pos]):
            out.extend(e for e in _join(list(items), lo, hi) if e[LENGTH] >= MIN_LENGTH)
        outs.append(out)
    return outs[1], outs[0]


def _intersections(v: list[list], h: list[list]) -> dict:
    """``edges_to_intersections``: {(x, top): (vertical boxes, horizontal boxes)} in pdfplumber's
    insertion order (vertical edges by x0, top; horizontal by top, x0). The horizontal edges a
    vertical one may cross are found by bisection on their tops, widened by a point so that the
    exact tests below (pdfplumber's, unchanged) decide."""
    tol = INTERSECT
    hs = sorted(h, key=lambda e: (e[TOP], e[X0]))
    tops = [e[TOP] for e in hs]
    out: dict = {}
    for e in sorted(v, key=lambda e: (e[X0], e[TOP])):
        x, vtop, vbottom = e[X0], e[TOP], e[BOTTOM]
        vbox = (e[X0], e[TOP], e[X1], e[BOTTOM])
        i = bisect.bisect_left(tops, vtop - tol - 1)
        j = bisect.bisect_right(tops, vbottom + tol + 1)
        for k in range(i, j):
            f = hs[k]
            ftop = f[TOP]
            if vtop <= ftop + tol and vbottom >= ftop - tol and x >= f[X0] - tol and x <= f[X1] + tol:
                at = out.get((x, ftop))
                if at is None:
                    at = out[(x, ftop)] = (set(), set())
                at[0].add(vbox)
                at[1].add((f[X0], f[TOP], f[X1], f[BOTTOM]))
    return out


def _cells(inter: dict) -> list[tuple]:
    """``intersections_to_cells``: for each point (sorted), the smallest cell whose sides are
    edges through its corners: the points below it tried in order, for each the points right of
    it in order, the first whose four corners are joined by edges."""
    points = sorted(inter)
    below: dict = {}  # x → points of that column, in order
    right: dict = {}  # y → points of that row, in order
    for p in points:
        below.setdefault(p[0], []).append(p)
        right.setdefault(p[1], []).append(p)

    def joined_v(p1, p2) -> bool:
        return not inter[p1][0].isdisjoint(inter[p2][0])

    def joined_h(p1, p2) -> bool:
        return not inter[p1][1].isdisjoint(inter[p2][1])

    def connects(p1, p2) -> bool:  # edge_connects
        return (p1[0] == p2[0] and joined_v(p1, p2)) or (p1[1] == p2[1] and joined_h(p1, p2))

    out = []
    for pt in points[:-1]:
        col = below[pt[0]]
        row = right[pt[1]]
        downs = col[col.index(pt) + 1:]
        rights = row[row.index(pt) + 1:]
        found = None
        for b in downs:
            if not connects(pt, b):
                continue
            for r in rights:
                if not connects(pt, r):
                    continue
                corner = (r[0], b[1])
                if corner in inter and connects(corner, r) and connects(corner, b):
                    found = (pt[0], pt[1], corner[0], corner[1])
                    break
            if found:
                break
        if found:
            out.append(found)
    return out


def _tables(cells: list[tuple]) -> list[list[tuple]]:
    """``cells_to_tables``: cells grouped into tables by shared corners (pdfplumber's passes over
    the remaining cells, in the same order), tables sorted by their top-left cell, single cells
    dropped."""
    remaining = list(cells)
    corners: set = set()
    current: list[tuple] = []
    tables = []
    while remaining:
        before = len(current)
        keep = []
        for cell in remaining:
            x0, top, x1, bottom = cell
            cc = ((x0, top), (x0, bottom), (x1, top), (x1, bottom))
            if not current or any(c in corners for c in cc):
                corners.update(cc)
                current.append(cell)
            else:
                keep.append(cell)
        remaining = keep
        if len(current) == before:
            tables.append(current)
            corners = set()
            current = []
    if current:
        tables.append(current)
    tables.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]
