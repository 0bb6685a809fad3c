"""Bounds on what a PDF may unpack into, checked while reading, and a clean stop on a signal.

A department's form is a few pages: its content streams, fonts and cross-reference streams
inflate to a few MB. Before pdfminer inflates anything, ``check_streams`` walks the file's
streams and inflates each compressed one a chunk at a time (never more than ``CHUNK`` bytes in
memory), counting: more than ``MAX_INFLATED`` bytes in all, or more than ``MAX_OBJECTS``
objects, and the file is refused with a message (a 1 MB file whose content stream inflates to
1 GiB is refused after reading ``MAX_INFLATED`` bytes of it, in well under a second). Image
streams are not counted: the reader never decodes them.

While the pages are read, ``Bounds.check`` is called between pages and every few hundred
operators: it refuses a page that takes more than ``MAX_PAGE_SECONDS`` of CPU time, and raises
``Stopped`` as soon as ``request_stop`` was called (``kit import``'s SIGINT/SIGTERM handler
calls it), so Ctrl-C ends a long parse within a fraction of a second.
"""
from __future__ import annotations

import base64
import re
import threading
import time
import zlib
from pathlib import Path

from ..core.errors import FormError, KitError, Problem, ReadStopped as Stopped

MAX_INFLATED = 128 << 20  # bytes, all non-image streams of one file together
MAX_OBJECTS = 200_000
MAX_PAGE_SECONDS = 10.0  # CPU seconds for one page (a form's page takes a few hundredths)
CHUNK = 1 << 20

_STOP = threading.Event()
_STOP_REASON: list[str] = []


def request_stop(reason: str = "") -> None:
    """Ask every PDF being read in this process to stop at its next check (signal-safe)."""
    _STOP_REASON[:] = [reason]
    _STOP.set()


def clear_stop() -> None:
    _STOP.clear()
    _STOP_REASON.clear()


def _refuse(path: Path, message: str, expected: str) -> KitError:
    return FormError(Problem(message, file=str(path), expected=expected))


