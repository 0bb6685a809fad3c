"""Generators for the corpus cases of `kit import` (issue 22): published forms and the state of an
output folder, written into a temporary folder at test time.

Each ``name(folder) -> path`` writes the form to import (and, for the fault cases, what an earlier
run left in ``folder/out``); ``cases.yaml`` names it with ``make: name`` and ``run: import``. The
forms derive from the sample's text layer (``tests/assets/forms``, the Shenzhen form) and a
财政部-style web-page text; they register in ``registry.GENERATORS`` beside ``make.py``'s. A page
hiding a digit before the first amount is a row of ``HIDDEN_BEFORE_AMOUNT``.
"""
from __future__ import annotations

import html
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

from registry import fifo, generator, register, symlink, write

FORMS = Path(__file__).resolve().parent.parent / "assets" / "forms"
SZ = FORMS / "longgang-central-hospital-2022.txt"
MOF = FORMS / "tianchang-shuiliju-fangyu_2022.txt"
AMOUNT = "651658800.00"  # the Shenzhen form's 部门基本支出 第1行 预算金额


def sz_text() -> str:
    return SZ.read_text(encoding="utf-8")


def _page(edit: Callable[[str], str] | None = None, style: str = ".x{display:none}", body_extra: str = "") -> str:
    """The Shenzhen form as a saved web page: one <br> per printed line."""
    body = "<br>\n".join(html.escape(ln) for ln in sz_text().split("\n"))
    if edit:
        body = edit(body)
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>自评表</title><style>{style}</style></head>"
            f"<body>{body_extra}<div>{body}</div></body></html>")


def _hidden_before_amount(d: Path, name: str, hidden: str, style: str = ".x{display:none}") -> Path:
    return write(d, name, _page(lambda b: b.replace(AMOUNT, hidden + AMOUNT, 1), style))


# --- item 3: web pages as a browser shows them -------------------------------------------------------
# A digit "1" hidden before the first amount, as a browser would not show it:
# name -> (file, markup holding the hidden digit, the page's style sheet).
HIDDEN_BEFORE_AMOUNT = {
    "html_hidden_display_none": ("display-none-2022.html", '<span style="display:none">1</span>', None),
    "html_hidden_visibility": ("visibility-2022.html", '<span style="visibility: hidden">1</span>', None),
    "html_hidden_attribute": ("hidden-attr-2022.html", "<b hidden>1</b>", None),
    "html_hidden_style_class": ("style-class-2022.html", '<span class="x">1</span>', None),
    "html_hidden_descendant_rule": ("descendant-2022.html", '<i><u class="y">1</u></i>',
                                    "div i > .y { color: red; display : none }"),
    "html_hidden_font_size_zero": ("font-size-2022.html", '<span style="font-size:0px">1</span>', None),
    "html_hidden_opacity_zero": ("opacity-2022.html", '<span style="opacity:0">1</span>', None),
    "html_hidden_markup": ("markup-2022.html", "<!--1--><script>document.write(1)</script>"
                           "<template>1</template><noscript>1</noscript><style>b{}</style>", None),
}


def _hidden_case(name: str, hidden: str, style: str | None) -> Callable[[Path], Path]:
    return lambda d: _hidden_before_amount(d, name, hidden, *([style] if style else []))


for _name, (_file, _hidden, _style) in HIDDEN_BEFORE_AMOUNT.items():
    register(_name, _hidden_case(_file, _hidden, _style))


@generator
def html_hidden_cell_implied_end(d: Path) -> Path:
    """A hidden <td> closed by the next <td> (no end tag): the next cell is visible, the hidden one not."""
    return write(d, "td-2022.html", _page(lambda b: b.replace(
        AMOUNT, f'<table><tr><td style="display:none">1<td>{AMOUNT}</table>', 1)))


@generator
def html_entity_double_encoded(d: Path) -> Path:
    """&amp;#54; is the text '&#54;' on the page: decoded once it is not a digit."""
    return write(d, "entity-2022.html", _page(lambda b: b.replace(AMOUNT, "&amp;#54;" + AMOUNT[1:], 1)))


