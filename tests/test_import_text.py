"""kit import of the sample's text layer: field-by-field equal to the transcription, every value
traced to the line it was printed on, and never a number the form did not print there."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kit.commands.cli import main
from kit.importer import import_form
from kit.importer.compare import AMOUNT_FIELD, compare
from kit.files.load import load_department
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


# --- budget cells placed by their column and row, whatever a cell prints ----------------------
from decimal import Decimal  # noqa: E402

from kit.model import BUDGET_PARTS, BUDGET_STAGES, build_department  # noqa: E402
from kit.core.values import parse_num  # noqa: E402

_FW = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def _budget_lines(lines: list[str]) -> list[int]:
    """Indexes of the sample's three budget rows (the amount lines under the budget header)."""
    head = next(i for i, s in enumerate(lines) if "部门支出总金额" in s)
    rows = [i for i in range(head + 1, head + 8) if lines[i].strip() and lines[i].split()[0][0].isdigit()]
    assert len(rows) == 3
    return rows


def _thousands(tok: str) -> str:
    whole, _, frac = tok.partition(".")
    return f"{int(whole):,}" + (f".{frac}" if frac else "")


# quirk → (printed cell from the transcribed one, the cell's outcome: 'exact' value, or 'absent')
QUIRKS = {
    "fullwidth-digits": (lambda t: t.translate(str.maketrans("0123456789", "０１２３４５６７８９")), "exact"),
    "fullwidth-all": (lambda t: t.translate(_FW), "exact"),
    "thousands": (_thousands, "exact"),
    "dash": (lambda t: "—", "absent"),
    "hyphen": (lambda t: "-", "absent"),
    "parentheses": (lambda t: f"({_thousands(t)})", "absent"),
    "fullwidth-parentheses": (lambda t: f"（{_thousands(t)}）", "absent"),
    "two-dots": (lambda t: t + ".4", "absent"),
    "junk": (lambda t: t + "x", "absent"),
    "missing": (lambda t: None, "row-absent"),
}


def _variant(quirk: str, row: int, col: int) -> str:
    lines = SAMPLE_FORM.read_text(encoding="utf-8").split("\n")
    i = _budget_lines(lines)[row]
    toks = lines[i].split()
    printed = QUIRKS[quirk][0](toks[col])
    toks = toks[:col] + ([printed] if printed is not None else []) + toks[col + 1:]
    lines[i] = " ".join(toks)
    return "\n".join(lines)


def _import_text(tmp_path: Path, text: str, name: str = "form.txt"):
    form = tmp_path / name
    form.write_text(text, encoding="utf-8")
    return import_form(form)


def _value(s: str) -> Decimal | None:
    return parse_num(s, "元").value if s else None


def _budget_outcomes(doc: dict, transcription: dict) -> dict[tuple[str, str], str]:
    """Each budget cell: 'exact' (same number as transcribed), 'absent', or 'WRONG'."""
    out = {}
    for stage in BUDGET_STAGES:
        for part in BUDGET_PARTS:
            got, want = doc["budget"][stage][part], transcription["budget"][stage][part]
            out[(stage, part)] = "absent" if got == "" else "exact" if _value(got) == _value(want) else "WRONG"
    return out


