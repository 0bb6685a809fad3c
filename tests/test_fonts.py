"""Chinese chart labels are drawn in a real CJK font: no "Glyph … missing" warning, ever."""
from __future__ import annotations

import os
import warnings

import matplotlib
import pytest
from matplotlib.figure import Figure

from kit.errors import KitError
from kit.report import fonts
from kit.report.charts import budget_chart, figure_png, scores_chart, tasks_chart

PREFERRED = [family for family, _ in fonts.CANDIDATES]


@pytest.fixture(scope="module")
def cjk():
    if fonts.find_cjk_font() is None:
        if os.environ.get("CI"):
            pytest.fail("CI 环境中没有中文字体：请先运行 make sysdeps（fonts-noto-cjk / fonts-wqy-microhei）")
        pytest.skip("未安装中文字体（fonts-noto-cjk 或 fonts-wqy-microhei）")
    return fonts.setup_fonts()


def test_registers_a_preferred_cjk_font(cjk):
    assert cjk.family in PREFERRED or cjk.path.is_file()
    assert matplotlib.rcParams["font.sans-serif"][0] == cjk.family
    assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_every_chart_draws_without_missing_glyphs(cjk, sample):
    from kit.audit import run_audit

    audit = run_audit(sample)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*Glyph .* missing.*")
        for fig in (budget_chart(sample), tasks_chart(sample), scores_chart(audit)):
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
    a, b = figure_png(budget_chart(sample)), figure_png(budget_chart(sample))
    assert a == b
    assert b"Software" not in a and b"matplotlib" not in a.lower()


def test_no_font_found_is_a_clear_error(monkeypatch, tmp_path):
    assert fonts.find_cjk_font([tmp_path]) is None
    monkeypatch.setattr(fonts, "find_cjk_font", lambda dirs=None: None)
    with pytest.raises(KitError) as err:
        fonts.setup_fonts.__wrapped__()
    assert "未找到中文字体" in str(err.value) and "fonts-noto-cjk" in str(err.value)


def test_font_file_named_by_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(fonts.ENV_VAR, str(tmp_path / "none.ttf"))
    with pytest.raises(KitError, match="字体文件不存在"):
        fonts.find_cjk_font()
