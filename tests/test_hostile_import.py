"""Hostile input and faults, round 3 (issue 22): what a saved web page, a rule file, a number's
spelling, a text file's encoding, a file name, two runs at once, a full disk or kill -9 can do to
`kit import`, the loader and the grading. Each decision is also a case of tests/corpus."""
from __future__ import annotations

import html
import os
import re
import subprocess
import sys
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import disk_full_for_import_record

from kit.commands.cli import main
from kit.core.values import parse_num
from kit.files.load import load_department
from kit.importer import FormError, import_form
from kit.importer.sources import MAX_HTML_DEPTH, read_form

ROOT = Path(__file__).resolve().parent.parent
FORM = ROOT / "tests" / "assets" / "forms" / "longgang-central-hospital-2022.txt"
FORM_TEXT = FORM.read_text(encoding="utf-8")
RULES = ROOT / "kit" / "families" / "shenzhen_2022" / "rules.yaml"
SAMPLE = ROOT / "data" / "022006-2022.yaml"
TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def page(body_edit=None, style: str = ".x{display:none}") -> str:
    """The sample form as a saved web page: one <br> per printed line (lines as in the text)."""
    body = "<br>\n".join(html.escape(ln) for ln in FORM_TEXT.split("\n"))
    if body_edit:
        body = body_edit(body)
    return f"<html><head><title>自评表</title><style>{style}</style></head><body><div>{body}</div></body></html>"


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return p


def lines(tmp_path: Path, markup: str) -> list[str]:
    return [ln.text for ln in read_form(write(tmp_path, "p.html", markup)).lines if ln.text]


# --- item 3: a web page as a browser shows it -------------------------------------------------
AMOUNT = "651658800.00"  # 部门基本支出 第1行 预算金额


@pytest.mark.parametrize("hidden", [
    '<span style="display:none">1</span>',
    '<span style="DISPLAY : None !important">1</span>',
    '<span style="visibility:hidden">1</span>',
    '<span style="font-size:0px">1</span>',
    '<span style="opacity:0">1</span>',
    "<span hidden>1</span>",
    '<span class="x">1</span>',
    "<!--1-->",
    "<script>document.write(1)</script>",
    "<style>p{}</style>",
    "<template>1</template>",
    "<noscript>1</noscript>",
    "<details><summary>注</summary>1</details>",
    "<video>1</video><canvas>1</canvas>",
], ids=["display", "display-caps", "visibility", "font-size-0", "opacity-0", "hidden-attr", "style-class",
        "comment", "script", "style", "template", "noscript", "closed-details", "media-fallback"])
def test_hidden_text_is_not_read(tmp_path, hidden):
    plain, _ = import_form(write(tmp_path, "plain-2022.html", page()))
    assert plain["basic_lines"][0]["budget"] == AMOUNT
    doc, _ = import_form(write(tmp_path, "hidden-2022.html", page(lambda b: b.replace(AMOUNT, hidden + AMOUNT, 1))))
    assert doc == plain  # was 1651658800.00 with display:none


def test_each_entity_is_decoded_once(tmp_path):
    """&amp;#54; is the text '&#54;' (as a browser shows it): not a number, never 651658800."""
    doc, record = import_form(write(tmp_path, "ent-2022.html", page(lambda b: b.replace(AMOUNT, "&amp;#54;" + AMOUNT[1:], 1))))
    assert AMOUNT not in str(doc) and "651658800" not in str(doc["basic_lines"])
    kept = [u["text"] for u in record.unplaced] + [a["raw"] for a in record.absent_entries] + list(doc.get("stray", []))
    assert any("&#54;51658800.00" in t for t in kept)
    assert lines(tmp_path, "<p>&amp;#57;89.93 &lt;b&gt; &#x41;&nbsp;B</p>") == ["&#57;89.93 <b> A B"]


