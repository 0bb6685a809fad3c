"""The workbook's layout: one place that both the writer and the reader follow.

Sheets (one per block of the form, headed with the form's own terms), their columns and rows,
the 填表说明, the limits of a workbook, and the escaping of cell text (OOXML's _xHHHH_).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...core.values import norm_label
from ...core.xlsxguard import MAX_CELLS, MAX_UNZIPPED_BYTES  # noqa: F401 (limits re-exported by kit.files.xlsxio)
from ...model import (
    BLOCK_LABELS,
    BUDGET_PARTS,
    COUNT_FIELDS,
    DEPARTMENT_FIELDS,
    FUND_FIELDS,
    FUNDS_FIELDS,
    GOAL_FIELDS,
    HEADER_FIELDS,
    INDICATOR_EXTRA_FIELDS,
    INDICATOR_FIELDS,
    INDICATOR_NUM_FIELDS,
    SCORE_GROUP_FIELDS,
    SELF_EVAL_FIELDS,
    LINE_FIELDS,
    NARRATIVE_SECTIONS,
    PROFILE_TEXTS,
    SCORE_FIELDS,
    TASK_AMOUNT_PARTS,
    TASK_FIELDS,
)

# --- Layout: one place that both the writer and the reader follow ------------------------------
S_GUIDE = "填表说明"
S_INFO = BLOCK_LABELS["department"]  # 基本信息 (also holds 部门基本情况)
S_BUDGET = BLOCK_LABELS["budget"]
S_LINES = {k: BLOCK_LABELS[k] for k in ("basic_lines", "project_lines", "transfer_lines")}
S_TASKS = BLOCK_LABELS["tasks"]
S_GOALS = BLOCK_LABELS["goals"]
S_INDICATORS = BLOCK_LABELS["indicators"]
S_SCORES = BLOCK_LABELS["scores"]
S_NARRATIVE = BLOCK_LABELS["narrative"]
S_SUPP = BLOCK_LABELS["supplementary"]
S_STRAY = BLOCK_LABELS["stray"]

S_FUNDS = BLOCK_LABELS["funds"]
S_GROUPS = BLOCK_LABELS["score_groups"]
S_SELF = BLOCK_LABELS["self_eval"]

# The sheet of each block, in workbook order; a family's workbook has the sheets of its blocks.
BLOCK_SHEETS = (
    ("budget", S_BUDGET), *S_LINES.items(), ("tasks", S_TASKS), ("funds", S_FUNDS), ("goals", S_GOALS),
    ("indicators", S_INDICATORS), ("scores", S_SCORES), ("score_groups", S_GROUPS), ("self_eval", S_SELF),
    ("narrative", S_NARRATIVE), ("supplementary", S_SUPP), ("stray", S_STRAY),
)
# The default family's (Shenzhen's) workbook.
DATA_SHEETS = (
    S_INFO, S_BUDGET, *S_LINES.values(), S_TASKS, S_GOALS, S_INDICATORS, S_SCORES, S_NARRATIVE, S_SUPP, S_STRAY,
)
ALL_SHEETS = (S_GUIDE, *DATA_SHEETS)
# Which sheet each top-level document block comes from (for error locations).
BLOCK_SHEET = {
    "format": S_INFO,
    "department": S_INFO,
    "profile": S_INFO,
    "budget": S_BUDGET,
    **S_LINES,
    "tasks": S_TASKS,
    "goals": S_GOALS,
    "indicators": S_INDICATORS,
    "scores": S_SCORES,
    "narrative": S_NARRATIVE,
    "supplementary": S_SUPP,
    "stray": S_STRAY,
    "family": S_INFO,
    "incomplete": S_INFO,
    "header": S_INFO,
    "funds": S_FUNDS,
    "score_groups": S_GROUPS,
    "self_eval": S_SELF,
}

KEY_COL, VALUE_COL = "项目", "内容"
STAGE_COL = "口径"
REASON_COL = "预算调整（如有）原因及情况说明"
NARRATIVE_TOTAL_LABEL = "部门预算总额（元）"
SECTION_COLS = {"key": "部分代码", "part": "部分标题", "title": "标题", "text": "内容"}
SUPP_COLS = ("代码", "项目", "值")
STRAY_COL = "原文"


@dataclass(frozen=True)
class Col:
    key: tuple  # path inside a row's document, e.g. ('budget', 'total')
    header: str
    kind: str = "text"  # 'text' or 'num' (amounts, scores, counts)
    width: float = 14
    wrap: bool = False


def _task_cols() -> list[Col]:
    cols = [
        Col(("name",), TASK_FIELDS["name"], width=22, wrap=True),
        Col(("content",), TASK_FIELDS["content"], width=60, wrap=True),
        Col(("status",), TASK_FIELDS["status"], width=10),
    ]
    for side, label in (("budget", "预算数"), ("actual", "执行数")):
        for part, plabel in TASK_AMOUNT_PARTS.items():
            cols.append(Col((side, part), f"{label}·{plabel}", "num", 17))
    return cols


TABLES: dict[str, list[Col]] = {
    **{
        sheet: [
            Col(("no",), LINE_FIELDS["no"], width=6),
            Col(("name",), LINE_FIELDS["name"], width=24, wrap=True),
            Col(("budget",), LINE_FIELDS["budget"], "num", 18),
            Col(("adjusted",), LINE_FIELDS["adjusted"], "num", 20),
            Col(("actual",), LINE_FIELDS["actual"], "num", 18),
        ]
        for sheet in S_LINES.values()
    },
    S_TASKS: _task_cols(),
    S_GOALS: [Col((k,), v, width=70, wrap=True) for k, v in GOAL_FIELDS.items()],
    S_INDICATORS: [
        Col(("level1",), INDICATOR_FIELDS["level1"], width=10),
        Col(("level2",), INDICATOR_FIELDS["level2"], width=14),
        Col(("level3",), INDICATOR_FIELDS["level3"], width=40, wrap=True),
        Col(("target",), INDICATOR_FIELDS["target"], width=24, wrap=True),
        Col(("actual",), INDICATOR_FIELDS["actual"], width=30, wrap=True),
    ],
    S_SCORES: [
        Col(("level1",), SCORE_FIELDS["level1"], width=10),
        Col(("level2",), SCORE_FIELDS["level2"], width=12),
        Col(("level3",), SCORE_FIELDS["level3"], width=20, wrap=True),
        Col(("weight",), SCORE_FIELDS["weight"], "num", 8),
        Col(("description",), SCORE_FIELDS["description"], width=40, wrap=True),
        Col(("criteria",), SCORE_FIELDS["criteria"], width=60, wrap=True),
        Col(("self_score",), SCORE_FIELDS["self_score"], "num", 10),
    ],
    S_NARRATIVE: [
        Col(("key",), SECTION_COLS["key"], width=22),
        Col(("part",), SECTION_COLS["part"], width=26, wrap=True),
        Col(("title",), SECTION_COLS["title"], width=30, wrap=True),
        Col(("text",), SECTION_COLS["text"], width=90, wrap=True),
    ],
    S_STRAY: [Col(("text",), STRAY_COL, width=40, wrap=True)],
}
BUDGET_COLS = [
    Col(("stage",), STAGE_COL, width=18),
    *[Col((p,), label, "num", 22) for p, label in BUDGET_PARTS.items()],
    Col(("reason",), REASON_COL, width=50, wrap=True),
]
# 基本信息 rows: (document path, label, kind)
INFO_ROWS: list[tuple[tuple, str, str]] = [
    *[(("department", k), v, "text") for k, v in DEPARTMENT_FIELDS.items()],
    *[(("profile", k), v, "text") for k, v in PROFILE_TEXTS.items()],
    *[(("profile", "counts", k), v, "num") for k, v in COUNT_FIELDS.items()],
]
_PROSE_INFO = {("profile", k) for k in PROFILE_TEXTS}
# Rows of 基本信息 for the families other than the default one (and for a file marking blocks incomplete).
FAMILY_ROW = (("family",), "模板类型", "text")
INCOMPLETE_ROW = (("incomplete",), "不完整的栏目", "text")
HEADER_ROWS = [(("header", k), v, "text") for k, v in HEADER_FIELDS.items()]
ALL_INFO_ROWS = [*INFO_ROWS, FAMILY_ROW, INCOMPLETE_ROW, *HEADER_ROWS]
# 绩效指标 with every column the 财政部-style forms print.
INDICATOR_COLS_FULL = [
    *TABLES[S_INDICATORS],
    *[Col((k,), v, "num" if k in INDICATOR_NUM_FIELDS else "text", 12 if k in INDICATOR_NUM_FIELDS else 16,
          k == "deviation") for k, v in INDICATOR_EXTRA_FIELDS.items()],
]
# 年度预算执行情况: the total row's 分值 / 得分 / 执行率 on top, then one row per 资金来源.
FUNDS_TOP = {k: v for k, v in FUNDS_FIELDS.items() if k not in ("rows", "reason")}  # numbers; 原因 is text (YAML only)
FUNDS_HEADER_ROW = len(FUNDS_TOP) + 2
FUNDS_REASON_COL = 4  # 原因说明 (text) in D1, its value in E1: the numbers' rows stay as they were
FUND_COLS = [Col(("source",), FUND_FIELDS["source"], width=24, wrap=True),
             *[Col((k,), v, "num", 16) for k, v in FUND_FIELDS.items() if k != "source"]]
TABLES[S_GROUPS] = [Col((k,), v, "num" if k in ("weight", "self_score") else "text", 14)
                    for k, v in SCORE_GROUP_FIELDS.items()]
SELF_ROWS = [(("self_eval", k), v, "num" if k in ("total", "total_weight") else "text") for k, v in SELF_EVAL_FIELDS.items()]


def family_sheets(family) -> tuple[str, ...]:
    """The data sheets of a family's workbook (the default family: ``DATA_SHEETS``)."""
    if family is None:
        return DATA_SHEETS
    return (S_INFO, *[sheet for block, sheet in BLOCK_SHEETS if block in family.blocks])


