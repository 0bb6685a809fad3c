"""A PDF's pages as characters and ruling edges: what the form reader needs, read with pdfminer.

``read_pages(doc, bounds)`` yields one ``Page`` at a time: its characters (text, x0, x1, top,
bottom, size — the same values, computed the same way, as pdfplumber's ``page.chars``), the
ruled tables pdfplumber's ``TableFinder`` finds on its edges (lines strategy), and whether the
page holds images. It skips what the reader does not use: pdfplumber's object-to-dict work
(every attribute of every object resolved and copied), pdfminer's layout objects for
characters and rectangles, and pdfminer's byte-at-a-time tokenizer for content streams (a
regular expression reads the well-formed streams every writer produces; a stream it does not
fully understand — an inline image, a name with ``#`` escapes, anything unusual — is read by
pdfminer's own parser, so nothing is read differently). The tables are found on the edges by
``pdfgrid`` (pdfplumber's table finder, same arithmetic, indexed lookups). Strings with plain
escapes, CID text and ASCII85 streams are decoded in a few C calls where pdfminer loops in
Python; anything else goes pdfminer's way.

``bounds.check()`` (``pdfguard.Bounds``) is called between pages and every few hundred
operators: it raises to stop a parse (Ctrl-C, SIGTERM, a page's time bound). What a PDF may
unpack into is bounded before pdfminer inflates anything (``pdfguard.check_streams``).
"""
from __future__ import annotations

import codecs
import io
import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import Callable, Iterator

from pdfminer.converter import PDFLayoutAnalyzer
from pdfminer.layout import LTCurve, LTLine, LTRect
from pdfminer.pdfdocument import PDFDocument
from pdfminer.cmapdb import CMap
from pdfminer.pdffont import PDFCIDFont, PDFUnicodeNotDefined
from pdfminer import settings
from pdfminer.pdfinterp import PDFContentParser, PDFInterpreterError, PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import LITERALS_ASCII85_DECODE, LITERALS_FLATE_DECODE, stream_value
from pdfminer.psparser import KWD, LIT, PSEOF
from pdfminer.utils import apply_matrix_pt, apply_matrix_rect, get_bound, mult_matrix

from .pdfgrid import find_tables

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
CHECK_EVERY = 256  # operators between two calls of ``check`` inside a content stream
FAST_MAX_BYTES = 8 << 20  # a page's content read at once by the fast tokenizer; beyond, streamed


@dataclass
class Page:
    number: int  # 1-based
    chars: list[dict]
    tables: list  # pdfplumber.table.Table (``.bbox``, ``.cells``)
    has_images: bool = False
    edges: list[dict] = field(default_factory=list)
    turned: int = 0  # degrees of /Rotate undone to read the text as written
    sideways: bool = False  # most of the text is not upright even so (rotated or vertical content)


# --- Content streams: a fast tokenizer for the well-formed case --------------------------------
# Tokens as pdfminer's PSBaseParser reads them (psparser.py): numbers (int unless a '.'),
# names (/Name → LIT), literal and hex strings (bytes), << >> [ ] and keywords (KWD).
_WHITE = b"\x00\t\n\x0b\x0c\r "
# One token a match, its white space before it skipped. No alternative starts with white space and
# the last takes any other byte, so once the data's trailing white space is cut, the white space
# is never given back (no backtracking) and every token is one of these, told by its first byte.
_TOKEN = re.compile(
    rb"""[\x00\t\n\x0b\x0c\r ]*
    ([+-]?(?:\d+(?:\.\d*)?|\.\d+)                      # number
    |/[^#/%\[\]()<>{}\x00\t\n\x0b\x0c\r ]*              # name
    |\((?:[^()\\]|\\.)*\)                            # literal string, no bare parenthesis inside
    |<[0-9A-Fa-f\t\n\x0b\x0c\r ]*>                     # hex string
    |<<|>>|\[|\]|[A-Za-z][^#/%\[\]()<>{}\x00\t\n\x0b\x0c\r ]*|['"]   # keyword
    |%[^\r\n]*                                         # comment
    |[^\x00\t\n\x0b\x0c\r ])                           # anything else: left to pdfminer""",
    re.X | re.S,
)
_NUMBER_START = frozenset(b"+-.0123456789")
_KEYWORD_START = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'\"")
_ESC = {ord(k): v for k, v in ((b"b", 8), (b"t", 9), (b"n", 10), (b"f", 12), (b"r", 13), (b"(", 40), (b")", 41), (b"\\", 92))}
_SPACE = re.compile(rb"[\x00\t\n\x0b\x0c\r ]")
_HEXPAIR = re.compile(rb"[0-9a-fA-F]{2}|.", re.S)
_ARRAY_BEGIN, _ARRAY_END, _DICT_BEGIN, _DICT_END = KWD(b"["), KWD(b"]"), KWD(b"<<"), KWD(b">>")
_KWDS: dict[bytes, object] = {}