def test_hiding_rules_of_style_sheets_and_nesting(tmp_path):
    css = "div.a span{display:none} #b>i{visibility:hidden} td.c{display:none} p:hover{display:none}"
    got = lines(tmp_path, f"""<style>{css}</style><div class="a"><p><span>1</span>2</p></div>
        <div id="b"><i>3</i><u><i>4</i></u></div><table><tr><td class="c">5<td>6</table><p>7""")
    assert got == ["2", "4", "6", "7"]
    form = read_form(write(tmp_path, "q.html", f"<style>{css}</style><p>x</p>"))
    assert any("p:hover" in n for n in form.notes)  # a rule it cannot apply is said, not ignored


def test_implied_end_tags_and_an_unclosed_head(tmp_path):
    # <td> ends the open <td>, <tr> the open <tr>, <p> the open <p>; body text ends an unclosed <head>.
    got = lines(tmp_path, '<head><title>t</title><div>1</div><table><tr><td style="display:none">x'
                          "<td>2<tr><td>3</table><p style='display:none'>y<div>4</div>")
    assert got == ["1", "2", "3", "4"]


def test_deep_nesting_is_refused_plainly(tmp_path):
    p = write(tmp_path, "deep-2022.html", "<div>" * (MAX_HTML_DEPTH + 5) + "1" + "</div>" * (MAX_HTML_DEPTH + 5))
    with pytest.raises(FormError, match="嵌套超过"):
        read_form(p)
    ok = write(tmp_path, "ok.html", "<span>" * 500 + "1" + "</span>" * 500)
    assert [ln.text for ln in read_form(ok).lines if ln.text] == ["1"]


# --- item 12: text encodings and line ends ----------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_text_forms_are_read(tmp_path, encoding):
    doc, _ = import_form(write(tmp_path, "f-2022.txt", FORM_TEXT.encode(encoding)))
    ref, _ = import_form(FORM)
    assert doc == ref


def test_broken_utf16_is_refused_saying_utf16(tmp_path):
    p = write(tmp_path, "f-2022.txt", b"\xff\xfe" + FORM_TEXT.encode("utf-16-le")[:-1])
    with pytest.raises(FormError, match="UTF-16"):
        read_form(p)


def test_cr_only_line_ends_are_line_ends(tmp_path):
    doc, _ = import_form(write(tmp_path, "f-2022.txt", FORM_TEXT.replace("\n", "\r")))
    ref, _ = import_form(FORM)
    assert doc == ref


# --- item 12: a number is what is printed, or absent -----------------------------------------------
@pytest.mark.parametrize("raw", ["0x10", "12.3.4", "1,2,3", "1,234,5", "12 34", "5e", "1..2", "12-3", "98.82&1",
                                 "１２．３．４", "6.00abc", "3分5"])
def test_unknown_spellings_are_unreadable_never_their_leading_digits(raw):
    n = parse_num(raw, "元")
    assert n.value is None and n.raw == raw and "unreadable" in n.notes


@pytest.mark.parametrize("raw,value", [("98.82&", "98.82"), ("100分", "100"), ("864.2万", "864.2"), ("7.50.", "7.50"),
                                       ("1,234.00", "1234.00"), ("12万元", "120000"), ("≥28%", "28")])
def test_known_quirks_stay_as_they_were(raw, value):
    assert parse_num(raw, "元").value == Decimal(value)


def test_unreadable_score_is_absent_and_listed_not_graded_on_a_guess(tmp_path, capsys):
    data = tmp_path / SAMPLE.name
    data.write_text(SAMPLE.read_text(encoding="utf-8").replace('self_score: "6.00"', 'self_score: "0x10"', 1),
                    encoding="utf-8")
    dept = load_department(data)
    (f,) = [f for f in dept.load_findings if f.code == "unreadable"]
    assert (f.block, f.row, f.raw) == ("评分表", 4, "0x10")
    assert dept.scores[3].self_score.value is None
    assert main(["check", str(data)]) == 0
    out = capsys.readouterr().out
    assert "95.5" not in out and "复核总分 96.32" not in out and "原文“0x10”" in out


def test_sample_is_unchanged(capsys):
    assert main(["check", str(SAMPLE)]) == 0
    assert "复核总分 96.32 分（优）" in capsys.readouterr().out


# --- item 5: rule files -------------------------------------------------------------------------
def rules_copy(tmp_path: Path, *edits: tuple[str, str]) -> Path:
    text = RULES.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    p = tmp_path / "district.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def _line_of(path: Path, needle: str) -> int:
    return next(i for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in ln)


