"""Properties of the real rendered report of the sample (rendered once per session)."""
from __future__ import annotations

import getpass
import html
import json
import platform
import re
import sys
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from kit.render import normalise_render_time
from render_helpers import RENDER_TIME, ROOT, XSS_IMG, XSS_SCRIPT, rendered

SECTIONS = ("概览", "预算收支", "年度主要任务", "绩效指标", "评分复核", "问题清单", "需补充资料", "附")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return rendered(tmp_path_factory.getbasetemp(), "sample")


@pytest.fixture(scope="module")
def page(sample) -> str:
    return sample.html.read_text(encoding="utf-8")


class Outline(HTMLParser):
    """Collects the page's ids, headings, nav links, tags and their attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.headings: list[tuple[str, str, str]] = []  # (tag, id, text)
        self.nav_links: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self._in_nav = 0
        self._heading: list | None = None
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "nav":
            self._in_nav += 1
        if tag == "a" and self._in_nav and a.get("href", "").startswith("#"):
            self.nav_links.append(a["href"][1:])
        if tag in ("h2", "h3"):
            self._heading = [tag, a.get("id", ""), ""]
        if tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_nav -= 1
        if tag in ("h2", "h3") and self._heading:
            self.headings.append(tuple(self._heading))
            self._heading = None
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[2] += data
        if self._in_title:
            self.title += data


def outline(text: str) -> Outline:
    o = Outline()
    o.feed(text)
    return o


EXTERNAL = [
    re.compile(r"""\b(?:src|href|action|poster|data)\s*=\s*["']?\s*(?:https?:)?//""", re.I),
    re.compile(r"<script\b[^>]*\bsrc\s*=", re.I),
    re.compile(r"@import\s+(?:url\()?\s*[\"']?\s*(?:https?:)?//", re.I),
    re.compile(r"url\(\s*[\"']?\s*(?:https?:)?//", re.I),
    re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//", re.I),
]


def external_references(text: str) -> list[str]:
    return [m.group(0) for rx in EXTERNAL for m in rx.finditer(text)]


def test_external_reference_detector_works():
    bad = ('<script src="https://cdn.example/require.js"></script><img src=//x.example/a.png>'
           '<style>@import url(http://x.example/a.css)</style><a href="http://x.example">x</a>')
    assert len(external_references(bad)) >= 4
    assert external_references('<img src="data:image/png;base64,AAAA"><a href="#概览">概览</a>') == []


@pytest.mark.kernel
def test_no_external_requests(page):
    assert external_references(page) == []
    tags = outline(page).tags
    assert not [t for t, a in tags if t == "script"], "报告中不应有任何脚本"
    assert all(a.get("src", "").startswith("data:") for t, a in tags if t == "img")


@pytest.mark.kernel
def test_no_code_and_no_prompts(page):
    body = re.sub(r"<style\b.*?</style>", "", page, flags=re.S)  # JupyterLab's CSS mentions Out[] in comments
    assert not re.search(r"In\s*\[\s*\d*\s*\]", body)
    assert "Out[" not in body
    assert "jp-InputArea-editor" not in body and "highlight-ipynb" not in body
    nb = nbformat.read(ROOT / "notebooks" / "audit.ipynb", as_version=4)
    lines = {ln.strip() for c in nb.cells if c.cell_type == "code" for ln in c.source.splitlines()}
    lines = {ln for ln in lines if len(ln) >= 8 and not ln.startswith("#")}
    assert lines, "笔记本应有代码"
    shown = [ln for ln in lines if ln in page or html.escape(ln) in page]
    assert shown == []


@pytest.mark.kernel
def test_toc_links_every_section_heading(page):
    o = outline(page)
    heading_ids = [h[1] for h in o.headings]
    assert all(heading_ids), "每个小节标题都应有 id"
    assert o.nav_links == heading_ids, "目录应按顺序链接每个小节标题"
    assert all(link in o.ids for link in o.nav_links)
    top = [h[2].strip() for h in o.headings if h[0] == "h2"]
    assert top == list(SECTIONS)


@pytest.mark.kernel
def test_lang_title_and_header(page):
    assert '<html lang="zh">' in page
    o = outline(page)
    assert "深圳市龙岗中心医院" in o.title and "2022" in o.title
    header = page[page.index('<header class="kit-header">'):page.index("</header>")]
    for text in ("深圳市龙岗中心医院", "022006", "2022", "已完成复核", "022006-2022.yaml", "shenzhen_2022.yaml",
                 RENDER_TIME):
        assert text in header