_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|\r\n|(.))", re.S)
# A string whose every backslash starts a three-digit octal escape below \400 or one of \n \r
# \t \b \f \\ (or an escaped parenthesis, written as its octal escape first) reads the same
# with Python's bytes escapes: one C call, no callback per escape.
_NOT_C_ESCAPE = re.compile(rb"\\(?![0-3][0-7][0-7]|[nrtbf\\])")
_c_unescape = codecs.escape_decode  # type: ignore[attr-defined]


def _unescape(m: re.Match) -> bytes:
    """One escape of a literal string as pdfminer reads it: octal, the named ones; an escaped
    line end or any other character is dropped."""
    if m.group(1) is not None:
        code = int(m.group(1), 8)
        if code > 255:
            raise _Unusual
        return bytes((code,))
    c = m.group(2)
    if c is None:
        return b""
    v = _ESC.get(c[0])
    return b"" if v is None else bytes((v,))


class _Unusual(Exception):
    """The stream holds something the fast tokenizer leaves to pdfminer."""


def _tokens(data: bytes) -> list:
    """Every object of a content stream in order (arrays and dicts built); ``_Unusual`` when a
    token is one the fast path leaves to pdfminer (a string with unescaped parentheses inside,
    a name with # escapes, an inline image, anything unknown)."""
    out: list = []
    stack: list[tuple[str, list]] = []
    cur = out
    kwds = _KWDS
    nums: dict[bytes, int | float] = {}  # a page repeats its numbers (sizes, coordinates): read once
    for t in _TOKEN.findall(data.rstrip(_WHITE)):
        c = t[0]
        if c in _KEYWORD_START:
            kw = kwds.get(t)
            if kw is not None:
                cur.append(kw)
            elif t == b"true":
                cur.append(True)
            elif t == b"false":
                cur.append(False)
            elif t in (b"BI", b"ID", b"EI"):
                raise _Unusual  # inline images: pdfminer's parser reads their binary data
            else:
                kw = kwds[t] = KWD(t)
                cur.append(kw)
        elif c in _NUMBER_START:
            v = nums.get(t)
            if v is None:
                if len(t) == 1 and t in b"+-.":
                    raise _Unusual  # a sign or a dot alone: no number
                v = nums[t] = float(t) if b"." in t else int(t)
            cur.append(v)
        elif c == 40:  # ( a literal string
            if len(t) == 1:
                raise _Unusual  # not closed
            t = t[1:-1]
            if 92 in t:  # a backslash: escapes
                # An escaped parenthesis (every parenthesis here is escaped) as its octal escape.
                e = t.replace(b"\\(", b"\\050").replace(b"\\)", b"\\051") if b"(" in t or b")" in t else t
                if _NOT_C_ESCAPE.search(e) is None:
                    t = _c_unescape(e)[0]
                else:
                    if b"\\\\" not in t:  # every backslash starts an escape: \000 (CID text) is NUL
                        t = t.replace(b"\\000", b"\x00")
                    t = _ESCAPE.sub(_unescape, t)
            cur.append(t)
        elif c == 47:  # /Name
            name = t[1:]
            try:
                cur.append(LIT(str(name, "utf-8")))
            except UnicodeDecodeError:
                cur.append(LIT(name))
        elif t == b"[":
            stack.append(("a", cur))
            cur = []
        elif t == b"]":
            if not stack or stack[-1][0] != "a":
                raise _Unusual
            _, parent = stack.pop()
            parent.append(cur)
            cur = parent
        elif t == b"<<":
            stack.append(("d", cur))
            cur = []
        elif t == b">>":
            if not stack or stack[-1][0] != "d" or len(cur) % 2:
                raise _Unusual
            _, parent = stack.pop()
            d = {}
            for k in range(0, len(cur), 2):
                key, value = cur[k], cur[k + 1]
                if not hasattr(key, "name"):
                    raise _Unusual
                if value is not None:
                    d[key.name] = value
            parent.append(d)
            cur = parent
        elif c == 60 and len(t) > 1:  # <hex>
            cur.append(_HEXPAIR.sub(lambda x: bytes((int(x.group(0), 16),)), _SPACE.sub(b"", t[1:-1])))
        elif c == 37:  # % a comment
            continue
        else:
            raise _Unusual
    if stack:
        raise _Unusual
    return out


