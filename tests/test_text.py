"""kit.core.text: what reaches a terminal is shown, not obeyed; what cannot be encoded is replaced."""
from __future__ import annotations

import json

from kit.core.text import encodable, for_terminal, json_for_terminal, scrub_surrogates, show_path

HOSTILE = "a\x1b[31mb\x1b]0;t\x07c\rd\x08e\x9b2Jf\u202eg\u2066h\u2028i\x7fj\tk\nl"


def test_terminal_text_keeps_tabs_and_newlines_and_shows_the_rest():
    shown = for_terminal(HOSTILE)
    assert shown == "a\\x1b[31mb\\x1b]0;t\\x07c\\x0dd\\x08e\\x9b2Jf\\u202eg\\u2066h\\u2028i\\x7fj\tk\nl"
    assert for_terminal(shown) == shown  # already shown: unchanged (safe to apply twice)
    assert for_terminal("部门（虚构）😀 ≥90%") == "部门（虚构）😀 ≥90%"


def test_json_for_the_terminal_is_the_same_data():
    doc = {"name": HOSTILE, "lone": "x\ud800y", "nel": "\x85"}
    text = json_for_terminal(json.dumps(doc, ensure_ascii=False))
    assert json.loads(text) == doc
    assert not any(c in text for c in "\x1b\x07\r\x08\x9b\u202e\u2066\u2028\x7f\x85\ud800")
    text.encode("utf-8")


def test_surrogates_pairs_join_lone_halves_are_replaced_and_reported():
    assert encodable("a\ud83d\ude00b") == "a😀b"
    assert encodable("a\ud800b\udfff") == "a\ufffdb\ufffd"
    doc = {"k\ud800": "v", "pair": "\ud83d\ude00", "list": ["ok", "x\udc80"], "n": {"deep": "\ud800"}}
    changed = scrub_surrogates(doc)
    assert sorted(changed) == sorted([(("k\ufffd",), "k\ufffd"), (("list", 1), "x\ufffd"), (("n", "deep"), "\ufffd")])
    assert doc == {"k\ufffd": "v", "pair": "😀", "list": ["ok", "x\ufffd"], "n": {"deep": "\ufffd"}}
    json.dumps(doc, ensure_ascii=False).encode("utf-8")


def test_a_file_name_that_is_not_utf8_is_shown_as_its_bytes():
    import os

    name = os.fsdecode(b"/data/\xff\xfe\x1b.yaml")
    assert show_path(name) == "/data/\\xff\\xfe\\x1b.yaml"
