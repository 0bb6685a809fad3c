"""Building the model from a plain *document* (what the YAML and workbook readers produce).

``build_department`` validates a document block by block and builds the ``Department``,
collecting every problem (file, block, row, field, value, expected) before raising.
"""
from __future__ import annotations

import difflib
import re
from typing import Any, Iterable

from ..core.errors import LoadError, ProblemCollector
from ..families import DEFAULT_FAMILY
from ..core.values import BENIGN_NOTES, NOTE_TEXT, Num, normalise_text, out_of_range, parse_num
from .blocks import (
    Budget, BudgetLine, BudgetRow, Department, Detection, DetectionTry, FundRow, Funds, Goals, Header, Indicator, LoadFinding, Narrative, Profile,
    ScoreGroup, ScoreRow, Section, SelfEval, Source, Split, Task,
)
from .labels import (
    BLOCK_LABELS, BUDGET_PARTS, BUDGET_STAGES, CODE_RE, COUNT_FIELDS, DEPARTMENT_FIELDS, DETECTION_FIELDS,
    DETECTION_TRY_FIELDS, DISCLOSURE_VALUES,
    FILE_KEYS, FLAG_VALUES, FORMAT, FUND_FIELDS, FUNDS_FIELDS, GOAL_FIELDS, HEADER_FIELDS, HUGE_AMOUNT,
    INDICATOR_EXTRA_FIELDS, INDICATOR_FIELDS, INDICATOR_NUM_FIELDS, LINE_FIELDS, LOAD_NOTE_TEXT, NOT_APPLICABLE,
    SCORE_GROUP_FIELDS, SELF_EVAL_FIELDS,
    NARRATIVE_SECTIONS, PROFILE_TEXTS, SCORE_FIELDS, SUPPLEMENTARY,
    TASK_AMOUNT_PARTS, TASK_FIELDS,
)
from ..core.vocab import Severity