class _Interpreter(PDFPageInterpreter):
    """pdfminer's interpreter with the fast tokenizer and a stop check between operators."""

    check: Callable[[], None] = staticmethod(lambda: None)

    def dup(self) -> "_Interpreter":
        interp = self.__class__(self.rsrcmgr, self.device)
        interp.check = self.check
        return interp

    def execute(self, streams) -> None:
        valid = []
        self.stream_ids.clear()
        for obj in streams:
            stream = stream_value(obj)
            if stream.objid is None or stream.objid in self.parent_stream_ids:
                continue  # as pdfminer: inline streams and circular references are not run
            valid.append(stream)
            self.stream_ids.add(stream.objid)
        objs = None
        if sum(len(_data(s)) for s in valid) <= FAST_MAX_BYTES:
            try:
                objs = _tokens(b"".join(s.get_data() for s in valid))
            except _Unusual:
                objs = None
        self._run(objs if objs is not None else _pdfminer_objects(valid))

    def do_TJ(self, seq) -> None:
        """pdfminer's, without a copy of the graphic state for every string: the device reads
        nothing of it (characters carry no colour here) and keeps no reference to it."""
        if self.textstate.font is None:
            if settings.STRICT:
                raise PDFInterpreterError("No font specified!")
            return
        self.device.render_string(self.textstate, seq, self.graphicstate.ncs, self.graphicstate)

    def _run(self, objs) -> None:
        """pdfminer's ``execute`` loop: operands onto the stack, each operator called with its
        arguments; ``check`` every ``CHECK_EVERY`` operators."""
        methods: dict = {}
        argstack = self.argstack
        check = self.check
        k = 0
        for obj in objs:
            if obj.__class__ is not _KW_CLASS:
                argstack.append(obj)
                continue
            k += 1
            if k % CHECK_EVERY == 0:
                check()
            found = methods.get(obj)
            if found is None:
                name = obj.name.decode("latin-1") if isinstance(obj.name, bytes) else obj.name
                method = "do_" + name.replace("*", "_a").replace('"', "_w").replace("'", "_q")
                func = getattr(self, method, None)
                found = methods[obj] = (func, func.__code__.co_argcount - 1) if func is not None else (None, 0)
            func, nargs = found
            if func is not None:
                if nargs:  # pdfminer's ``pop``: the last n operands, the stack a new list without them
                    args = argstack[-nargs:]
                    self.argstack = argstack[:-nargs]
                    if len(args) == nargs:
                        func(*args)
                else:
                    func()
            argstack = self.argstack


# --- ASCII85 content streams (reportlab writes them): whole groups at once --------------------
_A85_START = re.compile(rb"^\s*<?\s*~\s*")  # pdfminer.ascii85's framing, stripped the same way
_A85_END = re.compile(rb"\s*~\s*>?\s*$")
_A85_IGNORED = b" \t\n\r\x0b"  # base64.a85decode's ignorechars
_A85_DIGITS = bytes(range(33, 118))  # "!" .. "u"
_A85_VALUES = bytes((c - 33) % 256 for c in range(256))


def _a85(data: bytes) -> bytes | None:
    """What ``pdfminer.ascii85.ascii85decode`` gives (``base64.a85decode`` of the unframed data),
    computed a group of five digits at a time instead of a digit at a time; ``None`` when the data
    holds anything but digits and white space ("z", a stray character) or a group overflows:
    pdfminer then decodes it its own way, errors included."""
    b = _A85_END.sub(b"", _A85_START.sub(b"", data)).translate(None, _A85_IGNORED)
    if not b or b.translate(None, _A85_DIGITS):
        return None
    pad = -len(b) % 5  # the last group is filled with "u" and as many bytes dropped
    v = (b + b"u" * pad).translate(_A85_VALUES)
    words = [(((p * 85 + q) * 85 + r) * 85 + s) * 85 + t for p, q, r, s, t in zip(v[0::5], v[1::5], v[2::5], v[3::5], v[4::5])]
    if max(words) > 0xFFFFFFFF:
        return None
    out = struct.pack(f">{len(words)}I", *words)
    return out[:-pad] if pad else out


