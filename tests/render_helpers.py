"""Rendering the sample (and variants of it) once per test session, shared by the report tests.

``kit render`` starts a kernel, so each case costs seconds: the cases are cached per pytest
base temp directory and reused by test_render.py, test_report_html.py and test_browser.py.
"""
from __future__ import annotations

import functools
import shutil
from pathlib import Path

from kit.run.rendering import RenderResult, render

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATA = ROOT / "data" / "022006-2022.yaml"
RENDER_TIME = "2000-01-02 03:04:05 +0000"
XSS_SCRIPT = "<script>alert(1)</script>"
XSS_IMG = "<img src=x onerror=alert(1)>"


def _params(folder: Path, data_name: str) -> Path:
    p = folder / "022006.yaml"
    p.write_text(f'dept_code: "022006"\nfiscal_year: 2022\ndata: {data_name}\n', encoding="utf-8")
    return p


def _copy_sample(folder: Path, text: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / SAMPLE_DATA.name
    if text is None:
        shutil.copyfile(SAMPLE_DATA, data)
    else:
        data.write_text(text, encoding="utf-8")
    return _params(folder, data.name)


@functools.lru_cache(maxsize=None)
def rendered(base: Path, case: str) -> RenderResult:
    """Render one case under ``base/case`` (inputs in ``in``, reports in ``out``)."""
    work = base / f"render-{case}"
    sample = SAMPLE_DATA.read_text(encoding="utf-8")
    if case in ("sample", "sample-again"):
        params = _copy_sample(work / "in")
        time = RENDER_TIME if case == "sample" else "2099-12-31 23:59:59 +0800"
        return render(params, work / "out", render_time=time)
    if case == "hostile":
        # A department name and a task's content carrying markup: the page must show it as text.
        name_line = "  name: 深圳市龙岗中心医院\n"
        assert name_line in sample
        text = sample.replace(name_line, f'  name: "深圳市龙岗中心医院{XSS_SCRIPT}{XSS_IMG}"\n', 1)
        content = '    content: "用于开展基本公共卫生项目的人员支出'
        assert content in text
        text = text.replace(content, f'    content: "{XSS_SCRIPT}{XSS_IMG}用于开展基本公共卫生项目的人员支出', 1)
        return render(_copy_sample(work / "in", text), work / "out", render_time=RENDER_TIME)
    if case == "broken":
        # The parameter file is valid and names an existing data file, but in the data file the
        # 年初预算批复 row is one figure instead of total/basic/project: the notebook's first
        # audit cell raises a LoadError.
        row = '  initial:  {total: "1978799355.27", basic: "1444547800.00", project: "534251555.27"}'
        assert row in sample
        text = sample.replace(row, '  initial: "1978799355.27"', 1)
        return render(_copy_sample(work / "in", text), work / "out", render_time=RENDER_TIME)
    raise ValueError(case)