@generator
def html_unknown_hiding_rule(d: Path) -> Path:
    return write(d, "hover-2022.html", _page(style="p:hover, a[href] { display: none }"))


@generator
def html_deep_nesting(d: Path) -> Path:
    return write(d, "deep-2022.html", _page(lambda b: "<span>" * 5000 + b + "</span>" * 5000))


@generator
def html_many_hiding_rules(d: Path) -> Path:
    return write(d, "rules-2022.html", _page(style="".join(f".c{i}{{display:none}}" for i in range(2000))))


@generator
def html_many_elements(d: Path) -> Path:
    """150,000 unclosed <li> (each ends the one before): parsing such a page took 20 s and more."""
    return write(d, "elements-2022.html", _page(body_extra="<ul>" + "<li>1" * 150_000 + "</ul>"))


# --- item 12: encodings and line ends of a text form ---------------------------------------------------
@generator
def form_utf16_bom(d: Path) -> Path:
    return write(d, "utf16-2022.txt", sz_text().encode("utf-16"))


@generator
def form_utf16le_no_bom(d: Path) -> Path:
    return write(d, "utf16le-2022.txt", sz_text().encode("utf-16-le"))


@generator
def form_utf16be_no_bom(d: Path) -> Path:
    return write(d, "utf16be-2022.txt", sz_text().encode("utf-16-be"))


@generator
def form_utf16_truncated(d: Path) -> Path:
    return write(d, "utf16cut-2022.txt", sz_text().encode("utf-16")[:-1])


@generator
def form_cr_only(d: Path) -> Path:
    return write(d, "cr-2022.txt", sz_text().replace("\n", "\r"))


@generator
def form_amount_two_dots(d: Path) -> Path:
    return write(d, "dots-2022.txt", sz_text().replace(AMOUNT, "6.5.1658800", 1))


@generator
def form_amount_hex_in_cells(d: Path) -> Path:
    text = MOF.read_text(encoding="utf-8").replace("年度资金总额: 880 880 880", "年度资金总额: 880 0x10 880", 1)
    return write(d, "hex_2022.txt", text)


@generator
def form_amount_10000_digits(d: Path) -> Path:
    return write(d, "digits-2022.txt", sz_text().replace(AMOUNT, "9" * 10000 + ".00", 1))


# --- beyond the list: sizes a reader's work grows with ---------------------------------------------
@generator
def form_million_char_line(d: Path) -> Path:
    return write(d, "long-2022.txt", sz_text() + "\n" + "项目" * 500_000 + "\n")


@generator
def form_many_cells_line(d: Path) -> Path:
    """A line of 2 million '|' (a 4 MB file): the 财政部-style reader took over 10 minutes."""
    return write(d, "pipes_2022.txt", MOF.read_text(encoding="utf-8") + "\n" + "|" * 19_000 + "\n")


@generator
def form_many_lines(d: Path) -> Path:
    return write(d, "lines-2022.txt", sz_text() + "\n" * 200_000)


@generator
def form_many_cells_total(d: Path) -> Path:
    return write(d, "cells_2022.txt", MOF.read_text(encoding="utf-8") + ("\n" + "|1" * 100) * 300 + "\n")


# --- items 9 and 10: file names are data -------------------------------------------------------------
@generator
def form_name_newline(d: Path) -> Path:
    return write(d, "a\nfamily: nope\nx-2022.txt", sz_text())


@generator
def form_name_escapes(d: Path) -> Path:
    return write(d, "\x1b[2J\x1b]0;pwned\x07\x1b[31m-2022.txt", sz_text())


@generator
def form_name_bidi(d: Path) -> Path:
    return write(d, "\u202etxt.2202-\u2028-2022.txt", sz_text())


@generator
def form_name_255_bytes(d: Path) -> Path:
    name = "表" * 79 + "x" * 9 + "-2022.txt"
    assert len(name.encode()) == 255
    return write(d, name, sz_text())


@generator
def form_name_not_utf8(d: Path) -> Path:
    p = Path(os.fsdecode(os.fsencode(d) + b"/\xb2\xbf\xc3\xc5\xff-2022.txt"))
    p.write_text(sz_text(), encoding="utf-8")
    return p