def test_negative_weight_balanced_by_another_is_refused_with_its_line(tmp_path, capsys):
    p = rules_copy(tmp_path, ('name: 预算编制合理性, weight: "5"', 'name: 预算编制合理性, weight: "-1"'),
                   ('name: 预算编制规范性, weight: "5"', 'name: 预算编制规范性, weight: "11"'))
    code = main(["check", str(SAMPLE), "--rules", str(p)])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert f"district.yaml:{_line_of(p, '预算编制合理性')}" in err and "权重不能为负数" in err
    assert "86.32" not in err  # it was graded 良 86.32


@pytest.mark.parametrize("edit,words", [
    (('bands: [{ge: "95", score: "6"}, {ge: "90", score: "4"}', 'bands: [{ge: "90", score: "6"}, {ge: "95", score: "4"}'),
     ["分档顺序不对", "ge 90 → ge 95"]),
    (('bands: [{lt: "5", score: "1"}, {le: "10", score: "0.5"}', 'bands: [{le: "10", score: "1"}, {lt: "5", score: "0.5"}'),
     ["分档顺序不对"]),
    (('bands: [{ge: "95", score: "6"}', 'bands: [{ge: "95", score: "-6"}'), ["分档得分不能为负数"]),
    (('bands: [{ge: "95", score: "6"}', 'bands: [{ge: "95", score: "7"}'), ["分档得分超过该指标权重"]),
    (('bands: [{ge: "90", score: "1"}, {ge: "75", score: "0.7"}', 'bands: [{ge: "90", score: "1"}, {le: "75", score: "0.7"}'),
     ["混用了下限"]),
    (('level1_weights: {部门决策: "20", 部门管理: "20", 部门绩效: "60"}',
      'level1_weights: {部门决策: "30", 部门管理: "10", 部门绩效: "60"}'), ["一级指标权重之和不符"]),
    (('level1_weights: {部门决策: "20", 部门管理: "20", 部门绩效: "60"}',
      'level1_weights: {部门决策: "20", 部门管理: "20", 部门绩效: "50"}'), ["一级指标权重之和与总分不符"]),
    (('params: {judgement_points: "2", rule_points: "1"}', 'params: {judgement_points: "3", rule_points: "-1"}'),
     ["分值不能为负数"]),
    (('attainable: {set: ["0", "0.4", "0.7", "1"]}', 'attainable: {set: ["0", "-0.4", "0.7", "1"]}'), ["可得分值不能为负数"]),
    (('part_scores: {合规: "1.5"', 'part_scores: {合规: "-1.5"'), ["分值不能为负数"]),
], ids=["bands-ge-ascending", "bands-le-descending", "band-score-negative", "band-score-above-weight",
        "bands-mixed", "level1-shifted", "level1-not-total", "points-negative", "attainable-negative",
        "part-scores-negative"])
