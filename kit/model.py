"""The department-year model: every block of a 部门整体支出绩效自评表, as printed.

The readers (``yamlio``, ``xlsxio``) turn a file into a plain *document* (nested dicts and
lists of strings, the shape described in ``docs/data-format.md``); ``build_department``
validates a document and builds the model, collecting every problem before raising;
``to_document`` turns a model back into a document, so that conversions are lossless.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable

import pandas as pd

from .errors import LoadError, ProblemCollector
from .values import BENIGN_NOTES, NOTE_TEXT, Num, normalise_text, out_of_range, parse_num

FORMAT = "kit-dept/1"

# --- Chinese labels: one place for the form's terms (messages, DataFrames, xlsx headers).
BLOCK_LABELS = {
    "department": "基本信息",
    "profile": "部门基本情况",
    "budget": "部门预算总表",
    "basic_lines": "部门基本支出",
    "project_lines": "项目支出",
    "transfer_lines": "转移支付项目支出",
    "tasks": "年度主要任务完成情况",
    "goals": "年度总体目标完成情况",
    "indicators": "年度绩效指标完成情况",
    "scores": "评分表",
    "narrative": "自评报告",
    "supplementary": "补充资料",
    "stray": "无归属文字",
}
DEPARTMENT_FIELDS = {"name": "部门名称", "code": "部门编码", "year": "年度"}
PROFILE_TEXTS = {"duties": "部门主要职责", "organisation": "组织结构", "staffing": "人员编制情况"}
COUNT_FIELDS = {
    "departments": "科室数",
    "community_centres": "社康中心数",
    "beds": "编制床位",
    "on_staff": "年末在编在职人数",
    "other_staff": "年末其他人员人数",
    "retired": "年末离退休人数",
    "authorized_posts": "核定编制数",
}
BUDGET_STAGES = {"initial": "年初预算批复", "adjusted": "全年调整后预算数", "actual": "年末执行数"}
BUDGET_PARTS = {"total": "部门支出总金额", "basic": "部门基本支出总金额", "project": "部门项目支出总金额"}
LINE_FIELDS = {
    "no": "序号",
    "name": "项目名称",
    "budget": "预算金额（元）",
    "adjusted": "预算调整后金额（元）",
    "actual": "实际支出金额（元）",
}
TASK_AMOUNT_PARTS = {"total": "总数", "fiscal": "其中财政拨款", "other": "其他资金"}
TASK_FIELDS = {"name": "任务名称", "content": "主要内容", "status": "完成情况"}
GOAL_FIELDS = {"expected": "预期目标", "actual": "目标完成实际情况"}
INDICATOR_FIELDS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "target": "指标值",
    "actual": "实际完成指标值",
}
SCORE_FIELDS = {
    "level1": "一级指标",
    "level2": "二级指标",
    "level3": "三级指标",
    "weight": "分数",
    "description": "指标说明",
    "criteria": "评分标准",
    "self_score": "自评分数",
}
NARRATIVE_SECTIONS = {
    "functions": "部门主要职能",
    "annual_work": "年度总体工作和重点工作任务",
    "budget_preparation": "部门预算编制情况",
    "budget_execution": "部门预算执行情况",
    "duty_goals": "主要履职目标",
    "duty_performance": "主要履职情况",
    "performance_analysis": "部门履职绩效情况",
    "experience": "预算绩效管理工作主要经验、做法",
    "problems": "部门整体支出绩效存在的问题和改进措施",
    "plans": "后续工作计划、相关建议等",
}
# Inputs the scoring rules need that the form does not carry: key -> (label, kind).
# kind: 'amount' (元), 'pct', 'count', 'flag' (true/false), 'disclosure' (合规/有缺陷/未公开).
SUPPLEMENTARY = {
    "authorized_posts": ("核定编制数（含工勤人员）", "count"),
    "contract_staff": ("劳务派遣及直接聘用的编外人员数", "count"),
    "q1_progress": ("一季度末累计支出进度（%）", "pct"),
    "q2_progress": ("二季度末累计支出进度（%）", "pct"),
    "q3_progress": ("三季度末累计支出进度（%）", "pct"),
    "q4_progress": ("四季度末累计支出进度（%）", "pct"),
    "three_public_budget": ("“三公”经费预算安排数（元）", "amount"),
    "three_public_actual": ("“三公”经费实际支出数（元）", "amount"),
    "daily_public_budget": ("日常公用经费调整预算数（元）", "amount"),
    "daily_public_actual": ("日常公用经费决算数（元）", "amount"),
    "fixed_assets_in_use": ("实际在用固定资产总额（元）", "amount"),
    "fixed_assets_total": ("所有固定资产总额（元）", "amount"),
    "procurement_plan": ("政府采购计划金额（元）", "amount"),
    "procurement_actual": ("政府采购实际金额（元）", "amount"),
    "cumulative_adjustment": ("累计调整、调剂资金（元）", "amount"),
    "budget_disclosure": ("部门预算公开情况（合规/有缺陷/未公开）", "disclosure"),
    "final_disclosure": ("部门决算公开情况（合规/有缺陷/未公开）", "disclosure"),
    "classified": ("涉密部门（是/否）", "flag"),
    "petition_channel": ("建立了群众意见反映渠道和办理回复机制（是/否）", "flag"),
    "petition_reply_rate": ("群众信访办理回复率（%）", "pct"),
    "petition_timely_rate": ("群众信访及时办理回复率（%）", "pct"),
    "key_tasks_total": ("重点工作总数", "count"),
    "key_tasks_incomplete": ("未完成的重点工作数", "count"),
    "projects_planned": ("计划完成项目总数", "count"),
    "projects_on_time": ("按计划时间完成项目数", "count"),
}
DISCLOSURE_VALUES = ("合规", "有缺陷", "未公开")

# Loader guards (not audit rules): what no department's form can print.
# ≥ 1e15 元 (一千万亿元) loads with a warning: most likely a typing slip, and the auditor must see it.
HUGE_AMOUNT = Decimal(10) ** 15
# Load-finding codes raised by the model itself (values.NOTE_TEXT holds the parser's quirks).
LOAD_NOTE_TEXT = {
    "negative": "数值为负数，请核对表上是否如此印刷",
    "huge": "金额异常大（不少于 1 000 万亿元），可能是录入错误",
    "duplicate": "与第{first}行完全相同，是否重复填报？",
}
# A department code names output files and folders: ASCII letters, digits, '-' and '_' only.
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}\Z")
FLAG_VALUES = {"是": True, "否": False, "true": True, "false": False}


# --- Blocks ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Profile:
    duties: str = ""
    organisation: str = ""
    staffing: str = ""
    counts: dict[str, Num] = field(default_factory=dict)  # key of COUNT_FIELDS -> Num


@dataclass(frozen=True)
class BudgetRow:
    total: Num
    basic: Num
    project: Num


@dataclass(frozen=True)
class Budget:
    initial: BudgetRow
    adjusted: BudgetRow
    actual: BudgetRow
    adjustment_reason: str = ""


@dataclass(frozen=True)
class BudgetLine:
    no: str
    name: str
    budget: Num
    adjusted: Num
    actual: Num


@dataclass(frozen=True)
class Split:
    """An amount split as 总数 / 其中财政拨款 / 其他资金."""

    total: Num
    fiscal: Num
    other: Num


@dataclass(frozen=True)
class Task:
    name: str
    content: str
    status: str
    budget: Split
    actual: Split


@dataclass(frozen=True)
class Goals:
    expected: str = ""
    actual: str = ""


@dataclass(frozen=True)
class Indicator:
    level1: str
    level2: str
    level3: str
    target: str
    actual: str


@dataclass(frozen=True)
class ScoreRow:
    level1: str
    level2: str
    level3: str
    weight: Num
    description: str
    criteria: str
    self_score: Num


@dataclass(frozen=True)
class Section:
    key: str
    part: str
    title: str
    text: str


@dataclass(frozen=True)
class Narrative:
    budget_total: Num
    sections: tuple[Section, ...] = ()

    def text(self, key: str) -> str:
        """The text of one section by key ('' when the section is absent)."""
        return "\n".join(s.text for s in self.sections if s.key == key)


@dataclass(frozen=True)
class LoadFinding:
    """A quirk met while loading: the audit report shows these (catalogue E)."""

    code: str  # quirk code from values.NOTE_TEXT, or 'stray'
    severity: str  # 'warning' or 'info'
    block: str  # Chinese block name
    row: int | None
    field: str  # Chinese field name
    raw: str
    message: str


@dataclass(frozen=True)
class Source:
    path: str = ""
    format: str = ""  # 'yaml' or 'xlsx'
    sha256: str = ""


@dataclass(frozen=True)
class Department:
    name: str
    code: str
    year: int
    profile: Profile
    budget: Budget
    basic_lines: tuple[BudgetLine, ...]
    project_lines: tuple[BudgetLine, ...]
    transfer_lines: tuple[BudgetLine, ...]
    tasks: tuple[Task, ...]
    goals: Goals
    indicators: tuple[Indicator, ...]
    scores: tuple[ScoreRow, ...]
    narrative: Narrative
    supplementary: dict[str, Any] = field(default_factory=dict)  # key -> Num | bool | str
    stray: tuple[str, ...] = ()
    source: Source = field(default_factory=Source)
    load_findings: tuple[LoadFinding, ...] = ()

    # -- exploration helpers (JupyterLab) --
    def frames(self) -> dict[str, pd.DataFrame]:
        """Every block as a DataFrame with the form's column names, keyed by block name."""
        return {
            BLOCK_LABELS["budget"]: self.budget_frame(),
            BLOCK_LABELS["basic_lines"]: _lines_frame(self.basic_lines),
            BLOCK_LABELS["project_lines"]: _lines_frame(self.project_lines),
            BLOCK_LABELS["transfer_lines"]: _lines_frame(self.transfer_lines),
            BLOCK_LABELS["tasks"]: self.tasks_frame(),
            BLOCK_LABELS["indicators"]: self.indicators_frame(),
            BLOCK_LABELS["scores"]: self.scores_frame(),
            BLOCK_LABELS["narrative"]: self.narrative_frame(),
            "加载提示": self.load_findings_frame(),
        }

    def budget_frame(self) -> pd.DataFrame:
        rows = []
        for stage, label in BUDGET_STAGES.items():
            row = getattr(self.budget, stage)
            rows.append({"口径": label, **{BUDGET_PARTS[p]: getattr(row, p).value for p in BUDGET_PARTS}})
        return pd.DataFrame(rows).set_index("口径")

    def tasks_frame(self) -> pd.DataFrame:
        rows = []
        for t in self.tasks:
            row = {TASK_FIELDS["name"]: t.name, TASK_FIELDS["status"]: t.status}
            for side, label in (("budget", "预算数"), ("actual", "执行数")):
                split = getattr(t, side)
                for part, plabel in TASK_AMOUNT_PARTS.items():
                    row[f"{label}·{plabel}"] = getattr(split, part).value
            row[TASK_FIELDS["content"]] = t.content
            rows.append(row)
        return pd.DataFrame(rows)

    def indicators_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{INDICATOR_FIELDS[k]: getattr(i, k) for k in INDICATOR_FIELDS} for i in self.indicators]
        )

    def scores_frame(self) -> pd.DataFrame:
        rows = []
        for s in self.scores:
            rows.append(
                {
                    "一级指标": s.level1,
                    "二级指标": s.level2,
                    "三级指标": s.level3,
                    "分数": s.weight.value,
                    "分数（原文）": s.weight.raw,
                    "自评分数": s.self_score.value,
                    "自评分数（原文）": s.self_score.raw,
                }
            )
        return pd.DataFrame(rows)

    def narrative_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{"部分": s.part, "标题": s.title, "内容": s.text} for s in self.narrative.sections]
        )

    def load_findings_frame(self) -> pd.DataFrame:
        cols = ["级别", "位置", "行", "字段", "原文", "说明"]
        return pd.DataFrame(
            [
                [f.severity, f.block, f.row, f.field, f.raw, f.message]
                for f in self.load_findings
            ],
            columns=cols,
        )

    def _repr_html_(self) -> str:
        e = html.escape
        b = self.budget
        head = (
            f"<h3>{e(self.name)}（部门编码 {e(self.code)}，{self.year} 年度）</h3>"
            f"<p>年初预算 {e(_fmt(b.initial.total))} 元；调整后预算 {e(_fmt(b.adjusted.total))} 元；"
            f"年末执行 {e(_fmt(b.actual.total))} 元。</p>"
            f"<p>年度主要任务 {len(self.tasks)} 项，绩效指标 {len(self.indicators)} 项，"
            f"评分表 {len(self.scores)} 行，加载提示 {len(self.load_findings)} 条。</p>"
        )
        return head + self.budget_frame().to_html() + (
            "<p>各部分数据：<code>dept.frames()</code></p>"
        )


