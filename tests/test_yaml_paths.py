"""The kit's YAML loader reads most files with libyaml and the rest with PyYAML's Python parser
(where its refusals are made, kit/core/yamlio.py): the two must give the same document (values,
their types, the line of every key) for every file libyaml takes."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from kit.core import yamlio

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(p for folder in ("data", "params", "tests", "kit/families") for p in (ROOT / folder).rglob("*.yaml"))
# What mutations insert: YAML's indicators, escapes, tags, numbers and dates in YAML 1.1's many
# spellings, line breaks and wide characters.
PIECES = list(":-#'\"\t \n|>?!%@`,[]{}\\0.5e12_年\u3000\r") + [
    "\n  ", ": ", "- ", "---\n", "...\n", "~", "null", "yes", "0x1F", "1_000", "2022-01-01", ".inf", "0o17",
    "+1", "!!str ", "? ", "\\u00e9", "\\x41", "\\N", "\\\\", "!!binary ", "!!set ", "<<: ", "!!float ", "=",
    "0b101", "1e5", "-.5", "190:20:30", '"a\\\n b"', "\x7f", "\u00a0", "\U0001F600", "\ufeff", "\x85", "&a ", "*a", " &", "*",
]


def typed(x):
    """The document with every value's type and every mapping's key lines, to compare exactly."""
    if isinstance(x, dict):
        return type(x).__name__, getattr(x, "lines", None), [(k, typed(v)) for k, v in x.items()]
    if isinstance(x, list):
        return [typed(v) for v in x]
    return type(x).__name__, x


def python_loader(text: str):
    try:
        return typed(yaml.load(text, Loader=yamlio._Loader)), None  # noqa: S506 - the kit's safe loader
    except Exception as exc:  # noqa: BLE001 - the Python loader refusing is an outcome to compare
        return None, type(exc).__name__


def _texts() -> list[str]:
    out = []
    for p in FILES:
        try:
            out.append(p.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, OSError):
            continue
    return out


@pytest.mark.skipif(yamlio._FAST_LOADER is None, reason="PyYAML without libyaml")
def test_libyaml_reads_the_repository_files_as_the_python_loader_does():
    taken = 0
    for p, text in zip(FILES, _texts()):
        done, doc = yamlio._fast_parse(text)
        if done:
            taken += 1
            assert (typed(doc), None) == python_loader(text), p
    assert taken >= len(FILES) // 2  # the data and rule files are read the fast way
    sample = (ROOT / "data" / "022006-2022.yaml").read_text(encoding="utf-8")
    assert yamlio._fast_parse(sample)[0]


@pytest.mark.skipif(yamlio._FAST_LOADER is None, reason="PyYAML without libyaml")
def test_libyaml_and_the_python_loader_agree_on_mutated_files():
    rng = random.Random(2026)
    texts = _texts()
    taken = 0
    for _ in range(1500):
        chars = list(rng.choice(texts))
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(chars) + 1)
            if rng.random() < 0.3 and chars:
                del chars[pos - 1:pos + rng.randint(0, 3)]
            else:
                chars.insert(pos, rng.choice(PIECES))
        text = "".join(chars)
        done, doc = yamlio._fast_parse(text)
        if done:
            taken += 1
            assert (typed(doc), None) == python_loader(text), text
    assert taken > 300


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\n",  # anchors and aliases: refused by the Python loader, in the kit's words
    "a: 1\nb: [&x 2]\n", "a: {b: *x}\n", "- &x\n",
    "a:\t1\n",
    "a: |#c\n",
    "a: 1\n" * 60_000,  # too long for the fast path
    "a: " + "[" * 300 + "]" * 300 + "\n",
])
def test_what_libyaml_is_not_given(text):
    assert yamlio._fast_parse(text) == (False, None)


@pytest.mark.skipif(yamlio._FAST_LOADER is None, reason="PyYAML without libyaml")
def test_an_alias_the_text_check_misses_is_still_refused():
    """Were an alias to pass the text check, the node met twice sends the text to the Python
    loader, which refuses it."""
    from kit.core.errors import LoadError

    text = "a: &x [1, 2]\nb: *x\n"
    loader = yamlio._FAST_LOADER(text)
    try:
        node = loader.get_single_node()
    finally:
        loader.dispose()
    assert yamlio._node_count(node, yamlio.MAX_NODES) > yamlio.MAX_NODES
    with pytest.raises(LoadError, match="锚点"):
        yamlio.parse_yaml(text, "x.yaml")