def _is_default(family) -> bool:
    from ...families import DEFAULT_FAMILY

    return family is None or family.id == DEFAULT_FAMILY


def _info_rows(family, doc: dict | None) -> list[tuple[tuple, str, str]]:
    if _is_default(family):
        return INFO_ROWS + ([INCOMPLETE_ROW] if doc and doc.get("incomplete") else [])
    rows = [r for r in INFO_ROWS if r[0][0] == "department"] + [FAMILY_ROW, INCOMPLETE_ROW]
    if "header" in family.blocks:
        rows += HEADER_ROWS
    if "profile" in family.blocks:
        rows += [r for r in INFO_ROWS if r[0][0] == "profile"]
    return rows


def _incomplete_text(keys) -> str:
    return "、".join(BLOCK_LABELS.get(k, k) for k in keys or ())


def _incomplete_keys(text: Any) -> list[str]:
    """'年度绩效指标完成情况、自评结果' (labels or keys, any separator) → block keys."""
    by_label = {_norm_header(v): k for k, v in BLOCK_LABELS.items()}
    out = []
    for part in re.split(r"[、,，;；\s]+", str(text or "")):
        if part.strip():
            out.append(by_label.get(_norm_header(part), part.strip()))
    return out

MAX_XLSX_BYTES = 20 * 1024 * 1024  # a department workbook is tens of KB
MAX_CELL_CHARS = 32767  # Excel's limit for one cell
_FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
_TEXT = "@"

