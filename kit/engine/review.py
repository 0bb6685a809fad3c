"""The auditor's decisions on findings, kept across runs: finding keys and the review file.

A finding's **key** is made from what it is about — the check, the block and field on the form,
the row's subject (task, indicator, line, field) — never from its position in a table or its
wording: ``A8|年度主要任务完成情况·主要内容|妇幼健康服务``. A row number printed in a location
(``第3行``) is left out, so a re-import that moves a row keeps the key.

The **review file** lies beside the params file and is named by it (``params/022006.yaml`` →
``params/022006.review.yaml``). It holds, for each decided finding, the decision (确认 / 不采纳 with
its reason / 已说明 with the department's explanation / 已整改 with the date), who decided and when,
and the auditor's score overrides (each with its reason). A re-run keeps every decision whose
finding still exists; a decision whose finding is gone is an **orphan**: listed in the report and
kept in the file, never dropped.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..core.errors import LoadError, Problem, ProblemCollector
from ..core.vocab import Decision

FORMAT = "kit-review/1"
SUFFIX = ".review.yaml"
_ROW_NO = re.compile(r"\s*第\s*\d+\s*行")
_SPACE = re.compile(r"\s+")
ENTRY_KEYS = ("key", "decision", "reviewer", "date", "reason", "explanation", "rectified_on", "status", "finding",
              "source", "history")
OVERRIDE_KEYS = ("indicator", "score", "reason", "reviewer", "date")
# What each decision needs besides the key (the field and how the report names it).
REQUIRED = {Decision.REJECTED: ("reason", "不采纳的理由"), Decision.EXPLAINED: ("explanation", "部门的说明")}


def _norm(text: Any) -> str:
    s = unicodedata.normalize("NFKC", str(text or ""))
    return _SPACE.sub("", s).replace("|", "｜")


def finding_key(check_id: str, subject: Any, location: Any) -> str:
    """The key of one finding: check | place on the form without row numbers | subject."""
    place = _norm(_ROW_NO.sub("", str(location or "")))
    subj = _norm(subject)
    parts = [str(check_id), place]
    if subj and subj != place:
        parts.append(subj)
    return "|".join(p for p in parts if p)


def assign_keys(rows: Iterable[dict]) -> list[str]:
    """Keys for a list of finding records, in order; a key met twice gets ``#2``, ``#3`` …"""
    seen: dict[str, int] = {}
    out = []
    for r in rows:
        k = finding_key(r.get("check_id", ""), r.get("subject", ""), r.get("location", ""))
        seen[k] = seen.get(k, 0) + 1
        out.append(k if seen[k] == 1 else f"{k}#{seen[k]}")
    return out


def review_path(params_path: str | Path) -> Path:
    """``params/022006.yaml`` → ``params/022006.review.yaml``."""
    p = Path(params_path)
    stem = p.name[: -len(p.suffix)] if p.suffix else p.name
    return p.with_name(stem + SUFFIX)


def today() -> str:
    return _dt.date.today().isoformat()


@dataclass
class Entry:
    """One decision on one finding."""

    key: str
    decision: Decision
    reviewer: str = ""
    date: str = ""
    reason: str = ""  # 不采纳: why
    explanation: str = ""  # 已说明 / 已整改: the department's explanation
    rectified_on: str = ""  # 已整改: when
    status: str = ""  # the department's 整改状态 as returned in the workbook (未整改 / 整改中 / 已整改 / 不适用)
    finding: str = ""  # what the finding said when decided: an orphan still says what it was about
    source: str = ""  # who recorded it: empty for the auditor, the workbook's name for a department's reply
    history: list[dict] = field(default_factory=list)  # earlier states, newest last: nothing is overwritten

    def to_doc(self) -> dict:
        doc: dict[str, Any] = {"key": self.key, "decision": self.decision.label}
        for k in ENTRY_KEYS[2:]:
            v = getattr(self, k)
            if v not in ("", [], None):
                doc[k] = v
        return doc

    def summary(self) -> str:
        """One line for the report: 不采纳：理由 / 已说明：说明 / 已整改（日期）。"""
        text = self.decision.label
        if self.decision is Decision.REJECTED and self.reason:
            text += f"：{self.reason}"
        elif self.decision is Decision.RECTIFIED:
            text += f"（{self.rectified_on}）" if self.rectified_on else ""
            text += f"：{self.explanation}" if self.explanation else ""
        elif self.decision is Decision.EXPLAINED and self.explanation:
            text += f"：{self.explanation}"
        who = "，".join(x for x in (self.reviewer, self.date) if x)
        return text + (f"（{who}）" if who else "")


