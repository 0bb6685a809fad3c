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


class legacy_reader:
    """Within ``with legacy_reader():`` kit import reads PDFs the former way (pdfplumber's page
    objects and ``page.find_tables``), everything after the reading unchanged: the "before" of
    the benchmark, measured in the same run as the "after"."""

    def __enter__(self):
        from kit.importer import pdfread

        self._saved = (pdfread.open_document, pdfread.count_pages, pdfread.read_pages)

        def open_document(data: bytes):
            import pdfplumber

            return pdfplumber.open(io.BytesIO(data))

        def read_pages(pdf, bounds=None):
            try:
                for number, page in enumerate(pdf.pages, start=1):
                    chars = [c for c in page.chars if c.get("text")]
                    yield pdfread.Page(number, chars, page.find_tables(TABLE_SETTINGS), bool(page.images))
            finally:
                pdf.close()

        pdfread.open_document = open_document
        pdfread.count_pages = lambda pdf: len(pdf.pages)
        pdfread.read_pages = read_pages
        return self

    def __exit__(self, *exc):
        from kit.importer import pdfread

        pdfread.open_document, pdfread.count_pages, pdfread.read_pages = self._saved
        return False