# --- Cell text escaping (OOXML's _xHHHH_ convention) -------------------------------------------
# XML cannot hold most control characters and normalises CR, so they are written as _xHHHH_,
# and a literal "_xHHHH_" in the text is protected as "_x005F_xHHHH_", as Excel does.
_NEEDS_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _escape(text: str) -> str:
    return _NEEDS_ESCAPE.sub(lambda m: "_x005F_" if m.group(0) == "_" else f"_x{ord(m.group(0)):04X}_", text)


def _unescape(text: str) -> str:
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


GUIDE_LINES = [
    "1. 每个工作表对应自评表的一个部分，表头使用表上的栏目名称；请勿改动工作表名称和表头。",
    "2. 所有数值按表上印刷的原样填写：金额以“元”为单位（如 1978799355.27），不加千位分隔符、不换算成万元；"
    "表上显示为“#####”或带有异常字符（如“98.82&”）的，照原样填写，工具会在加载提示中列出。",
    "3. 数据单元格已设为“文本”格式，请保持：这样“022006”不会丢失前导零，金额不会被改写。"
    "请勿填写公式（以“=”开头的内容按文字保存，不会计算）。",
    "4. 基本信息：按“项目”一栏的名称在“内容”一栏填写；部门编码照原样填写（如 022006）；科室数等人数、床位数为表述中的数字，没有的留空。",
    "5. 部门预算总表：三行分别为年初预算批复、全年调整后预算数、年末执行数；“预算调整（如有）原因及情况说明”只填一处。",
    "6. 部门基本支出、项目支出、转移支付项目支出、年度主要任务完成情况、年度绩效指标完成情况、评分表：每行一项，按表上顺序填写，空行会被跳过。",
    "7. 年度主要任务完成情况：预算数、执行数各分为 总数 / 其中财政拨款 / 其他资金 三栏。",
    "8. 自评报告：第 1 行填写报告抬头的部门预算总额；下方每行一个部分，“部分代码”从下拉列表选择："
    + "；".join(f"{k} = {v}" for k, v in NARRATIVE_SECTIONS.items())
    + "。",
    "9. 补充资料：表上没有、评分规则需要的数据，按“代码”一行填写“值”一栏；是/否项填“是”或“否”，公开情况填“合规”“有缺陷”或“未公开”；不知道的留空（不要填 0）。",
    "10. 无归属文字：表上印有但不属于任何栏目的文字（如“Zero”“医院公章”），每行一条。",
    "11. 填好后运行 `kit validate 文件.xlsx` 检查；所有问题会一次列出，并注明工作表和行号。",
]


