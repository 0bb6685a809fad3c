"""The way kit import read PDFs before it read them with pdfminer directly: pdfplumber's page
objects and its table finder. Kept as the reference the fast reader must equal, value for value
(tests/test_pdf_reader.py), and as the "before" of benchmarks/importer.py."""
from __future__ import annotations

import io

TABLE_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines"}
KEYS = ("text", "x0", "x1", "top", "bottom", "size")


def pages(data: bytes) -> list[tuple[list[dict], list, bool]]:
    """Per page: the characters (the keys the reader uses), the tables (bbox, cells) and whether
    the page shows an image, as pdfplumber gives them."""
    import pdfplumber

    out = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            chars = [{k: c[k] for k in KEYS} for c in page.chars]
            found = page.find_tables(TABLE_SETTINGS)
            out.append((chars, [(t.bbox, [tuple(c) if c else None for c in t.cells]) for t in found], bool(page.images)))
    return out


def fast_pages(data: bytes) -> list[tuple[list[dict], list, bool]]:
    """The same, from kit.importer.pdfread."""
    from kit.importer import pdfread

    doc = pdfread.open_document(data)
    return [(p.chars, [(t.bbox, [tuple(c) if c else None for c in t.cells]) for t in p.tables], p.has_images)
            for p in pdfread.read_pages(doc)]
