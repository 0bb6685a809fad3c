"""kit.core.vocab is the one spelling of a status, a severity, a score basis, a review status and a run outcome: the
kit's code names enum members (Status.PASS, Basis.EXACT …), never the bare machine strings."""
from __future__ import annotations

import ast

from kit.core.vocab import Basis, ReviewStatus, RunStatus, Severity, Status

from conftest import ROOT

KIT = ROOT / "kit"
# kit/core/vocab.py spells the words; everything else names them (kit/run/batch/ and kit/run/portfolio.py included).
SKIP = {KIT / "core" / "vocab.py"}
WORDS = {
    "status": {m.value for m in Status} | {m.value for m in RunStatus} | {m.value for m in ReviewStatus},
    "severity": {m.value for m in Severity},
    "basis": {m.value for m in Basis},
    "engine_basis": {m.value for m in Basis},
}
# Calls whose positional arguments are a status, severity or basis (kit.engine.checks.Result, the
# @check declaration, kit.engine.scoretypes.Outcome and its helpers).
CALLS = {"Result": WORDS["status"] | WORDS["severity"], "check": WORDS["severity"], "Check": WORDS["severity"],
         "Outcome": WORDS["basis"], "kept": WORDS["basis"], "banded": WORDS["basis"]}


def _key(node) -> str | None:
    """'status' for x.status, x['status'], x.get('status'), status; else None."""
    if isinstance(node, ast.Attribute) and node.attr in WORDS:
        return node.attr
    if isinstance(node, ast.Name) and node.id in WORDS:
        return node.id
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and node.slice.value in WORDS:
        return node.slice.value
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
            and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in WORDS):
        return node.args[0].value
    return None


def _bare(node, words) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value in words
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_bare(e, words) for e in node.elts)
    if isinstance(node, ast.IfExp):
        return _bare(node.body, words) or _bare(node.orelse, words)
    return False


def bare_words(tree) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in CALLS and any(_bare(a, CALLS[name]) for a in node.args):
                lines.append(node.lineno)
            lines += [k.value.lineno for k in node.keywords if k.arg in WORDS and _bare(k.value, WORDS[k.arg])]
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            keys = [k for k in map(_key, sides) if k]
            if keys and any(_bare(s, WORDS[keys[0]]) for s in sides):
                lines.append(node.lineno)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for t in targets:
                pairs = (zip(t.elts, node.value.elts) if isinstance(t, ast.Tuple) and isinstance(node.value, ast.Tuple)
                         else [(t, node.value)])
                for tgt, val in pairs:
                    k = _key(tgt)
                    if k and val is not None and _bare(val, WORDS[k]):
                        lines.append(node.lineno)
        elif isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if isinstance(k, ast.Constant) and k.value in WORDS and _bare(v, WORDS[k.value]):
                    lines.append(v.lineno)
    return sorted(set(lines))


def test_no_bare_status_severity_basis_or_outcome():
    found = []
    for p in sorted(KIT.rglob("*.py")):
        if p in SKIP:
            continue
        src = p.read_text(encoding="utf-8")
        found += [f"{p.relative_to(ROOT)}:{n}: {src.splitlines()[n - 1].strip()[:90]}" for n in bare_words(ast.parse(src))]
    assert found == [], f"{len(found)} bare words (use kit.core.vocab members):\n" + "\n".join(found)


def test_the_rule_sees_what_it_forbids():
    src = '''
Result("pass", "x", "y")
Result(Status.PASS, "x", "y", severity="info")
Outcome(score, "proxy" if p else "exact", note)
if r["status"] == "fail" or row.get("severity") in ("error", "warning") or s.engine_basis != "unverifiable":
    pass
s.recomputed, s.basis = 1, "override"
d = {"status": "ok"}
'''
    assert bare_words(ast.parse(src)) == [2, 3, 4, 5, 7, 8]
