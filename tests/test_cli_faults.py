"""Command-line misuse and unwritable targets: a clear message and exit 2, never a traceback."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from kit.commands.cli import main
from kit.files.load import load_department
from kit.model import to_document
from kit.core.yamlio import dump_yaml


def test_convert_onto_its_own_source_is_refused(tmp_path, capsys, sample_data_path):
    src = tmp_path / "d.yaml"
    src.write_bytes(sample_data_path.read_bytes())
    before = src.read_bytes()
    for dst in (src, tmp_path / "." / "d.yaml"):
        assert main(["convert", str(src), str(dst)]) == 2
        assert "输出文件与输入文件相同" in capsys.readouterr().err
    assert src.read_bytes() == before


@pytest.mark.parametrize("target", ["/proc/kit-test.xlsx", "/proc/kit-test/out"])
def test_commands_writing_where_nothing_can_be_written_say_so(target, capsys, sample_data_path):
    for argv in (["template", target], ["convert", str(sample_data_path), target + ".xlsx"],
                 ["synth", "1", "--out", target]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "Traceback" not in err and "/proc/kit-test" in err, argv


@pytest.mark.parametrize("cut", ["one task", "no task"])
def test_synth_from_a_small_valid_department_works(tmp_path, capsys, sample, cut):
    doc = copy.deepcopy(to_document(sample))
    doc["tasks"] = doc["tasks"][:1] if cut == "one task" else []
    small = tmp_path / "small.yaml"
    small.write_text(dump_yaml(doc), encoding="utf-8")
    load_department(small)  # valid
    assert main(["synth", "3", "--out", str(tmp_path / "out"), "--from", str(small)]) == 0
    assert len(list((tmp_path / "out" / "params").glob("*.yaml"))) == 3
    for p in sorted((tmp_path / "out" / "params").glob("*.yaml")):
        assert main(["check", str(p), "--format", "json"]) == 0
    capsys.readouterr()


def test_synth_from_an_unusable_department_is_refused_cleanly(tmp_path, capsys, sample):
    doc = copy.deepcopy(to_document(sample))
    doc["budget"]["initial"]["basic"] = "#####"  # loads (a printed quirk) but cannot be scaled
    bad = tmp_path / "bad.yaml"
    bad.write_text(dump_yaml(doc), encoding="utf-8")
    code = main(["synth", "2", "--out", str(tmp_path / "out"), "--from", str(bad)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and "合成基础" in err
    assert Path(bad).is_file()


def test_inline_isolation_with_dask_is_refused_before_any_work(tmp_path, capsys):
    # Dask runs a task in a thread: cells run there could not be interrupted at the limit.
    with pytest.raises(SystemExit) as exc:
        main(["render", str(tmp_path), "--out", str(tmp_path / "out"), "--executor", "dask", "--isolation", "inline"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "--isolation inline 不能与 --executor dask 一起使用" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()
