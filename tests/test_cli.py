"""The ``kit`` command line: output a user reads, exit codes, no tracebacks."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from kit import __version__, load_department
from kit.commands.cli import main
from kit.model import same_content


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_validate_params_lists_load_findings(capsys, sample_params_path):
    code, out, err = run(capsys, "validate", str(sample_params_path))
    assert code == 0 and err == ""
    assert "深圳市龙岗中心医院" in out and "022006" in out
    assert "年度主要任务 11 项" in out and "评分表 21 行" in out
    assert "加载提示 4 条" in out
    assert "'#####'" in out and "'98.82&'" in out and "'Zero'" in out


def test_validate_xlsx(capsys, tmp_path, sample_data_path):
    xlsx = tmp_path / "d.xlsx"
    assert run(capsys, "convert", str(sample_data_path), str(xlsx))[0] == 0
    code, out, _ = run(capsys, "validate", str(xlsx))
    assert code == 0 and "加载提示 4 条" in out


def test_template_command(capsys, tmp_path):
    out_path = tmp_path / "模板.xlsx"
    code, out, _ = run(capsys, "template", str(out_path))
    assert code == 0 and str(out_path) in out
    assert "年度主要任务完成情况" in openpyxl.load_workbook(out_path).sheetnames


def test_convert_round_trip(capsys, tmp_path, sample_data_path, sample):
    xlsx, back = tmp_path / "a.xlsx", tmp_path / "b.yaml"
    assert run(capsys, "convert", str(sample_data_path), str(xlsx))[0] == 0
    code, out, _ = run(capsys, "convert", str(xlsx), str(back))
    assert code == 0 and "已转换" in out
    assert same_content(sample, load_department(back))


def _assert_clean_error(code: int, err: str, *words: str) -> None:
    assert code == 2
    assert "Traceback" not in err
    for w in words:
        assert w in err, (w, err)


def test_fake_xlsx_exits_2(capsys, tmp_path):
    f = tmp_path / "fake.xlsx"
    f.write_text("名称,金额\n", encoding="utf-8")
    code, _, err = run(capsys, "validate", str(f))
    _assert_clean_error(code, err, str(f), "不是有效的 Excel 工作簿")


def test_missing_sheet_exits_2(capsys, tmp_path, sample):
    from kit.files.xlsxio import write_workbook

    f = tmp_path / "d.xlsx"
    write_workbook(sample, f)
    wb = openpyxl.load_workbook(f)
    del wb["评分表"]
    wb.save(f)
    code, _, err = run(capsys, "validate", str(f))
    _assert_clean_error(code, err, str(f), "评分表", "缺少工作表")


@pytest.mark.parametrize(
    "params_edit, data_edit, words",
    [
        ({'dept_code: "022006"': "dept_code: 022006"}, None, ["dept_code", "读成了数字"]),
        ({"fiscal_year: 2022": "fiscal_yaer: 2022"}, None, ["fiscal_yaer", "fiscal_year"]),
        ({"data: ../data/022006-2022.yaml": "data: ../data/missing.yaml"}, None, ["data", "数据文件不存在"]),
        (None, {'code: "022006"': "code: 022006"}, ["基本信息", "部门编码被读成了数字"]),
        (None, {'weight: "5.00"': 'weight: "五分"'}, ["评分表 第1行 分数", "此处应为数字"]),
        (None, {"  year: 2022\n": "  year: 2022\n  name2: x\n  : [\n"}, ["YAML 语法错误"]),
    ],
)
def test_broken_inputs_exit_2_with_named_field(capsys, sample_copy, params_edit, data_edit, words):
    p, d = sample_copy(data=data_edit, params=params_edit)
    code, _, err = run(capsys, "validate", str(p))
    _assert_clean_error(code, err, *words)
    assert str(p) in err or str(d) in err


def test_convert_to_unknown_extension(capsys, tmp_path, sample_data_path):
    code, _, err = run(capsys, "convert", str(sample_data_path), str(tmp_path / "x.csv"))
    _assert_clean_error(code, err, "不支持的输出文件类型", ".csv")


def test_version_via_python_m():
    r = subprocess.run([sys.executable, "-m", "kit", "--version"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == f"kit {__version__}"


def test_console_script(sample_params_path, tmp_path):
    script = Path(sys.executable).with_name("kit")
    if not script.exists():
        pytest.skip("the kit console script is not installed next to this interpreter (pip install -e .)")
    ok = subprocess.run([str(script), "validate", str(sample_params_path)], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "加载提示 4 条" in ok.stdout
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    r = subprocess.run([str(script), "validate", str(bad)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "Traceback" not in r.stderr and str(bad) in r.stderr
