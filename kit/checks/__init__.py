"""The check catalogue A–E (``../shared/guide/domain.md`` §3), one module per category.

identities (A arithmetic), ratios (B ratios and re-scoring), scoretable (C scoring-table
integrity), textual (D text vs table), malformed (E malformed values). Each check is a
``Check`` declared with ``@check``; ``all_checks()`` lists them in catalogue order.
"""
from .base import CATEGORIES, REGISTRY, Check, Context, ProseCache, Result, all_checks, check, run_checks

__all__ = ["CATEGORIES", "REGISTRY", "Check", "Context", "ProseCache", "Result", "all_checks", "check", "run_checks"]