@pytest.mark.kernel
def test_report_content_matches_the_audit(sample, page):
    """The page shows the audit's totals, all 21 score rows and every non-pass finding."""
    doc = json.loads(sample.json.read_text(encoding="utf-8"))
    assert doc["department"]["code"] == "022006"
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert doc["totals"]["recomputed"] in page or doc["totals"]["recomputed"].rstrip("0").rstrip(".") in text
    for row in doc["scores"]:
        assert row["indicator"] in text
    assert len(doc["scores"]) == 21
    for f in doc["findings"]:
        if f["status"] != "pass":
            assert f["message"] in text, f["message"]
    for section in SECTIONS:
        assert section in text
    assert len(re.findall(r'<img\b[^>]*src="data:image/png;base64,', page)) == 3


@pytest.mark.kernel
def test_task_contents_in_full_and_amounts_in_one_format(sample, page):
    """Every task's 主要内容 is shown whole in its own table; converted 万元 amounts keep cents."""
    from kit import load_department

    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert "各任务主要内容" in text
    for task in load_department(ROOT / "data" / "022006-2022.yaml").tasks:
        for line in task.content.splitlines():
            assert line in text, line
    # A9's 实际 cell in 问题清单 (from 195,004万元) reads like the other amounts.
    assert re.findall(r'<td class="kit-w-val">(1,950,040,000[.0-9]*)</td>', page) == ["1,950,040,000.00"]


@pytest.mark.kernel
def test_department_text_is_escaped(tmp_path_factory):
    result = rendered(tmp_path_factory.getbasetemp(), "hostile")
    assert result.ok, result.failure
    page = result.html.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page.lower()
    assert "<img src=x" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    o = outline(page)
    assert not [t for t, a in o.tags if t == "script"]
    assert not [a for t, a in o.tags if any(k.lower().startswith("on") for k in a)], "不应出现事件属性"
    assert XSS_SCRIPT in o.title  # shown as text in the title, not as markup
    # The task content appears as text in the tasks table.
    assert html.escape(XSS_SCRIPT + XSS_IMG) in page or "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img" in page


def local_leaks(page: str, base: Path) -> list[str]:
    """Local paths, the user name, host name or interpreter details found in the page's text."""
    text = re.sub(r"<style\b.*?</style>", "", page, flags=re.S)  # JupyterLab's CSS
    text = re.sub(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+", "", text)  # chart bytes
    home = str(Path.home())
    strings = [str(ROOT), str(base), tempfile.gettempdir() + "/", home + "/", sys.prefix, sys.executable,
               "site-packages", f"/{getpass.getuser()}/", f"Python {sys.version.split()[0]}",
               sys.version.split()[0] + " ("]
    leaks = [s for s in strings if s and s not in ("/", "//") and s in text]
    node = platform.node()
    if node and re.search(rf"(?<![\w-]){re.escape(node)}(?![\w-])", re.sub(r"<[^>]+>", " ", text)):
        leaks.append(node)
    return leaks


@pytest.mark.kernel
def test_no_local_paths_or_environment_details(page, tmp_path_factory):
    assert local_leaks(page, tmp_path_factory.getbasetemp()) == []


@pytest.mark.kernel
def test_same_inputs_same_html(sample, tmp_path_factory):
    again = rendered(tmp_path_factory.getbasetemp(), "sample-again")
    a = sample.html.read_text(encoding="utf-8")
    b = again.html.read_text(encoding="utf-8")
    assert a != b, "两次生成时间不同，页面中应能看到"
    assert normalise_render_time(a).encode() == normalise_render_time(b).encode()


@pytest.mark.kernel
def test_failure_page_says_what_failed_and_where(tmp_path_factory):
    result = rendered(tmp_path_factory.getbasetemp(), "broken")
    assert not result.ok
    assert result.html.is_file() and result.ipynb.is_file()
    assert result.json is None and not (result.html.parent / "022006.json").exists()
    page = result.html.read_text(encoding="utf-8")
    assert "生成失败" in page
    assert "papermill-error-cell" in page  # papermill's banner and anchor at the failing cell
    assert "LoadError" in page and "年初预算批复" in page  # what failed, in the form's terms
    assert "报告开头的准备步骤" in result.failure and "In [" in result.failure  # where
    assert local_leaks(page, tmp_path_factory.getbasetemp()) == []
    assert external_references(page) == []
