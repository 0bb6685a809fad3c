"""The check catalogue (``../shared/guide/domain.md`` §3), one module per category.

identities (A arithmetic), ratios (B ratios), rescore (the re-score checks a rule file makes), scoretable (C scoring-table
integrity), textual (D text vs table), malformed (E malformed values), fit (F1: the form
fits its family), structure (F2–F14: execution-rate block, printed totals and groups), printed (G1–G9:
the identities any printed form implies, with or without a scoring family). Each check is a
``Check`` declared once with ``@check`` (title, category, severity, 整改建议, roles); a family
(``kit/families/<id>/family.yaml``) lists the declared ids that apply to its forms, and its rule
file makes the re-score checks its indicators name (``rescore.rule_checks``).
"""
from ...families import all_families
from ..rules import rules_for
from . import fit, identities, malformed, printed, ratios, scoretable, structure, textual  # noqa: F401  (registration)
from .base import (CATEGORIES, GOALS_TABLE, INDICATORS_TABLE, REGISTRY, TASK, Check, Context, ProseCache, Result,
                   catalogue_order, check, declared, run_checks)
from .rescore import rule_checks


def all_checks(rules=None) -> list[Check]:
    """Every declared check and the re-score checks of ``rules`` (a ``RuleSet``; by default those
    of every built-in family's rule file), in catalogue order."""
    if rules is None:
        made = {cid: c for fam in all_families() if fam.rules_path.is_file()  # a family may have no rules
                for cid, c in rule_checks(rules_for(fam.id)).items()}
    else:
        made = rule_checks(rules)
    return sorted([*REGISTRY, *made.values()], key=catalogue_order)


def checks_for(ids, rules=None) -> list[Check]:
    """The declared checks a family lists and the re-score checks its rule file makes, in catalogue
    order; an id that is neither declared nor made by the rule file is an authoring error."""
    made = rule_checks(rules) if rules is not None else {}
    by_id = {**made, **{c.id: c for c in REGISTRY}}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise KeyError("unknown check ids: " + ", ".join(unknown))
    return sorted({by_id[i].id: by_id[i] for i in [*ids, *made]}.values(), key=catalogue_order)


def title_of(check_id: str, rules=None) -> str:
    """A check's title: declared, or made by ``rules``; '' for an unknown id."""
    c = declared(check_id) or (rule_checks(rules).get(check_id) if rules is not None else None)
    return c.title if c else ""


def table_checks(table: str) -> list[str]:
    """Ids of the declared checks whose rows join a report table (``INDICATORS_TABLE``, ``GOALS_TABLE``)."""
    return [c.id for c in REGISTRY if c.table == table]


__all__ = ["CATEGORIES", "GOALS_TABLE", "INDICATORS_TABLE", "REGISTRY", "TASK", "Check", "Context", "ProseCache", "Result",
           "all_checks", "check", "checks_for", "declared", "run_checks", "table_checks", "title_of"]
