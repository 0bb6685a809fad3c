"""The report page carries the Chinese glyphs it uses, so it reads on a machine with no CJK font.

The page names the usual system fonts first (Noto Sans CJK SC, PingFang SC, Microsoft YaHei …);
a machine with none of them showed every Chinese character as a box. ``embed`` subsets the
kit's bundled font (``fontdata/KitSansSC-Regular.otf``, SIL OFL) to the characters of the page
— a few hundred glyphs, about 100 KB as WOFF for the sample — and adds it as an inline
``@font-face`` named ``Kit Sans SC``, which the stylesheet lists after the system fonts: a
machine that has one of them uses it, any other falls back to the embedded glyphs. No request
leaves the page (a ``data:`` URL). WOFF (zlib) rather than WOFF2: brotli saves 10 % and costs
twice the time. About 25 ms of CPU per page for the sample's 623 characters.
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

    return "".join(sorted(c for c in set(html.unescape(page)) if c > "\x7f"))


@lru_cache(maxsize=1)
def _bundled_face():
    """The bundled font read once and prepared for repeated subsetting (a worker cuts one a page),
    with the characters it has."""
    import uharfbuzz as hb

    from .fonts import BUNDLED

    face = hb.subset_preprocess(hb.Face(hb.Blob.from_file_path(str(BUNDLED[1]))))
    return face, frozenset(face.unicodes)


def _tag(name: str) -> int:
    return int.from_bytes(name.encode("ascii"), "big")


@lru_cache(maxsize=32)
def subset_woff(chars: str) -> bytes:
    """The bundled font cut to ``chars`` (those it has), as WOFF bytes; b'' when none.

    HarfBuzz's subsetter cuts it (a few milliseconds, where fontTools' took 0.3 CPU-s executing
    every kept glyph's charstrings): the same glyph outlines, advance widths, cmap and tables as
    fontTools' subsetter gives (``tests/test_fonts.py`` compares them); fontTools wraps it as WOFF.
    """
    import uharfbuzz as hb
    from fontTools.ttLib import TTFont

    face, has = _bundled_face()
    wanted = has.intersection(map(ord, chars))
    if not wanted:
        return b""
    spec = hb.SubsetInput()
    spec.unicode_set.update(wanted)
    # No layout features: the page sets running text, never vertical or contextual forms.
    spec.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG).clear()
    dropped = spec.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
    for tag in ("GSUB", "GPOS", "GDEF"):
        dropped.add(_tag(tag))
    names = spec.sets(hb.SubsetInputSets.NAME_ID)
    names.clear()
    names.update({0, 1, 2, 13, 14})  # copyright, family, style, licence: the OFL asks to keep them
    # The bundled font carries no hints (tools/make_font_subset.py leaves them out).
    spec.flags = hb.SubsetFlags.NOTDEF_OUTLINE
    cut = hb.subset(face, spec)
    if cut is None:
        raise RuntimeError("HarfBuzz could not subset the bundled font")
    # No recomputed bounding boxes and no new timestamp: the same page twice is the same bytes.
    font = TTFont(io.BytesIO(cut.blob.data), recalcBBoxes=False, recalcTimestamp=False)
    font.flavor = "woff"
    buf = io.BytesIO()
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
