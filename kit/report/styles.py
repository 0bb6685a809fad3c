"""The report page's stylesheets without the rules that cannot apply to it.

nbconvert's lab template inlines JupyterLab's whole stylesheet (≈ 260 KB: the notebook UI,
widgets, dialogs, menus) on every page; a report uses a few dozen of its classes. ``prune``
drops every rule none of whose selectors can match an element of the page: a selector that
requires a class no element of the page carries cannot match anything (the page runs no
script that could add one). Everything else is kept as written — custom properties
(``:root``), element and attribute selectors, ``@font-face``, ``@keyframes``, ``@page`` — and
a selector the pruner does not fully understand (``:is()``, ``:has()``, escapes) is kept too,
so the page looks exactly the same; only comments and the rules that never apply go.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

_STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S | re.I)
_CLASS_ATTR = re.compile(r"""\sclass\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_SEL_CLASS = re.compile(r"\.(-?[_a-zA-Z][-_a-zA-Z0-9]*)")
_NOT = re.compile(r":not\([^()]*\)")
_UNSURE = re.compile(r"\\|:is\(|:where\(|:has\(|:matches\(|:-webkit-any\(|:-moz-any\(")
_KEEP_WHOLE = ("@font-face", "@keyframes", "@-webkit-keyframes", "@page", "@import", "@charset", "@namespace",
               "@property", "@counter-style", "@layer")
_GROUPS = ("@media", "@supports", "@document", "@container")


def page_classes(page: str) -> set[str]:
    """Every class an element of the page carries (style blocks and scripts excluded)."""
    body = _STYLE.sub("", page)
    found: set[str] = set()
    for m in _CLASS_ATTR.finditer(body):
        found.update((m.group(1) if m.group(1) is not None else m.group(2)).split())
    return found


def _may_match(selector: str, classes: set[str]) -> bool:
    if _UNSURE.search(selector):
        return True
    needed = _SEL_CLASS.findall(_NOT.sub("", selector))
    return all(c in classes for c in needed)


def _split_selectors(prelude: str) -> list[str]:
    out, depth, start = [], 0, 0
    for i, ch in enumerate(prelude):
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif ch == "," and depth == 0:
            out.append(prelude[start:i])
            start = i + 1
    out.append(prelude[start:])
    return [s.strip() for s in out if s.strip()]


def _block_end(css: str, i: int) -> int:
    """Index just after the '}' closing the block whose '{' is at ``i`` (strings respected)."""
    depth = 0
    n = len(css)
    while i < n:
        ch = css[i]
        if ch in "\"'":
            j = css.find(ch, i + 1)
            while j != -1 and css[j - 1] == "\\":
                j = css.find(ch, j + 1)
            i = n if j == -1 else j + 1
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def prune_css(css: str, classes: set[str]) -> str:
    """The rules of ``css`` that may apply to a page whose elements carry ``classes``."""
    css = _COMMENT.sub("", css)
    out: list[str] = []
    i, n = 0, len(css)
    while i < n:
        brace = css.find("{", i)
        semi = css.find(";", i)
        if brace == -1:
            rest = css[i:].strip()
            if rest:
                out.append(rest)
            break
        if semi != -1 and semi < brace and css[i:semi].strip().startswith("@"):
            out.append(css[i:semi + 1].strip())  # @import …; @charset …;
            i = semi + 1
            continue
        prelude = css[i:brace].strip()
        end = _block_end(css, brace)
        block = css[brace + 1:end - 1]
        low = prelude.lower()
        if low.startswith(_GROUPS):
            inner = prune_css(block, classes)
            if inner.strip():
                out.append(f"{prelude}{{{inner}}}")
        elif low.startswith("@") and not low.startswith(_KEEP_WHOLE):
            out.append(f"{prelude}{{{block}}}")  # an at-rule the pruner does not know: kept
        elif low.startswith(_KEEP_WHOLE) or any(_may_match(s, classes) for s in _split_selectors(prelude)):
            out.append(f"{prelude}{{{block.strip()}}}")
        i = end
    return "\n".join(out)


_BODY = re.compile(r"\{([^{}]*)\}")
_VAR = re.compile(r"var\(\s*(--[-_a-zA-Z0-9]+)")


def _declarations(body: str) -> list[str]:
    out, depth, start, quote = [], 0, 0, ""
    for i, ch in enumerate(body):
        if quote:
            quote = "" if ch == quote and body[i - 1] != "\\" else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == ";" and depth == 0:
            out.append(body[start:i])
            start = i + 1
    out.append(body[start:])
    return [d.strip() for d in out if d.strip()]


def _unused_properties_dropped(blocks: list[str], inline_used: Iterable[str]) -> list[str]:
    """Custom properties (``--name: …``) no kept rule, no other used property and no inline
    style reads with ``var(--name)`` (``inline_used``): they have no effect on the page (no
    script reads them)."""
    defined: dict[str, list[str]] = {}
    used = set(inline_used)
    for css in blocks:
        for body in _BODY.findall(css):
            for d in _declarations(body):
                name, _, value = d.partition(":")
                name = name.strip()
                if name.startswith("--"):
                    defined.setdefault(name, []).append(value)
                else:
                    used.update(_VAR.findall(value))
    todo = list(used)
    while todo:
        for value in defined.get(todo.pop(), ()):
            for ref in _VAR.findall(value):
                if ref not in used:
                    used.add(ref)
                    todo.append(ref)

    def keep(m: re.Match) -> str:
        kept = [d for d in _declarations(m.group(1)) if not d.startswith("--") or d.partition(":")[0].strip() in used]
        return "{" + ";".join(kept) + "}"

    out = []
    for css in blocks:
        css = _BODY.sub(keep, css)
        out.append(re.sub(r"(?m)^[^{}@]+\{\}\n?", "", css))  # rules left with nothing
    return out


@lru_cache(maxsize=16)
def _pruned(blocks: tuple[str, ...], classes: frozenset[str], inline_used: frozenset[str]) -> tuple[str, ...]:
    """The style blocks pruned for a page with these classes and inline ``var()`` uses: the
    same for most departments of a batch (the stylesheets are the template's), so computed once."""
    return tuple(_unused_properties_dropped([prune_css(css, set(classes)) for css in blocks], inline_used))


def prune(page: str) -> str:
    """The page with each ``<style>`` block reduced to the rules (and custom properties) that
    may apply to it."""
    rest = _STYLE.sub("", page)
    if "<script" in rest.lower():
        return page  # a script could add classes or read properties: keep every rule
    parts = _STYLE.split(page)  # text, open, css, close, text, …
    blocks = _pruned(tuple(parts[i] for i in range(2, len(parts), 4)), frozenset(page_classes(page)),
                     frozenset(_VAR.findall(rest)))
    for k, i in enumerate(range(2, len(parts), 4)):
        parts[i] = blocks[k]
    return "".join(parts)
