"""Checks and scores: rule files, scoring types and formulas, the check catalogue, the audit, the prose reader, the review file."""
