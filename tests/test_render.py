"""`kit render`: the three output files, the exit codes, and where the notebook is found."""
from __future__ import annotations

import json

import nbformat
import pytest

from kit.commands import cli
from kit.core.errors import KitError
from kit.run.rendering import NOTEBOOK_ENV, locate_notebook
from render_helpers import ROOT, rendered


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return rendered(tmp_path_factory.getbasetemp(), "sample")


@pytest.mark.kernel
def test_writes_html_notebook_and_json_named_by_department_code(sample):
    out = sample.html.parent
    assert sample.ok, sample.failure
    assert sorted(p.name for p in out.iterdir()) == [
        "022006-问题清单.xlsx", "022006.html", "022006.ipynb", "022006.json"]  # no temp files


@pytest.mark.kernel
def test_json_is_the_kit_check_json(sample, capsys):
    params = sample.html.parent.parent / "in" / "022006.yaml"
    assert cli.main(["check", str(params), "--format", "json"]) == 0
    assert json.loads(sample.json.read_text(encoding="utf-8")) == json.loads(capsys.readouterr().out)


@pytest.mark.kernel
def test_executed_notebook_has_outputs_header_and_relative_parameters(sample):
    nb = nbformat.read(sample.ipynb, as_version=4)
    assert nb.metadata["kit"]["status"] == "ok"
    assert nb.metadata["kit"]["department"] == "深圳市龙岗中心医院"
    assert nb.metadata["papermill"]["parameters"]["params_file"] == "022006.yaml"
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith("show(")]  # the import note is conditional
    assert code and all(c.outputs for c in code)
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


@pytest.mark.kernel
def test_cli_exits_non_zero_when_the_notebook_fails(tmp_path_factory, capsys):
    broken = rendered(tmp_path_factory.getbasetemp(), "broken")
    params = broken.html.parent.parent / "in" / "022006.yaml"
    out = tmp_path_factory.mktemp("cli-broken")
    assert cli.main(["render", str(params), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "报告生成失败" in err and "LoadError" in err
    assert (out / "022006.html").is_file() and (out / "022006.ipynb").is_file()


def test_invalid_parameter_file_is_a_plain_error(tmp_path, capsys):
    params = tmp_path / "p.yaml"
    params.write_text("dept_code: 022006\nfiscal_year: 2022\ndata: missing.yaml\n", encoding="utf-8")
    assert cli.main(["render", str(params), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "数据文件不存在" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_notebook_found_in_checkout_and_by_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(NOTEBOOK_ENV, raising=False)
    assert locate_notebook() == ROOT / "notebooks" / "audit.ipynb"
    other = tmp_path / "mine.ipynb"
    other.write_text("{}", encoding="utf-8")
    monkeypatch.setenv(NOTEBOOK_ENV, str(other))
    assert locate_notebook() == other


def test_notebook_missing_is_a_clear_error(monkeypatch, tmp_path):
    import kit.run.rendering as r

    monkeypatch.setenv(NOTEBOOK_ENV, str(tmp_path / "nowhere.ipynb"))
    monkeypatch.setattr(r, "__file__", str(tmp_path / "kit" / "run" / "rendering.py"))
    monkeypatch.setattr(r.sys, "prefix", str(tmp_path))
    with pytest.raises(KitError, match="找不到审核笔记本"):
        locate_notebook()


def test_notebook_parameters_are_ascii_and_default_to_the_sample():
    nb = nbformat.read(ROOT / "notebooks" / "audit.ipynb", as_version=4)
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    assert params[0].source.isascii()
    ns: dict = {}
    exec(params[0].source, ns)
    assert (ROOT / "notebooks" / ns["params_file"]).resolve() == (ROOT / "params" / "022006.yaml").resolve()
    assert all(not c.outputs for c in nb.cells if c.cell_type == "code"), "仓库中的笔记本不应保存输出"