@pytest.mark.parametrize("quirk", sorted(QUIRKS))
def test_every_budget_cell_with_each_quirk_stays_in_its_place(tmp_path, transcription, quirk):
    """Every budget row and column: a damaged cell gives its exact number or is absent with its
    raw text; no other cell moves (the 年初 row never takes the 调整后 row)."""
    outcome = QUIRKS[quirk][1]
    for r, stage in enumerate(BUDGET_STAGES):
        for c, part in enumerate(BUDGET_PARTS):
            doc, record = _import_text(tmp_path, _variant(quirk, r, c), f"{quirk}-{r}{c}.txt")
            got = _budget_outcomes(doc, transcription)
            assert "WRONG" not in got.values(), (quirk, stage, part, got)
            absent = {a["field"]: a for a in record.absent_entries}
            if outcome == "exact":
                assert set(got.values()) == {"exact"}, (quirk, stage, part, got)
            elif outcome == "absent":
                assert got.pop((stage, part)) == "absent", (quirk, stage, part)
                assert set(got.values()) == {"exact"}, (quirk, stage, part, got)
                assert absent[f"budget.{stage}.{part}"]["raw"] == QUIRKS[quirk][0](transcription["budget"][stage][part])
            else:  # a missing cell: which column is empty cannot be told, the row is absent with its raw text
                for p in BUDGET_PARTS:
                    assert got.pop((stage, p)) == "absent"
                    assert absent[f"budget.{stage}.{p}"]["raw"]
                assert set(got.values()) == {"exact"}, (quirk, stage, part, got)
            # the rest of the form is untouched (amounts compared by their number)
            res = compare(transcription, doc, printed=True)
            assert res.amounts("wrong") == [] and all(p.startswith("budget.") for p in res.absent)


@pytest.mark.parametrize("row", range(3))
def test_a_missing_budget_row_moves_no_other_row(tmp_path, transcription, row):
    lines = SAMPLE_FORM.read_text(encoding="utf-8").split("\n")
    i = _budget_lines(lines)[row]
    lines[i] = ""
    doc, record = _import_text(tmp_path, "\n".join(lines))
    got = _budget_outcomes(doc, transcription)
    # two rows of amounts for three printed labels: which is missing cannot be told, nothing is placed
    assert set(got.values()) == {"absent"}
    assert any("无法确定各行属于哪一行" in n for n in record.notes)
    assert len([u for u in record.unplaced if "预算总表" in u["note"]]) == 2


def test_budget_rows_printed_beside_their_labels_are_placed_by_label(tmp_path, transcription):
    """A text layer that keeps each row's label on its line: the rows are placed by their label,
    whatever their order, and a missing row leaves only its own cells absent."""
    lines = SAMPLE_FORM.read_text(encoding="utf-8").split("\n")
    rows = _budget_lines(lines)
    b = transcription["budget"]
    printed = {"initial": "年初预算批复（收入）", "adjusted": "全年调整后预算数", "actual": "年末执行数"}
    lines[rows[0]] = f"{printed['actual']} {b['actual']['total']} {b['actual']['basic']} {b['actual']['project']}"
    lines[rows[1]] = f"{printed['initial']} — {b['initial']['basic']} {b['initial']['project']}"
    lines[rows[2]] = ""
    doc, record = _import_text(tmp_path, "\n".join(lines))
    got = _budget_outcomes(doc, transcription)
    assert got.pop(("initial", "total")) == "absent"
    assert [got.pop(("adjusted", p)) for p in BUDGET_PARTS] == ["absent"] * 3
    assert set(got.values()) == {"exact"}
    how = {e.field: e.how for e in record.entries}
    assert how["budget.actual.total"] == "layout" and how["budget.initial.basic"] == "layout"


def _wan(text: str) -> str:
    """The sample with its budget table printed in 万元 (amounts divided by 10⁴, as printed)."""
    lines = text.split("\n")
    head = next(i for i, s in enumerate(lines) if "部门支出总金额" in s)
    lines[head] = lines[head].replace("（元）", "（万元）")
    for i in _budget_lines(lines):
        lines[i] = " ".join(str(Decimal(t) / 10000) for t in lines[i].split())
    narr = next(i for i, s in enumerate(lines) if "部门预算总额 1978799355.27" in s)
    lines[narr] = lines[narr].replace("部门预算总额 1978799355.27", "部门预算总额（万元） 197879.935527")
    return "\n".join(lines)


def test_amounts_under_a_wan_header_are_never_read_ten_thousand_times_too_small(tmp_path, transcription):
    doc, record = _import_text(tmp_path, _wan(SAMPLE_FORM.read_text(encoding="utf-8")))
    for stage in BUDGET_STAGES:
        for part in BUDGET_PARTS:
            cell = doc["budget"][stage][part]
            assert cell.endswith("万元")  # kept as printed, the unit recorded with it
            assert _value(cell) == _value(transcription["budget"][stage][part])
    assert any("万元" in n for n in record.notes)
    assert doc["narrative"]["budget_total"] == "197879.935527万元"
    assert _value(doc["narrative"]["budget_total"]) == _value(transcription["narrative"]["budget_total"])
    dept = build_department(doc)
    assert any(f.code == "wan" for f in dept.load_findings)  # listed under E4: converted, said so


