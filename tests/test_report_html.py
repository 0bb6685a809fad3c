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

from kit.run.rendering import normalise_render_time
from render_helpers import RENDER_TIME, ROOT, XSS_IMG, XSS_SCRIPT, rendered

SECTIONS = ("复核结论", "概览", "预算收支", "年度主要任务", "绩效指标", "评分复核", "问题清单", "需补充资料", "附")


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
    # 13 points cannot be re-checked on the sample: the status says 部分复核 and the score line the coverage.
    for text in ("深圳市龙岗中心医院", "022006", "2022", "部分复核", "可复核 33 / 100 分", "022006-2022.yaml",
                 "shenzhen_2022/rules.yaml", RENDER_TIME):
        assert text in header
    assert "已完成复核" not in header


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
    assert len(re.findall(r"<svg [^>]*class=\"kit-chart\"", page)) == 3  # the three charts, drawn as SVG


@pytest.mark.kernel
def test_task_contents_in_full_and_amounts_in_one_format(sample, page):
    """Every task's 主要内容 is shown whole in its own table; converted 万元 amounts keep cents."""
    from kit import load_department

    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    assert "各任务主要内容" in text
    for task in load_department(ROOT / "data" / "022006-2022.yaml").tasks:
        for line in task.content.splitlines():
            assert line in text, line
    # A9's 实际 cell in 问题清单 (from 195,004万元) reads like the other amounts, on one line.
    cells = re.findall(r'<td class="kit-w-val">(?:<span class="kit-muted">[^<]*</span><br/?>)?'
                       r'<span class="kit-nobr">(1,950,040,000[.0-9]*)</span></td>', page)
    assert cells == ["1,950,040,000.00"]


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


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _table(page: str, caption_start: str) -> list[list[str]]:
    """Rows (cell texts) of the table whose caption starts with ``caption_start``."""
    m = re.search(r"<table[^>]*><caption>" + re.escape(caption_start) + r".*?</table>", page, re.S)
    assert m, caption_start
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", m.group(0), re.S)
    return [[" ".join(_text(c).split()) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows]


@pytest.mark.kernel
def test_conclusion_and_sign_off_open_the_report(page):
    """复核结论: totals, coverage in points, the material problems, what to supply; then the sign-off."""
    text = _text(page)
    start = text.index("复核结论", text.index("目录") + 100)
    conclusion = " ".join(text[start:text.index("概览", start)].split())
    for phrase in ("自评总分 97 分（优）", "经复核为 96.32 分（优）", "较自评减少 0.68 分", "21 项三级指标、满分 100 分",
                   "按规则复核 24 分", "以替代口径复核 9 分", "合计 33 分得到复核", "54 分为专业判断项",
                   "13 分因缺少资料无法复核", "部分复核", "发现问题 27 条", "请部门补充", "等 23 项"):
        assert phrase in conclusion, phrase
    # One 问题 per fact, data inconsistencies first (errors and amounts before score points), then
    # the other problems, then the score differences; a deduction on a proxy says so.
    assert "归为 17 项事实" in conclusion
    assert (conclusion.index("一、数据不一致") < conclusion.index("（A9）") < conclusion.index("（A8）")
            < conclusion.index("二、其他问题") < conclusion.index("（D5、B3、B16、B2）")
            < conclusion.index("三、评分差异") < conclusion.index("（B10、C2、D4）") < conclusion.index("（B8）"))
    assert "此项扣分依据替代口径" in conclusion
    assert "尚未对问题作出决定（27 条待定）" in conclusion
    assert "复核签署" in conclusion and "复核人" in conclusion and "复核意见" in conclusion


@pytest.mark.kernel
def test_coverage_table_adds_up_to_the_rule_total(page):
    rows = _table(page, "复核覆盖")
    by = {r[0]: r for r in rows[1:]}
    assert by["按规则复核"][-2:] == ["24", "24%"] and by["替代口径复核"][-2:] == ["9", "9%"]
    assert by["专业判断（保留自评分）"][-2:] == ["54", "54%"] and by["资料不足，无法复核"][-2:] == ["13", "13%"]
    assert by["合计"][1] == "21" and by["合计"][-2] == "100"
    assert rows[0][2:5] == ["部门决策", "部门管理", "部门绩效"]  # the rule set's level-1 names


@pytest.mark.kernel
def test_findings_split_ordered_and_signed_like_the_score_table(page):
    problems = _table(page, "问题（")
    assert problems[0] == ["序号", "结论", "问题", "应为（复核）", "实际（填报）", "差异（复核−填报）", "表内位置", "整改建议",
                           "复核决定"]
    points = [r for r in problems[1:] if r[1]]  # group header rows (one fact, several checks) have no verdict
    assert all(r[8] == "待定" for r in points)  # no review file beside the sample's params
    assert "问题键 A9|自评报告·部门预算编制情况|下年预算" in problems[1][2]
    first = [r[2].split("：")[0].strip() for r in problems[1:4]]
    assert first == ["下年预算", "妇幼健康服务", "离退休经费"]  # data inconsistencies first, errors and amounts first
    # both sides named, neither taken: 表内预算数 / 文字所述数 / 差额
    d7 = next(r for r in points if r[2].startswith("离退休经费"))
    assert d7[3].startswith("表内预算数") and d7[4].startswith("文字所述数") and d7[5].startswith("差额")
    group = next(r for r in problems[1:] if r[2].startswith("项目完成及时性") and "（评分差异；3 条：B10、C2、D4）" in r[2])
    assert group[0].isdigit() and not group[1]
    # 复核 − 填报 as in the score table: 财务合规性 2.82 − 3 = −0.18 in both.
    fin = next(r for r in points if r[2].startswith("财务合规性"))
    assert fin[5] == "-0.18"
    scores = _table(page, "评分表复核")
    assert next(r for r in scores if "财务合规性" in r)[6] == "-0.18"
    # Every problem carries a request to the department.
    assert all(r[7] and r[7] != "—" for r in points)
    # Seal and page text are format notes (提示), not problems.
    fmt = _table(page, "格式与解析说明")
    stray = [r for r in fmt if "医院公章" in r[3] or "Zero" in r[3]]
    assert len(stray) == 2 and {r[1] for r in stray} == {"提示"}
    assert not [r for r in problems if "医院公章" in " ".join(r)]


@pytest.mark.kernel
def test_overall_goals_block_is_shown(page):
    text = _text(page)
    assert "预期目标" in text and "目标完成实际情况" in text
    assert "逐字相同" in text  # D8


_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@pytest.mark.kernel
def test_export_builds_the_document_nbconverts_exporter_builds(sample, page):
    """The kit's exporter skips nbconvert's BeautifulSoup pass over the page: what a browser
    builds is the same document (same elements, attributes and text as that pass gives), and no
    element other than a void one is written self-closing outside SVG (a browser would leave
    ``<a …/>`` open and the rest of the page inside the link, hidden)."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from kit.report.export import html_exporter

    nb = nbformat.read(sample.ipynb, as_version=4)
    ours = html_exporter()
    text, _ = ours.from_notebook_node(nb, resources={"metadata": {"name": "report"}})
    theirs, _ = HTMLExporter.from_notebook_node(ours, nb, resources={"metadata": {"name": "report"}})
    assert str(BeautifulSoup(text, features="html.parser")) == theirs
    outside_svg = re.sub(r"<svg\b.*?</svg>", "", re.sub(r"<style\b.*?</style>", "", page, flags=re.S), flags=re.S)
    closed = {t.lower() for t in re.findall(r"<([a-zA-Z][\w-]*)\b[^<>]*/>", outside_svg)}
    assert closed <= _VOID, closed
