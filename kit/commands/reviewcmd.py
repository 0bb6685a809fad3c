"""``kit review-import WORKBOOK --params P``: a department's filled 问题清单.xlsx back into the review file.

The department fills 部门说明 / 整改状态 / 整改完成日期 in the workbook it was sent. Its rows are
matched to this run's findings by 问题键 (never by position); a row whose key matches no finding
is listed, not guessed. 已整改 becomes the decision 已整改 (with its date and explanation), a
written explanation 已说明; the previous decision stays in the entry's history. The workbook is
checked like every workbook the kit reads (``kit.core.xlsxguard``) before it is parsed.
"""
from __future__ import annotations

import argparse
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import LoadError, Problem
from ..core.vocab import Decision, Status

MAX_XLSX_BYTES = 20 * 1024 * 1024


@dataclass
class ImportReport:
    rectified: list[str] = field(default_factory=list)
    explained: list[str] = field(default_factory=list)
    unchanged: int = 0
    no_reply: int = 0
    unmatched: list[tuple[int, str]] = field(default_factory=list)  # (worksheet row, key or why)
    problems: list[Problem] = field(default_factory=list)  # rows read but not usable (a bad date …)


def _workbook(path: Path):
    """The openpyxl workbook of a returned 问题清单, guarded like every workbook (kit.core.xlsxguard)."""
    from ..files.xlsxio.reader import _open
    from ..core.safeio import read_bounded

    data = read_bounded(path, MAX_XLSX_BYTES, "问题清单工作簿")
    return _open(path, data)


def _date(value: Any) -> str | None:
    """ISO date text of a cell (a date, or text like 2023-06-30 / 2023/6/30 / 2023年6月30日); None if not one."""
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    import re

    m = re.fullmatch(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*", str(value))
    if not m:
        return None
    try:
        return dt.date(*map(int, m.groups())).isoformat()
    except ValueError:
        return None


def read_replies(path: Path) -> tuple[list[dict], list[Problem]]:
    """Rows of the 问题清单 sheet with a key: {row, key, explanation, status, date}."""
    from ..report.workbook import KEY, SHEET, STATUS_CHOICES
    from ..files.xlsxio.layout import _unescape

    wb = _workbook(path)
    name = str(path)
    if SHEET not in wb.sheetnames:
        raise LoadError(Problem(f"工作簿中没有“{SHEET}”工作表", file=name, expected="kit render 生成的问题清单.xlsx"))
    rows = wb[SHEET].iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in (next(rows, None) or ())]
    need = (KEY, "部门说明", "整改状态", "整改完成日期")
    missing = [h for h in need if h not in header]
    if missing:
        raise LoadError(Problem("问题清单缺少栏目：" + "、".join(missing), file=name, block=SHEET,
                                expected="kit render 生成的问题清单（请勿删除或改名栏目）"))
    col = {h: header.index(h) for h in need}
    out, problems = [], []
    for i, values in enumerate(rows, 2):
        values = list(values) + [None] * (len(header) - len(values))
        if all(v in (None, "") for v in values):
            continue

        def text(h: str) -> str:
            v = values[col[h]]
            return _unescape(str(v)).strip() if v is not None else ""

        status = text("整改状态")
        when = _date(values[col["整改完成日期"]])
        if status and status not in STATUS_CHOICES:
            problems.append(Problem("整改状态不是列表中的选项", file=name, block=SHEET, row=i, field="整改状态",
                                    value=status, expected="、".join(STATUS_CHOICES)))
            status = ""
        if when is None:
            problems.append(Problem("整改完成日期不是日期", file=name, block=SHEET, row=i, field="整改完成日期",
                                    value=text("整改完成日期"), expected="日期，例如 2023-06-30"))
            when = ""
        out.append({"row": i, "key": text(KEY), "explanation": text("部门说明"), "status": status, "date": when})
    wb.close()
    return out, problems


def import_replies(workbook: str | Path, params_path: str | Path, reviewer: str = "") -> tuple[ImportReport, Path]:
    """Read a returned 问题清单 into the review file beside ``params_path``; returns what happened."""
    from ..engine.audit import run_audit
    from ..files.load import open_path

    workbook = Path(workbook)
    params, dept = open_path(params_path)
    audit = run_audit(dept, params)
    replies, problems = read_replies(workbook)
    live = audit.findings[audit.findings["status"] != Status.PASS]
    about = {k: f"{subj}：{msg}" for k, subj, msg in zip(live["key"], live["subject"], live["message"])}
    keys = set(about)
    rep = ImportReport(problems=problems)
    review = audit.review
    for r in replies:
        if not r["key"]:
            rep.unmatched.append((r["row"], "没有问题键"))
            continue
        if r["key"] not in keys:
            rep.unmatched.append((r["row"], r["key"]))
            continue
        if r["status"] == "已整改":
            decision = Decision.RECTIFIED
        elif r["explanation"]:
            decision = Decision.EXPLAINED
        else:
            rep.no_reply += 1  # 未整改 / 整改中 without an explanation: nothing to record
            continue
        old = review.get(r["key"])
        if (old is not None and old.decision is decision and old.explanation == r["explanation"]
                and old.rectified_on == r["date"] and old.status == r["status"]):
            rep.unchanged += 1
            continue
        review.decide(r["key"], decision, explanation=r["explanation"], rectified_on=r["date"],
                      reviewer=reviewer, source=workbook.name, status=r["status"],
                      finding=about[r["key"]])
        (rep.rectified if decision is Decision.RECTIFIED else rep.explained).append(r["key"])
    path = audit.save_review() if (rep.rectified or rep.explained or audit.review.path is None) else audit.review.path
    return rep, path


def add_review_command(sub) -> None:
    p = sub.add_parser("review-import", help="读回部门填好的问题清单.xlsx（部门说明、整改状态、整改完成日期），写入复核文件")
    p.add_argument("workbook", help="部门交回的 <部门编码>-问题清单.xlsx")
    p.add_argument("--params", required=True, help="该部门的参数文件；复核文件为其旁边的 <参数文件名>.review.yaml")
    p.add_argument("--reviewer", default="", help="记录这些回复的复核人")
    p.set_defaults(func=cmd_review_import)


def say(text: str) -> None:
    """Print text that may hold what a department wrote: controls shown, not obeyed."""
    from ..core.text import for_terminal

    print(for_terminal(text))


def cmd_review_import(args: argparse.Namespace) -> int:
    rep, path = import_replies(Path(args.workbook), Path(args.params), args.reviewer)
    say(f"已读回 {Path(args.workbook).name}：已整改 {len(rep.rectified)} 条、已说明 {len(rep.explained)} 条；"
        f"与复核文件相同 {rep.unchanged} 条；未填写说明或未整改 {rep.no_reply} 条。复核文件：{path.name}")
    for p in rep.problems:
        say(f"  未读取：{p}")
    if rep.unmatched:
        say(f"无法对应的行 {len(rep.unmatched)} 行（问题键不在本次复核的问题中，未写入）：")
        for row, key in rep.unmatched:
            say(f"  第{row}行：{key}")
    return 1 if rep.unmatched or rep.problems else 0

