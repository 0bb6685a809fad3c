"""Helpers for the audit tests: variants of the sample built through to_document/build_department."""
from __future__ import annotations

import copy
from functools import lru_cache

from kit.engine.audit import run_audit
from kit.files.load import load_department
from kit.model import build_department, to_document

from conftest import SAMPLE_DATA


@lru_cache(maxsize=1)
def _base() -> dict:
    return to_document(load_department(SAMPLE_DATA))


def sample_doc() -> dict:
    return copy.deepcopy(_base())


def score_row(doc: dict, name: str) -> dict:
    return next(s for s in doc["scores"] if s["level3"] == name)


def section(doc: dict, key: str) -> dict:
    return next(s for s in doc["narrative"]["sections"] if s["key"] == key)


def task(doc: dict, name: str) -> dict:
    return next(t for t in doc["tasks"] if t["name"] == name)


def audit(doc: dict | None = None, **options):
    dept = build_department(doc if doc is not None else sample_doc())
    return run_audit(dept, None, options or None)


def rows(result, check_id: str, subject: str | None = None) -> list[dict]:
    f = result.findings
    out = f[f["check_id"] == check_id].to_dict("records")
    if subject is not None:
        out = [r for r in out if r["subject"] == subject]
    assert out, f"no rows for {check_id} {subject or ''}"
    return out


def statuses(result, check_id: str, subject: str | None = None) -> set[str]:
    return {r["status"] for r in rows(result, check_id, subject)}


def score(result, indicator: str) -> dict:
    return result.scores[result.scores["indicator"] == indicator].iloc[0].to_dict()
