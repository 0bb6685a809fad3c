"""kit import of the sample's text layer: field-by-field equal to the transcription, every value
traced to the line it was printed on, and never a number the form did not print there."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kit.cli import main
from kit.importer import import_form
from kit.importer.compare import AMOUNT_FIELD, compare
from kit.load import load_department
from kit.model import to_document

FORMS = Path(__file__).parent / "assets" / "forms"
SAMPLE_FORM = FORMS / "longgang-central-hospital-2022.txt"


@pytest.fixture(scope="module")
def transcription(sample_data_path):
    return to_document(load_department(sample_data_path))


@pytest.fixture(scope="module")
def imported():
    return import_form(SAMPLE_FORM)


def test_copy_of_the_shared_form_is_current(repo_root):
    """The test copy is the form in shared/ (when this checkout has shared/ beside it)."""
    for shared in (repo_root.parent / "shared" / "forms", repo_root.parent.parent / "shared" / "forms"):
        if (shared / SAMPLE_FORM.name).is_file():
            assert (shared / SAMPLE_FORM.name).read_bytes() == SAMPLE_FORM.read_bytes()


def test_sample_text_equals_transcription(imported, transcription):
    doc, record = imported
    res = compare(transcription, doc)
    print(res.summary())
    for d in res.diffs:
        print(d)
    assert res.amounts("absent") == [] and res.amounts("wrong") == []
    assert res.share_exact >= 0.98
    assert not res.extra
    assert record.family["id"] == "shenzhen_2022" and record.family["chosen"] == "detected"


def test_quirks_kept_as_printed_and_stray_text_reported(imported):
    doc, record = imported
    assert doc["scores"][18]["weight"] == "#####"
    assert doc["indicators"][8]["actual"] == "门诊满意度98.78%、住院满意度98.82&"
    assert doc["stray"] == ["Zero", "医院公章"]
    assert [u["text"] for u in record.unplaced] == ["Zero", "医院公章"]
    assert {u["from"]["line"] for u in record.unplaced} == {717, 718}
    # the page header repeated in the middle of the task table is recognised, not a task
    assert [t["name"] for t in doc["tasks"]][8] == "离退休经费"
    assert any("第159行" in n for n in record.notes)


def test_every_amount_is_on_the_line_the_record_names(imported):
    """Traceability: each amount's cited line holds that amount as printed."""
    doc, record = imported
    lines = SAMPLE_FORM.read_text(encoding="utf-8").split("\n")
    checked = 0
    for e in record.entries:
        if not AMOUNT_FIELD.match(e.field):
            continue
        src = e.source
        if "line" in src:
            cited = lines[src["line"] - 1]
        else:
            a, b = (int(x) for x in src["lines"].split("-"))
            cited = "".join(lines[a - 1 : b])
        assert e.value in cited, (e.field, e.value, src)
        checked += 1
    assert checked == 136


def test_inferred_values_say_why(imported):
    _doc, record = imported
    inferred = [e for e in record.entries if e.how == "inferred"]
    assert inferred and all(e.reason for e in inferred)
    actual = {e.field: e for e in inferred if e.field.endswith(".actual") and e.field.startswith("indicators")}
    assert actual["indicators.1.actual"].value == "6.53"
    assert "其余各值均已有确定归属" in actual["indicators.1.actual"].reason


def _import_edited(tmp_path: Path, old: str, new: str):
    text = SAMPLE_FORM.read_text(encoding="utf-8")
    assert old in text
    form = tmp_path / "form.txt"
    form.write_text(text.replace(old, new, 1), encoding="utf-8")
    return import_form(form)


def test_actual_values_that_cannot_be_told_apart_are_left_absent(tmp_path, transcription):
    """Without 6.53 both 较上年提高 and 26.54% fit two indicators: neither is placed."""
    doc, record = _import_edited(tmp_path, "6.53\t\t\t\t\n", "\n")
    got = {i["level3"]: i["actual"] for i in doc["indicators"]}
    assert got["公立医院平均住院日"] == ""
    assert got["基层医疗卫生机构诊疗人次数占医疗卫生机构诊疗总人次数的比例"] == ""
    assert got["医疗服务收入（不含药品、耗材、检查、化验收入）占公立医疗医疗收入的比例"] == ""
    assert {"较上年提高", "26.54%"} <= {u["text"] for u in record.unplaced}
    res = compare(transcription, doc)
    wrong_actuals = [p for p in res.wrong if p.startswith("indicators")]
    assert wrong_actuals == []


def test_a_task_row_with_five_amounts_shifts_nothing(tmp_path, transcription):
    doc, record = _import_edited(
        tmp_path, "已完成 1953010.00 1953010.00 0.00 1953010.00 1953010.00 0.00",
        "已完成 1953010.00 1953010.00 1953010.00 1953010.00 0.00")
    res = compare(transcription, doc)
    assert res.amounts("wrong") == []
    assert {p for p in res.amounts("absent")} == {f"tasks.5.{s}.{p}" for s in ("budget", "actual") for p in ("total", "fiscal", "other")}
    assert doc["tasks"][6]["name"] == "科技发展"  # the next row keeps its own amounts
    assert doc["tasks"][6]["budget"]["total"] == "1166532.20"


