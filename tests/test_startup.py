"""Start-up: `kit --help`, `kit validate` and `kit import` of a text form run without loading
pandas or matplotlib (they cost most of a second before anything is done)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("pandas", "matplotlib", "numpy", "pdfminer", "pdfplumber", "nbformat", "papermill")
PROBE = (
    "import sys\n"
    "from kit.commands.cli import main\n"
    "try:\n"
    "    rc = main(sys.argv[1:])\n"
    "except SystemExit as exc:\n"
    "    rc = exc.code\n"
    f"print('LOADED', sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    "sys.exit(rc or 0)\n"
)


def _loaded(args: list[str]) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120,
                          cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    line = next(ln for ln in proc.stderr.splitlines() if ln.startswith("LOADED"))
    return eval(line[len("LOADED"):])  # a list literal of module names


@pytest.mark.parametrize("args", [
    ["--help"],
    ["validate", "data/022006-2022.yaml"],
    ["validate", "params/022006.yaml"],
    ["import", "tests/assets/forms/longgang-central-hospital-2022.txt", "--out", "{tmp}/out", "-q"],
], ids=["help", "validate-data", "validate-params", "import-text"])
def test_light_commands_do_not_load_the_heavy_libraries(tmp_path, args):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert _loaded(args) == []


def test_the_public_api_still_loads_on_first_use():
    import kit

    from kit.files.load import open_path  # noqa: F401  (the submodule imported first, as kit validate does)

    dept = kit.load(ROOT / "data" / "022006-2022.yaml")
    assert isinstance(dept, kit.Department) and dept.code == kit.load_department(ROOT / "data" / "022006-2022.yaml").code
    assert callable(kit.load_params) and kit.Params.__name__ == "Params"
