"""The fast batch paths — a warm kernel (kit.run.warm) and the cells run in the worker itself
(kit.run.inline) — give the reports of a fresh kernel, faults contained.

A department rendered right after another one (very different data, a failure, a timeout, a
dead kernel or worker, or a notebook that changes every piece of process state it can reach)
must give the report a fresh kernel gives. Speed is measured in benchmarks/batch.py.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell

from kit.run import batch, warm
from kit.commands.cli import main
from kit.run.rendering import normalise_render_time, render
from kit.commands.synth import write_synthetic

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATA = ROOT / "data" / "022006-2022.yaml"
RENDER_TIME = "2000-01-02 03:04:05 +0000"
pytestmark = pytest.mark.kernel  # every test here starts kernels


@pytest.fixture(autouse=True)
def _no_warm_kernel_left():
    yield
    warm.shutdown_all()


def _comparable_ipynb(path: Path, render_time: str | None = None, instead: str = RENDER_TIME) -> dict:
    """The executed notebook without what differs between any two runs (timings, random ids)."""
    text = path.read_text(encoding="utf-8")
    if render_time:
        text = text.replace(render_time, instead)
    nb = json.loads(text)
    nb["metadata"].pop("papermill", None)
    for cell in nb["cells"]:
        cell.pop("id", None)
        cell["metadata"].pop("papermill", None)
        cell["metadata"].pop("execution", None)
    return nb


def _assert_same_report(a_dir: Path, b_dir: Path, code: str, a_time: str | None = None, b_time: str | None = None):
    """HTML, JSON and executed notebook of ``code`` equal in both folders (render times aside)."""
    a_page = (a_dir / f"{code}.html").read_text(encoding="utf-8")
    b_page = (b_dir / f"{code}.html").read_text(encoding="utf-8")
    if a_time and b_time:
        a_page = a_page.replace(a_time, b_time)
    assert normalise_render_time(a_page) == normalise_render_time(b_page)
    assert (a_dir / f"{code}.json").read_bytes() == (b_dir / f"{code}.json").read_bytes()
    assert _comparable_ipynb(a_dir / f"{code}.ipynb", a_time) == _comparable_ipynb(b_dir / f"{code}.ipynb", b_time)


def _render_time(out: Path, code: str) -> str:
    return json.loads((out / f"{code}.ipynb").read_text(encoding="utf-8"))["metadata"]["kit"]["render_time"]


def _two_very_different_departments(tmp_path: Path) -> tuple[Path, Path]:
    """A: a synthetic department with a planted arithmetic problem; B: the real sample."""
    write_synthetic(1, tmp_path / "a", seed=99, planted_share=1.0)
    a = tmp_path / "a" / "params" / "S00001.yaml"
    (tmp_path / "b").mkdir()
    shutil.copy(SAMPLE_DATA, tmp_path / "b" / SAMPLE_DATA.name)
    b = tmp_path / "b" / "022006.yaml"
    b.write_text(f'dept_code: "022006"\nfiscal_year: 2022\ndata: {SAMPLE_DATA.name}\n', encoding="utf-8")
    return a, b


def test_report_after_a_very_different_department_matches_a_fresh_kernel(tmp_path):
    a, b = _two_very_different_departments(tmp_path)

    starts = warm.warm_kernel().starts
    first = render(a, tmp_path / "warm", render_time=RENDER_TIME, isolation="warm")
    second = render(b, tmp_path / "warm", render_time=RENDER_TIME, isolation="warm")
    assert first.ok and second.ok
    assert warm.warm_kernel().starts == starts + 1, "B did not run on A's kernel"
    alone = render(b, tmp_path / "fresh", render_time=RENDER_TIME, isolation="fresh")
    assert alone.ok
    _assert_same_report(tmp_path / "warm", tmp_path / "fresh", "022006")
    # The two departments really differ (the comparison above is not trivially true).
    assert (tmp_path / "warm" / "S00001.json").read_bytes() != (tmp_path / "warm" / "022006.json").read_bytes()


# A copy of the audit notebook with two extra cells: one right after the parameters that
# misbehaves according to the parameter file's name (as tests/assets/faulty.ipynb does), and
# one at the end that, for a "poison" department, changes every piece of kernel state a
# department could leave behind, and otherwise prints that state into the report.
FAULT = """\
import os, time
if 'hang' in params_file:
    time.sleep(600)
