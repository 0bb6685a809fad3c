"""House rules kept by tests: each concept written once (errors, atomic write, signal helper, label
normaliser, not-applicable set), no module over 800 lines."""
from __future__ import annotations

import ast
import os
import signal

import pytest

from kit.core.errors import KitError
from kit.importer.cells import kind
from kit.run.kernels import on_stop_signals
from kit.model import NA_MARKS, NOT_APPLICABLE
from kit.core.safeio import replace_all_atomic, replace_atomic
from kit.core.values import norm_label
from mof_variants import build, mof_doc

from conftest import ROOT

KIT = ROOT / "kit"


def _sources():
    return sorted(KIT.rglob("*.py"))


def test_no_module_over_800_lines():
    long = {str(p.relative_to(ROOT)): n for p in sorted(KIT.rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 800}
    assert long == {}, long


def test_every_error_class_is_in_kit_errors():
    """Exceptions in one module (private control-flow classes, named with a leading _, excepted)."""
    found = []
    for p in _sources():
        if p.name == "errors.py" and p.parent == KIT / "core":
            continue
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                if any(b.endswith(("Error", "Exception", "Stopped", "Missing")) for b in bases):
                    found.append(f"{p.relative_to(ROOT)}:{node.name}")
    assert found == []


@pytest.mark.parametrize("call,home", [("os.replace(", "kit/core/safeio.py"), ("signal.signal(", "kit/run/kernels.py")])
def test_one_atomic_write_and_one_signal_helper(call, home):
    places = [str(p.relative_to(ROOT)) for p in _sources() if call in p.read_text(encoding="utf-8")]
    assert places == [home]


def test_atomic_write_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "a.txt"
    replace_atomic(target, b"old")

    def refuse():
        raise KitError("stop")

    with pytest.raises(KitError):
        replace_all_atomic({target: b"new", tmp_path / "b.txt": b"new"}, before_commit=refuse)
    assert target.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]
    umask = os.umask(0o022)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # readable as any file written, not 0600


def test_signal_helper_notes_the_signal_runs_actions_once_and_restores():
    before = signal.getsignal(signal.SIGTERM)
    ran = []
    with on_stop_signals(ran.append) as caught:
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGTERM)
    assert caught == ["SIGTERM", "SIGTERM"] and ran == ["SIGTERM"]
    assert signal.getsignal(signal.SIGTERM) is before


def test_one_label_normaliser():
    assert norm_label(" *年初\u3000预算（元） ") == norm_label("年初预算(元)") == "年初预算(元)"
    assert norm_label(None) == ""
    # and no module defines a label normaliser of its own beside it (readers import it, as ``norm``)
    own = [f"{p.relative_to(ROOT)}:{node.name}" for p in _sources()
           for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
           if isinstance(node, ast.FunctionDef) and node.name in ("norm", "norm_label", "normalise_label")]
    assert own == ["kit/core/values.py:norm_label"], own


def test_not_applicable_decided_once():
    """Every printed mark of "not applicable" (including // and \\) is one to the importer and the
    model; the word 无 is "not applicable" in a number field, and stays text in a text cell."""
    assert {"//", "\\", "－－", "/", "-"} <= NA_MARKS and NOT_APPLICABLE == NA_MARKS | {"无"}
    for mark in NA_MARKS:
        assert kind(mark) == "dash", mark
    assert kind("无") == "text"
    for printed in ("//", "无", "\\"):
        doc = mof_doc()
        doc["funds"]["rows"][1]["weight"] = printed
        row = build(doc).funds.rows[1]
        assert row.weight.value is None and "not_applicable" in row.weight.notes, printed


def test_no_dead_names(repo_root, tmp_path):
    """vulture finds no unused name in the kit: its users are the kit, the notebooks, the tests,
    benchmarks and tools; framework hooks are listed in tests/vulture_whitelist.py."""
    import json
    import shutil
    import subprocess
    import sys

    vulture = shutil.which("vulture", path=os.path.dirname(sys.executable)) or shutil.which("vulture")
    if vulture is None:
        if os.environ.get("CI"):
            pytest.fail("vulture is not installed: it is in the test extra (pip install -e '.[test]')")
        pytest.skip("vulture is not installed (pip install -e '.[test]')")
    for nb in (repo_root / "notebooks").glob("*.ipynb"):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        code = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        code = "\n".join(ln for ln in code.splitlines() if not ln.lstrip().startswith(("%", "!")))
        (tmp_path / f"{nb.stem}_notebook.py").write_text(code, encoding="utf-8")
    proc = subprocess.run(
        [vulture, "kit", "tests", "benchmarks", "tools", str(tmp_path), "--min-confidence", "60",
         "--exclude", "tests/corpus/cases,tests/assets",
         "--ignore-decorators", "@check,@formula,@property,@cached_property,@contextmanager,@classmethod,@pytest.fixture"],
        cwd=repo_root, capture_output=True, text=True)
    dead = [ln for ln in proc.stdout.splitlines() if ln.startswith("kit/")]
    assert dead == [], "\n".join(dead)
