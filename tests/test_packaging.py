"""pyproject.toml and environment.yml list the same runtime dependencies and version floors."""
from __future__ import annotations

import re

import pytest
import yaml

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