def _data(stream) -> bytes:
    """``stream.get_data()``; a stream filtered by ASCII85 then Flate (no parameters, not
    encrypted, at most ``FAST_MAX_BYTES`` as stored) decoded here with ``_a85``, the result kept
    on the stream as pdfminer keeps it."""
    if stream.data is None and stream.rawdata is not None and not stream.decipher and len(stream.rawdata) <= FAST_MAX_BYTES:
        filters = stream.get_filters()
        if (len(filters) == 2 and filters[0][0] in LITERALS_ASCII85_DECODE and filters[1][0] in LITERALS_FLATE_DECODE
                and not filters[0][1] and not filters[1][1]):
            raw = _a85(stream.rawdata)
            if raw is not None:
                try:
                    data = zlib.decompress(raw)
                except zlib.error:
                    return stream.get_data()  # pdfminer's own recovery of a damaged stream
                stream.data, stream.rawdata = data, None
                return data
    return stream.get_data()


def _pdfminer_objects(streams):
    """The objects of content streams as pdfminer's own parser reads them (inline images …)."""
    try:
        parser = PDFContentParser(streams)
    except PSEOF:
        return
    while True:
        try:
            (_, obj) = parser.nextobject()
        except PSEOF:
            return
        yield obj


_KW_CLASS = type(KWD(b"q"))