@dataclass
class Review:
    """The review file of one params file: decisions by key and score overrides."""

    path: Path | None = None
    entries: dict[str, Entry] = field(default_factory=dict)
    overrides: list[dict] = field(default_factory=list)  # {indicator, score, reason, reviewer, date}
    reviewer: str = ""  # default reviewer for new decisions (the notebook sets it)

    # --- decisions ---
    def get(self, key: str) -> Entry | None:
        return self.entries.get(key)

    def decide(self, key: str, decision: Decision | str, *, reason: str = "", explanation: str = "",
               rectified_on: str = "", reviewer: str = "", date: str = "", finding: str = "",
               source: str = "", status: str = "") -> Entry:
        """Record a decision; the previous one (if any) goes into the entry's history."""
        d = decision if isinstance(decision, Decision) else Decision.parse(decision)
        if d is None or d is Decision.PENDING:
            raise ValueError(f"复核决定应为 确认、不采纳、已说明 或 已整改，不是 {decision!r}")
        new = Entry(key, d, reviewer or self.reviewer, date or today(), reason.strip(), explanation.strip(),
                    str(rectified_on or "").strip(), status, finding, source)
        need = REQUIRED.get(d)
        if need and not getattr(new, need[0]):
            raise ValueError(f"“{d.label}”须写明{need[1]}（{need[0]}=…）")
        old = self.entries.get(key)
        if old is not None:
            new.history = [*old.history, {k: v for k, v in old.to_doc().items() if k not in ("key", "history")}]
            new.finding = new.finding or old.finding
            if not new.explanation and d is Decision.RECTIFIED:
                new.explanation = old.explanation
        self.entries[key] = new
        return new

    def undo(self, key: str) -> None:
        """Back to the previous decision of ``key`` (or none)."""
        old = self.entries.pop(key, None)
        if old is not None and old.history:
            prev = dict(old.history[-1])
            prev["key"], prev["history"] = key, old.history[:-1]
            self.entries[key] = _entry(prev, ProblemCollector(""), 0)

    # --- overrides ---
    def override(self, indicator: str, score: Any, reason: str, reviewer: str = "", date: str = "") -> dict:
        if not str(reason or "").strip():
            raise ValueError("审核调整必须写明理由（reason=…）")
        o = {"indicator": str(indicator), "score": str(score), "reason": str(reason).strip(),
             "reviewer": reviewer or self.reviewer, "date": date or today()}
        self.overrides = [x for x in self.overrides if x.get("indicator") != o["indicator"]] + [o]
        return o

    # --- file ---
    def to_doc(self, params_name: str = "") -> dict:
        doc: dict[str, Any] = {"format": FORMAT}
        if params_name:
            doc["params"] = params_name
        doc["decisions"] = [e.to_doc() for e in self.entries.values()]
        doc["overrides"] = [{k: o[k] for k in OVERRIDE_KEYS if o.get(k) not in (None, "")} for o in self.overrides]
        return doc

    def save(self, path: str | Path | None = None) -> Path:
        """Write the review file atomically (every decision, orphans included)."""
        from ..core.safeio import replace_atomic
        from ..core.yamlio import dump_yaml

        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("复核文件路径未知：save(path) 请指定路径")
        name = target.name[: -len(SUFFIX)] + ".yaml" if target.name.endswith(SUFFIX) else ""
        head = ("# 复核决定（kit 复核文件）：每条问题的决定（确认 / 不采纳 / 已说明 / 已整改）及审核调整。\n"
                "# 由 kit render 与审核笔记本读取；key 由检查编号、表内位置和对象组成，重新导入后仍然对应。\n")
        replace_atomic(target, (head + dump_yaml(self.to_doc(name))).encode("utf-8"))
        self.path = target
        return target

    def orphans(self, keys: Iterable[str]) -> list[Entry]:
        """Decisions whose finding is not among ``keys`` (this run's non-passing findings)."""
        present = set(keys)
        return [e for k, e in self.entries.items() if k not in present]


