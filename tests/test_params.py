"""Parameter files: the sample validates; every mistake is named with its field."""
from __future__ import annotations

import pytest

from kit import ParamsError, load_params
from kit.files.load import open_path


def test_sample_params(sample_params_path, sample_data_path):
    p = load_params(sample_params_path)
    assert p.dept_code == "022006" and p.fiscal_year == 2022
    assert p.data == sample_data_path.resolve()
    params, dept = open_path(sample_params_path)
    assert params == p and dept.code == "022006"


def _problems(path) -> list:
    with pytest.raises(ParamsError) as exc:
        open_path(path)
    return exc.value.problems


def test_unquoted_code_says_it_was_read_as_a_number(sample_copy):
    p, _ = sample_copy(params={'dept_code: "022006"': "dept_code: 022006"})
    (prob,) = _problems(p)
    assert prob.field == "dept_code" and "读成了数字" in prob.message and prob.line == 2
    assert str(p) in str(prob)


def test_unknown_key_suggests_the_close_match(sample_copy):
    p, _ = sample_copy(params={"fiscal_year: 2022": "fiscal_year: 2022\nfiscal_yaer: 2022"})
    (prob,) = _problems(p)
    assert prob.field == "fiscal_yaer" and "“fiscal_year”" in prob.message


def test_missing_data_file(sample_copy):
    p, _ = sample_copy(params={"data: ../data/022006-2022.yaml": "data: ../data/022006-2021.yaml"})
    (prob,) = _problems(p)
    assert prob.field == "data" and "数据文件不存在" in prob.message and "022006-2021.yaml" in str(prob)


def test_code_mismatch_with_data_file(sample_copy):
    p, _ = sample_copy(params={'dept_code: "022006"': 'dept_code: "022007"'})
    (prob,) = _problems(p)
    assert prob.field == "dept_code" and "不一致" in prob.message and "022006" in str(prob)


def test_year_mismatch_with_data_file(sample_copy):
    p, _ = sample_copy(params={"fiscal_year: 2022": "fiscal_year: 2021"})
    (prob,) = _problems(p)
    assert prob.field == "fiscal_year" and "不一致" in prob.message


def test_several_params_problems_together(sample_copy):
    p, _ = sample_copy(params={'dept_code: "022006"': "dept_code: 022006", "fiscal_year: 2022": "fiscal_yer: 2022"})
    probs = _problems(p)
    assert {x.field for x in probs} == {"dept_code", "fiscal_yer", "fiscal_year"}