class _Device(PDFLayoutAnalyzer):
    """Characters straight into dicts (pdfplumber's values, no LTChar); paths straight into
    pdfplumber's edges as they are painted (a rectangle without an LTRect); images noted."""

    def __init__(self, rsrcmgr) -> None:
        super().__init__(rsrcmgr, pageno=1, laparams=None)
        self.chars: list[dict] = []
        self.layout = None
        self._glyphs: dict = {}  # font → ({cid: (text, width, not blank)}, decode)

    def begin_page(self, page, ctm) -> None:
        super().begin_page(page, ctm)
        self.chars = []
        self.geo = _Geometry(page)
        self.counts = [0, 0]  # characters with text: [not upright, upright]
        self.lines: list[dict] = []  # pdfplumber's page.edges, by kind, in the order painted
        self.rects: list[dict] = []
        self.curves: list[dict] = []
        self.images = False

    def edges(self) -> list[dict]:
        """pdfplumber's ``page.edges``: lines, then rectangle sides, then curve segments, each in
        the order pdfminer's layout holds them (the order painted: a Form XObject's figure stands
        where it was drawn)."""
        return self.lines + self.rects + self.curves

    def render_image(self, name, stream) -> None:
        self.images = True
        super().render_image(name, stream)

    def paint_path(self, gstate, stroke, fill, evenodd, path) -> None:
        """pdfminer's ``paint_path`` with its edges taken at once. A rectangle drawn as ``re`` (or
        m l l l h) that pdfminer would make an ``LTRect`` becomes its four sides directly, with
        the same arithmetic as the ``LTRect`` and pdfplumber's ``rect_to_edges``; every other path
        goes pdfminer's way and its objects are turned into edges as they are added."""
        shape = "".join(x[0] for x in path)
        if shape[:1] != "m":
            return  # as pdfminer: not a path
        if shape.count("m") > 1:  # as pdfminer: each subpath painted on its own
            for m in re.finditer(r"m[^m]+", shape):
                self.paint_path(gstate, stroke, fill, evenodd, path[m.start(0): m.end(0)])
            return
        if shape == "mlllh":
            ctm = self.ctm
            pts = [apply_matrix_pt(ctm, p[-2:] if p[0] != "h" else path[0][-2:]) for p in path]
            if not pts[-2] == pts[0]:  # else pdfminer drops the closing l: not a rectangle
                (x0, y0), (x1, y1), (x2, y2), (x3, y3), _ = pts
                if pts[0] == pts[4] and ((x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0)
                                         or (y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0)):
                    self._rect(get_bound([(x0, y0), (x2, y0), (x2, y2), (x0, y2)]))
                    return
        objs = self.cur_item._objs
        n = len(objs)
        super().paint_path(gstate, stroke, fill, evenodd, path)
        for obj in objs[n:]:
            self._shape(obj)

    def _rect(self, bbox) -> None:
        """The four sides of an ``LTRect`` of this box, as pdfplumber's ``rect_to_edges`` gives them
        (the keys the table finder reads)."""
        ox0, oy0, ox1, oy1 = bbox
        width, height = ox1 - ox0, oy1 - oy0
        geo = self.geo
        top = (geo.height - oy1) + geo.mb_top
        bottom = (geo.height - oy0) + geo.mb_top
        if geo.mb_x0 != 0:
            ox0, ox1 = ox0 + geo.mb_x0, ox1 + geo.mb_x0
        self.rects += (
            {"x0": ox0, "x1": ox1, "top": top, "bottom": top, "width": width, "height": 0, "orientation": "h"},
            {"x0": ox0, "x1": ox1, "top": top + height, "bottom": bottom, "width": width, "height": 0, "orientation": "h"},
            {"x0": ox0, "x1": ox0, "top": top, "bottom": bottom, "width": 0, "height": height, "orientation": "v"},
            {"x0": ox1, "x1": ox1, "top": top, "bottom": bottom, "width": 0, "height": height, "orientation": "v"},
        )

    def _shape(self, obj) -> None:
        """A line, rectangle or curve pdfminer made: its edges as pdfplumber derives them
        (utils/geometry.py ``line_to_edge``, ``rect_to_edges``, ``curve_to_edges``: the keys the
        table finder reads)."""
        if not isinstance(obj, LTCurve):  # LTLine and LTRect are LTCurves
            return
        geo = self.geo
        d = geo.place({"x0": obj.x0, "x1": obj.x1, "y0": obj.y0, "y1": obj.y1})
        x0, x1, top, bottom = d["x0"], d["x1"], d["top"], d["bottom"]
        width, height = obj.width, obj.height
        if isinstance(obj, LTLine):
            self.lines.append({"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": width, "height": height,
                               "orientation": "h" if top == bottom else "v"})
        elif isinstance(obj, LTRect):
            self.rects += (
                {"x0": x0, "x1": x1, "top": top, "bottom": top, "width": width, "height": 0, "orientation": "h"},
                {"x0": x0, "x1": x1, "top": top + height, "bottom": bottom, "width": width, "height": 0, "orientation": "h"},
                {"x0": x0, "x1": x0, "top": top, "bottom": bottom, "width": 0, "height": height, "orientation": "v"},
                {"x0": x1, "x1": x1, "top": top, "bottom": bottom, "width": 0, "height": height, "orientation": "v"},
            )
        else:
            pts = [geo.point(p) for p in obj.pts]
            self.curves += (
                {"x0": min(p0[0], p1[0]), "x1": max(p0[0], p1[0]), "top": min(p0[1], p1[1]),
                 "bottom": max(p0[1], p1[1]), "width": abs(p0[0] - p1[0]), "height": abs(p0[1] - p1[1]),
                 "orientation": "v" if p0[0] == p1[0] else ("h" if p0[1] == p1[1] else None)}
                for p0, p1 in zip(pts, pts[1:]))

    def share_upright(self) -> float:
        n = self.counts[0] + self.counts[1]
        return self.counts[1] / n if n else 1.0

    def receive_layout(self, ltpage) -> None:
        self.layout = ltpage

    def render_string(self, textstate, seq, ncs, graphicstate) -> None:
        """pdfminer's ``render_string_horizontal`` with ``render_char`` and LTChar's box inlined
        (the same operations in the same order, so the same floats); a font's characters and
        widths looked up once. Vertical writing goes pdfminer's way."""
        font = textstate.font
        if font is None or font.is_vertical():
            return super().render_string(textstate, seq, ncs, graphicstate)
        (a, b, c, d, e, f) = mult_matrix(textstate.matrix, self.ctm)
        fontsize = textstate.fontsize
        scaling = textstate.scaling * 0.01
        charspace = textstate.charspace * scaling
        wordspace = textstate.wordspace * scaling
        rise = textstate.rise
        if font.is_multibyte():
            wordspace = 0
        dxscale = 0.001 * fontsize * scaling
        known = self._glyphs.get(font)
        if known is None:
            known = self._glyphs[font] = ({}, _decoder(font))
        glyphs, decode = known
        descent = font.get_descent() * fontsize
        by0, by1 = descent + rise, descent + rise + fontsize
        out = self.chars
        (x, y) = textstate.linematrix
        geo = self.geo
        height, mb_top, mb_x0 = geo.height, geo.mb_top, geo.mb_x0
        plain = b == 0 and c == 0 and mb_x0 == 0
        up = a > 0 and d > 0 and abs(b) < 1e-6 and abs(c) < 1e-6  # written left to right, head up
        counts = self.counts
        if plain:  # the text's baseline does not move along a run: its box's y is fixed
            f2 = y * d + f
            ya, yb = d * by0 + f2, d * by1 + f2
            y0, y1 = (ya, yb) if ya <= yb else (yb, ya)
            size = y1 - y0
            top, bottom = (height - y1) + mb_top, (height - y0) + mb_top  # pdfplumber's flip
        needcharspace = False
        shown = 0  # characters with text
        for obj in seq:
            if isinstance(obj, (int, float)):
                x -= obj * dxscale
                needcharspace = True
            elif isinstance(obj, bytes):
                for cid in decode(obj):
                    if needcharspace:
                        x += charspace
                    g = glyphs.get(cid)
                    if g is None:
                        g = glyphs[cid] = self._glyph(font, cid)
                    adv = g[1] * fontsize * scaling
                    shown += g[2]
                    if plain:
                        # b == c == 0: the same floats as the general case below, fewer steps
                        xa = x * a + e
                        xb = a * adv + xa
                        if xa <= xb:
                            out.append({"text": g[0], "x0": xa, "x1": xb, "top": top, "bottom": bottom, "size": size})
                        else:
                            out.append({"text": g[0], "x0": xb, "x1": xa, "top": top, "bottom": bottom, "size": size})
                    else:
                        # translate_matrix(matrix, (x, y)), then apply_matrix_rect on (0, by0, adv, by1)
                        e2 = x * a + y * c + e
                        f2 = x * b + y * d + f
                        left1, bottom1 = a * 0 + c * by0 + e2, b * 0 + d * by0 + f2
                        right1, bottom2 = a * adv + c * by0 + e2, b * adv + d * by0 + f2
                        right2, top1 = a * adv + c * by1 + e2, b * adv + d * by1 + f2
                        left2, top2 = a * 0 + c * by1 + e2, b * 0 + d * by1 + f2
                        x0, x1 = min(left1, left2, right1, right2), max(left1, left2, right1, right2)
                        cy0, cy1 = min(bottom1, bottom2, top1, top2), max(bottom1, bottom2, top1, top2)
                        out.append(geo.place({"text": g[0], "x0": x0, "x1": x1, "y0": cy0, "y1": cy1,
                                              "size": cy1 - cy0}))
                    x += adv
                    if cid == 32 and wordspace:
                        x += wordspace
                    needcharspace = True
        counts[up] += shown
        textstate.linematrix = (x, y)

    def _glyph(self, font, cid: int) -> tuple[str, float, bool]:
        """A character's text, width and whether it shows anything (looked up once a font)."""
        try:
            text = font.to_unichr(cid)
        except PDFUnicodeNotDefined:
            text = self.handle_undefined_char(font, cid)
        return (text, font.char_width(cid), bool(text.strip()))

    def render_char(self, matrix, font, fontsize, scaling, rise, cid, ncs, graphicstate) -> float:
        # The arithmetic of pdfminer's LTChar (layout.py) in the same order: the same floats.
        try:
            text = font.to_unichr(cid)
        except PDFUnicodeNotDefined:
            text = self.handle_undefined_char(font, cid)
        adv = font.char_width(cid) * fontsize * scaling
        if font.is_vertical():
            (vx, vy) = font.char_disp(cid)
            vx = fontsize * 0.5 if vx is None else vx * fontsize * 0.001
            vy = (1000 - vy) * fontsize * 0.001
            bbox = (-vx, vy + rise + adv, -vx + fontsize, vy + rise)
        else:
            descent = font.get_descent() * fontsize
            bbox = (0, descent + rise, adv, descent + rise + fontsize)
        (x0, y0, x1, y1) = apply_matrix_rect(matrix, bbox)
        if x1 < x0:
            (x0, x1) = (x1, x0)
        if y1 < y0:
            (y0, y1) = (y1, y0)
        size = (x1 - x0) if font.is_vertical() else (y1 - y0)
        if text.strip():
            a, b, c, d = matrix[:4]
            self.counts[a > 0 and d > 0 and abs(b) < 1e-6 and abs(c) < 1e-6] += 1
        self.chars.append(self.geo.place({"text": text, "x0": x0, "x1": x1, "y0": y0, "y1": y1, "size": size}))
        return adv


