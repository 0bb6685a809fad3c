"""PDF from the report page: headless Chromium's print-to-PDF over the DevTools protocol.

Why Chromium and not WeasyPrint: the PDF is then laid out by the same engine that shows the
page on screen (the same CSS grid, fonts through fontconfig, named pages for landscape
sections, repeated table headers), Chromium is already what the kit's browser test drives,
and nothing new goes into the Python environment. WeasyPrint would be a second layout engine
with its own CSS support (no grid on older versions) and its own system libraries (Pango).

The browser is driven on a pipe (``--remote-debugging-pipe``: no port, no websocket), with
the network unusable (every http(s) request goes to a closed local port), so a page cannot
fetch anything while it is printed. One browser prints many pages (``Printer``), which is
what a batch uses.
"""
from __future__ import annotations

import base64
import functools
import json
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unicodedata
from pathlib import Path

from ..core.errors import KitError, Problem
from ..core.safeio import replace_atomic
from .fonts import fontconfig_with_bundled

CHROMIUM_ENV = "KIT_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
A4_WIDTH_IN, A4_HEIGHT_IN = 8.27, 11.69


def chromium_path() -> str | None:
    """The browser to use: ``KIT_CHROMIUM`` if set, else the first candidate on PATH."""
    explicit = os.environ.get(CHROMIUM_ENV)
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for name in ("/usr/bin/chromium", *CANDIDATES):
        found = name if os.path.isabs(name) and os.access(name, os.X_OK) else shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """The browser, or a KitError saying what to install."""
    exe = chromium_path()
    if exe is None:
        raise KitError(Problem(
            "找不到 Chromium 浏览器，无法生成 PDF",
            expected=f"安装 chromium（Debian/Ubuntu：apt-get install chromium，或运行 make sysdeps），"
                     f"或用环境变量 {CHROMIUM_ENV} 指定浏览器程序",
        ))
    return exe


