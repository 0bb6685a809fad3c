"""A PDF page whose /Rotate turns its text sideways, read as the text was written.

A tool that rotates every page (or a scanner's driver) sets /Rotate 90, 180 or 270: pdfminer
then gives each character in the rotated frame, so table text runs down the page, one
character a line, and no cell can be read. When most characters of such a page are not
upright, the page is read again with its /Rotate undone; the text is then upright and the
tables are read as printed. A page whose characters are upright (a portrait page drawn
sideways and turned upright by /Rotate) is left as it is.
"""
from __future__ import annotations


def upright(pdf, page, pno: int):
    """``page`` itself, or the same page read without its /Rotate when that makes its text upright.

    Returns ``(page, degrees undone, sideways)``: ``sideways`` when most of the page's text is
    still not upright (content drawn rotated or vertical), which no table reader can read."""
    rotation = int(getattr(page, "rotation", 0) or 0) % 360
    chars = [c for c in page.chars if (c.get("text") or "").strip()]
    if not chars or _share_upright(chars) >= 0.5:
        return page, 0, False
    if not rotation:
        return page, 0, True
    from pdfplumber.page import Page

    obj = page.page_obj
    saved = (obj.rotate, obj.attrs.get("Rotate"))

    def restore() -> None:
        obj.rotate = saved[0]
        if saved[1] is None:
            obj.attrs.pop("Rotate", None)
        else:
            obj.attrs["Rotate"] = saved[1]

    try:
        obj.rotate = 0
        obj.attrs["Rotate"] = 0
        turned = Page(pdf, obj, page_number=pno, initial_doctop=page.initial_doctop)
        upright_chars = [c for c in turned.chars if (c.get("text") or "").strip()]
    except Exception:  # pdfminer fails on the page read again: keep the page as it was
        restore()
        return page, 0, True
    if _share_upright(upright_chars) < 0.5:
        restore()
        return page, 0, True
    return turned, rotation, False


def _share_upright(chars: list[dict]) -> float:
    """Share of characters written left to right, head up (matrix a > 0, d > 0, no shear)."""
    def ok(c: dict) -> bool:
        m = c.get("matrix")
        if not m:
            return bool(c.get("upright"))
        a, b, cc, d = m[:4]
        return a > 0 and d > 0 and abs(b) < 1e-6 and abs(cc) < 1e-6
    return sum(1 for c in chars if ok(c)) / len(chars) if chars else 1.0
