"""Chinese chart labels are drawn in a real CJK font: no "Glyph … missing" warning, ever.

The report's charts are SVG whose text the page draws: every character they use is in the
font subset the page carries (``pagefont``). The batch index's charts are drawn by matplotlib
with the font registered here."""
from __future__ import annotations

import warnings

import matplotlib
import pytest
from matplotlib.figure import Figure

from kit.core.errors import KitError
from kit.report import fonts
from kit.report.charts import _new_figure, budget_chart, figure_png, scores_chart, tasks_chart
from kit.report.svg import chart_svg

PREFERRED = [family for family, _ in fonts.CANDIDATES]


@pytest.fixture(scope="module")
def cjk():
    return fonts.setup_fonts()  # a system font when there is one, else the kit's own


def test_registers_a_preferred_cjk_font(cjk):
    assert cjk.family in PREFERRED or cjk.family == fonts.BUNDLED[0] or cjk.path.is_file()
    assert matplotlib.rcParams["font.sans-serif"][0] == cjk.family
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def _chart_texts(sample) -> list[str]:
    import re

    from kit.engine.audit import run_audit

    svgs = [chart_svg(c) for c in (budget_chart(sample), tasks_chart(sample), scores_chart(run_audit(sample)))]
    return [t for svg in svgs for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]


def test_every_chart_character_is_in_the_font_the_page_carries(sample):
    """A machine with no CJK font draws the report's charts with the page's embedded subset."""
    import html
    import io

    from fontTools.ttLib import TTFont

    from kit.report.pagefont import page_chars, subset_woff

    text = html.unescape("".join(_chart_texts(sample)))
    wanted = page_chars(text)
    assert "预" in wanted and "执" in wanted
    cmap = TTFont(io.BytesIO(subset_woff(wanted))).getBestCmap()
    assert [c for c in wanted if ord(c) not in cmap] == []


