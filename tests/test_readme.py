"""The README's promises: the two set-up commands come first, and its examples work."""
from __future__ import annotations

import re
from pathlib import Path

from kit.engine.audit import audit_path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_the_two_setup_commands():
    first_block = re.search(r"```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_parameter_file_example_runs(tmp_path):
    example = re.search(r"```yaml\n(dept_code:.*?)```", README, re.S).group(1)
    example = example.replace("../data/022006-2022.yaml", str(ROOT / "data" / "022006-2022.yaml"))
    params = tmp_path / "022006.yaml"
    params.write_text(example, encoding="utf-8")
    result = audit_path(params)
    row = result.scores.set_index("indicator").loc["绩效指标明确性"]
    assert row["basis"] == "override" and str(row["recomputed_score"]) == "5.00"
    assert result.options["satisfaction_aggregate"] == "mean"