def test_audit_of_budget_variants(tmp_path):
    """What a user sees: the sample's totals and the 11.77 % adjustment finding survive a 万元
    header and a full-width cell; an unreadable 年初 total makes its checks say the input is
    missing (never another row's number)."""
    from kit.engine.audit import run_audit

    def audit(text, name):
        doc, _ = _import_text(tmp_path, text, name)
        return run_audit(build_department(doc))

    def fails(res):
        f = res.findings
        return f[f["status"] == "fail"]

    text = SAMPLE_FORM.read_text(encoding="utf-8")
    for name, variant in (("wan.txt", _wan(text)), ("fw.txt", _variant("fullwidth-all", 0, 0))):
        res = audit(variant, name)
        assert res.totals["recomputed"] == Decimal("96.32") and res.grade["recomputed"] == "优", name
        assert any("11.77%" in m for m in fails(res)[fails(res)["check_id"] == "B3"]["message"]), name
        assert set(res.findings[res.findings["check_id"] == "D2"]["status"]) == {"pass"}, name  # 部门预算总额 = 年初
    for quirk in ("dash", "parentheses", "missing"):
        res = audit(_variant(quirk, 0, 0), f"{quirk}.txt")
        f = res.findings
        b3 = f[f["check_id"] == "B3"].to_dict("records")
        assert [r["status"] for r in b3] == ["unverifiable"] and "budget.initial.total" in b3[0]["missing"], quirk
        assert "budget.initial.total" in set(res.missing_inputs["input"]), quirk
        # the 调整后 row is not taken for 年初: no adjustment of 0 % is reported as fine
        assert not any("调整幅度 +0.00%" in m for m in f["message"]), quirk


# --- several forms in one text file -----------------------------------------------------------
from kit.importer import import_forms  # noqa: E402


def _other_department(text: str) -> str:
    return text.replace("深圳市龙岗中心医院", "深圳市龙岗第二医院").replace("022006", "022007")


def test_two_departments_in_one_text_file_become_two_documents(tmp_path, transcription):
    text = SAMPLE_FORM.read_text(encoding="utf-8")
    form = tmp_path / "two.txt"
    form.write_text(text + _other_department(text), encoding="utf-8")
    found = import_forms(form)
    assert [d["department"]["code"] for d, _ in found] == ["022006", "022007"]
    second = yaml.safe_load(_other_department(yaml.safe_dump(transcription, allow_unicode=True)))
    for (doc, record), want in zip(found, (transcription, second)):
        res = compare(want, doc)
        assert res.amounts("absent") == [] and res.amounts("wrong") == [] and not res.extra
        assert len(res.exact) == res.total == 379
        # nothing of the other form is left over: only the sample's own seal and stray word
        assert [u["text"] for u in record.unplaced] == ["Zero", "医院公章"]
        assert any("文件中有 2 份表" in n for n in record.notes)
    # every value cites a line of its own part of the file
    n_lines = len(text.split("\n"))
    first = {e.source.get("line") for e in found[0][1].entries if e.source.get("line")}
    second_lines = {e.source.get("line") for e in found[1][1].entries if e.source.get("line")}
    assert max(first) <= n_lines < min(second_lines)


