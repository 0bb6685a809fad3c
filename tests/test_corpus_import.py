"""The corpus cases of `kit import` and of rule files (tests/corpus/cases.yaml, run: import | rules).

An import case writes a form (and, for a fault case, what an earlier run left in ``out/``), runs
``kit import FORM --out out``, and checks: the exit status (0 ``imported``, 2 ``import_error``),
no traceback, nothing raw on the terminal, the words the output must mention; every data file
written loads (``kit validate``, exit 0) and holds none of the numbers the case forbids
(``data_must_not_contain``: a hidden digit, a double-decoded entity); ``out_after``: exactly the
files the folder must then hold (``[]``: nothing, not even a temporary file); ``untouched``: files
that must keep their bytes; ``record_must_mention``: words the import record must hold (a note,
a raw text left absent). ``fault``: ``lock_held`` (another run holds the folder's lock) or
``enospc`` (the disk fills while the import record is written).

A rules case gives its rule file to ``kit check base.yaml --rules FILE``: exit 2 with the file, the
line and the reason (``rules_error``), or exit 0 (``rules_ok``).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import disk_full_for_import_record
from test_corpus import ALL_CASES, CORPUS, assert_terminal_safe, make  # noqa: E402  (tests/ is on sys.path)

from kit.commands.cli import main

IMPORT_CASES = [c for c in ALL_CASES if c.get("run") == "import"]
RULES_CASES = [c for c in ALL_CASES if c.get("run") == "rules"]


def _ids(cases):
    return [c["id"] for c in cases]


def _outputs(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name != ".kit"} if folder.is_dir() else set()


@pytest.mark.parametrize("case", IMPORT_CASES, ids=_ids(IMPORT_CASES))
def test_import_case(case, tmp_path, capsys, monkeypatch):
    form = make.make(case["make"], tmp_path)
    untouched = {name: (tmp_path / name).read_bytes() for name in case.get("untouched", [])}
    marker = tmp_path / "OUT"  # a generator may name the --out to give
    out = tmp_path / (marker.read_text(encoding="utf-8") if marker.exists() else "out")
    capsys.readouterr()
    fault = case.get("fault")
    if fault == "enospc":
        disk_full_for_import_record(monkeypatch)
    if fault == "lock_held":
        from kit.run.batch import BatchLock

        out.mkdir(exist_ok=True)
        with BatchLock(out):
            code = main(["import", str(form), "--out", str(out)])
    else:
        code = main(["import", str(form), "--out", str(out)])
    monkeypatch.undo()
    said = capsys.readouterr()
    text = said.out + said.err
    assert "Traceback" not in text
    assert_terminal_safe(text)
    assert code == {"imported": 0, "import_error": 2}[case["expect"]], text
    for word in case.get("must_mention", []):
        assert word in text, f"{word!r} not in:\n{text}"
    folder = out if out.suffix != ".yaml" else out.parent
    if "out_after" in case:
        assert _outputs(folder) == set(case["out_after"])
    for name, data in untouched.items():
        assert (tmp_path / name).read_bytes() == data, name
    for data in sorted(folder.glob("*.yaml")) if folder.is_dir() else ():
        if data.name.endswith(".import.yaml"):
            continue
        assert not data.is_symlink()
        assert main(["validate", str(data)]) == 0, capsys.readouterr().err
        written = data.read_text(encoding="utf-8")
        for number in case.get("data_must_not_contain", []):
            assert number not in written, number
    records = sorted(folder.glob("*.import.yaml")) if folder.is_dir() else []
    if case["expect"] == "imported":
        assert records
    for word in case.get("record_must_mention", []):
        assert any(word in r.read_text(encoding="utf-8") for r in records), word


@pytest.mark.parametrize("case", RULES_CASES, ids=_ids(RULES_CASES))
def test_rules_case(case, capsys):
    path = CORPUS / case["file"]
    code = main(["check", str(CORPUS / "base.yaml"), "--rules", str(path)])
    said = capsys.readouterr()
    assert "Traceback" not in said.out + said.err
    if case["expect"] == "rules_ok":
        assert code == 0, said.err
        return
    assert code == 2
    assert said.err.startswith("错误：") and f"{path.name}:" in said.err  # the file and its line
    for word in case["must_mention"]:
        assert word in said.err, f"{word!r} not in:\n{said.err}"