if 'die' in params_file:
    os._exit(1)
if 'raise' in params_file:
    raise RuntimeError('planted failure')
"""
STATE = """\
import decimal, os, sys, warnings
import matplotlib, numpy as np, pandas as pd
if 'poison' in params_file:
    import helper
    matplotlib.rcParams['font.size'] = 3
    matplotlib.rcParams['font.sans-serif'] = ['DejaVu Sans']
    pd.set_option('display.max_rows', 3)
    np.set_printoptions(precision=1)
    os.environ['KIT_POISON'] = helper.VALUE
    sys.path.insert(0, '/nonexistent-poison')
    decimal.getcontext().prec = 3
    warnings.simplefilter('error')
    leaked_global = audit
    os.chdir('/')
else:
    try:
        import helper
        helper_value = helper.VALUE
    except ImportError:
        helper_value = None
    print('cwd', os.path.basename(os.getcwd()), os.path.isfile(params_file))
    print('leaked', 'leaked_global' in globals())
    print('rc', matplotlib.rcParams['font.size'], matplotlib.rcParams['font.sans-serif'][:1])
    print('pandas', pd.get_option('display.max_rows'), 'numpy', np.get_printoptions()['precision'])
    print('env', os.environ.get('KIT_POISON'), 'path', '/nonexistent-poison' in sys.path)
    print('decimal', decimal.getcontext().prec, 'warnings', any(f[0] == 'error' and f[2] is Warning for f in warnings.filters))
    print('helper', helper_value, 'history', len(In))
    if os.environ.get('KIT_TEST_PIDS'):
        with open(os.path.join(os.environ['KIT_TEST_PIDS'], params_file + '.pid'), 'w') as fh:
            fh.write(str(os.getpid()))