def _fmt(n: Num) -> str:
    return f"{n.value:,.2f}" if n.value is not None else n.raw or "—"


def _lines_frame(lines: Iterable[BudgetLine]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                LINE_FIELDS["no"]: ln.no,
                LINE_FIELDS["name"]: ln.name,
                LINE_FIELDS["budget"]: ln.budget.value,
                LINE_FIELDS["adjusted"]: ln.adjusted.value,
                LINE_FIELDS["actual"]: ln.actual.value,
            }
            for ln in lines
        ],
        columns=list(LINE_FIELDS.values()),
    )


# --- Building from a document -----------------------------------------------------------
class _Builder:
    """Validates a document block by block, collecting problems and load findings."""

    def __init__(self, doc: Any, source: Source, locate=None):
        self.out = ProblemCollector(source.path)
        self.findings: list[LoadFinding] = []
        self.source = source
        # locate(path_tuple) -> line number, or a (sheet, row) hint; readers supply it.
        self.locate = locate or (lambda path: None)
        self.doc = doc

    # helpers
    def problem(self, path: tuple, message: str, value: Any = None, expected: str = "") -> None:
        block, row, fld = _describe(path)
        loc = self.locate(path)
        kw: dict[str, Any] = {}
        if isinstance(loc, tuple):  # (sheet, row) from the xlsx reader
            block, row = loc[0], loc[1]
        elif isinstance(loc, int):
            kw["line"] = loc
        self.out.add(
            message,
            block=block,
            row=row,
            field=fld,
            value=None if value is None else _show(value),
            expected=expected,
            **kw,
        )

    def mapping(self, obj: Any, path: tuple, required: bool = True) -> dict:
        if obj is None and not required:
            return {}
        if not isinstance(obj, dict):
            self.problem(path, "此处应为键值表", obj if obj is not None else "（空）", "键值表（mapping）")
            return {}
        return obj

    def sequence(self, obj: Any, path: tuple, required: bool = True) -> list:
        if obj is None and not required:
            return []
        if not isinstance(obj, list):
            self.problem(path, "此处应为列表", obj if obj is not None else "（空）", "列表（每项一行）")
            return []
        # A row with nothing in it is skipped, as the workbook reader skips empty rows; the
        # row keeps its index so problems still name the right line.
        return [{} if _blank(row) else row for row in obj]

    def unknown_keys(self, obj: dict, allowed: Iterable[str], path: tuple) -> None:
        import difflib

        allowed = list(allowed)
        for k in obj:
            if k not in allowed:
                hint = difflib.get_close_matches(str(k), allowed, n=1)
                self.problem(
                    path + (k,),
                    "未知字段" + (f"，是否应为 “{hint[0]}”？" if hint else ""),
                    k,
                    "以下之一：" + "、".join(allowed),
                )

    def text(self, obj: dict, key: str, path: tuple, required: bool = False) -> str:
        v = obj.get(key)
        if v is None or (required and isinstance(v, str) and not v.strip()):
            if required:
                self.problem(path + (key,), "缺少必填内容", expected="非空文字")
            return "" if v is None else str(v)
        if isinstance(v, (dict, list)):
            self.problem(path + (key,), "此处应为文字", v, "文字")
            return ""
        if isinstance(v, bool):
            self.problem(path + (key,), "此处应为文字，不应为是/否", v, "文字")
            return ""
        return str(v)

    def num(self, obj: dict, key: str, path: tuple, *, kind: str = "amount", required: bool = True) -> Num:
        v = obj.get(key)
        if isinstance(v, (dict, list)):
            self.problem(path + (key,), "此处应为数字", v, "数字")
            return Num("", None)
        if getattr(v, "is_date", False):
            self.problem(path + (key,), "数字被写成了日期", v, "数字（日期请加引号写在文字栏）")
            return Num(str(v), None, notes=("not_number",))
        n = parse_num(v, "元" if kind == "amount" else "")
        if n.blank:
            if required and v is None and key not in obj:
                self.problem(path + (key,), "缺少必填数字", expected="数字（按表上印刷的原样填写）")
            return n
        if "not_number" in n.notes:
            self.problem(path + (key,), "此处应为数字", n.raw, "数字，例如 “1234.56”；列宽溢出可填 “#####”")
            return n
        if _EXPONENT.match(normalise_text(n.raw.strip())):
            # '1e400' would otherwise read as 1 with trailing junk; no form prints exponents.
            self.problem(path + (key,), "科学计数法不是表上印刷的数值", n.raw, "按表上原样写出全部数字，例如 “1234.56”")
            return Num(n.raw, None, n.unit, n.notes + ("not_number",))
        why = out_of_range(n.value) if n.value is not None else None  # values.py: digits, places
        if why:
            self.problem(path + (key,), why[0], n.raw, why[1])
            return Num(n.raw, None, n.unit, n.notes + ("not_number",))
        extra: list[tuple[str, str]] = []
        if n.value is not None and n.value < 0 and path[:1] != ("supplementary",):
            extra.append(("negative", LOAD_NOTE_TEXT["negative"]))  # supplementary refuses negatives
        if kind == "amount" and n.value is not None and abs(n.value) >= HUGE_AMOUNT:
            extra.append(("huge", LOAD_NOTE_TEXT["huge"]))
        for code, message in extra:
            block, row, fld = _describe(path + (key,))
            self.findings.append(LoadFinding(code, "warning", block, row, fld, n.raw, message))
        for note in n.notes:
            block, row, fld = _describe(path + (key,))
            self.findings.append(
                LoadFinding(
                    code=note,
                    severity="info" if note in BENIGN_NOTES else "warning",
                    block=block,
                    row=row,
                    field=fld,
                    raw=n.raw,
                    message=NOTE_TEXT[note],
                )
            )
        return n

    # blocks
    def build(self) -> Department:
        doc = self.mapping(self.doc, ())
        if not doc:
            self.out.raise_if_any(LoadError)
        self.unknown_keys(doc, _TOP_KEYS, ())
        fmt = doc.get("format", FORMAT)
        if fmt != FORMAT:
            self.problem(("format",), "不支持的文件格式版本", fmt, FORMAT)

        d = self.mapping(doc.get("department"), ("department",))
        self.unknown_keys(d, DEPARTMENT_FIELDS, ("department",))
        name = self.text(d, "name", ("department",), required=True)
        code = self._code(d)
        year = self._year(d)

        p = self.mapping(doc.get("profile"), ("profile",), required=False)
        self.unknown_keys(p, list(PROFILE_TEXTS) + ["counts"], ("profile",))
        counts_doc = self.mapping(p.get("counts"), ("profile", "counts"), required=False)
        self.unknown_keys(counts_doc, COUNT_FIELDS, ("profile", "counts"))
        counts = {
            k: self.num(counts_doc, k, ("profile", "counts"), kind="count", required=False)
            for k in COUNT_FIELDS
            if not _blank(counts_doc.get(k))  # a blank count is an absent one, as in the workbook
        }
        profile = Profile(
            **{k: self.text(p, k, ("profile",)) for k in PROFILE_TEXTS}, counts=counts
        )

        b = self.mapping(doc.get("budget"), ("budget",))
        self.unknown_keys(b, list(BUDGET_STAGES) + ["adjustment_reason"], ("budget",))
        stages = {}
        for stage in BUDGET_STAGES:
            row = self.mapping(b.get(stage), ("budget", stage)) if b else {}
            self.unknown_keys(row, BUDGET_PARTS, ("budget", stage))
            stages[stage] = BudgetRow(
                **{part: self.num(row, part, ("budget", stage)) if row else Num("", None) for part in BUDGET_PARTS}
            )
        budget = Budget(**stages, adjustment_reason=self.text(b, "adjustment_reason", ("budget",)))

        lines = {key: self._lines(doc, key) for key in ("basic_lines", "project_lines", "transfer_lines")}

        tasks = []
        for i, t in enumerate(self.sequence(doc.get("tasks"), ("tasks",), required=False)):
            path = ("tasks", i)
            t = self.mapping(t, path)
            if not t:
                continue
            self.unknown_keys(t, list(TASK_FIELDS) + ["budget", "actual"], path)
            splits = {}
            for side in ("budget", "actual"):
                s = self.mapping(t.get(side), path + (side,))
                self.unknown_keys(s, TASK_AMOUNT_PARTS, path + (side,))
                splits[side] = Split(
                    **{part: self.num(s, part, path + (side,), required=bool(s)) for part in TASK_AMOUNT_PARTS}
                )
            tasks.append(
                Task(
                    name=self.text(t, "name", path, required=True),
                    content=self.text(t, "content", path),
                    status=self.text(t, "status", path),
                    **splits,
                )
            )

        g = self.mapping(doc.get("goals"), ("goals",), required=False)
        self.unknown_keys(g, GOAL_FIELDS, ("goals",))
        goals = Goals(**{k: self.text(g, k, ("goals",)) for k in GOAL_FIELDS})

        indicators = []
        for i, it in enumerate(self.sequence(doc.get("indicators"), ("indicators",), required=False)):
            path = ("indicators", i)
            it = self.mapping(it, path)
            if not it:
                continue
            self.unknown_keys(it, INDICATOR_FIELDS, path)
            ind = Indicator(**{k: self.text(it, k, path, required=(k == "level3")) for k in INDICATOR_FIELDS})
            indicators.append(ind)
            for key in ("target", "actual"):
                self._scan_text_numbers(getattr(ind, key), path + (key,))

        scores = []
        for i, s in enumerate(self.sequence(doc.get("scores"), ("scores",), required=False)):
            path = ("scores", i)
            s = self.mapping(s, path)
            if not s:
                continue
            self.unknown_keys(s, SCORE_FIELDS, path)
            scores.append(
                ScoreRow(
                    level1=self.text(s, "level1", path, required=True),
                    level2=self.text(s, "level2", path),
                    level3=self.text(s, "level3", path, required=True),
                    weight=self.num(s, "weight", path, kind="score"),
                    description=self.text(s, "description", path),
                    criteria=self.text(s, "criteria", path),
                    self_score=self.num(s, "self_score", path, kind="score"),
                )
            )

        n = self.mapping(doc.get("narrative"), ("narrative",), required=False)
        self.unknown_keys(n, ["budget_total", "sections"], ("narrative",))
        sections = []
        for i, s in enumerate(self.sequence(n.get("sections"), ("narrative", "sections"), required=False)):
            path = ("narrative", "sections", i)
            s = self.mapping(s, path)
            if not s:
                continue
            self.unknown_keys(s, ["key", "part", "title", "text"], path)
            key = self.text(s, "key", path, required=True)
            if key and key not in NARRATIVE_SECTIONS:
                self.problem(path + ("key",), "未知的自评报告部分", key, "以下之一：" + "、".join(NARRATIVE_SECTIONS))
            sections.append(Section(key, self.text(s, "part", path), self.text(s, "title", path), self.text(s, "text", path)))
        narrative = Narrative(
            budget_total=self.num(n, "budget_total", ("narrative",), required=False),
            sections=tuple(sections),
        )

        supp = self._supplementary(doc)
        stray = tuple(
            self.text({"v": v}, "v", ("stray", i))
            for i, v in enumerate(self.sequence(doc.get("stray"), ("stray",), required=False))
            if v != {}
        )
        for i, token in enumerate(stray):
            self.findings.append(
                LoadFinding("stray", "warning", BLOCK_LABELS["stray"], i + 1, "", token, "表上印有不属于任何栏目的文字")
            )

        for key, rows in (*lines.items(), ("tasks", tasks), ("indicators", indicators), ("scores", scores)):
            self._duplicates(key, rows)

        self.out.raise_if_any(LoadError)
        return Department(
            name=name,
            code=code,
            year=year,
            profile=profile,
            budget=budget,
            **lines,
            tasks=tuple(tasks),
            goals=goals,
            indicators=tuple(indicators),
            scores=tuple(scores),
            narrative=narrative,
            supplementary=supp,
            stray=stray,
            source=self.source,
            load_findings=tuple(self.findings),
        )

    def _duplicates(self, key: str, rows) -> None:
        """A row identical to an earlier one in the same block: loaded, and flagged for the auditor."""
        first: dict = {}
        for i, row in enumerate(rows, start=1):
            if row in first:
                self.findings.append(
                    LoadFinding("duplicate", "warning", BLOCK_LABELS[key], i, "", _row_text(row),
                                LOAD_NOTE_TEXT["duplicate"].format(first=first[row]))
                )
            else:
                first[row] = i

    def _scan_text_numbers(self, text: str, path: tuple) -> None:
        """Flag quirks of numbers inside free text (e.g. '98.82&'), keeping the text as is."""
        block, row, fld = _describe(path)
        for m in _TEXT_NUMBER_JUNK.finditer(text):
            self.findings.append(
                LoadFinding("trailing_junk", "warning", block, row, fld, m.group(0), NOTE_TEXT["trailing_junk"])
            )
        if text and normalise_text(text) != text and any(c.isdigit() for c in normalise_text(text)):
            if any("\uff10" <= c <= "\uff19" for c in text):
                self.findings.append(
                    LoadFinding("fullwidth", "info", block, row, fld, text, NOTE_TEXT["fullwidth"])
                )
        if _OVERFLOW_IN_TEXT.search(text):
            self.findings.append(LoadFinding("overflow", "warning", block, row, fld, text, NOTE_TEXT["overflow"]))

    def _code(self, d: dict) -> str:
        v = d.get("code")
        path = ("department", "code")
        if v is None:
            self.problem(path, "缺少部门编码", expected="加引号的文字，例如 \"022006\"")
            return ""
        if not isinstance(v, str) or getattr(v, "unquoted_number", False):
            self.problem(
                path,
                "部门编码被读成了数字（前导零会丢失）",
                v,
                "加引号的文字，例如 \"022006\"",
            )
            return str(v)
        if not CODE_RE.match(v):
            self.problem(path, "部门编码只能包含英文字母、数字、“-”和“_”（最多 32 个字符）", v, "例如 \"022006\"")
        return v

    def _year(self, d: dict) -> int:
        v = d.get("year")
        try:
            year = int(str(v))
            if 1990 <= year <= 2100:
                return year
        except (TypeError, ValueError):
            pass
        self.problem(("department", "year"), "年度应为四位年份", v, "例如 2022")
        return 0

    def _lines(self, doc: dict, key: str) -> tuple[BudgetLine, ...]:
        out = []
        for i, ln in enumerate(self.sequence(doc.get(key), (key,), required=False)):
            path = (key, i)
            ln = self.mapping(ln, path)
            if not ln:
                continue
            self.unknown_keys(ln, LINE_FIELDS, path)
            out.append(
                BudgetLine(
                    no=self.text(ln, "no", path),
                    name=self.text(ln, "name", path),
                    budget=self.num(ln, "budget", path),
                    adjusted=self.num(ln, "adjusted", path),
                    actual=self.num(ln, "actual", path),
                )
            )
        return tuple(out)

    def _supplementary(self, doc: dict) -> dict[str, Any]:
        s = self.mapping(doc.get("supplementary"), ("supplementary",), required=False)
        self.unknown_keys(s, SUPPLEMENTARY, ("supplementary",))
        out: dict[str, Any] = {}
        for key, (label, kind) in SUPPLEMENTARY.items():
            v = s.get(key)
            if v is None or (isinstance(v, str) and not v.strip()):
                continue
            path = ("supplementary", key)
            if kind == "flag":
                flag = v if isinstance(v, bool) else FLAG_VALUES.get(str(v).strip().lower())
                if flag is None:
                    self.problem(path, "此处应为是/否", v, "“是”或“否”")
                else:
                    out[key] = flag
            elif kind == "disclosure":
                if str(v).strip() not in DISCLOSURE_VALUES:
                    self.problem(path, "公开情况取值不对", v, "、".join(DISCLOSURE_VALUES))
                else:
                    out[key] = str(v).strip()
            else:
                n = self.num(s, key, ("supplementary",), kind=kind)
                if n.ok:
                    if n.value < 0:
                        self.problem(path, "不能为负数", n.raw, "≥ 0")
                    out[key] = n
        return out