def test_matplotlib_charts_draw_without_missing_glyphs(cjk, sample):
    """The batch index's charts (matplotlib) draw the report's Chinese labels in the CJK font."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*Glyph .* missing.*")
        fig = _new_figure(6, 3)
        fig.add_subplot().set_title("".join(_chart_texts(sample))[:400])
        png = figure_png(fig)  # drawing is what looks up glyphs
        assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_missing_glyph_warning_is_caught_by_that_filter():
    """Without the CJK font (DejaVu Sans only), Chinese text warns: the test above can fail."""
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans"]}):
        fig = Figure()
        fig.add_subplot().set_title("部门预算")
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=r".*Glyph .* missing.*")
            with pytest.raises(UserWarning, match="Glyph"):
                figure_png(fig)


def test_charts_are_byte_for_byte_repeatable(cjk, sample):
    def png() -> bytes:
        fig = _new_figure(4, 2)
        fig.add_subplot().barh([0, 1], [3, 4], label="自评分数")
        return figure_png(fig)

    a, b = png(), png()
    assert a == b
    assert b"Software" not in a and b"matplotlib" not in a.lower()


@pytest.fixture
def no_system_fonts(monkeypatch, tmp_path):
    """A machine without any CJK font: the searched folders are an empty one."""
    monkeypatch.delenv(fonts.ENV_VAR, raising=False)
    monkeypatch.setenv(fonts.DIRS_ENV_VAR, str(tmp_path))
    assert fonts.find_cjk_font() is None
    with matplotlib.rc_context():  # setup_fonts changes rcParams: keep them for this test only
        yield


def test_without_a_system_font_the_bundled_font_draws_every_chart(no_system_fonts, sample):
    font = fonts.setup_fonts.__wrapped__()
    assert font.bundled and font.family == "Kit Sans SC" and font.path == fonts.BUNDLED[1]
    assert matplotlib.rcParams["font.sans-serif"][0] == "Kit Sans SC"
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*Glyph .* missing.*")
        fig = _new_figure(6, 3)
        fig.add_subplot().set_title("".join(_chart_texts(sample))[:400])
        figure_png(fig)


def test_bundled_font_ships_with_its_licence():
    licence = fonts.BUNDLED[1].parent / "OFL.txt"
    assert fonts.BUNDLED[1].stat().st_size > 1_000_000
    text = licence.read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in text and "Noto Sans CJK SC" in text


def test_system_font_is_preferred_to_the_bundled_one(monkeypatch, tmp_path):
    monkeypatch.delenv(fonts.ENV_VAR, raising=False)
    (tmp_path / "wqy-microhei.ttc").write_bytes(b"")
    monkeypatch.setenv(fonts.DIRS_ENV_VAR, str(tmp_path))
    assert fonts.find_cjk_font() == ("WenQuanYi Micro Hei", tmp_path / "wqy-microhei.ttc")


def test_no_font_at_all_is_a_clear_error(no_system_fonts, monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "BUNDLED", ("Kit Sans SC", tmp_path / "gone.otf"))
    with pytest.raises(KitError) as err:
        fonts.setup_fonts.__wrapped__()
    assert "未找到中文字体" in str(err.value) and "fonts-noto-cjk" in str(err.value)


@pytest.mark.kernel
def test_report_rendered_with_system_fonts_hidden_has_no_missing_glyph(no_system_fonts, tmp_path):
    """The kernel inherits KIT_FONT_DIRS: the whole report is drawn with the bundled font."""
    import nbformat

    from render_helpers import _copy_sample
    from kit.run.rendering import render

    result = render(_copy_sample(tmp_path / "in"), tmp_path / "out")
    assert result.ok, result.failure
    nb = nbformat.read(result.ipynb, as_version=4)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert sum('<svg xmlns="http://www.w3.org/2000/svg" class="kit-chart"' in str(o) for o in outputs) >= 3  # the charts
    streams = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    assert "Glyph" not in streams and "missing from" not in streams


def test_font_file_named_by_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(fonts.ENV_VAR, str(tmp_path / "none.ttf"))
    with pytest.raises(KitError, match="字体文件不存在"):
        fonts.find_cjk_font()


def test_page_font_subset_draws_what_fonttools_subsetter_draws():
    """The page's subset (HarfBuzz's subsetter, kit.report.pagefont) has, for every character, the
    outline and advance width fontTools' subsetter keeps from the bundled font, the same tables
    and the licence's name records; the same characters twice give the same bytes."""
    import io

    from fontTools import subset
    from fontTools.pens.recordingPen import RecordingPen
    from fontTools.ttLib import TTFont

    from kit.report.pagefont import subset_woff

    chars = "部门预算：年初批复、调整后与年末执行（万元）％—①≤√×“”《》·一二三〇"
    font = TTFont(str(fonts.BUNDLED[1]), recalcBBoxes=False, recalcTimestamp=False)
    opts = subset.Options()
    opts.layout_features, opts.name_IDs, opts.notdef_outline = [], [0, 1, 2, 13, 14], True
    opts.drop_tables += ["GSUB", "GPOS", "GDEF"]
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[ord(c) for c in chars])
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    data = subset_woff.__wrapped__(chars)
    assert data == subset_woff.__wrapped__(chars)
    ours, theirs = TTFont(io.BytesIO(data)), TTFont(io.BytesIO(buf.getvalue()))
    assert ours.flavor == "woff"
    assert sorted(ours.keys()) == sorted(theirs.keys())
    ours_cmap, theirs_cmap = ours.getBestCmap(), theirs.getBestCmap()
    # Both keep a character's bidi mirror (≥ with ≤) and nothing else beyond what was asked.
    assert set(ours_cmap) == set(theirs_cmap) >= {ord(c) for c in chars}
    ours_glyphs, theirs_glyphs = ours.getGlyphSet(), theirs.getGlyphSet()
    for code in theirs_cmap:
        drawn = []
        for glyphs, cmap in ((ours_glyphs, ours_cmap), (theirs_glyphs, theirs_cmap)):
            pen = RecordingPen()
            glyphs[cmap[code]].draw(pen)
            drawn.append((pen.value, glyphs[cmap[code]].width))
        assert drawn[0] == drawn[1], chr(code)
    assert {r.nameID for r in ours["name"].names} == {0, 1, 2, 13, 14}
    for table, field in (("hhea", "ascent"), ("hhea", "descent"), ("OS/2", "sTypoAscender"), ("OS/2", "usWinAscent")):
        assert getattr(ours[table], field) == getattr(theirs[table], field)
