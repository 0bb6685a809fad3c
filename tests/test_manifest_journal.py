"""The batch manifest as a journal: a department's row is one appended line (O(1)), the whole
manifest is written at the start, after the last department and when a batch stops; a run
that died leaves its journal, read back on top of the manifest (a line cut short ignored)."""
from __future__ import annotations

import json
import time
from dataclasses import asdict

from kit.run import batch


def _row(code: str, status: str = "ok") -> dict:
    return asdict(batch.Row(code, name=f"部门{code}", status=status, report=f"{code}.html"))


def test_journal_lines_are_read_on_top_of_the_manifest(tmp_path):
    batch.write_manifest(tmp_path, [_row("001"), _row("002", "error")])
    batch.append_manifest(tmp_path, _row("002"))
    batch.append_manifest(tmp_path, _row("003"))
    with open(tmp_path / batch.JOURNAL, "a", encoding="utf-8") as fh:
        fh.write('{"dept_code": "004", "sta')  # a crash in the middle of a line
    rows = batch.read_manifest(tmp_path)
    assert sorted(rows) == ["001", "002", "003"] and rows["002"]["status"] == "ok"
    batch.write_manifest(tmp_path, list(rows.values()))
    assert not (tmp_path / batch.JOURNAL).exists()
    doc = json.loads((tmp_path / batch.MANIFEST).read_text(encoding="utf-8"))
    assert [r["dept_code"] for r in doc["departments"]] == ["001", "002", "003"]


def test_recording_a_department_does_not_grow_with_the_batch(tmp_path):
    batch.write_manifest(tmp_path, [_row(f"{i:05d}") for i in range(3000)])

    def cost(start: int, n: int) -> float:
        t0 = time.process_time()
        for i in range(start, start + n):
            batch.append_manifest(tmp_path, _row(f"x{i:05d}"))
        return time.process_time() - t0

    small, large = cost(0, 200), cost(200, 200)  # the journal now 200 rows longer: the same cost per row
    assert large < small * 3 + 0.05
    assert len(batch.read_manifest(tmp_path)) == 3400
