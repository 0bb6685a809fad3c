"""Papermill parameter files: one per department under ``params/``.

A parameter file names the department, the year and its data file, plus the rule options
and auditor overrides the audit engine reads. It is validated before anything runs.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import LoadError, ParamsError, Problem, ProblemCollector
from .safeio import FileMissing, check_file, check_name, resolve
from .text import path_text, scrub_surrogates
from .yamlio import LineDict, parse_yaml, read_text

from .model import CODE_RE  # one rule for data and parameter files
KEYS = {
    "dept_code": "部门编码（加引号的文字）",
    "fiscal_year": "年度",
    "data": "数据文件路径（相对于本参数文件）",
    "options": "规则选项",
    "overrides": "审核人员调整",
}


@dataclass(frozen=True)
class Params:
    dept_code: str
    fiscal_year: int
    data: Path  # absolute
    options: dict[str, Any] = field(default_factory=dict)
    overrides: tuple[dict[str, Any], ...] = ()
    path: Path | None = None  # the parameter file itself, absolute


def valid_code(code: object) -> bool:
    """A department code safe to use as a file name: ASCII letters, digits, '-' and '_'."""
    return isinstance(code, str) and not getattr(code, "unquoted_number", False) and bool(CODE_RE.match(code))


def load_params(path: str | Path) -> Params:
    """Read and validate a parameter file; raise ``ParamsError`` listing every problem."""
    path = Path(path).absolute()
    check_name(path, "参数文件")
    text, _ = read_text(path, "参数文件")
    doc = parse_yaml(text, str(path))
    out = ProblemCollector(str(path))

    def line(key: str) -> dict:
        return {"line": doc.lines.get(key)} if isinstance(doc, LineDict) else {}

    if not isinstance(doc, dict):
        raise ParamsError(Problem("参数文件应为键值表", file=str(path), expected="dept_code、fiscal_year、data 等字段"))
    # A parameter file is the auditor's own: text that cannot be encoded is refused, not repaired.
    for where, text in scrub_surrogates(doc):
        out.add("含有无法编码的字符（孤立的 UTF-16 代理项，如 \\uD800），已显示为 \ufffd", field=".".join(map(str, where)),
                value=text, expected="普通文字", **line(str(where[0])))
    for key in doc:
        if key not in KEYS:
            hint = difflib.get_close_matches(str(key), list(KEYS), n=1)
            out.add(
                "未知参数" + (f"，是否应为 “{hint[0]}”？" if hint else ""),
                field=str(key),
                expected="以下之一：" + "、".join(KEYS),
                **line(key),
            )
    code = doc.get("dept_code")
    if code is None:
        out.add("缺少 dept_code", field="dept_code", expected='加引号的部门编码，例如 "022006"')
    elif not valid_code(code):
        if getattr(code, "unquoted_number", False) or isinstance(code, (int, float)):
            why = "部门编码被读成了数字（前导零会丢失），请加引号"
        elif not isinstance(code, str):
            why = "部门编码应为一段加引号的文字"
        else:
            why = "部门编码只能包含英文字母、数字、“-”和“_”（最多 32 个字符）"
        shown = str(code) if isinstance(code, (str, int, float)) else ("（列表）" if isinstance(code, list) else "（键值表）")
        out.add(why, field="dept_code", value=shown, expected='例如 dept_code: "022006"', **line("dept_code"))
    year = doc.get("fiscal_year")
    try:
        year_int = int(str(year))
        if not 1990 <= year_int <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        out.add("年度应为四位年份", field="fiscal_year", value=str(year), expected="例如 2022", **line("fiscal_year"))
        year_int = 0
    data = doc.get("data")
    data_path = None
    if not isinstance(data, str) or not data.strip():
        out.add("缺少数据文件路径", field="data", expected="例如 data: ../data/022006-2022.yaml", **line("data"))
    elif "\0" in data:
        # The operating system refuses such a name; say so instead of failing on it.
        out.add("数据文件路径含有不允许的控制字符", field="data", value=data, expected="普通的文件路径", **line("data"))
    else:
        data_path = path.parent / data
        try:
            data_path = resolve(data_path)
            check_file(data_path)  # a regular file: not a folder, device, FIFO, loop or non-UTF-8 name
        except FileMissing:
            out.add("数据文件不存在", field="data", value=data,
                    expected=f"存在的文件（解析为 {path_text(data_path.name)}）", **line("data"))
        except LoadError as exc:  # what the path resolves to says most (a symlink to /dev/zero, a name in GBK)
            p = exc.problems[0]
            out.add(f"{p.message}（解析为 {p.file}）", field="data", value=data, expected=p.expected or "存在的普通文件",
                    **line("data"))
    options = doc.get("options") or {}
    if not isinstance(options, dict):
        out.add("options 应为键值表", field="options", value=str(options), **line("options"))
        options = {}
    overrides = doc.get("overrides") or []
    if not isinstance(overrides, list):
        out.add("overrides 应为列表", field="overrides", value=str(overrides), **line("overrides"))
        overrides = []
    # Rule options and auditor overrides are checked against the rule file before anything runs.
    from .rules import check_params_rules

    for p in check_params_rules(options, overrides, str(path)):
        sub = options if p.block == "options" else None
        where = getattr(sub, "lines", {}).get(p.field) if sub is not None else None
        out.problems.append(
            Problem(p.message, file=p.file, block=p.block, row=p.row, field=p.field, value=p.value,
                    expected=p.expected, line=where or doc.lines.get(p.block) if isinstance(doc, LineDict) else where)
        )
    out.raise_if_any(ParamsError)
    return Params(
        dept_code=str(code),
        fiscal_year=year_int,
        data=data_path,
        options=dict(options),
        overrides=tuple(overrides),
        path=path,
    )