def test_cli_two_departments_write_two_data_files_and_the_same_one_twice_is_said(tmp_path, capsys):
    text = SAMPLE_FORM.read_text(encoding="utf-8")
    two = tmp_path / "two.txt"
    two.write_text(text + _other_department(text), encoding="utf-8")
    assert main(["import", str(two), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert sorted(p.name for p in (tmp_path / "out").glob("*.yaml")) == [
        "022006-2022.import.yaml", "022006-2022.yaml", "022007-2022.import.yaml", "022007-2022.yaml"]
    capsys.readouterr()
    twice = tmp_path / "twice.txt"
    twice.write_text(text + "\n" + text, encoding="utf-8")
    code = main(["import", str(twice), "--out", str(tmp_path / "out2")])
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err
    assert "文件中有 2 份表单" in out and "部门编码和年度相同" in err
    assert (tmp_path / "out2" / "022006-2022.yaml").is_file()


def test_several_forms_that_cannot_be_told_apart_are_not_read_as_one_shenzhen_form(tmp_path, capsys):
    """Two budget tables with no table head or profile labels between them: the Shenzhen layout
    refuses to read them as one form and says why (the import then falls back to the generic
    reader, which names that reason); no Shenzhen data file is written."""
    text = SAMPLE_FORM.read_text(encoding="utf-8")
    lines = text.split("\n")
    head = next(i for i, s in enumerate(lines) if "部门支出总金额" in s)
    form = tmp_path / "cut.txt"
    form.write_text(text + "\n".join(lines[head:]), encoding="utf-8")
    main(["import", str(form), "--out", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert "2 个预算总表" in out + err and "无法确定第 2 份从哪里开始" in out + err
    for data in (tmp_path / "out").glob("*.yaml"):
        if not data.name.endswith(".import.yaml"):
            assert yaml.safe_load(data.read_text(encoding="utf-8")).get("family") != "shenzhen_2022"


# --- a score table that was not read is never graded --------------------------------------------
def _without_scores(keep_rows: int | None) -> str:
    """The sample without its score table (or with only the lines of its first rows)."""
    lines = SAMPLE_FORM.read_text(encoding="utf-8").split("\n")
    head = next(i for i, s in enumerate(lines) if "一级指标" in s and "分数" in s)
    narr = next(i for i, s in enumerate(lines) if s.startswith("部门名称") and "部门预算总额" in s)
    cut = head if keep_rows is None else head + keep_rows
    return "\n".join(lines[:cut] + lines[narr:])


@pytest.mark.parametrize("keep", [None, 40], ids=["no-score-table", "score-table-cut"])
def test_a_form_whose_score_table_was_not_read_is_not_graded(tmp_path, transcription, keep):
    """No score table (a narrative report written as a Shenzhen form), or one cut short: the data
    file marks it incomplete and the record says so; the audit gives no grade (never 差 from 0)."""
    from kit.engine.audit import PARTIAL_GRADE, run_audit

    form = tmp_path / "form.txt"
    form.write_text(_without_scores(keep), encoding="utf-8")
    doc, record = import_form(form, "shenzhen_2022")
    assert doc["incomplete"] == ["scores"]
    assert any("incomplete: scores" in n for n in record.notes)
    res = run_audit(build_department(doc))
    assert res.grade == {"self": PARTIAL_GRADE, "recomputed": PARTIAL_GRADE}
    assert compare(transcription, doc).amounts("wrong") == []


def test_the_whole_sample_is_not_marked_incomplete(imported):
    doc, _record = imported
    assert "incomplete" not in doc


def _leaf(doc, path: str) -> str:
    cur = doc
    for k in path.split("."):
        cur = cur[int(k)] if k.isdigit() else cur[k]
    return cur


# (path, the line's start, the token's index on the line) for line-table and task amounts
ROW_CELLS = [
    ("basic_lines.0.budget", "1 人员经费 ", 2), ("basic_lines.1.actual", "2 公用经费 ", 4),
    ("project_lines.0.adjusted", "项目支出 1 项目支出 ", 4),
    ("tasks.0.budget.total", "已完成 332112474.35", 1), ("tasks.0.actual.fiscal", "已完成 332112474.35", 5),
]


@pytest.mark.parametrize("quirk", ["fullwidth-all", "thousands", "dash", "parentheses", "two-dots"])
def test_line_and_task_amounts_with_each_quirk_stay_in_their_place(tmp_path, transcription, quirk):
    make, outcome = QUIRKS[quirk]
    for path, start, k in ROW_CELLS:
        lines = SAMPLE_FORM.read_text(encoding="utf-8").split("\n")
        i = next(n for n, s in enumerate(lines) if s.startswith(start))
        toks = lines[i].split()
        want = _leaf(transcription, path)
        assert toks[k] == want
        toks[k] = make(toks[k])
        lines[i] = " ".join(toks)
        doc, record = _import_text(tmp_path, "\n".join(lines), f"{quirk}-{path}.txt")
        got = _leaf(doc, path)
        if outcome == "exact":
            assert _value(got) == _value(want), (quirk, path, got)
        else:
            assert got == "", (quirk, path, got)
            assert {a["field"]: a["raw"] for a in record.absent_entries}[path] == toks[k]
        res = compare(transcription, doc, printed=True)
        assert res.amounts("wrong") == [], (quirk, path)
        assert set(res.absent) <= {path}, (quirk, path, res.absent)


def test_a_reason_printed_on_the_first_budget_row_moves_no_amount(tmp_path, transcription):
    lines = SAMPLE_FORM.read_text(encoding="utf-8").split("\n")
    i = _budget_lines(lines)[0]
    lines[i] += " 因业务需要追加预算"
    doc, _record = _import_text(tmp_path, "\n".join(lines))
    assert set(_budget_outcomes(doc, transcription).values()) == {"exact"}
    assert doc["budget"]["adjustment_reason"] == "因业务需要追加预算"


@pytest.mark.parametrize("labels", [True, False], ids=["labels-in-rows", "labels-apart"])
def test_a_ruled_budget_table_places_each_cell_under_its_header_cell(tmp_path, transcription, labels):
    """A web page's table saved with '|' between cells keeps its empty cells: a blank or
    unreadable cell is absent alone, its neighbours stay in their columns."""
    lines = SAMPLE_FORM.read_text(encoding="utf-8").split("\n")
    head = next(i for i, s in enumerate(lines) if "部门支出总金额" in s)
    lines[head] = "| | " + " | ".join(lines[head].split(" *")[1:]).replace("（元） 预算调整", "（元） | 预算调整") + " |"
    b = transcription["budget"]
    printed = {"initial": "年初预算批复（收入）", "adjusted": "全年调整后预算数", "actual": "年末执行数"}
    cells = {"initial": [b["initial"]["total"], "", b["initial"]["project"]],
             "adjusted": [b["adjusted"]["total"], b["adjusted"]["basic"], "—"],
             "actual": [b["actual"]["total"], b["actual"]["basic"], b["actual"]["project"]]}
    for i, stage in zip(_budget_lines(lines), BUDGET_STAGES):
        label = printed[stage] if labels else ""
        lines[i] = f"| {label} | " + " | ".join(cells[stage]) + " | |"
    doc, record = _import_text(tmp_path, "\n".join(lines))
    got = _budget_outcomes(doc, transcription)
    assert got.pop(("initial", "basic")) == "absent" and got.pop(("adjusted", "project")) == "absent"
    assert set(got.values()) == {"exact"}
    assert lines[head].count("|") == 6


def test_line_tables_are_placed_by_their_printed_label_when_one_is_missing(tmp_path, transcription):
    """The 部门基本支出 table left out: two line-table headers for three tables. The project table
    is placed by the label printed on its row; the unlabelled transfer table is not guessed."""
    lines = SAMPLE_FORM.read_text(encoding="utf-8").split("\n")
    first = next(i for i, s in enumerate(lines) if s.startswith("序号 *项目名称"))
    second = next(i for i, s in enumerate(lines) if "项目基本支出 序号" in s)
    doc, record = _import_text(tmp_path, "\n".join(lines[:first] + lines[second:]))
    assert doc.get("basic_lines", []) == []
    assert doc["project_lines"] == transcription["project_lines"]
    assert doc.get("transfer_lines", []) == []
    assert any("没有印出所属" in n for n in record.notes)
    assert "1 0.00 0.00 0.00" in [u["text"] for u in record.unplaced]