def test_a_budget_row_with_two_amounts_is_absent_not_moved(tmp_path, transcription):
    doc, _record = _import_edited(tmp_path, "2211773762.75 1582955944.84 628817817.91\n\n2211773762.75",
                                  "2211773762.75 628817817.91\n\n2211773762.75")
    res = compare(transcription, doc)
    assert res.amounts("wrong") == []
    assert sorted(res.amounts("absent")) == ["budget.adjusted.basic", "budget.adjusted.project", "budget.adjusted.total"]
    assert doc["budget"]["actual"]["total"] == "2211773762.75"


def test_a_score_row_without_its_self_score_does_not_take_the_next(tmp_path, transcription):
    text = SAMPLE_FORM.read_text(encoding="utf-8")
    assert "理的情况（1分）。\n\n5.00\n" in text
    text = text.replace("理的情况（1分）。\n\n5.00\n", "理的情况（1分）。\n\n", 1)
    form = tmp_path / "noscore.txt"
    form.write_text(text, encoding="utf-8")
    doc, _record = import_form(form)
    res = compare(transcription, doc)
    assert res.amounts("wrong") == []
    assert res.amounts("absent") == ["scores.0.self_score"]


def test_cli_import_writes_data_record_and_params(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["import", str(SAMPLE_FORM), "--out", str(out), "--params", str(tmp_path / "params")])
    printed = capsys.readouterr().out
    assert code == 0
    assert "shenzhen_2022" in printed and "自动识别" in printed and "有提示" in printed
    data = out / "022006-2022.yaml"
    rec = yaml.safe_load((out / "022006-2022.import.yaml").read_text(encoding="utf-8"))
    assert rec["source"]["file"] == SAMPLE_FORM.name
    import hashlib

    assert rec["source"]["sha256"] == hashlib.sha256(SAMPLE_FORM.read_bytes()).hexdigest()
    assert rec["family"]["id"] == "shenzhen_2022" and rec["family"]["reason"]
    assert rec["counts"]["not_placed"] == 2 and rec["data_file"] == data.name
    assert all(v["from"] for v in rec["values"])
    params = yaml.safe_load((tmp_path / "params" / "022006.yaml").read_text(encoding="utf-8"))
    assert params == {"dept_code": "022006", "fiscal_year": 2022, "data": "../out/022006-2022.yaml"}
    # the written files load and audit as they are
    assert main(["validate", str(tmp_path / "params" / "022006.yaml")]) == 0
    assert main(["check", str(tmp_path / "params" / "022006.yaml"), "--format", "json"]) == 0


def test_cli_import_to_a_named_data_file(tmp_path):
    target = tmp_path / "x" / "hospital.yaml"
    assert main(["import", str(SAMPLE_FORM), "--out", str(target), "--family", "shenzhen_2022", "-q"]) == 0
    assert target.is_file() and (tmp_path / "x" / "hospital.import.yaml").is_file()
    rec = yaml.safe_load((tmp_path / "x" / "hospital.import.yaml").read_text(encoding="utf-8"))
    assert rec["family"]["chosen"] == "given"


def test_cli_bad_invocations(tmp_path, capsys):
    assert main(["import", str(SAMPLE_FORM), str(SAMPLE_FORM), "--out", str(tmp_path / "a.yaml")]) == 2
    assert main(["import", str(SAMPLE_FORM), "--out", str(tmp_path), "--family", "nope"]) == 2
    err = capsys.readouterr().err
    assert "文件夹" in err and "未知的表式" in err


def test_cli_batch_summary_and_exit_status(tmp_path, capsys):
    bad = tmp_path / "notes.txt"
    bad.write_text("这不是自评表\n只是一段文字\n", encoding="utf-8")
    code = main(["import", str(SAMPLE_FORM), str(bad), str(tmp_path / "missing.pdf"), "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 1
    assert "有提示 1" in captured.out and "失败 2" in captured.out
    assert "无法从内容判断表式" in captured.err and "找不到表单文件" in captured.err
    assert "Traceback" not in captured.err
    # the same file twice: imported once, said; two files of one department-year: the second would
    # overwrite the first, so it fails instead
    code = main(["import", str(SAMPLE_FORM), str(SAMPLE_FORM), "--out", str(tmp_path / "twice")])
    assert code == 0 and "是同一个文件，不再重复导入" in capsys.readouterr().out
    copy = tmp_path / "copy-2022.txt"
    copy.write_bytes(SAMPLE_FORM.read_bytes())
    code = main(["import", str(SAMPLE_FORM), str(copy), "--out", str(tmp_path / "twice2")])
    assert code == 1 and "部门编码和年度相同" in capsys.readouterr().err


def test_import_note_html_escapes_and_lists_what_to_check(imported):
    from kit.importer import import_note_html

    _doc, record = imported
    rec = record.to_dict(data_file="022006-2022.yaml")
    page = import_note_html(rec)
    assert "导入说明" in page and rec["source"]["sha256"] in page and SAMPLE_FORM.name in page
    assert "实际完成指标值" in page and "Zero" in page
    rec["source"]["file"] = "<script>alert(1)</script>.txt"
    rec["check_by_hand"] = ["<b>x</b>"]
    page = import_note_html(rec)
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>x</b>" not in page


def test_family_detection_uses_the_family_words(imported):
    _doc, record = imported
    reason = record.family["reason"]
    # the family is chosen by the words its family.yaml lists, and the reason names them
    assert record.family["id"] == "shenzhen_2022"
    assert "部门决策" in reason and "年初预算批复" in reason