def _entry(doc: Any, out: ProblemCollector, row: int) -> Entry | None:
    where = {"block": "decisions", "row": row}
    if not isinstance(doc, dict):
        out.add("每条决定应为键值表", expected="{key: …, decision: 确认, reviewer: …, date: …}", **where)
        return None
    for k in doc:
        if k not in ENTRY_KEYS:
            out.add("未知字段", field=str(k), expected="以下之一：" + "、".join(ENTRY_KEYS), **where)
    key = str(doc.get("key") or "").strip()
    if not key:
        out.add("缺少 key（问题的键）", field="key", expected="报告“问题清单”或 JSON 中该问题的键", **where)
        return None
    d = Decision.parse(doc.get("decision"))
    if d is None or d is Decision.PENDING:
        out.add("未知的复核决定", field="decision", value=str(doc.get("decision")),
                expected="确认、不采纳、已说明 或 已整改", **where)
        return None
    text = {k: str(doc.get(k) or "").strip() for k in ENTRY_KEYS[2:-1]}
    need = REQUIRED.get(d)
    if need and not text[need[0]]:
        out.add(f"“{d.label}”须写明{need[1]}", field=need[0], expected="非空文字", **where)
    history = doc.get("history") or []
    if not isinstance(history, list):
        out.add("history 应为列表", field="history", **where)
        history = []
    return Entry(key, d, **text, history=[dict(h) for h in history if isinstance(h, dict)])


def load_review(path: str | Path) -> Review:
    """Read a review file; a missing file is an empty review. Raises ``LoadError`` naming the row."""
    from ..core.safeio import check_file
    from ..core.yamlio import parse_yaml, read_text

    path = Path(path).absolute()
    if not path.exists():
        return Review(path)
    check_file(path, "复核文件")
    text, _ = read_text(path, "复核文件")
    doc = parse_yaml(text, str(path))
    out = ProblemCollector(str(path))
    if not isinstance(doc, dict):
        raise LoadError(Problem("复核文件应为键值表", file=str(path), expected="format、decisions、overrides"))
    if doc.get("format") not in (None, FORMAT):
        out.add("不认识的复核文件格式", field="format", value=str(doc.get("format")), expected=FORMAT)
    for k in doc:
        if k not in ("format", "params", "decisions", "overrides"):
            out.add("未知字段", field=str(k), expected="format、params、decisions、overrides")
    review = Review(path)
    decisions = doc.get("decisions") or []
    if not isinstance(decisions, list):
        out.add("decisions 应为列表", field="decisions")
        decisions = []
    for i, d in enumerate(decisions, 1):
        e = _entry(d, out, i)
        if e is None:
            continue
        if e.key in review.entries:
            out.add("同一问题有两条决定", block="decisions", row=i, field="key", value=e.key, expected="每个 key 一条")
        review.entries[e.key] = e
    overrides = doc.get("overrides") or []
    if not isinstance(overrides, list):
        out.add("overrides 应为列表", field="overrides")
        overrides = []
    for i, o in enumerate(overrides, 1):
        if not isinstance(o, dict):
            out.add("每项调整应为键值表", block="overrides", row=i, expected="{indicator, score, reason, reviewer, date}")
            continue
        for k in o:
            if k not in OVERRIDE_KEYS:
                out.add("未知字段", block="overrides", row=i, field=str(k), expected="、".join(OVERRIDE_KEYS))
        review.overrides.append({k: str(o[k]) for k in OVERRIDE_KEYS if o.get(k) is not None})
    out.raise_if_any(LoadError)
    return review


def merged_overrides(params_overrides: Iterable[dict], review: Review | None,
                     extra: Iterable[dict] = ()) -> list[dict]:
    """The overrides the audit applies: the params file's, then the review file's, then ``extra``
    (the notebook's parameter cell); a later one replaces an earlier one of the same indicator."""
    by: dict[str, dict] = {}
    for o in (*params_overrides, *(review.overrides if review else ()), *extra):
        if isinstance(o, dict):
            by[str(o.get("indicator"))] = {k: o[k] for k in ("indicator", "score", "reason") if k in o}
        else:  # refused by validate_overrides with its row
            by[f"#{len(by)}"] = o
    return list(by.values())
