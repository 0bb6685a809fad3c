"""Text from outside, on its way to a terminal, a file or a page: the one place that decides.

A department's file can hold anything a YAML escape or an Excel ``_xHHHH_`` escape can spell,
and a file name anything the file system allows. Two things follow:

- A terminal interprets control characters: ESC starts a sequence that can recolour, move the
  cursor, retitle the window or (on some terminals) write files; CR overwrites a line; bidi
  overrides reorder what a reader sees. ``for_terminal`` shows all of these as visible escapes
  (``\\x1b``, ``\\u202e``), keeping line breaks and tabs.
- A lone UTF-16 surrogate (``\\uD800``) is a valid Python string that no encoder accepts: it
  loads, then every later write (the terminal, JSON, the report) fails. ``encodable`` replaces
  it with U+FFFD; ``scrub_surrogates`` does so in a whole document and says where, so the
  loader can list each place as a load finding.

File names that are not valid UTF-8 reach Python as surrogate escapes (U+DC80..U+DCFF, one per
byte); ``show_path`` and ``for_terminal`` show them as the bytes they are (``\\xff``).
"""
from __future__ import annotations

import os
import re
from typing import Any

# What a terminal must not receive raw: C0 controls except tab and line feed, DEL, C1 controls,
# the line/paragraph separators, the bidi marks, embeddings, overrides and isolates, and
# surrogates (not encodable at all).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def _escape(m: re.Match) -> str:
    c = ord(m.group())
    if 0xDC80 <= c <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{c - 0xDC00:02x}"
    return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"


def for_terminal(text: str) -> str:
    """``text`` with every character a terminal would act on shown as a visible escape."""
    return _UNSAFE.sub(_escape, str(text))


def json_for_terminal(text: str) -> str:
    """JSON text with the same characters written as JSON ``\\uXXXX`` escapes (same data).

    ``json.dumps(..., ensure_ascii=False)`` leaves C1 controls, bidi marks and surrogates raw;
    outside strings JSON text is ASCII, so every such character is inside a string, where the
    escape means the same character to any JSON reader.
    """
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def encodable(text: str) -> str:
    """``text`` with surrogate pairs joined and lone surrogates replaced by U+FFFD."""
    if not _SURROGATE.search(text):
        return text
    # Through UTF-16: a valid pair becomes its character, a lone half the replacement character.
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def has_surrogates(text: str) -> bool:
    return bool(_SURROGATE.search(text))


def scrub_surrogates(doc: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """Make every string of a document encodable, in place; return ``(path, new text)`` where
    a character was lost (replaced by U+FFFD).

    A surrogate pair (``\\uD83D\\uDE00``, as JSON writes characters beyond U+FFFF) becomes its
    character without a mention. Keys are scrubbed too (the path ends with the new key).
    ``str`` subclasses keep their class (the YAML reader marks unquoted numbers and dates that way).
    """
    changed: list[tuple[tuple, str]] = []
    if isinstance(doc, dict):
        if any(isinstance(k, str) and has_surrogates(k) for k in doc):
            items = list(doc.items())
            lines = getattr(doc, "lines", None)
            doc.clear()
            for k, v in items:
                if isinstance(k, str) and has_surrogates(k):
                    new = type(k)(encodable(k))
                    if _lost(k, new):
                        changed.append((path + (new,), new))
                    if isinstance(lines, dict) and k in lines:
                        lines[new] = lines.pop(k)
                    k = new
                doc[k] = v
        for k, v in doc.items():
            if isinstance(v, str):
                if has_surrogates(v):
                    doc[k] = type(v)(encodable(v))
                    if _lost(v, doc[k]):
                        changed.append((path + (k,), doc[k]))
            else:
                changed += scrub_surrogates(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            if isinstance(v, str):
                if has_surrogates(v):
                    doc[i] = type(v)(encodable(v))
                    if _lost(v, doc[i]):
                        changed.append((path + (i,), doc[i]))
            else:
                changed += scrub_surrogates(v, path + (i,))
    return changed


def _lost(old: str, new: str) -> bool:
    return new.count(REPLACEMENT) > old.count(REPLACEMENT)


def path_text(path: os.PathLike | str | bytes) -> str:
    """A path as encodable text for messages and records: bytes that are not UTF-8 written as
    ``\\xff`` (other characters kept; ``for_terminal`` escapes controls when it is printed)."""
    text = os.fsdecode(path) if isinstance(path, bytes) else os.fspath(path)
    text = _SURROGATE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}" if 0xDC80 <= ord(m.group()) <= 0xDCFF
                          else m.group(), text)
    return encodable(text)


def show_path(path: os.PathLike | str) -> str:
    """A path for a message: bytes that are not UTF-8 shown as ``\\xff``, controls escaped."""
    return for_terminal(os.fspath(path))
