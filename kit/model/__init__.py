"""The department-year model: every block of a self-evaluation form, as printed.

``labels`` (the form's terms), ``blocks`` (frozen dataclasses), ``build`` (document → model,
every problem collected), ``document`` (model → document, lossless), ``frames`` (DataFrames).
"""
from .blocks import (
    BLOCK_KEYS, Budget, BudgetLine, BudgetRow, Department, FundRow, Funds, Goals, Header, Indicator, LoadFinding,
    Narrative, Profile, ScoreGroup, ScoreRow, Section, SelfEval, Source, Split, Task, present_blocks,
)
from .build import build_department
from .document import same_content, to_document
from .labels import (
    BLOCK_LABELS, BUDGET_PARTS, BUDGET_STAGES, CODE_RE, COUNT_FIELDS, DEPARTMENT_FIELDS, DISCLOSURE_VALUES, FILE_KEYS,
    FLAG_VALUES, FORMAT, FUND_FIELDS, FUNDS_FIELDS, GOAL_FIELDS, HEADER_FIELDS, HUGE_AMOUNT, INDICATOR_EXTRA_FIELDS,
    INDICATOR_FIELDS, INDICATOR_NUM_FIELDS, LINE_FIELDS, LOAD_NOTE_TEXT, NARRATIVE_SECTIONS, NOT_APPLICABLE,
    PROFILE_TEXTS, SCORE_FIELDS, SCORE_GROUP_FIELDS, SELF_EVAL_FIELDS, SUPPLEMENTARY, TASK_AMOUNT_PARTS, TASK_FIELDS,
)

__all__ = [name for name in dir() if not name.startswith("_")]