class Bounds:
    """The checks made while one PDF is read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.inflated = 0
        self.page_no = 0
        self.page_started = time.process_time()

    def check(self) -> None:
        if _STOP.is_set():
            raise Stopped(_STOP_REASON[0] if _STOP_REASON else "")
        spent = time.process_time() - self.page_started
        if spent > MAX_PAGE_SECONDS:
            where = f"第{self.page_no}页" if self.page_no else "文件结构"
            raise _refuse(self.path, f"PDF 的{where}读取超过 {MAX_PAGE_SECONDS:.0f} 秒仍未完成，内容异常复杂，不像一份部门自评表",
                          f"每页可在 {MAX_PAGE_SECONDS:.0f} 秒内读完的 PDF")

    def page(self, number: int) -> None:
        """A new page starts: its time bound starts again."""
        self.page_no = number
        self.page_started = time.process_time()
        self.check()

    def add_inflated(self, n: int) -> None:
        self.inflated += n
        if self.inflated > MAX_INFLATED:
            raise _refuse(self.path, f"PDF 解压后的内容超过 {MAX_INFLATED >> 20} MiB（文件仅 {self.path.stat().st_size:,} 字节），"
                          "可能是恶意构造的压缩炸弹，未读取", f"解压后不超过 {MAX_INFLATED >> 20} MiB 的 PDF")
        self.check()

    def check_objects(self, doc) -> None:
        """The cross-reference tables as pdfminer read them: at most ``MAX_OBJECTS`` objects."""
        n = 0
        for xref in getattr(doc, "xrefs", []):
            try:
                n += sum(1 for _ in xref.get_objids())
            except Exception:  # a broken table is pdfminer's to report
                continue
            if n > MAX_OBJECTS:
                raise _refuse(self.path, f"PDF 含有超过 {MAX_OBJECTS:,} 个对象，不像一份部门自评表",
                              f"对象不超过 {MAX_OBJECTS:,} 个的 PDF")


# A stream: its dictionary ends just before the keyword; the data runs to "endstream".
_STREAM = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b")
_FILTERS = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")
_NAME = re.compile(rb"/([A-Za-z0-9]+)")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?!\s+\d+\s+R)")
_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
_OBJSTM_N = re.compile(rb"/Type\s*/ObjStm\b")
_N = re.compile(rb"/N\s+(\d+)")


def _inflate(data: bytes, bounds: Bounds) -> None:
    """Inflate ``data`` a chunk at a time, counting; stops quietly at the end or at bad data."""
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, CHUNK)
        while True:
            bounds.add_inflated(len(out))
            if not d.unconsumed_tail:
                break
            out = d.decompress(d.unconsumed_tail, CHUNK)
    except zlib.error:
        return  # not ours to judge: pdfminer reports a broken stream


# zlib inflates at most 1032 bytes out of one byte in (RFC 1950/1951 deflate's limit); ASCII85
# carries 4 bytes in 5. A file whose compressed streams cannot reach the bound is not inflated.
DEFLATE_MAX_RATIO = 1032


def _streams(data: bytes):
    """``(dictionary bytes, raw data, filter names)`` of each non-image stream with filters, and
    the number of objects the file declares (indirect objects and those in object streams)."""
    objects = len(_OBJ.findall(data))
    found = []
    pos = 0
    while True:
        m = _STREAM.search(data, pos)
        if m is None:
            break
        start = m.end()
        head_from = data.rfind(b" obj", max(0, m.start() - 4096), m.start())
        head = data[head_from if head_from >= 0 else max(0, m.start() - 4096): m.start() + 2]
        length = _LENGTH.search(head)
        end = start + int(length.group(1)) if length else -1
        if end < start or end > len(data):
            end = data.find(b"endstream", start)
            if end < 0:
                end = len(data)
        pos = max(end, start)
        if _OBJSTM_N.search(head):
            n = _N.search(head)
            objects += int(n.group(1)) if n else 0
        if _IMAGE.search(head):
            continue
        f = _FILTERS.search(head)
        if f is not None:
            found.append((start, end, _NAME.findall(f.group(1))))
    return found, objects


def _worst(raw_len: int, chain: list[bytes]) -> int:
    """The most a stream can unpack into, from its length and filters (0 when not inflated)."""
    size = raw_len
    for name in chain:
        if name in (b"ASCII85Decode", b"A85"):
            size = size * 4 // 5 + 4
        elif name in (b"ASCIIHexDecode", b"AHx"):
            size = size // 2 + 1
        elif name in (b"FlateDecode", b"Fl"):
            return size * DEFLATE_MAX_RATIO
        else:
            return 0
    return 0


def check_streams(data: bytes, bounds: Bounds) -> None:
    """Walk the file's streams before parsing; ``FormError`` when they unpack beyond the bounds.
    Streams are inflated (a chunk at a time, counted) only when their compressed size could
    exceed the bound; a form of a few hundred KB never is."""
    found, objects = _streams(data)
    if objects > MAX_OBJECTS:
        raise _refuse(bounds.path, f"PDF 含有超过 {MAX_OBJECTS:,} 个对象，不像一份部门自评表",
                      f"对象不超过 {MAX_OBJECTS:,} 个的 PDF")
    if sum(_worst(end - start, chain) for start, end, chain in found) <= MAX_INFLATED:
        return
    for start, end, chain in sorted(found, key=lambda s: s[0] - s[1]):  # largest first
        raw = data[start:end]
        for name in chain:
            if name in (b"ASCII85Decode", b"A85"):
                try:
                    body = raw.strip()
                    if body.startswith(b"<~"):
                        body = body[2:]
                    if not body.endswith(b"~>"):
                        body = body + b"~>"
                    raw = base64.a85decode(b"<~" + body, adobe=True)
                except ValueError:
                    break
            elif name in (b"ASCIIHexDecode", b"AHx"):
                try:
                    raw = bytes.fromhex(re.sub(rb"[^0-9A-Fa-f]", b"", raw.split(b">")[0]).decode())
                except ValueError:
                    break
            elif name in (b"FlateDecode", b"Fl"):
                _inflate(raw, bounds)
                break
            else:
                break  # other filters (LZW, RunLength …) are not counted
        bounds.check()