# --- Building from a document -----------------------------------------------------------
class _Builder:
    """Validates a document block by block, collecting problems and load findings."""

    def __init__(self, doc: Any, source: Source, locate=None, required: Iterable[str] = ("budget",)):
        self.required = frozenset(required)  # blocks the file's family needs: absent is an error
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

    def num(self, obj: dict, key: str, path: tuple, *, kind: str = "amount", required: bool = True,
            na_ok: bool = False) -> Num:
        v = obj.get(key)
        if na_ok and isinstance(v, str) and v.strip() in NOT_APPLICABLE:
            return Num(v, None, notes=("not_applicable",))  # "-" / "/": the form says not applicable
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
                    severity=Severity.INFO if note in BENIGN_NOTES else Severity.WARNING,
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

        family = self.text(doc, "family", ())
        incomplete = self._incomplete(doc)

        b = self.mapping(doc.get("budget"), ("budget",), required="budget" in self.required)
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
            self.unknown_keys(it, list(INDICATOR_FIELDS) + list(INDICATOR_EXTRA_FIELDS), path)
            ind = Indicator(
                **{k: self.text(it, k, path, required=(k == "level3")) for k in INDICATOR_FIELDS},
                **{k: (self.num(it, k, path, kind="score", required=False, na_ok=True) if k in INDICATOR_NUM_FIELDS
                       else self.text(it, k, path)) for k in INDICATOR_EXTRA_FIELDS},
            )
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

        free_keys = bool(str(doc.get("family") or "").strip()) and str(doc.get("family")).strip() != _FIRST_FAMILY
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
            # The first family's report has fixed parts; other families' keys are free (s1, s2 …).
            if key and key not in NARRATIVE_SECTIONS and not (free_keys and CODE_RE.match(key)):
                self.problem(path + ("key",), "未知的自评报告部分", key, "以下之一：" + "、".join(NARRATIVE_SECTIONS))
            sections.append(Section(key, self.text(s, "part", path), self.text(s, "title", path), self.text(s, "text", path)))
        narrative = Narrative(
            budget_total=self.num(n, "budget_total", ("narrative",), required=False),
            sections=tuple(sections),
        )

        header = self._header(doc)
        funds = self._funds(doc)
        score_groups = self._score_groups(doc)
        self_eval = self._self_eval(doc)
        supp = self._supplementary(doc)
        stray = tuple(
            self.text({"v": v}, "v", ("stray", i))
            for i, v in enumerate(self.sequence(doc.get("stray"), ("stray",), required=False))
            if v != {}
        )
        for i, token in enumerate(stray):
            self.findings.append(
                LoadFinding("stray", "warning", BLOCK_LABELS["stray"], i + 1, "", token, NOTE_TEXT["stray"])
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
            family=family,
            header=header,
            funds=funds,
            score_groups=score_groups,
            self_eval=self_eval,
            incomplete=incomplete,
            detection=self._detection(doc),
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


    def _incomplete(self, doc: dict) -> tuple[str, ...]:
        keys = []
        for i, v in enumerate(self.sequence(doc.get("incomplete"), ("incomplete",), required=False)):
            if v == {}:
                continue
            if not isinstance(v, str) or v not in BLOCK_LABELS:
                self.problem(("incomplete", i), "未知的栏目", v, "以下之一：" + "、".join(BLOCK_LABELS))
            else:
                keys.append(v)
        return tuple(keys)

    def _detection(self, doc: dict) -> Detection:
        d = self.mapping(doc.get("detection"), ("detection",), required=False)
        self.unknown_keys(d, DETECTION_FIELDS, ("detection",))
        tried = []
        for i, t in enumerate(self.sequence(d.get("tried"), ("detection", "tried"), required=False)):
            path = ("detection", "tried", i)
            t = self.mapping(t, path)
            if not t:
                continue
            self.unknown_keys(t, DETECTION_TRY_FIELDS, path)
            fits = t.get("fits")
            if not isinstance(fits, bool):
                fits = FLAG_VALUES.get(str(fits).strip().lower())
                if fits is None:
                    self.problem(path + ("fits",), "此处应为是/否", t.get("fits"), "true 或 false")
            tried.append(DetectionTry(self.text(t, "family", path, required=True), bool(fits), self.text(t, "why", path)))
        return Detection(**{k: self.text(d, k, ("detection",)) for k in ("chosen", "reason", "nearest")}, tried=tuple(tried))

    def _header(self, doc: dict) -> Header:
        h = self.mapping(doc.get("header"), ("header",), required=False)
        self.unknown_keys(h, HEADER_FIELDS, ("header",))
        return Header(**{k: self.text(h, k, ("header",)) for k in HEADER_FIELDS})

    def _funds(self, doc: dict) -> Funds:
        f = self.mapping(doc.get("funds"), ("funds",), required=False)
        self.unknown_keys(f, FUNDS_FIELDS, ("funds",))
        rows = []
        for i, r in enumerate(self.sequence(f.get("rows"), ("funds", "rows"), required=False)):
            path = ("funds", "rows", i)
            r = self.mapping(r, path)
            if not r:
                continue
            self.unknown_keys(r, FUND_FIELDS, path)
            rows.append(FundRow(
                source=self.text(r, "source", path, required=True),
                **{k: self.num(r, k, path, kind="fund", required=False, na_ok=True)
                   for k in ("initial", "adjusted", "actual", "weight", "rate", "score")},
            ))
        return Funds(rows=tuple(rows), **{k: self.num(f, k, ("funds",), kind="score", required=False, na_ok=True)
                                          for k in ("weight", "score", "rate")}, reason=self.text(f, "reason", ("funds",)))

    def _score_groups(self, doc: dict) -> tuple[ScoreGroup, ...]:
        out = []
        for i, g in enumerate(self.sequence(doc.get("score_groups"), ("score_groups",), required=False)):
            path = ("score_groups", i)
            g = self.mapping(g, path)
            if not g:
                continue
            self.unknown_keys(g, SCORE_GROUP_FIELDS, path)
            level = str(g.get("level", "")).strip()
            if level not in ("1", "2"):
                self.problem(path + ("level",), "分组层级应为 1 或 2", g.get("level"), "1（一级指标）或 2（二级指标）")
            out.append(ScoreGroup(
                level=int(level) if level in ("1", "2") else 0,
                name=self.text(g, "name", path, required=True),
                parent=self.text(g, "parent", path),
                weight=self.num(g, "weight", path, kind="score", required=False, na_ok=True),
                self_score=self.num(g, "self_score", path, kind="score", required=False, na_ok=True),
            ))
        return tuple(out)

    def _self_eval(self, doc: dict) -> SelfEval:
        e = self.mapping(doc.get("self_eval"), ("self_eval",), required=False)
        self.unknown_keys(e, SELF_EVAL_FIELDS, ("self_eval",))
        return SelfEval(
            total=self.num(e, "total", ("self_eval",), kind="score", required=False, na_ok=True),
            total_weight=self.num(e, "total_weight", ("self_eval",), kind="score", required=False, na_ok=True),
            **{k: self.text(e, k, ("self_eval",)) for k in ("grade", "conclusion", "problems", "measures")},
        )


_TOP_KEYS = list(FILE_KEYS) + list(BLOCK_LABELS)
_FIRST_FAMILY = DEFAULT_FAMILY  # the family whose narrative has fixed parts (NARRATIVE_SECTIONS)
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
    if (block_key, rest[:1]) in (("narrative", ("sections",)), ("funds", ("rows",))):
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
    **{("indicators", k): v for k, v in INDICATOR_EXTRA_FIELDS.items()},
    **{("header", k): v for k, v in HEADER_FIELDS.items()},
    **{("funds", k): v for k, v in FUND_FIELDS.items()},
    **{("funds", k): v for k, v in FUNDS_FIELDS.items() if k != "rows"},
    **{("score_groups", k): v for k, v in SCORE_GROUP_FIELDS.items()},
    **{("self_eval", k): v for k, v in SELF_EVAL_FIELDS.items()},
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


def build_department(doc: Any, source: Source | None = None, locate=None,
                     required: Iterable[str] = ("budget",)) -> Department:
    """Validate a document and build the department; raise ``LoadError`` with every problem.

    ``required``: the blocks the file's family needs (``kit.families``); the others are optional.
    """
    return _Builder(doc, source or Source(), locate, required).build()