_TOP_KEYS = ["format"] + list(BLOCK_LABELS)
_EXPONENT = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+")
# A number immediately followed by a character no number or unit ends with: '98.82&'.
_TEXT_NUMBER_JUNK = re.compile(r"\d+(?:\.\d+)?[&?？#@$^*~`]+")
_OVERFLOW_IN_TEXT = re.compile(r"^\s*#{3,}\s*$")


def _blank(obj: Any) -> bool:
    """Nothing in it: None, blank text, or a mapping or list of such."""
    if obj is None:
        return True
    if isinstance(obj, str):
        return not obj.strip()
    if isinstance(obj, dict):
        return all(_blank(v) for v in obj.values())
    if isinstance(obj, list):
        return all(_blank(v) for v in obj)
    return False


def _describe(path: tuple) -> tuple[str, int | None, str]:
    """(Chinese block, 1-based row, Chinese field) for a document path."""
    if not path:
        return "", None, ""
    block_key = path[0]
    block = BLOCK_LABELS.get(block_key, str(block_key))
    row = None
    names: list[str] = []
    rest = path[1:]
    if block_key == "narrative" and rest[:1] == ("sections",):
        rest = rest[1:]
    for part in rest:
        if isinstance(part, int):
            row = part + 1
        else:
            names.append(_FIELD_LABELS.get((block_key, part), _ALL_LABELS.get(part, str(part))))
    if block_key == "budget" and len(path) >= 2:
        names = [BUDGET_STAGES.get(path[1], str(path[1]))] + (
            [BUDGET_PARTS.get(path[2], str(path[2]))] if len(path) > 2 else []
        )
    if block_key == "tasks" and len(path) >= 4 and path[2] in ("budget", "actual"):
        names = [("预算数" if path[2] == "budget" else "执行数") + "·" + TASK_AMOUNT_PARTS.get(path[3], str(path[3]))]
    if block_key == "supplementary" and len(path) >= 2:
        names = [SUPPLEMENTARY.get(path[1], (str(path[1]),))[0]]
    return block, row, "·".join(names)


