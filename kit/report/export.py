"""nbconvert HTML export with the kit's own template (``kit/templates/kit_report``).

What the export guarantees, whatever the notebook holds:
- no code and no prompts: ``exclude_input`` plus the ``remove-cell`` / ``remove-input`` /
  ``remove-output`` tags (papermill's ``--report-mode`` does not hide code, papermill #506);
- no external references: the template empties the require.js, MathJax, mermaid and widget
  blocks (nbconvert #754);
- a static table of contents built from the markdown headings by ``TocPreprocessor``;
- no local paths in outputs (tracebacks of a failed run): ``ScrubPathsPreprocessor``;
- stable cell ids (papermill's error cells get random ones), so equal inputs give equal HTML;
- one copy of the component styles (in the head), not one per output.
"""
from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Iterable

import nbformat
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from traitlets import List, Unicode

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TEMPLATE_NAME = "kit_report"
REMOVE_CELL_TAGS = {"remove-cell", "parameters", "injected-parameters"}

try:  # the id nbconvert gives a markdown heading; private, so keep a copy of the formula
    from nbconvert.filters.strings import _convert_header_id as heading_id
except ImportError:  # pragma: no cover
    from urllib.parse import quote

    def heading_id(text: str) -> str:
        return quote(text.replace(" ", "-"), safe="?/:@!$&'()*+,;=")


_HEADING_RE = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t]*#*[ \t]*$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_INLINE_MD_RE = re.compile(r"[*_`]")


def headings(source: str) -> list[tuple[int, str]]:
    """ATX headings (level, plain text) of a markdown cell, skipping fenced code."""
    out, fenced = [], False
    for line in source.splitlines():
        if _FENCE_RE.match(line):
            fenced = not fenced
            continue
        m = None if fenced else _HEADING_RE.match(line)
        if m:
            out.append((len(m.group(1)), _INLINE_MD_RE.sub("", m.group(2)).strip()))
    return out


class TocPreprocessor(Preprocessor):
    """Collect level-2 and level-3 headings of the markdown cells into ``resources['kit_toc']``."""

    levels = List([2, 3]).tag(config=True)

    def preprocess(self, nb, resources):
        toc = []
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            for level, text in headings(cell.source):
                if level in self.levels:
                    toc.append({"level": level, "text": text, "id": heading_id(text)})
        resources["kit_toc"] = toc
        return nb, resources


def default_scrub_paths() -> list[tuple[str, str]]:
    """Local folders whose names must not reach the page, longest first, with their stand-ins."""
    pairs = [
        (str(Path(__file__).resolve().parents[2]), "[kit]"),
        (sys.prefix, "[python]"),
        (sys.base_prefix, "[python]"),
        (tempfile.gettempdir(), "[tmp]"),
        (os.getcwd(), "[cwd]"),
        (str(Path.home()), "~"),
    ]
    seen: dict[str, str] = {}
    for path, label in pairs:
        for p in {path, os.path.realpath(path)}:
            if p and p not in ("/", "\\") and p not in seen:
                seen[p] = label
    return sorted(seen.items(), key=lambda kv: -len(kv[0]))


class ScrubPathsPreprocessor(Preprocessor):
    """Replace local folder names in outputs (tracebacks, printed text) with short stand-ins."""

    extra_paths = List(Unicode()).tag(config=True)

    def preprocess(self, nb, resources):
        pairs = [(p, "[…]") for p in self.extra_paths if p] + default_scrub_paths()
        self._pairs = sorted(dict(pairs).items(), key=lambda kv: -len(kv[0]))
        return super().preprocess(nb, resources)

    def _scrub(self, text):
        if isinstance(text, list):
            return [self._scrub(t) for t in text]
        if not isinstance(text, str):
            return text
        for path, label in self._pairs:
            text = text.replace(path, label)
        return text

    def preprocess_cell(self, cell, resources, index):
        for out in cell.get("outputs", []):
            if "text" in out:
                out["text"] = self._scrub(out["text"])
            if "traceback" in out:
                out["traceback"] = self._scrub(out["traceback"])
            if "evalue" in out:
                out["evalue"] = self._scrub(out["evalue"])
            for mime in ("text/plain", "text/html", "text/markdown"):
                if mime in out.get("data", {}):
                    out["data"][mime] = self._scrub(out["data"][mime])
        return cell, resources


_OUTPUT_STYLE = re.compile(r'<style class="kit-style">.*?</style>', re.S)