class Browser:
    """Chromium with the DevTools protocol on fds 3 (commands in) and 4 (replies out)."""

    def __init__(self, exe: str, profile: Path, network: bool = False):
        cmd_r, self._cmd_w = os.pipe()
        self._out_r, out_w = os.pipe()

        def wire_fds():  # runs in the child: the protocol expects exactly fds 3 and 4
            # Move both ends above 9 first: the pipes may themselves be fds 3..6, and dup2 of an
            # fd onto itself would leave it close-on-exec.
            import fcntl

            high_r, high_w = fcntl.fcntl(cmd_r, fcntl.F_DUPFD, 10), fcntl.fcntl(out_w, fcntl.F_DUPFD, 10)
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        args = [
            exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--mute-audio", "--hide-scrollbars", f"--user-data-dir={profile}",
        ]
        if not network:  # every http(s) request goes to a closed local port
            args += ["--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]
        args += ["--remote-debugging-pipe", "about:blank"]
        self.proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            # Python's own fds are non-inheritable, so only the dup2'd 3 and 4 reach the browser.
            preexec_fn=wire_fds, close_fds=False,
            # The kit's own Chinese font beside the machine's: a PDF never prints boxes for lack of one.
            env={**os.environ, "FONTCONFIG_FILE": str(fontconfig_with_bundled(profile / "fontconfig"))},
        )
        os.close(cmd_r)
        os.close(out_w)
        self._next_id = 0
        self.events: list[dict] = []
        self._replies: "queue.Queue[dict]" = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._out_r, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                self._replies.put(json.loads(raw))

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float = 60) -> dict:
        self._next_id += 1
        mid = self._next_id
        msg = {"id": mid, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._cmd_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(method)
            try:
                reply = self._replies.get(timeout=min(left, 1.0))
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{method}: 浏览器已退出") from None
                continue
            if reply.get("id") == mid:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str | None = None, timeout: float = 60) -> dict:
        def hit(e: dict) -> bool:
            return e.get("method") == method and (session is None or e.get("sessionId") == session)

        for i, e in enumerate(self.events):
            if hit(e):
                return self.events.pop(i)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                msg = self._replies.get(timeout=0.2)
            except queue.Empty:
                continue
            if hit(msg):
                return msg
            self.events.append(msg)
        raise TimeoutError(method)

    def drain(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                self.events.append(self._replies.get(timeout=0.1))
            except queue.Empty:
                pass

    def open(self, url: str, width: int = 1280, height: int = 1800) -> str:
        """A new tab showing ``url`` (loaded); returns its session id."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.send("Page.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session=session)
        self.send("Page.navigate", {"url": url}, session=session)
        self.wait_for("Page.loadEventFired", session)
        return session

    def close_tab(self, session: str) -> None:
        try:
            self.send("Page.close", session=session, timeout=10)
        except Exception:  # noqa: BLE001 - the tab goes with the browser anyway
            pass

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except Exception:  # noqa: BLE001
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._cmd_w, self._out_r):
            try:
                os.close(fd)
            except OSError:
                pass


class Printer:
    """One headless browser printing report pages to PDF files; use as a context manager."""

    def __init__(self, exe: str | None = None, timeout: float = 120):
        self.exe = exe or require_chromium()
        self.timeout = timeout
        self._tmp = tempfile.TemporaryDirectory(prefix="kit-pdf-")
        self.browser: Browser | None = None

    def __enter__(self) -> "Printer":
        self.browser = Browser(self.exe, Path(self._tmp.name) / "profile")
        return self

    def __exit__(self, *exc) -> None:
        if self.browser is not None:
            self.browser.close()
        self._tmp.cleanup()

    def pdf_bytes(self, html_path: str | Path) -> bytes:
        assert self.browser is not None, "use Printer as a context manager"
        session = self.browser.open(Path(html_path).absolute().as_uri())
        try:
            # Fonts and the inline images are loaded with the page; wait until layout settles.
            self.browser.send("Runtime.evaluate", {"expression": "document.fonts.ready", "awaitPromise": True},
                              session=session, timeout=self.timeout)
            result = self.browser.send("Page.printToPDF", {
                "printBackground": True, "preferCSSPageSize": True,
                "paperWidth": A4_WIDTH_IN, "paperHeight": A4_HEIGHT_IN,
                # Page numbers ("第 3 页 / 共 12 页") are the page's own @page margin boxes (kit.css):
                # drawn with the page's fonts, so they read on a machine with no CJK font.
                "displayHeaderFooter": False,
            }, session=session, timeout=self.timeout)
        finally:
            self.browser.close_tab(session)
        return base64.b64decode(result["data"])

    def print_page(self, html_path: str | Path, pdf_path: str | Path) -> Path:
        """Print ``html_path`` to ``pdf_path`` (written atomically)."""
        data = repair_text_layer(self.pdf_bytes(html_path))
        replace_atomic(Path(pdf_path), data)
        return Path(pdf_path)


# --- The PDF's text layer -----------------------------------------------------------------------
# CJK fonts draw a Kangxi radical (U+2F00–U+2FDF) and its ideograph (⾦ U+2F8A, 金 U+91D1) with
# one glyph; Chromium's PDF writer maps each glyph back to the lowest code point, so text copied
# or searched in the PDF reads "⾦额" for "金额" (wkhtmltopdf #4414 is the same fault). The
# ToUnicode maps are rewritten with the ideographs (NFKC of the radical).
_RADICALS = (0x2E80, 0x2FDF)
_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


@functools.lru_cache(maxsize=1)
def radical_equivalents() -> dict[int, int]:
    """Radical code point -> the ideograph drawn with the same glyph, from the CJK font's cmap.

    Read from the font the page is set in (the first Chinese face ``fonts.find_cjk_font``
    finds; in a .ttc the simplified-Chinese face), so the repair names exactly the character
    the glyph was drawn for. Empty when no font can be read: NFKC still covers U+2F00–U+2FD5.
    """
    out: dict[int, int] = {}
    try:
        from fontTools.ttLib import TTCollection, TTFont

        from .fonts import find_cjk_font

        found = find_cjk_font()
        if found is None:
            return out
        path = str(found[1])
        faces = TTCollection(path, lazy=True).fonts if path.lower().endswith(".ttc") else [TTFont(path, lazy=True)]
        faces = sorted(faces, key=lambda f: "SC" not in (f["name"].getDebugName(1) or ""))[:1]
        for face in faces:
            by_glyph: dict[str, list[int]] = {}
            for cp, glyph in face.getBestCmap().items():
                by_glyph.setdefault(glyph, []).append(cp)
            for cps in by_glyph.values():
                ideographs = [c for c in cps if 0x4E00 <= c <= 0x9FFF or 0x3400 <= c <= 0x4DBF or 0xF900 <= c <= 0xFAFF]
                for c in cps:
                    if _RADICALS[0] <= c <= _RADICALS[1] and ideographs:
                        out[c] = min(ideographs)
    except Exception:  # noqa: BLE001 - the text layer is then repaired by NFKC alone
        return {}
    return out


def _fixed_char(ch: str) -> str:
    cp = ord(ch)
    if not _RADICALS[0] <= cp <= _RADICALS[1]:
        return ch
    if cp in radical_equivalents():
        return chr(radical_equivalents()[cp])
    return unicodedata.normalize("NFKC", ch)


def _fixed_unicode(dst_hex: str) -> str:
    text = bytes.fromhex(dst_hex).decode("utf-16-be", errors="surrogatepass")
    fixed = "".join(_fixed_char(ch) for ch in text)
    return fixed.encode("utf-16-be", errors="surrogatepass").hex().upper()


def _rewrite_cmap(data: bytes) -> bytes | None:
    """The ToUnicode CMap with radical code points replaced; None when nothing needs changing."""
    text = data.decode("latin-1")
    mapping: dict[int, str] = {}
    width = 4
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            width = len(src)
            mapping[int(src, 16)] = dst
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, rest in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(\[[^\]]*\]|<[0-9A-Fa-f]+>)", block):
            width = len(lo)
            a, z = int(lo, 16), int(hi, 16)
            if rest.startswith("["):
                for k, dst in enumerate(re.findall(r"<([0-9A-Fa-f]+)>", rest)):
                    mapping[a + k] = dst
            else:
                start = int(rest[1:-1], 16)
                for k in range(z - a + 1):  # consecutive code points, as the range means
                    mapping[a + k] = f"{start + k:0{len(rest) - 2}X}"
    fixed = {src: _fixed_unicode(dst) for src, dst in mapping.items()}
    if all(fixed[k].upper() == mapping[k].upper() for k in mapping):
        return None
    head, _, _ = text.partition("beginbf")
    head = head[: head.rfind("\n") + 1] if "\n" in head else head
    # Drop the count line that preceded the first block ("12 beginbfchar").
    head = re.sub(r"\d+\s*$", "", head)
    items = sorted(fixed.items())
    body = []
    for i in range(0, len(items), 100):  # at most 100 entries per block (PDF reference)
        chunk = items[i:i + 100]
        body.append(f"{len(chunk)} beginbfchar\n" + "".join(f"<{k:0{width}X}> <{v}>\n" for k, v in chunk) + "endbfchar\n")
    tail = text[text.rfind("endbf"):]
    tail = tail[tail.index("\n") + 1:] if "\n" in tail else ""
    return (head + "".join(body) + tail).encode("latin-1")


def repair_text_layer(pdf: bytes) -> bytes:
    """The PDF with every font's ToUnicode map naming ideographs, not look-alike radicals."""
    import io

    from pypdf import PdfWriter

    # Incremental: the changed CMaps are appended, the rest of the file is kept byte for byte.
    writer = PdfWriter(io.BytesIO(pdf), incremental=True)
    seen: set[int] = set()
    changed = False
    for page in writer.pages:
        fonts = (page.get("/Resources") or {}).get("/Font") or {}
        for ref in fonts.values():
            font = ref.get_object()
            tu = font.get("/ToUnicode")
            if tu is None:
                continue
            key = getattr(tu, "idnum", None) or id(tu)
            if key in seen:
                continue
            seen.add(key)
            stream = tu.get_object()
            new = _rewrite_cmap(stream.get_data())
            if new is not None:
                stream.set_data(new)  # encoded again with the stream's own filter
                changed = True
    if not changed:
        return pdf
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pages_to_pdf(html_paths, skip_current: bool = True, jobs: int = 1) -> list[tuple[Path, str]]:
    """Many pages: [(pdf path, error text or '')], in the order given. A PDF newer than its page is
    kept. ``jobs`` > 1 splits the pages over that many processes, each with one browser."""
    paths = [Path(p) for p in html_paths]
    require_chromium()  # said here, in this process, before any worker starts
    if jobs > 1 and len(paths) > 1:
        from concurrent.futures import ProcessPoolExecutor

        chunks = [paths[i::jobs] for i in range(min(jobs, len(paths)))]
        with ProcessPoolExecutor(max_workers=len(chunks)) as pool:
            done = dict(p for part in pool.map(_pages_to_pdf, chunks, [skip_current] * len(chunks)) for p in part)
        return [(p.with_suffix(".pdf"), done[p.with_suffix(".pdf")]) for p in paths]
    return _pages_to_pdf(paths, skip_current)


def _pages_to_pdf(html_paths, skip_current: bool = True) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []
    todo = []
    for h in map(Path, html_paths):
        pdf = h.with_suffix(".pdf")
        if skip_current and pdf.is_file() and pdf.stat().st_mtime >= h.stat().st_mtime:
            out.append((pdf, ""))
        else:
            todo.append((h, pdf))
    if not todo:
        return out
    with Printer() as printer:
        for h, pdf in todo:
            try:
                printer.print_page(h, pdf)
                out.append((pdf, ""))
            except Exception as exc:  # noqa: BLE001 - one page's failure is reported, the rest go on
                out.append((pdf, f"{type(exc).__name__}: {exc}"))
    return out
