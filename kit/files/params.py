"""Papermill parameter files: one per department under ``params/``.

A parameter file names the department, the year and its data file, plus the rule options
and auditor overrides the audit engine reads. It is validated before anything runs.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import LoadError, ParamsError, Problem, ProblemCollector
from ..core.safeio import FileMissing, check_file, check_name, resolve
from ..core.text import path_text, scrub_surrogates
from ..core.yamlio import LineDict, parse_yaml, read_text

from ..model import CODE_RE  # one rule for data and parameter files
KEYS = {
    "dept_code": "部门编码（加引号的文字）",
    "fiscal_year": "年度",
    "data": "数据文件路径（相对于本参数文件）",
    "rules": "规则文件（内置规则名，或相对于本参数文件的 .yaml 路径）",
    "options": "规则选项",
    "overrides": "审核人员调整",
    "reviewer": "复核人（报告签署栏）",
    "review_date": "复核日期（报告签署栏）",
    "review_opinion": "复核意见（报告签署栏）",
    "review_unit": "复核单位（报告签署栏）",
    "approver": "审核人（报告签署栏）",
    "approve_date": "审核日期（报告签署栏）",
    "responsible_unit": "责任单位（问题清单；默认为被评价部门）",
    "rectify_deadline": "整改时限（问题清单，日期，如 2023-09-30）",
}
SIGN_OFF = ("reviewer", "review_date", "review_opinion", "review_unit", "approver", "approve_date", "responsible_unit",
            "rectify_deadline")


@dataclass(frozen=True)
class Params:
    dept_code: str
    fiscal_year: int
    data: Path  # absolute
    options: dict[str, Any] = field(default_factory=dict)
    overrides: tuple[dict[str, Any], ...] = ()
    path: Path | None = None  # the parameter file itself, absolute
    rules: str | None = None  # rule set name, or an absolute path; None: the data file's family default
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)  # key -> line, for messages

    def rule_problems(self, rules_ref: str | Path) -> list[Problem]:
        """Problems of ``options`` and ``overrides`` against a rule file, with their lines."""
        from ..engine.rules import check_params_rules

        out = []
        for p in check_params_rules(self.options, list(self.overrides), str(self.path or ""), rules_ref):
            line = self.lines.get(f"options.{p.field}") if p.block == "options" else None
            out.append(Problem(p.message, file=p.file, block=p.block, row=p.row, field=p.field, value=p.value,
                               expected=p.expected, line=line or self.lines.get(p.block or "")))
        return out
    sign_off: dict[str, str] = field(default_factory=dict)  # reviewer, review_date, review_opinion (blank: hand-signed)


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
    rules = doc.get("rules")
    rules_ref: str | None = None
    if rules is not None:
        from ..engine.rules import rule_file

        if not isinstance(rules, str) or not rules.strip() or "\0" in rules:
            out.add("rules 应为规则名或 .yaml 文件路径", field="rules", value=str(rules), **line("rules"))
        elif not rule_file(rules, path.parent).is_file():
            from ..engine.rules import rule_names

            out.add("找不到规则文件", field="rules", value=rules,
                    expected="以下之一：" + "、".join(rule_names()) + "，或一个 .yaml 规则文件的路径", **line("rules"))
        else:
            rules_ref = str(rule_file(rules, path.parent).resolve()) if rules.endswith((".yaml", ".yml")) else rules
    lines = dict(doc.lines) if isinstance(doc, LineDict) else {}
    lines.update({f"options.{k}": v for k, v in getattr(options, "lines", {}).items()})
    sign_off = {}
    for key in SIGN_OFF:
        v = doc.get(key)
        if v is None:
            continue
        if isinstance(v, (dict, list, bool)):
            out.add(f"{KEYS[key]}应为一段文字", field=key, value=str(v), expected='例如 reviewer: 张三', **line(key))
            continue
        sign_off[key] = str(v).strip()
    out.raise_if_any(ParamsError)
    params = Params(
        dept_code=str(code),
        fiscal_year=year_int,
        data=data_path,
        options=dict(options),
        overrides=tuple(overrides),
        path=path,
        rules=rules_ref,
        lines=lines,
        sign_off=sign_off,
    )
    # Options and overrides are checked against the rule file before anything runs; without a
    # `rules:` key that is the data file's family default, checked when the data file loads (load.open_path).
    if rules_ref:
        problems = params.rule_problems(rules_ref)
        if problems:
            raise ParamsError(problems)
    return params