# --- special files -------------------------------------------------------------------------------------
@generator
def form_fifo(d: Path) -> Path:
    return fifo(d, "fifo-2022.txt")


@generator
def form_symlink_dev_zero(d: Path) -> Path:
    return symlink(d, "zero-2022.txt", "/dev/zero")


@generator
def form_symlink_loop(d: Path) -> Path:
    symlink(d, "b-2022.txt", d / "a-2022.txt")
    return symlink(d, "a-2022.txt", d / "b-2022.txt")


# --- items 6–8: what an earlier run left in --out --------------------------------------------------------
def _imported(d: Path) -> Path:
    """The Shenzhen form and a finished import of it in d/out."""
    form = write(d, "form-2022.txt", sz_text())
    subprocess.run([sys.executable, "-m", "kit", "import", str(form), "--out", str(d / "out"), "-q"], check=True,
                   capture_output=True, cwd=FORMS.parent.parent.parent)
    return form


@generator
def import_rerun_unchanged(d: Path) -> Path:
    return _imported(d)


@generator
def import_data_without_record(d: Path) -> Path:
    """What kill -9 between the renames leaves: the new data file, no record."""
    form = _imported(d)
    (d / "out" / "022006-2022.import.yaml").unlink()
    return form


@generator
def import_data_edited(d: Path) -> Path:
    form = _imported(d)
    data = d / "out" / "022006-2022.yaml"
    data.write_text(data.read_text(encoding="utf-8").replace(AMOUNT, "651658801.00"), encoding="utf-8")
    return form


@generator
def import_stale_temp_files(d: Path) -> Path:
    """Temporary files of a run killed before its renames."""
    form = write(d, "form-2022.txt", sz_text())
    (d / "out").mkdir()
    (d / "out" / ".022006-2022.yaml.4242.tmp").write_text("half", encoding="utf-8")
    (d / "out" / ".022006-2022.import.yaml.4242.tmp").write_text("half", encoding="utf-8")
    return form


@generator
def import_locked_out(d: Path) -> Path:
    return write(d, "form-2022.txt", sz_text())


@generator
def import_disk_full(d: Path) -> Path:
    return write(d, "form-2022.txt", sz_text())


@generator
def import_out_name_too_long(d: Path) -> Path:
    """--out names a data file of 250 bytes: its record and temporary names would pass 255."""
    (d / "OUT").write_text("d" * 250 + ".yaml", encoding="utf-8")  # the --out the runner gives
    return write(d, "form-2022.txt", sz_text())


@generator
def import_out_data_is_symlink(d: Path) -> Path:
    """The data file's name in --out is a symlink to a file elsewhere: the link is replaced, the file untouched."""
    form = write(d, "form-2022.txt", sz_text())
    (d / "out").mkdir()
    (d / "outside.yaml").write_text("# 别人的文件\n", encoding="utf-8")
    (d / "out" / "022006-2022.yaml").symlink_to(d / "outside.yaml")
    return form


# --- a data file (the loader) ----------------------------------------------------------------------------
@generator
def amount_10000_digits_yaml(d: Path) -> Path:
    base = (Path(__file__).resolve().parent / "base.yaml").read_text(encoding="utf-8")
    text = base.replace('total: "1000000.00"', 'total: "' + "9" * 10_000 + '.00"', 1)
    assert text != base
    return write(d, "digits.yaml", text)


@generator
def import_lock_is_symlink(d: Path) -> Path:
    """--out/.kit/lock is a symlink to someone's file: opening the lock for writing would overwrite it."""
    form = write(d, "form-2022.txt", sz_text())
    (d / "out" / ".kit").mkdir(parents=True)
    (d / "victim.txt").write_text("别人的文件\n", encoding="utf-8")
    (d / "out" / ".kit" / "lock").symlink_to(d / "victim.txt")
    return form


@generator
def form_code_path_traversal(d: Path) -> Path:
    """部门编码 printed as ../../tmp/pwn: the code names the output files."""
    return write(d, "code-2022.txt", sz_text().replace("部门编码 022006", "部门编码 ../../tmp/pwn"))