class OutputStylePreprocessor(Preprocessor):
    """Drop the component styles every output carries for JupyterLab: the page has them once."""

    def preprocess_cell(self, cell, resources, index):
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html")
            if html is not None:
                text = "".join(html) if isinstance(html, list) else html
                out["data"]["text/html"] = _OUTPUT_STYLE.sub("", text)
        return cell, resources


class StableIdPreprocessor(Preprocessor):
    """Cell ids by position: papermill's inserted cells carry random ids."""

    def preprocess(self, nb, resources):
        for i, cell in enumerate(nb.cells):
            cell["id"] = f"c{i}"
        return nb, resources


_NO_ALT_IMG = re.compile(r"<img\b(?![^>]*\balt\s*=)", re.I)
_FOCUSABLE = re.compile(r'(<div\b[^>]*\bclass="(?:[^"]*\s)?jp-(?:OutputArea-output|Cell-inputWrapper)(?:\s[^"]*)?")')


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_SELF_CLOSED = re.compile(r"<([a-zA-Z][\w-]*)\b([^<>]*?)\s*/>")
_SVG_PART = re.compile(r"(<svg\b.*?</svg>)", re.S | re.I)


def _closed_tags(page: str) -> str:
    """``<a …/>`` written as ``<a …></a>``: HTML ignores the slash of an element that is not void
    (nbconvert writes the headings' anchor links so), and the open link would take in the rest of
    the page. SVG elements keep their self-closing form (it holds there)."""
    def close(m: re.Match) -> str:
        tag = m.group(1)
        return m.group(0) if tag.lower() in _VOID else f"<{tag}{m.group(2)}></{tag}>"

    parts = _SVG_PART.split(page)
    return "".join(part if i % 2 else _SELF_CLOSED.sub(close, part) for i, part in enumerate(parts))


class KitHTMLExporter(HTMLExporter):
    """nbconvert's HTML exporter without its BeautifulSoup pass over the finished page.

    nbconvert 7 parses and re-serialises the whole page to give images without ``alt`` a
    placeholder and outputs ``tabindex="0"``: 0.3 CPU-s a page, more than the audit. The same
    changes are made on the text, with the one repair that re-serialising made for a browser
    (``_closed_tags``): a browser builds the same document (tests/test_report_html.py); the
    markup is otherwise as the template wrote it (``viewBox`` keeps its case)."""

    def from_notebook_node(self, nb, resources=None, **kw):  # type: ignore[override]
        from nbconvert.exporters.templateexporter import TemplateExporter
        from nbconvert.filters.highlight import Highlight2HTML
        from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

        langinfo = nb.metadata.get("language_info", {})
        lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
        self.register_filter("highlight_code",
                             self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type",
                             WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
        page = _closed_tags(page)
        page = _NO_ALT_IMG.sub('<img alt="No description has been provided for this image"', page)
        if "jp-Notebook" in page:
            page = _FOCUSABLE.sub(r'\1 tabindex="0"', page)
        return page, resources


def html_exporter(extra_paths: Iterable[str] = ()) -> HTMLExporter:
    """The configured exporter; ``extra_paths`` are more folders to scrub from outputs."""
    exporter = KitHTMLExporter(
        template_name=TEMPLATE_NAME,
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        language_code="zh",
        anchor_link_text="",
        # The notebook is validated once, after the last preprocessor, not after each of the 17
        # (nbconvert's default: 16 validations of a whole notebook that only the kit's own
        # preprocessors change).
        optimistic_validation=True,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(
            remove_cell_tags=REMOVE_CELL_TAGS,
            remove_input_tags={"remove-input"},
            remove_all_outputs_tags={"remove-output"},
            enabled=True,
        ),
        enabled=True,
    )
    exporter.register_preprocessor(ScrubPathsPreprocessor(extra_paths=list(extra_paths)), enabled=True)
    exporter.register_preprocessor(OutputStylePreprocessor(), enabled=True)
    exporter.register_preprocessor(StableIdPreprocessor(), enabled=True)
    exporter.register_preprocessor(TocPreprocessor(), enabled=True)
    return exporter


def export_html(nb: nbformat.NotebookNode, extra_paths: Iterable[str] = (), prune_styles: bool = True) -> str:
    """The report page for an executed notebook (its ``metadata.kit`` fills the header): its
    stylesheets without the rules that cannot apply to it (``styles.prune``), and the Chinese
    glyphs it uses (``pagefont.embed``)."""
    from .pagefont import embed
    from .styles import prune

    body, _resources = html_exporter(extra_paths).from_notebook_node(nb, resources={"metadata": {"name": "report"}})
    return embed(prune(body) if prune_styles else body)  # the Chinese glyphs the page uses travel with it