"""


def _state_notebook(folder: Path) -> Path:
    nb = nbformat.read(ROOT / "notebooks" / "audit.ipynb", as_version=4)
    i = next(k for k, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(i + 1, new_code_cell(FAULT))
    nb.cells += [new_markdown_cell("## 内核状态"), new_code_cell(STATE)]
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"cell{k}"
    path = folder / "state.ipynb"
    nbformat.write(nb, path)
    return path


def _departments(base: Path, names: list[str], seed: int) -> dict[str, Path]:
    """One parameter file per name, each in its own folder (``<name>/<name>.yaml``), codes S00001…"""
    write_synthetic(len(names), base, seed=seed, planted_share=0.0)
    out = {}
    for i, name in enumerate(names, start=1):
        folder = base / name
        folder.mkdir()
        out[name] = folder / f"{name}.yaml"
        out[name].write_text(f'dept_code: "S{i:05d}"\nfiscal_year: 2022\ndata: ../data/S{i:05d}-2022.yaml\n',
                             encoding="utf-8")
    return out


def test_inline_reports_match_a_fresh_kernel_file_by_file(tmp_path):
    a, b = _two_very_different_departments(tmp_path)  # B rendered after A in this process
    for p in (a, b):
        assert render(p, tmp_path / "inline", render_time=RENDER_TIME, isolation="inline", docx=True).ok
    assert not list((tmp_path / "inline").glob(".*.run.ipynb"))  # kept in memory, no temporary notebook
    for p in (a, b):
        assert render(p, tmp_path / "fresh", render_time=RENDER_TIME, isolation="fresh", docx=True).ok
    for code in ("S00001", "022006"):
        _assert_same_report(tmp_path / "inline", tmp_path / "fresh", code)
        # 问题清单 and the Word report: the same rows and paragraphs (files carry their creation time).
        for suffix, read in (("-问题清单.xlsx", _xlsx_cells), (".docx", _docx_text)):
            assert read(tmp_path / "inline" / f"{code}{suffix}") == read(tmp_path / "fresh" / f"{code}{suffix}")
    assert (tmp_path / "inline" / "S00001.json").read_bytes() != (tmp_path / "inline" / "022006.json").read_bytes()


def _xlsx_cells(path: Path) -> list:
    from openpyxl import load_workbook

    book = load_workbook(path)
    return [(ws.title, [[c.value for c in row] for row in ws.iter_rows()]) for ws in book.worksheets]


def _docx_text(path: Path) -> list[str]:
    import docx

    doc = docx.Document(str(path))
    return [p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells]


def test_inline_cell_output_as_a_kernel_gives_it(tmp_path, monkeypatch):
    # Streams, a value shown by the displayhook, display updates and clear_output, a skipped
    # cell, input() with no one to answer: the executed notebook of the cells run in this
    # process equals a fresh kernel's. (papermill fails a department on any error output, a
    # cell tagged raises-exception too, whichever path ran it.)
    nb = nbformat.read(ROOT / "notebooks" / "audit.ipynb", as_version=4)
    i = next(k for k, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    extra = [
        new_code_cell("import sys\nprint('a'); print('b', file=sys.stderr); print('c')\n{'k': [1, 2.5, None]}"),
        new_code_cell("from IPython.display import display, clear_output, HTML\n"
                      "h = display(HTML('<b>one</b>'), display_id=True)\nprint('x')\nclear_output(wait=True)\n"
                      "display(HTML('<i>two</i>'))\nh2 = display('first', display_id='d2')"),
        new_code_cell("h2.update('second')\nimport pandas as pd\npd.DataFrame({'a': [1, 2]})"),
        new_code_cell("raise ValueError('skipped')", metadata={"tags": ["skip-execution"]}),
        new_code_cell("try:\n    input('?')\nexcept Exception as exc:\n    print(type(exc).__name__)"),
    ]
    nb.cells[i + 1:i + 1] = extra
    for k, cell in enumerate(nb.cells):
        cell["id"] = f"cell{k}"
    nbformat.write(nb, tmp_path / "outputs.ipynb")
    monkeypatch.setenv("KIT_NOTEBOOK", str(tmp_path / "outputs.ipynb"))
    files = _departments(tmp_path / "in", ["one"], seed=3)
    for mode in ("inline", "fresh"):
        assert render(files["one"], tmp_path / mode, render_time=RENDER_TIME, isolation=mode).ok
    inline_nb = _comparable_ipynb(tmp_path / "inline" / "S00001.ipynb")
    fresh_nb = _comparable_ipynb(tmp_path / "fresh" / "S00001.ipynb")
    sources = ["".join(c.source) for c in extra]
    mine = [k for k, c in enumerate(inline_nb["cells"]) if "".join(c["source"]) in sources]
    assert len(mine) == len(extra)
    shown = [inline_nb["cells"][k].get("outputs") for k in mine]
    # input(): refused as a kernel without stdin refuses it.
    assert "".join(shown[-1][-1]["text"]) == "StdinNotImplementedError\n"
    assert inline_nb == fresh_nb
    assert [(o["name"], "".join(o["text"])) for o in shown[0][:2]] == [("stdout", "a\nc\n"), ("stderr", "b\n")]
    assert shown[0][2]["output_type"] == "execute_result" and shown[2][0]["output_type"] == "execute_result"
    assert "".join(shown[1][0]["data"]["text/html"]) == "<i>two</i>"  # cleared before it, updated after
    assert "".join(shown[1][1]["data"]["text/plain"]) == "'second'"


@pytest.mark.parametrize("isolation", ["warm", "inline"])
def test_failures_and_a_poisoning_department_do_not_reach_the_next(tmp_path, monkeypatch, isolation):
    monkeypatch.setenv("KIT_NOTEBOOK", str(_state_notebook(tmp_path)))
    names = ["raise", "hang", "die", "poison", "good"]
    files = _departments(tmp_path / "in", names, seed=21)
    (files["poison"].parent / "helper.py").write_text("VALUE = 'poison'\n", encoding="utf-8")
    (files["good"].parent / "helper.py").write_text("VALUE = 'good'\n", encoding="utf-8")
    out = tmp_path / "out"
    # The limit is derived from this machine as it is now (a fixed 5 s saw a loaded machine time out
    # every department after 'hang', 'die' included): three times what one department takes on a fresh
    # kernel here, at least 5 s. 'hang' never ends, so any limit catches it; the others end within it.
    t0 = time.monotonic()
    alone = render(files["good"], tmp_path / "fresh", isolation="fresh")
    limit = max(5.0, 3 * (time.monotonic() - t0))
    assert alone.ok
    if isolation == "inline":
        # The process the workers come from has matplotlib's settings changed (as a kit process
        # that drew a chart would): a department still starts with those of its import.
        import matplotlib

        monkeypatch.setitem(matplotlib.rcParams, "font.size", 3.0)
    # One worker: the departments run one after the other on the same warm kernel (or its
    # replacement; inline, in the worker or its replacement), in this order.
    code = main(["render", *map(str, files.values()), "--out", str(out), "-j", "1", "--timeout", f"{limit:.1f}",
                 "-q", "--isolation", isolation])
    rows = batch.read_manifest(out)
    assert code == 1
    assert [rows[f"S{i:05d}"]["status"] for i in range(1, 6)] == ["error", "timeout", "kernel_died", "ok", "ok"]
    assert "planted failure" in rows["S00001"]["error"]
    if isolation == "inline":  # the department that ended the process took its worker with it (replaced)
        assert "运行笔记本的工作进程异常退出（退出码 1）" in rows["S00003"]["error"]
        assert "DepartmentTimeout" in rows["S00002"]["error"] and "超过时限" in rows["S00002"]["error"]

    _assert_same_report(out, tmp_path / "fresh", "S00005", _render_time(out, "S00005"),
                        _render_time(tmp_path / "fresh", "S00005"))
    page = (out / "S00005.html").read_text(encoding="utf-8")
    # What the state cell saw, spelled out (the comparison above already requires it).
    assert "cwd good True" in page and "leaked False" in page and "helper good" in page
    assert "env None path False" in page and re.search(r"decimal 28 warnings False", page)


def test_each_isolation_runs_where_it_says_with_the_same_reports(tmp_path, monkeypatch):
    monkeypatch.setenv("KIT_NOTEBOOK", str(_state_notebook(tmp_path)))
    files = _departments(tmp_path / "in", ["one", "two"], seed=4)
    pids: dict[str, set[str]] = {}
    for mode in ("default", "warm", "fresh"):
        pid_dir = tmp_path / f"pids-{mode}"
        pid_dir.mkdir()
        monkeypatch.setenv("KIT_TEST_PIDS", str(pid_dir))
        args = ["render", *map(str, files.values()), "--out", str(tmp_path / mode), "-j", "1", "-q"]
        assert main(args + ([] if mode == "default" else ["--isolation", mode])) == 0
        pids[mode] = {p.read_text() for p in pid_dir.iterdir()}
    # The batch's default (inline): both departments in the one worker, not in this process;
    # warm: both on the worker's one kernel; fresh: a kernel each.
    assert len(pids["default"]) == 1 and str(os.getpid()) not in pids["default"]
    assert len(pids["warm"]) == 1 and pids["warm"] != pids["default"]
    assert len(pids["fresh"]) == 2
    for code in ("S00001", "S00002"):
        for mode in ("default", "warm"):
            _assert_same_report(tmp_path / mode, tmp_path / "fresh", code,
                                _render_time(tmp_path / mode, code), _render_time(tmp_path / "fresh", code))