_FIELD_LABELS = {
    **{("department", k): v for k, v in DEPARTMENT_FIELDS.items()},
    **{("profile", k): v for k, v in PROFILE_TEXTS.items()},
    **{("profile", k): v for k, v in COUNT_FIELDS.items()},
    ("profile", "counts"): "人员及机构数",
    **{(b, k): v for b in ("basic_lines", "project_lines", "transfer_lines") for k, v in LINE_FIELDS.items()},
    **{("tasks", k): v for k, v in TASK_FIELDS.items()},
    **{("goals", k): v for k, v in GOAL_FIELDS.items()},
    **{("indicators", k): v for k, v in INDICATOR_FIELDS.items()},
    **{("scores", k): v for k, v in SCORE_FIELDS.items()},
    ("narrative", "budget_total"): "部门预算总额",
    ("narrative", "key"): "部分",
    ("narrative", "part"): "部分标题",
    ("narrative", "title"): "标题",
    ("narrative", "text"): "内容",
}
_ALL_LABELS = {k: v for (_, k), v in _FIELD_LABELS.items()}


def _row_text(row: Any) -> str:
    """A row's first words, to name it in a finding."""
    return next((str(getattr(row, k)) for k in ("name", "level3") if getattr(row, k, "")), "")


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "（键值表）"
    if isinstance(value, list):
        return "（列表）"
    return str(value)


