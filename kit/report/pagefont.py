"""The report page carries the Chinese glyphs it uses, so it reads on a machine with no CJK font.

The page names the usual system fonts first (Noto Sans CJK SC, PingFang SC, Microsoft YaHei …);
a machine with none of them showed every Chinese character as a box. ``embed`` subsets the
kit's bundled font (``fontdata/KitSansSC-Regular.otf``, SIL OFL) to the characters of the page
— a few hundred glyphs, about 100 KB as WOFF for the sample — and adds it as an inline
``@font-face`` named ``Kit Sans SC``, which the stylesheet lists after the system fonts: a
machine that has one of them uses it, any other falls back to the embedded glyphs. No request
leaves the page (a ``data:`` URL). WOFF (zlib) rather than WOFF2: brotli saves 10 % and costs
twice the time. About 0.45 s of CPU per page for the sample's 626 characters.
"""
from __future__ import annotations

import base64
import io
from functools import lru_cache

FAMILY = "Kit Sans SC"
MARK = "kit-page-font"


def page_chars(page: str) -> str:
    """The characters beyond ASCII the page shows (sorted, unique), written as characters or as
    character references (``&#x4e2d;``)."""
    import html

    return "".join(sorted({c for c in html.unescape(page) if ord(c) > 0x7F}))


@lru_cache(maxsize=32)
def subset_woff(chars: str) -> bytes:
    """The bundled font cut to ``chars`` (those it has), as WOFF bytes; b'' when none."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    from .fonts import BUNDLED

    # No recomputed bounding boxes (half the time) and no new timestamp: the same page twice is the
    # same bytes.
    font = TTFont(str(BUNDLED[1]), recalcBBoxes=False, recalcTimestamp=False)
    # No layout features are kept (below): the substitution and positioning tables would be
    # emptied, after being read whole (a sixth of the time). Left out before, never read.
    for tag in ("GSUB", "GPOS", "GDEF"):
        if tag in font:
            del font[tag]
    cmap = font.getBestCmap() or {}
    wanted = [ord(c) for c in chars if ord(c) in cmap]
    if not wanted:
        return b""
    opts = subset.Options()
    opts.flavor = "woff"
    opts.layout_features = []
    opts.name_IDs = [0, 1, 2, 13, 14]  # copyright, family, style, licence: the OFL asks to keep them
    # The bundled font carries no hints (tools/make_font_subset.py leaves them out): asking to
    # remove them again gives the same bytes after running every glyph program (a tenth of the time).
    opts.hinting = True
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=wanted)
    sub.subset(font)
    buf = io.BytesIO()
    font.flavor = "woff"
    font.save(buf)
    return buf.getvalue()


def embed(page: str) -> str:
    """``page`` with an inline @font-face of the glyphs it uses (before ``</head>``); unchanged when
    it has no character beyond ASCII, already carries one, or has no head."""
    if MARK in page or "</head>" not in page:
        return page
    data = subset_woff(page_chars(page))
    if not data:
        return page
    face = (f'<style id="{MARK}">@font-face{{font-family:"{FAMILY}";font-style:normal;font-weight:400 700;'
            f'src:url(data:font/woff;base64,{base64.b64encode(data).decode("ascii")}) format("woff");}}</style>')
    head, _, rest = page.partition("</head>")
    return head + face + "</head>" + rest