def family_guide(family, sheets) -> list[str]:
    """填表说明 of a family's workbook."""
    lines = [
        "1. 每个工作表对应自评表的一个部分，表头使用表上的栏目名称；请勿改动工作表名称和表头。本工作簿的工作表："
        + "、".join(sheets) + "。",
        "2. 所有数值按表上印刷的原样填写（金额按表上的单位，如万元，单位填在基本信息的“金额单位”一栏）；表上为“-”“/”的照原样填写"
        "（表示不适用）；表上空白的留空，不要填 0。",
        "3. 数据单元格已设为“文本”格式，请保持。请勿填写公式（以“=”开头的内容按文字保存，不会计算）。",
        f"4. 基本信息：“模板类型”为 {family.id}，请勿改动；表格在页面截断处未印全的栏目，在“不完整的栏目”中列出"
        "（如“年度绩效指标完成情况、自评结果”），其合计将标为无法核实而不是错误。",
    ]
    if S_FUNDS in sheets:
        lines.append("5. 年度预算执行情况：前三行填总额行的分值、得分、执行率；下方每个资金来源一行，第一行为总额"
                     "（年度资金总额），其后为其中各项。")
    if S_INDICATORS in sheets:
        lines.append("6. 年度绩效指标完成情况：每个三级指标一行；分值、得分照表上填写，表上没有的栏留空。")
    if S_SCORES in sheets:
        lines.append("7. 评分表：已列出规则能按表上数据复核的指标，表上没有的行请删除，表上其他指标逐行补充；分值填表上印的分值。")
    if S_GROUPS in sheets:
        lines.append("8. 评分表分组：表上印出的一级、二级指标分值（如“投入(16分)”），层级填 1 或 2，二级指标填上级指标。")
    lines.append("9. 填好后运行 `kit validate 文件.xlsx` 检查；所有问题会一次列出，并注明工作表和行号。")
    return lines


def _get(doc: Any, path: tuple) -> Any:
    for part in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(part)
    return doc


def _merge(into: dict, more: dict) -> None:
    for k, v in more.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            _merge(into[k], v)
        else:
            into[k] = v


def _drop_blank(row: dict, keys) -> dict:
    """A row without its blank optional columns (the YAML leaves out columns a form does not print)."""
    return {k: v for k, v in row.items() if k not in keys or (v is not None and str(v) != "")}


def _set(doc: dict, path: tuple, value: Any) -> None:
    for part in path[:-1]:
        doc = doc.setdefault(part, {})
    doc[path[-1]] = value


def _norm_header(text: Any) -> str:
    """Header text compared leniently: the kit's label normaliser, and no '(元)'."""
    return norm_label(text).replace("(元)", "")