def _decoder(font) -> Callable[[bytes], list]:
    """``font.decode``: for a CID font with a CMap, the same walk of the CMap's code tree as
    pdfminer's ``CMap.decode`` into a list (pdfminer yields one code at a time and logs each
    call); any other font decodes its own way."""
    cmap = getattr(font, "cmap", None)
    if not isinstance(cmap, CMap) or type(cmap).decode is not CMap.decode or type(font).decode is not PDFCIDFont.decode:
        return font.decode
    top = cmap.code2cid

    def decode(code: bytes) -> list:
        out = []
        d = top
        for i in code:
            x = d.get(i)
            if x is None:
                d = top
            elif isinstance(x, int):
                out.append(x)
                d = top
            else:
                d = x
        return out

    return decode


def _box(raw, rotation: int) -> tuple[float, float, float, float]:
    """pdfplumber's page box: normalised, swapped for a page turned 90° or 270°."""
    x0, x1 = sorted((raw[0], raw[2]))
    y0, y1 = sorted((raw[1], raw[3]))
    return (y0, x0, y1, x1) if rotation in (90, 270) else (x0, y0, x1, y1)


class _Geometry:
    """pdfplumber's flip of pdfminer's coordinates (origin top-left), page.py ``process_object``."""

    def __init__(self, page: PDFPage) -> None:
        rotation = (page.rotate or 0) % 360
        mb = _box(page.mediabox, rotation)
        self.height = mb[3] - mb[1]
        self.mb_x0 = mb[0]
        self.mb_top = self.height - mb[3]
        self.bbox = (mb[0], self.mb_top, mb[2], self.height - mb[1])

    def place(self, d: dict) -> dict:
        y0, y1 = d.pop("y0"), d.pop("y1")
        d["top"] = (self.height - y1) + self.mb_top
        d["bottom"] = (self.height - y0) + self.mb_top
        if self.mb_x0 != 0:
            d["x0"] = d["x0"] + self.mb_x0
            d["x1"] = d["x1"] + self.mb_x0
        return d

    def point(self, pt) -> tuple[float, float]:
        return (self.mb_x0 + pt[0], self.mb_top + self.height - pt[1])


