"""pyproject.toml and environment.yml list the same runtime dependencies and version floors."""
from __future__ import annotations

import re

import pytest
import yaml
from importgraph import kit_import_graph

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

_REQ = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*(?:>=\s*([0-9][0-9A-Za-z.]*))?")


def _parse(spec: str) -> tuple[str, str | None]:
    m = _REQ.match(spec)
    assert m, f"cannot read requirement {spec!r}"
    return m.group(1).lower().replace("_", "-"), m.group(2)


def test_dependencies_match(repo_root):
    pyproject = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))
    env = yaml.safe_load((repo_root / "environment.yml").read_text(encoding="utf-8"))
    pip_deps = dict(_parse(s) for s in pyproject["project"]["dependencies"])
    conda_deps = dict(
        _parse(s) for s in env["dependencies"] if isinstance(s, str) and _parse(s)[0] not in ("python", "pip")
    )
    assert pip_deps, "no runtime dependencies found in pyproject.toml"
    assert conda_deps == pip_deps
    assert all(floor for floor in pip_deps.values()), "every runtime dependency needs a version floor"


def test_python_floor_matches(repo_root):
    pyproject = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))
    env = yaml.safe_load((repo_root / "environment.yml").read_text(encoding="utf-8"))
    conda_python = next(s for s in env["dependencies"] if isinstance(s, str) and s.startswith("python"))
    assert pyproject["project"]["requires-python"] == conda_python[len("python"):]


def _third_party_imports(repo_root) -> set[str]:
    """Top-level modules imported by the kit and its notebooks that are not the stdlib or kit."""
    import ast
    import json
    import sys

    sources = [p.read_text(encoding="utf-8") for p in (repo_root / "kit").rglob("*.py")]
    for nb in (repo_root / "notebooks").glob("*.ipynb"):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        sources += ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    names: set[str] = set()
    for src in sources:
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.Import):
                names |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "kit"}


def test_every_imported_package_is_declared(repo_root):
    from importlib.metadata import packages_distributions

    pyproject = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))
    declared = {_parse(s)[0] for s in pyproject["project"]["dependencies"]}
    for extra in pyproject["project"]["optional-dependencies"].values():
        declared |= {_parse(s)[0] for s in extra}
    dists = packages_distributions()
    imported = _third_party_imports(repo_root)
    assert {"pandas", "tqdm", "jupyter_client"} <= imported  # the scan sees the kit's imports
    missing = {}
    for module in imported:
        names = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
        if not names & declared:
            missing[module] = sorted(names)
    assert missing == {}, f"imported but not declared in pyproject.toml: {missing}"


def test_wheel_ships_the_sample_notebooks_font_and_licences(repo_root):
    pyproject = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))
    tool = pyproject["tool"]["setuptools"]
    shipped = {f for files in tool["data-files"].values() for f in files}
    assert {"data/022006-2022.yaml", "params/022006.yaml", "notebooks/audit.ipynb",
            "notebooks/portfolio.ipynb"} <= shipped
    assert all((repo_root / f).is_file() for f in shipped)
    assert "report/fontdata/*" in tool["package-data"]["kit"]
    assert pyproject["project"]["license"] == "MIT AND OFL-1.1"
    assert all((repo_root / f).is_file() for f in pyproject["project"]["license-files"])
    assert any(r.startswith("setuptools>=") and int(r.split(">=")[1].split(".")[0]) >= 77
               for r in pyproject["build-system"]["requires"])


def test_every_data_file_of_the_package_ships(repo_root):
    """Rule files, family layouts, templates and the font: every non-Python file under kit/ is
    matched by package-data (a wheel without kit/families/*/*.yaml knows no family)."""
    import fnmatch

    globs = tomllib.loads((repo_root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"]["kit"]
    kit = repo_root / "kit"
    files = [p.relative_to(kit).as_posix() for p in kit.rglob("*")
             if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    assert files and [f for f in files if not any(fnmatch.fnmatch(f, g) for g in globs)] == []


def test_synth_finds_the_sample_where_a_regular_install_puts_it(monkeypatch, tmp_path, repo_root):
    """No source checkout beside the package: the sample comes from <prefix>/share/…/data/."""
    import shutil

    from kit.commands import synth
    from kit.run import rendering

    share = tmp_path / "share" / "audit-notebook-kit"
    (share / "data").mkdir(parents=True)
    shutil.copy(repo_root / "data" / synth.SAMPLE_NAME, share / "data" / synth.SAMPLE_NAME)
    monkeypatch.setattr(synth, "DEFAULT_SOURCE", tmp_path / "no-checkout" / synth.SAMPLE_NAME)
    monkeypatch.setattr(rendering, "installed_data_dirs", lambda: [tmp_path / "elsewhere", share])
    assert synth.default_source() == share / "data" / synth.SAMPLE_NAME
    rows = synth.write_synthetic(2, tmp_path / "out", seed=1)
    assert len(rows) == 2 and len(list((tmp_path / "out" / "params").glob("*.yaml"))) == 2


def test_ruff_finds_nothing(repo_root):
    """The linter (ruff, configured in pyproject.toml) passes on the kit, its tests and tools."""
    import os
    import shutil
    import subprocess
    import sys

    ruff = shutil.which("ruff", path=os.path.dirname(sys.executable)) or shutil.which("ruff")
    if ruff is None:
        if os.environ.get("CI"):
            pytest.fail("ruff is not installed: it is in the test extra (pip install -e '.[test]')")
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    proc = subprocess.run([ruff, "check", "--no-cache", "kit", "tests", "benchmarks", "tools"], cwd=repo_root,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_import_circle_through_the_run_layer(repo_root):
    """render, warm, kernels, batch and the commands import each other one way only."""
    graph = kit_import_graph(repo_root)
    run = {"kit.run.rendering", "kit.run.warm", "kit.run.kernels", "kit.run.batch", "kit.commands.rendercmd", "kit.run.portfolio", "kit.core.vocab",
           "kit.commands.cli", "kit.commands.synth", "kit.report.fonts"}

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            m = todo.pop()
            for d in graph.get(m, ()):
                if d == goal:
                    return True
                if d not in seen:
                    seen.add(d)
                    todo.append(d)
        return False

    assert "kit.run.kernels" in graph["kit.run.warm"] and "kit.run.kernels" in graph["kit.run.rendering"]
    circles = sorted(m for m in run if m in graph and reaches(m, m))
    assert circles == [], f"import circles through {circles}"
