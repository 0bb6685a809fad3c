"""YAML files: safe loading that keeps numbers as printed and remembers line numbers.

PyYAML's SafeLoader would turn ``1978799355.27`` into a float and ``022006`` into an int;
this loader keeps every scalar that looks numeric as its source text (a ``str`` subclass
flagged ``unquoted_number``) so money stays exact and a code YAML would read as a number can
be rejected with a message. Mappings remember the line of each key for error messages.
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import yaml

from .errors import LoadError, Problem
from .safeio import read_bounded

MAX_BYTES = 2 * 1024 * 1024  # a department-year is tens of KB; anything larger is not one
# The sample has about 1,500 nodes; a cap stops a file built to exhaust time or memory early.
MAX_NODES = 50_000


class _Refused(yaml.YAMLError):
    """A construct the kit refuses before building anything (aliases, too many nodes)."""

    def __init__(self, message: str, mark, expected: str = ""):
        super().__init__(message)
        self.message, self.mark, self.expected = message, mark, expected


class NumberText(str):
    """A scalar YAML would have read as a number, kept as its printed text."""

    unquoted_number = True


class DateText(str):
    """A scalar YAML would have read as a date, kept as its printed text."""

    is_date = True


class LineDict(dict):
    """A dict that knows the source line (1-based) of each key."""

    lines: dict


class _Loader(yaml.SafeLoader):
    nodes = 0

    def compose_node(self, parent, index):
        # Anchors and aliases are refused outright: a data file has no use for them, and an
        # alias "bomb" (billion laughs) is cheap to parse but explodes once anything walks it.
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused("不允许使用 YAML 锚点（&）和别名（*）", event.start_mark, "每个值直接写出，不引用其他位置")
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _Refused(f"内容条目过多（超过 {MAX_NODES:,} 项），不像一个部门一年的数据", event.start_mark)
        return super().compose_node(parent, index)


def _number_text(loader: _Loader, node: yaml.ScalarNode) -> NumberText:
    return NumberText(node.value)


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    out = LineDict()
    out.lines = {}
    for key_node, value_node in node.value:
        # Keys are always text: YAML 1.1 would read a key `no` as False.
        if not isinstance(key_node, yaml.ScalarNode):
            raise yaml.constructor.ConstructorError(
                None, None, "键必须是文字", key_node.start_mark
            )
        key = str(key_node.value)
        if key in out:
            raise yaml.constructor.ConstructorError(
                None, None, f"键 “{key}” 重复出现", key_node.start_mark
            )
        out[key] = loader.construct_object(value_node, deep=True)
        out.lines[key] = key_node.start_mark.line + 1
    return out


def _bool(loader: _Loader, node: yaml.ScalarNode):
    # Only true/false are booleans; YAML 1.1's yes/no/on/off stay text.
    return {"true": True, "false": False}.get(node.value.lower(), node.value)


def _unknown_tag(loader: _Loader, node: yaml.Node):
    # '!!python/object/...' and other tags: refused (safe loading), said in plain words.
    raise yaml.constructor.ConstructorError(
        None, None, f"不支持的 YAML 标签 {node.tag!r}（数据文件中不使用“!”标签）", node.start_mark
    )


_Loader.add_constructor(None, _unknown_tag)
_Loader.add_constructor("tag:yaml.org,2002:bool", _bool)
_Loader.add_constructor("tag:yaml.org,2002:float", _number_text)
_Loader.add_constructor("tag:yaml.org,2002:int", _number_text)
_Loader.add_constructor("tag:yaml.org,2002:map", _mapping)
# Dates stay text (flagged, so a date typed where an amount belongs is refused, not read as a year).
_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: DateText(node.value))


# libyaml (PyYAML's C parser) composes a document ten times faster than the Python composer,
# where the kit's refusals above are made (no anchor or alias, at most MAX_NODES nodes). It takes
# only texts in which neither can arise or be costly: no "&" or "*" where a node could start, at
# most _FAST_MAX_CHARS characters, few flow brackets (its composer recurses in C), no character
# the Python reader refuses; its nodes are counted (an alias would show as a node met twice)
# before anything is built. Whatever it does not take is read by the Python loader, which
# refuses what it refuses in the kit's words.
_FAST_MAX_CHARS = 256 * 1024
_FAST_MAX_BRACKETS = 256
_ANCHOR = re.compile(r"(?:^|[\s\[{,:])[&*][^\s\]},]", re.M)  # "&name" or "*name" where a node may begin
# Characters around which the two parsers part (found by comparing them on mutated data files):
# a byte-order mark inside the text, YAML 1.1's other line breaks (NEL, LS, PS), tabs, "?" and a
# block scalar's header with a comment stuck to it (libyaml takes some the Python scanner refuses).
_READ_APART = re.compile("[\ufeff\x85\u2028\u2029\t?]|[|>][-+0-9]*#")
try:
    from yaml.cyaml import CParser as _CParser
except ImportError:  # PyYAML built without libyaml: the Python loader reads everything
    _CParser = None


def _fast_loader():
    if _CParser is None:
        return None

    class _FastLoader(_CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        def __init__(self, stream):
            _CParser.__init__(self, stream)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

    _FastLoader.yaml_constructors = _Loader.yaml_constructors
    _FastLoader.yaml_multi_constructors = _Loader.yaml_multi_constructors
    return _FastLoader


_FAST_LOADER = _fast_loader()


def _node_count(root: yaml.Node, limit: int) -> int:
    """Nodes under ``root`` (counting stops past ``limit``; a node met twice, an alias, counts as
    past it)."""
    count, todo, seen = 0, [root], set()
    while todo and count <= limit:
        node = todo.pop()
        if id(node) in seen:
            return limit + 1
        seen.add(id(node))
        count += 1
        if isinstance(node, yaml.SequenceNode):
            todo.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                todo.append(key)
                todo.append(value)
    return count


def _fast_parse(text: str) -> tuple[bool, Any]:
    """(True, the document) when libyaml reads ``text`` within the kit's limits; (False, None) when
    the Python loader must read it."""
    if (_FAST_LOADER is None or len(text) > _FAST_MAX_CHARS or _ANCHOR.search(text)
            or text.count("[") + text.count("{") > _FAST_MAX_BRACKETS
            or yaml.reader.Reader.NON_PRINTABLE.search(text) or _READ_APART.search(text)):
        return False, None
    loader = _FAST_LOADER(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return True, None
        if _node_count(node, MAX_NODES) > MAX_NODES:
            return False, None
        return True, loader.construct_document(node)
    except (yaml.YAMLError, RecursionError):
        return False, None
    finally:
        loader.dispose()


def read_text(path: Path, kind: str = "数据文件") -> tuple[str, str]:
    """The UTF-8 text of a file and its SHA-256, or a LoadError saying why not."""
    name = str(path)
    # A regular file of at most MAX_BYTES, or an error naming it (devices, FIFOs, loops, names).
    data = read_bounded(path, MAX_BYTES, kind)
    if not data.strip():
        raise LoadError(Problem(f"{kind}是空的", file=name))
    try:
        text = data.decode("utf-8-sig")  # a BOM from Windows editors is harmless
    except UnicodeDecodeError as exc:
        utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:200]  # UTF-16: a zero in every ASCII character
        raise LoadError(
            Problem(
                f"{kind}不是 UTF-8 编码，" + ("而是 UTF-16 编码" if utf16 else f"第 {exc.start} 字节处无法解码"),
                file=name,
                expected="UTF-8 编码的文本（请在编辑器中另存为 UTF-8）",
            )
        ) from None
    return text, hashlib.sha256(data).hexdigest()


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML text safely; a syntax error becomes a LoadError with the line."""
    done, doc = _fast_parse(text)
    if done:
        return doc
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
    except _Refused as exc:
        line = exc.mark.line + 1 if exc.mark else None
        raise LoadError(Problem(exc.message, file=name, line=line, expected=exc.expected)) from None
    except yaml.reader.ReaderError as exc:
        # The text holds a character YAML forbids (NUL and other control characters).
        line = text.count("\n", 0, exc.position) + 1
        raise LoadError(
            Problem(f"含有不允许的控制字符（U+{exc.character:04X}）" if isinstance(exc.character, int)
                    else "含有不允许的字符", file=name, line=line, expected="普通文字（删除该字符）")
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = exc.problem or exc.context or "语法错误"
        raise LoadError(
            Problem(f"YAML 语法错误：{what}", file=name, line=line, expected="合法的 YAML（注意缩进和引号）")
        ) from None
    except yaml.YAMLError as exc:
        raise LoadError(Problem(f"YAML 无法读取：{exc}", file=name)) from None
    except RecursionError:
        raise LoadError(Problem("YAML 嵌套过深", file=name)) from None


def line_locator(doc: Any):
    """A function mapping a document path to the YAML line it came from (or None)."""

    def locate(path: tuple) -> int | None:
        node, line = doc, None
        for part in path:
            if isinstance(node, LineDict) and part in node:
                line = node.lines.get(part, line)
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
                if isinstance(node, LineDict) and node.lines:
                    line = min(node.lines.values())
            else:
                break
        return line

    return locate


# --- writing ---------------------------------------------------------------------------------
class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        # The kit's loader refuses anchors and aliases (alias bombs): never write them, even when
        # one object appears twice in a document.
        return True


# Line breaks other than LF and non-printable characters: only double quotes keep them exactly
# (in plain, single-quoted and block styles YAML folds or normalises them).
_ESCAPE_ONLY = re.compile("[\x00-\x08\x0b\x0c\r\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _str_representer(dumper: yaml.SafeDumper, data: str):
    if _ESCAPE_ONLY.search(data):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"' if _needs_quotes(data) else None)


def _needs_quotes(s: str) -> bool:
    # Quote anything YAML might read as non-text, and every value that looks numeric, so
    # the file shows amounts as the printed strings they are.
    if s == "" or s != s.strip():
        return True
    # Ask the resolver what a plain scalar would mean (parsing the text itself would fail on
    # '[', '*a', '@x' or control characters); the emitter quotes what cannot be plain anyway.
    tag = _RESOLVER.resolve(yaml.ScalarNode, s, (True, False))
    return tag != "tag:yaml.org,2002:str" or any(c.isdigit() for c in s[:1])


_RESOLVER = yaml.resolver.Resolver()


_Dumper.add_representer(str, _str_representer)
_Dumper.add_representer(NumberText, _str_representer)
_Dumper.add_representer(DateText, _str_representer)
_Dumper.add_representer(LineDict, yaml.representer.SafeRepresenter.represent_dict)


def dump_yaml(doc: Any) -> str:
    """YAML text for a document: block style, keys in model order, UTF-8 characters as is."""
    return yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)
