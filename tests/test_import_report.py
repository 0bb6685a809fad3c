"""An imported form goes through the whole flow: its record reloads, and the report says 导入说明."""
from __future__ import annotations

from pathlib import Path

import pytest

from kit.commands import cli
from kit.core.yamlio import dump_yaml, parse_yaml

SAMPLE_FORM = Path(__file__).parent / "assets" / "forms" / "longgang-central-hospital-2022.txt"


def test_written_yaml_never_holds_aliases():
    shared = {"lines": "15-18"}
    text = dump_yaml({"a": {"from": shared}, "b": {"from": shared}})
    assert "&" not in text and "*" not in text
    assert parse_yaml(text, "t.yaml") == {"a": {"from": shared}, "b": {"from": shared}}


def test_import_record_reloads_with_the_kits_loader(tmp_path):
    assert cli.main(["import", str(SAMPLE_FORM), "--out", str(tmp_path), "-q"]) in (0, 1)
    (record,) = tmp_path.glob("*.import.yaml")
    doc = parse_yaml(record.read_text(encoding="utf-8"), str(record))
    assert doc["source"]["sha256"] and doc["family"]["id"] == "shenzhen_2022"


@pytest.mark.kernel
def test_report_of_an_imported_form_has_its_import_note(tmp_path):
    assert cli.main(["import", str(SAMPLE_FORM), "--out", str(tmp_path), "--params", str(tmp_path / "params"),
                     "-q"]) in (0, 1)
    (params,) = (tmp_path / "params").glob("*.yaml")
    assert cli.main(["render", str(params), "--out", str(tmp_path / "out")]) == 0
    page = (tmp_path / "out" / "022006.html").read_text(encoding="utf-8")
    assert "导入说明" in page and "longgang-central-hospital-2022.txt" in page
    record = parse_yaml(next(tmp_path.glob("*.import.yaml")).read_text(encoding="utf-8"), "r")
    assert record["source"]["sha256"] in page


@pytest.mark.kernel
def test_report_of_a_typed_file_has_no_import_note(tmp_path_factory):
    from render_helpers import rendered

    result = rendered(tmp_path_factory.getbasetemp(), "sample")  # the sample render the report tests share
    assert result.ok and "导入说明" not in result.html.read_text(encoding="utf-8")
