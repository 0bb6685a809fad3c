"""The check catalogue (``../shared/guide/domain.md`` §3), one module per category.

identities (A arithmetic), ratios (B ratios and re-scoring), scoretable (C scoring-table
integrity), textual (D text vs table), malformed (E malformed values), structure (F the form
against its family: fit, execution-rate block, printed totals and groups), printed (G the
identities any printed form implies, with or without a scoring family). Each check is a
``Check`` declared with ``@check``; a family (``kit/families/<id>/family.yaml``) lists the ids
that apply to its forms.
"""
from . import identities, malformed, printed, ratios, scoretable, structure, textual  # noqa: F401  (registration)
from .base import CATEGORIES, REGISTRY, Check, Context, ProseCache, Result, catalogue_order, check, run_checks


def all_checks() -> list[Check]:
    """Every registered check, in catalogue order."""
    return sorted(REGISTRY, key=catalogue_order)


def checks_for(ids) -> list[Check]:
    """The checks a family lists, in catalogue order; an unknown id is an authoring error."""
    by_id = {c.id: c for c in REGISTRY}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise KeyError("unknown check ids: " + ", ".join(unknown))
    return sorted((by_id[i] for i in dict.fromkeys(ids)), key=catalogue_order)


__all__ = ["CATEGORIES", "REGISTRY", "Check", "Context", "ProseCache", "Result", "all_checks", "check", "checks_for",
           "run_checks"]