def test_rule_file_frames_and_bands(tmp_path, capsys, edit, words):
    p = rules_copy(tmp_path, edit)
    assert main(["check", str(SAMPLE), "--rules", str(p)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for w in words:
        assert w in err, err
    assert re.search(r"district\.yaml:\d+", err)  # the line


def test_rule_file_of_the_wrong_shapes_is_refused_not_a_traceback(tmp_path, capsys):
    for body in ("indicators: [1, 2]", "indicators: 5", "options: [1]", "options: {a: 1}",
                 'indicators: [{id: a, weight: "100", formula: judgement, params: [1]}]'):
        p = tmp_path / "r.yaml"
        p.write_text(f"format: kit-rules/1\nfamily: shenzhen_2022\n{body}\n", encoding="utf-8")
        assert main(["check", str(SAMPLE), "--rules", str(p)]) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and "r.yaml" in err, body


def test_every_built_in_rule_file_still_loads():
    from kit.engine.rules import load_rules, rule_names

    assert all(load_rules(n).total == 100 for n in rule_names())


# --- items 6–10: kit import writes as one, once, under the lock ------------------------------------
def run_import(*args: str, env_extra: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, **(env_extra or {}))
    return subprocess.run([sys.executable, "-m", "kit", "import", *args], capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=ROOT)


def outputs(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name != ".kit"} if folder.is_dir() else set()


def test_a_second_import_into_a_locked_folder_waits_then_refuses(tmp_path, capsys):
    from kit.run.batch import BatchLock

    out = tmp_path / "out"
    out.mkdir()
    with BatchLock(out):
        code = main(["import", str(FORM), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and "正被另一个批量运行使用" in err and "Traceback" not in err
    assert outputs(out) == set()  # nothing written beside the holder's work


def test_data_and_record_are_written_as_one_and_a_rerun_skips(tmp_path, capsys):
    out, params = tmp_path / "out", tmp_path / "params"
    assert main(["import", str(FORM), "--out", str(out), "--params", str(params)]) == 0
    assert outputs(out) == {"022006-2022.yaml", "022006-2022.import.yaml"}
    record = (out / "022006-2022.import.yaml").read_text(encoding="utf-8")
    import hashlib

    assert hashlib.sha256((out / "022006-2022.yaml").read_bytes()).hexdigest() in record
    assert hashlib.sha256(FORM.read_bytes()).hexdigest() in record
    capsys.readouterr()
    stamp = (out / "022006-2022.yaml").stat().st_mtime_ns
    assert main(["import", str(FORM), "--out", str(out), "--params", str(params)]) == 0
    said = capsys.readouterr().out
    assert "未改变" in said and "跳过" in said and "--force" in said
    assert (out / "022006-2022.yaml").stat().st_mtime_ns == stamp
    assert main(["import", str(FORM), "--out", str(out), "--params", str(params), "--force"]) == 0
    assert "跳过" not in capsys.readouterr().out
    # A changed form, an edited data file, a lost record or another --family: imported again, said.
    (out / "022006-2022.yaml").write_text((out / "022006-2022.yaml").read_text(encoding="utf-8") + "# 改动\n",
                                          encoding="utf-8")
    assert main(["import", str(FORM), "--out", str(out), "--params", str(params)]) == 0
    said = capsys.readouterr().out
    assert "修复" in said and "数据文件与导入记录不一致" in said
    (out / "022006-2022.import.yaml").unlink()
    assert main(["import", str(FORM), "--out", str(out)]) == 0
    assert "没有（可读的）导入记录" in capsys.readouterr().out
    assert main(["import", str(FORM), "--out", str(out), "--family", "shenzhen_2022"]) == 0
    assert "跳过" not in capsys.readouterr().out
    load_department(out / "022006-2022.yaml")


def test_disk_full_leaves_nothing(tmp_path, capsys, monkeypatch):
    """ENOSPC while the record is written: neither the data file nor a temporary file stays."""
    disk_full_for_import_record(monkeypatch)
    out = tmp_path / "out"
    code = main(["import", str(FORM), "--out", str(out), "--params", str(tmp_path / "params")])
    err = capsys.readouterr().err
    assert code == 2 and "无法写入输出文件" in err and "Traceback" not in err
    assert outputs(out) == set() and outputs(tmp_path / "params") == set()


def test_a_form_that_fails_after_reading_leaves_nothing(tmp_path, capsys):
    # Two forms of one department-year: the second fails and writes nothing over the first.
    a, b = tmp_path / "a-2022.txt", tmp_path / "b-2022.txt"
    a.write_text(FORM_TEXT, encoding="utf-8")
    b.write_text(FORM_TEXT.replace("651658800.00", "651658801.00"), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["import", str(a), str(b), "--out", str(out)]) == 1
    assert outputs(out) == {"022006-2022.yaml", "022006-2022.import.yaml"}
    assert "651658800.00" in (out / "022006-2022.yaml").read_text(encoding="utf-8")
    assert "a-2022.txt" in (out / "022006-2022.import.yaml").read_text(encoding="utf-8")


KILL_BETWEEN_RENAMES = textwrap.dedent("""
    import os, signal, sys
    renames = []
    real = os.replace
    def replace(a, b):
        real(a, b)
        renames.append(b)
        if len(renames) == 1:  # the data file renamed, the record not yet
            os.kill(os.getpid(), signal.SIGKILL)
    os.replace = replace
    from kit.commands.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def test_kill_9_between_the_renames_is_seen_and_repaired(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-c", KILL_BETWEEN_RENAMES, "import", str(FORM), "--out", str(out)],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == -9
    left = outputs(out)
    assert "022006-2022.yaml" in left and "022006-2022.import.yaml" not in left
    again = run_import(str(FORM), "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert "修复" in again.stdout and "没有（可读的）导入记录" in again.stdout
    assert outputs(out) == {"022006-2022.yaml", "022006-2022.import.yaml"}  # the temporary record is gone
    third = run_import(str(FORM), "--out", str(out))
    assert "跳过" in third.stdout


@pytest.mark.parametrize("name", ["a\nfamily: nope\nx-2022.txt", "\x1b[2J\x1b]0;pwned\x07-2022.txt",
                                  "\u202etxt.2202-\u2028x-2022.txt"], ids=["newline", "escapes", "bidi"])
def test_file_names_are_data(tmp_path, capsys, name):
    form = tmp_path / name
    form.write_text(FORM_TEXT, encoding="utf-8")
    out, params = tmp_path / "out", tmp_path / "params"
    assert main(["import", str(form), "--out", str(out), "--params", str(params)]) == 0
    said = capsys.readouterr()
    assert not TERMINAL_UNSAFE.search(said.out + said.err)
    for line in (said.out + said.err).splitlines():
        assert not line.startswith("family: nope")
    data = out / "022006-2022.yaml"
    load_department(data)  # the header comment stays a comment
    head = [ln for ln in data.read_text(encoding="utf-8").splitlines() if ln.startswith("#")]
    assert len(head) == 2 and not TERMINAL_UNSAFE.search("".join(head))
    import yaml

    assert yaml.safe_load((params / "022006.yaml").read_text(encoding="utf-8"))["dept_code"] == "022006"
    assert main(["validate", str(params / "022006.yaml")]) == 0


def test_the_report_says_when_the_record_is_not_the_data_files(tmp_path):
    """What kill -9 between the renames (or a later edit) leaves, seen by the report's 导入说明."""
    from kit.report.sections import import_note

    out = tmp_path / "out"
    assert main(["import", str(FORM), "--out", str(out), "-q"]) == 0
    data = out / "022006-2022.yaml"
    assert "不一致" not in import_note(load_department(data))
    data.write_text(data.read_text(encoding="utf-8") + "# 改动\n", encoding="utf-8")
    note = import_note(load_department(data))
    assert "导入记录与数据文件不一致" in note and "导入说明" in note


def test_two_imports_at_once_never_mix_data_and_record(tmp_path):
    """Two forms of one department-year imported into one --out at the same moment: whichever wins,
    the data file and its record are the same form's (was: once in five rounds, one of each)."""
    import hashlib

    a, b = tmp_path / "a-2022.txt", tmp_path / "b-2022.txt"
    a.write_text(FORM_TEXT, encoding="utf-8")
    b.write_text(FORM_TEXT.replace(AMOUNT, "651658801.00"), encoding="utf-8")
    out = tmp_path / "out"
    for _ in range(2):
        procs = [subprocess.Popen([sys.executable, "-m", "kit", "import", str(f), "--out", str(out), "-q", "--force"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT) for f in (a, b)]
        results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
        assert all("Traceback" not in r[1] for r in results)
        assert all(r[2] == 0 or (r[2] == 2 and "正被另一个批量运行使用" in r[1]) for r in results)
        data = (out / "022006-2022.yaml").read_bytes()
        record = (out / "022006-2022.import.yaml").read_text(encoding="utf-8")
        assert hashlib.sha256(data).hexdigest() in record
        source = "a-2022.txt" if b"651658800.00" in data else "b-2022.txt"
        assert f"file: {source}" in record


def test_the_same_form_given_twice_is_imported_once(tmp_path, capsys):
    out = tmp_path / "out"
    link = tmp_path / "link-2022.txt"
    link.symlink_to(FORM)
    assert main(["import", str(FORM), str(link), str(FORM), "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert said.count("是同一个文件，不再重复导入") == 2 and "失败 0" in said
