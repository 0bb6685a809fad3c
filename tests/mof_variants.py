"""Helpers for the 财政部-style family tests: a small consistent form, edited per test; the audits of
the real forms' transcriptions (data/, with their params in tests/assets/params) by name."""
from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal
from typing import Callable

from conftest import ROOT
from kit.engine.audit import audit_path, run_audit
from kit.files.load import load_department
from kit.families import get_family
from kit.model import build_department


def mof_doc() -> dict:
    """A consistent 财政部-style project form: 执行率 90% → 9 分, three indicators met, 总分 99."""
    return copy.deepcopy({
        "format": "kit-dept/1",
        "family": "mof_selfeval",
        "department": {"name": "测试局（虚构）", "code": "test-mof", "year": 2023},
        "header": {"title": "项目支出绩效自评表", "project": "测试项目", "implementer": "测试局（虚构）", "unit": "万元"},
        "funds": {
            "weight": "10", "rate": "90.00%", "score": "9",
            "rows": [
                {"source": "年度资金总额", "initial": "100.00", "adjusted": "100.00", "actual": "90.00"},
                {"source": "其中：财政拨款", "initial": "80.00", "adjusted": "80.00", "actual": "72.00", "rate": "90.00%",
                 "weight": "/", "score": "/"},
                {"source": "其他资金", "initial": "20.00", "adjusted": "20.00", "actual": "18.00", "rate": "90.00%",
                 "weight": "/", "score": "/"},
            ],
        },
        "goals": {"expected": "完成测试任务。", "actual": "已完成。"},
        "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "level3": "培训人次", "target": "≥100人次", "actual": "120人次",
             "weight": "30", "score": "30"},
            {"level1": "效益指标", "level2": "社会效益指标", "level3": "投诉率", "target": "≤5%", "actual": "2%",
             "weight": "30", "score": "30"},
            {"level1": "满意度指标", "level2": "服务对象满意度指标", "level3": "服务对象满意度", "nature": "≥", "target": "90",
             "unit": "%", "actual": "95", "weight": "30", "score": "30"},
        ],
        "self_eval": {"total": "99", "total_weight": "100"},
    })


def audit(doc: dict, rules=None, **options):
    return run_audit(build(doc), None, options or None, rules=rules)


def build(doc: dict):
    """The department of a document, with the blocks its family requires (as the loader does)."""
    return build_department(doc, required=get_family(doc.get("family")).required)


def rows(result, check_id: str, subject: str | None = None) -> list[dict]:
    f = result.findings
    out = f[f["check_id"] == check_id].to_dict("records")
    if subject is not None:
        out = [r for r in out if subject in str(r["subject"])]
    assert out, f"no rows for {check_id} {subject or ''}"
    return out


def statuses(result, check_id: str, subject: str | None = None) -> set[str]:
    return {r["status"] for r in rows(result, check_id, subject)}


def score(result, indicator: str) -> dict:
    s = result.scores
    return s[s["indicator"] == indicator].iloc[0].to_dict()


DATA = ROOT / "data"
PARAMS = ROOT / "tests" / "assets" / "params"
CENT = Decimal("0.01")


def pct(num: str, den: str) -> Decimal:
    """A rate in percent at the printed precision (two decimals, half up)."""
    return (Decimal(num) / Decimal(den) * 100).quantize(CENT, rounding=ROUND_HALF_UP)


def audits_by_name() -> Callable[[str], object]:
    """``get(name)``: the audit of a transcribed form, through its params file when it has one, else its
    data file; each audited once (a module-scoped fixture returns this)."""
    cache: dict[str, object] = {}

    def get(name: str):
        if name not in cache:
            p = PARAMS / f"{name}.yaml"
            cache[name] = audit_path(p) if p.is_file() else run_audit(load_department(DATA / f"{name}.yaml"))
        return cache[name]

    return get


def errors(result) -> list[dict]:
    """Failed checks above info level (what the report lists as 不符)."""
    f = result.findings
    return f[(f["status"] == "fail") & (f["severity"] != "info")].to_dict("records")