def build_department(doc: Any, source: Source | None = None, locate=None) -> Department:
    """Validate a document and build the department; raise ``LoadError`` with every problem."""
    return _Builder(doc, source or Source(), locate).build()


# --- Back to a document (lossless) ----------------------------------------------------------
def to_document(dept: Department) -> dict:
    """The document for a department: raw printed text everywhere, so writing it loses nothing."""

    def lines(ls):
        return [
            {"no": ln.no, "name": ln.name, "budget": ln.budget.raw, "adjusted": ln.adjusted.raw, "actual": ln.actual.raw}
            for ln in ls
        ]

    def split(s: Split):
        return {"total": s.total.raw, "fiscal": s.fiscal.raw, "other": s.other.raw}

    supp: dict[str, Any] = {}
    for key, v in dept.supplementary.items():
        supp[key] = v.raw if isinstance(v, Num) else v
    return {
        "format": FORMAT,
        "department": {"name": dept.name, "code": dept.code, "year": dept.year},
        "profile": {
            "duties": dept.profile.duties,
            "organisation": dept.profile.organisation,
            "staffing": dept.profile.staffing,
            "counts": {k: n.raw for k, n in dept.profile.counts.items()},
        },
        "budget": {
            **{
                stage: {p: getattr(getattr(dept.budget, stage), p).raw for p in BUDGET_PARTS}
                for stage in BUDGET_STAGES
            },
            "adjustment_reason": dept.budget.adjustment_reason,
        },
        "basic_lines": lines(dept.basic_lines),
        "project_lines": lines(dept.project_lines),
        "transfer_lines": lines(dept.transfer_lines),
        "tasks": [
            {"name": t.name, "content": t.content, "status": t.status, "budget": split(t.budget), "actual": split(t.actual)}
            for t in dept.tasks
        ],
        "goals": {"expected": dept.goals.expected, "actual": dept.goals.actual},
        "indicators": [{k: getattr(i, k) for k in INDICATOR_FIELDS} for i in dept.indicators],
        "scores": [
            {
                "level1": s.level1,
                "level2": s.level2,
                "level3": s.level3,
                "weight": s.weight.raw,
                "description": s.description,
                "criteria": s.criteria,
                "self_score": s.self_score.raw,
            }
            for s in dept.scores
        ],
        "narrative": {
            "budget_total": dept.narrative.budget_total.raw,
            "sections": [
                {"key": s.key, "part": s.part, "title": s.title, "text": s.text} for s in dept.narrative.sections
            ],
        },
        "supplementary": supp,
        "stray": list(dept.stray),
    }


def same_content(a: Department, b: Department) -> bool:
    """True when two departments hold the same printed values (source info aside)."""
    return to_document(a) == to_document(b)
