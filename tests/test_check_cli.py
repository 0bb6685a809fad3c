"""`kit check PATH [--format table|json]`."""
from __future__ import annotations

import json

from kit.commands.checkcmd import width
from kit.commands.cli import main


def test_table_output(sample_params_path, capsys):
    assert main(["check", str(sample_params_path)]) == 0
    out = capsys.readouterr().out
    for heading in ("概况", "评分复核", "问题清单", "需补充资料"):
        assert f"\n{heading}" in out
    assert "自评总分 97 分（优）；复核总分 96.32 分（优）" in out
    assert "[错误·不符] A9 下年预算" in out
    assert "核定编制数（含工勤人员）" in out
    # The 评分复核 table is aligned: the 依据 column starts at the same display column on every row.
    lines = out.split("评分复核\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(lines) == 2 + 21 + 3 + 1
    starts = set()
    for line in lines[2:23]:
        basis = line.split()[-1]
        starts.add(width(line[: line.rindex(basis)]))
    assert len(starts) == 1, starts
    # Problems first, the largest effect on the score first (B8 −1 分); then 无法核实; format notes last.
    issues = out.split("问题清单", 1)[1].split("需补充资料", 1)[0]
    assert issues.split("\n")[1].startswith("  [警告·不符] B8 公用经费控制率")
    assert issues.index("[错误·不符] A9") < issues.index("[无法核实]") < issues.index("E5 无归属文字")


def test_json_output(sample_params_path, capsys):
    assert main(["check", str(sample_params_path), "--format", "json"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert j["totals"] == {"self": "97.00", "recomputed": "96.32"} and len(j["scores"]) == 21


def test_data_file_works_too(sample_data_path, capsys):
    assert main(["check", str(sample_data_path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["department"]["code"] == "022006"


def test_unreadable_input_exits_2(tmp_path, capsys):
    assert main(["check", str(tmp_path / "missing.yaml")]) == 2
    assert "找不到" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: kit-dept/1\ndepartment: [\n", encoding="utf-8")
    assert main(["check", str(bad)]) == 2


def test_bad_option_exits_2(sample_copy, capsys):
    p, _ = sample_copy(params={"data:": "options:\n  adjustment_measure: gross\ndata:"})
    assert main(["check", str(p)]) == 2
    assert "gross_lines" in capsys.readouterr().err


def test_display_width():
    assert width("预算abc") == 7