class _EdgePage:
    """What pdfplumber's TableFinder reads of a page with the lines strategy: edges and bbox."""

    def __init__(self, edges: list[dict], bbox) -> None:
        self.edges = edges
        self.bbox = bbox


def open_document(data: bytes) -> PDFDocument:
    return PDFDocument(PDFParser(io.BytesIO(data)))


def count_pages(doc: PDFDocument) -> int:
    return sum(1 for _ in PDFPage.create_pages(doc))


def read_pages(doc: PDFDocument, bounds=None) -> Iterator[Page]:
    """Each page's characters, ruled tables and images, one page at a time. ``bounds`` (a
    ``pdfguard.Bounds``) is told when a page starts and checked every ``CHECK_EVERY`` operators."""
    rsrc = PDFResourceManager(caching=True)
    device = _Device(rsrc)
    interp = _Interpreter(rsrc, device)
    if bounds is not None:
        interp.check = bounds.check
    for number, page in enumerate(PDFPage.create_pages(doc), start=1):
        if bounds is not None:
            bounds.page(number)
        read = _read_page(interp, device, page, number)
        if device.share_upright() < 0.5:
            read.sideways = True
            rotation = (page.rotate or 0) % 360
            if rotation:
                # A page turned by /Rotate (a tool or a scanner driver): pdfminer gives every
                # character in the turned frame, one a line. Read it again without the turn.
                page.rotate = 0
                try:
                    again = _read_page(interp, device, page, number)
                    if device.share_upright() >= 0.5:
                        read, read.turned = again, rotation
                except Exception:  # noqa: BLE001 - pdfminer fails on the page read again: keep it as it was
                    pass
                finally:
                    page.rotate = rotation
        yield read


def _read_page(interp, device, page, number: int) -> Page:
    interp.process_page(page)
    geo = device.geo
    chars = device.chars
    edges, images = device.edges(), device.images
    tables = find_tables(edges) if edges else []
    if tables is None:  # an edge beyond the finite: pdfplumber's own finder, as before
        from pdfplumber.table import TableFinder

        tables = TableFinder(_EdgePage(edges, geo.bbox), TABLE_SETTINGS).tables
    device.layout = None
    return Page(number, chars, tables, images, edges)
