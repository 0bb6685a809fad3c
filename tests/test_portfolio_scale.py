"""The batch index at province scale: beyond PAGE_ROWS departments the index page lists the
riskiest PAGE_ROWS (still re-sortable) and links every department on pages by code and in a CSV;
a small batch's index is unchanged (no pages, no CSV)."""
from __future__ import annotations

import csv
import random

import pandas as pd

from kit.run import portfolio as p


def manifest_frame(n: int, seed: int = 1) -> pd.DataFrame:
    """Rows shaped like ``load_manifest``'s: statuses, totals, counts, a few failures."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        ok = rng.random() > 0.03
        s = rng.randint(7000, 9900) / 100
        rows.append({
            "dept_code": f"{i:06d}", "name": f"合成部门{i}", "status": "ok" if ok else "timeout", "seconds": 1.0,
            "self_total": f"{s:.2f}" if ok else None, "recomputed_total": f"{s - rng.randint(0, 500) / 100:.2f}" if ok else None,
            "self_grade": "良" if ok else None, "recomputed_grade": "良" if ok else None, "findings": {},
            "failing_checks": ["A1 预算"] if ok and rng.random() < 0.3 else [], "report": f"{i:06d}.html",
            "error": "" if ok else "超时", "errors": rng.randint(0, 5) if ok else None,
            "warnings": rng.randint(0, 9) if ok else None, "infos": 1 if ok else None, "unverifiable": 0 if ok else None,
            "format_notes": 0 if ok else None, "points_unverifiable": 0 if ok else None, "review_status": "已完成复核" if ok else None,
            "diff": None,
        })
    return p.order_by_risk(pd.DataFrame(rows))


def test_a_large_batch_is_listed_by_pages_and_csv(tmp_path):
    n = p.PAGE_ROWS * 2 + 37
    df = manifest_frame(n)
    html = p.departments_table(df)
    assert html.count("<tr") <= p.PAGE_ROWS + 2  # the riskiest only, plus the header
    assert p.list_page_name(1) in html and p.list_page_name(3) in html and p.LIST_CSV in html
    assert f"{n:,}" in html
    written = p.write_department_lists(df, tmp_path)
    assert [w.name for w in written] == [p.list_page_name(1), p.list_page_name(2), p.list_page_name(3), p.LIST_CSV]
    pages = [w.read_text(encoding="utf-8") for w in written[:3]]
    assert sum(pg.count('<a href="0') for pg in pages) == n  # every department linked once, by code
    assert "000000" in pages[0] and f"{n - 1:06d}" in pages[2] and "<script" not in "".join(pages)
    with open(written[3], encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert len(table) == n + 1 and table[1][0] == "000000"
    assert len(p.failures_table(manifest_frame(n))) < 400_000


def test_a_small_batch_index_is_unchanged(tmp_path):
    df = manifest_frame(40)
    html = p.departments_table(df)
    assert p.LIST_CSV not in html and html.count("<tr") == 41
    assert p.write_department_lists(df, tmp_path) == [] and not list(tmp_path.iterdir())


def test_csv_cells_never_read_as_formulas(tmp_path):
    df = manifest_frame(p.PAGE_ROWS + 1)
    df.loc[0, "name"] = "=HYPERLINK(\"http://x\")"
    p.write_department_lists(df, tmp_path)
    text = (tmp_path / p.LIST_CSV).read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
