"""The in-process path: the notebook's cells run by IPython in the rendering process itself.

A warm kernel (``kit.run.warm``) pays, for every department, the kernel's messages (each output
signed, sent, received and validated) and nbclient's bookkeeping: about twice the notebook's own
work. Here papermill's engine ``kit_inline`` runs each code cell with an IPython shell of this
process and turns what it shows into the notebook's outputs directly, the way ipykernel and
nbclient would have (same execution counts, the same JSON round trip of each output, streams,
``display`` / ``update_display`` / ``clear_output``, tracebacks, ``raises-exception`` and
``skip-execution`` tags), so the executed notebook, the page and the files are those of a kernel.

What keeps one department from reaching the next is what keeps a warm kernel clean, applied
around each department: the process state it could change (``warm.process_state``: options,
environment, ``sys.path``, modules, warning filters, decimal context) is taken before its cells
and put back after them, with the shell's names and history (``warm.reset_namespace``); papermill
changes to the department's folder and back. So the page and files, written in this process, never
see a department's settings, and a caller's own settings stay. What a separate process gave on top
is given by the batch: a department that ends the process (``os._exit``, a crash, memory) fails
alone and its worker is replaced (``kit.run.batch.pool``); a cell that does not end is interrupted
at the department's limit (``interrupt``; the pool's hard limit ends a worker stuck in C code), and
a stop signal to ``kit render`` of one department interrupts it too (``stop_cells``; a batch
worker just ends). A shell that saw a cell fail is not used again. Use ``isolation="fresh"``
for a notebook whose code is not trusted to leave the process alone.

The executed notebook is handed back in memory (``execute``): no temporary file written and read
again.
"""
from __future__ import annotations

import io
import os
import signal
import sys
import threading
from typing import Any

from ..core.errors import DepartmentTimeout
from . import kernels

ENGINE_NAME = "kit_inline"

# What ipykernel reports as the notebook's language (nbclient copies it into the metadata).
LANGUAGE_INFO = {
    "name": "python",
    "version": sys.version.split()[0],
    "mimetype": "text/x-python",
    "codemirror_mode": {"name": "ipython", "version": sys.version_info[0]},
    "pygments_lexer": f"ipython{sys.version_info[0]}",
    "nbconvert_exporter": "python",
    "file_extension": ".py",
}
SKIP_TAG, RAISES_TAG = "skip-execution", "raises-exception"  # nbclient's tags


# ----------------------------------------------------------------------------------------------
# Outputs: what a cell shows, as nbclient would have recorded it.


class _Outputs:
    """The running cell's output list, and the display ids of the whole notebook."""

    def __init__(self) -> None:
        self.cell: list | None = None
        self.displays: dict[str, list] = {}  # display id -> the outputs that show it
        self.clear_pending = False
        self.pending: dict[str, list[str]] = {"stdout": [], "stderr": []}

    def _node(self, content: dict[str, Any]):
        from nbformat import from_dict

        return from_dict(_as_sent(content))

    def add(self, content: dict[str, Any], display_id: str | None = None) -> None:
        if self.cell is None:
            return
        self.flush()
        self._append(self._node(content), display_id)

    def _append(self, node, display_id: str | None = None) -> None:
        if self.clear_pending:
            self.clear()
        self.cell.append(node)
        if display_id:
            self.displays.setdefault(display_id, []).append(node)

    def update(self, display_id: str, data: dict, metadata: dict) -> None:
        new = self._node({"data": data, "metadata": metadata})
        for node in self.displays.get(display_id, []):
            node["data"], node["metadata"] = new["data"], new["metadata"]

    def stream(self, name: str, text: str) -> None:
        if self.cell is not None and text:
            self.pending[name].append(text)

    def flush(self) -> None:
        """What was written since the last output, as ipykernel sends it: each stream's text in
        one output, stdout before stderr, before anything else the cell shows and at its end."""
        for name, parts in self.pending.items():
            if parts and self.cell is not None:
                self._append(self._node({"output_type": "stream", "name": name, "text": "".join(parts)}))
            parts.clear()

    def clear(self) -> None:
        self.clear_pending = False
        if self.cell is not None:
            dropped = {id(n) for n in self.cell}
            self.cell[:] = []
            for key, nodes in list(self.displays.items()):
                self.displays[key] = [n for n in nodes if id(n) not in dropped]


def _as_sent(content: dict[str, Any]) -> Any:
    """An output as a kernel's path gives it to ``kit render``: JSON as jupyter_client packs a
    message (its conversions, its fallback), with the keys in the order of the notebook file
    papermill writes and the kit reads back (nbformat sorts them)."""
    import json

    from jupyter_client.jsonutil import json_clean, json_default

    try:
        text = json.dumps(content, default=json_default, ensure_ascii=False, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError):
        text = json.dumps(json_clean(content), default=json_default, ensure_ascii=False, allow_nan=False,
                          sort_keys=True)
    return json.loads(text.encode("utf8", errors="surrogateescape").decode("utf8", "replace"))


class _Stream(io.TextIOBase):
    """sys.stdout / sys.stderr while a cell runs."""

    def __init__(self, outputs: _Outputs, name: str):
        self.outputs, self.name = outputs, name

    @property
    def encoding(self) -> str:
        return "utf-8"

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.outputs.stream(self.name, text)
        return len(text)


def _shell_classes():
    """The shell, its display publisher and display hook (IPython imported on first use)."""
    import builtins

    from IPython.core.displayhook import DisplayHook
    from IPython.core.displaypub import DisplayPublisher
    from IPython.core.interactiveshell import InteractiveShell

    class Publisher(DisplayPublisher):
        def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
            outputs: _Outputs = self.shell.kit_outputs
            display_id = (transient or {}).get("display_id")
            if update:
                if display_id:
                    outputs.update(display_id, data, metadata or {})
                return
            outputs.add({"output_type": "display_data", "data": data, "metadata": metadata or {}}, display_id)

        def clear_output(self, wait=False):
            outputs: _Outputs = self.shell.kit_outputs
            outputs.flush()  # ipykernel sends what was written before the clear
            if wait:
                outputs.clear_pending = True
            else:
                outputs.clear()

    class Hook(DisplayHook):
        def start_displayhook(self):
            self.kit_result = {"data": {}, "metadata": {}}

        def write_output_prompt(self):
            pass

        def write_format_data(self, format_dict, md_dict=None):
            self.kit_result = {"data": format_dict, "metadata": md_dict or {}}

        def flush(self):
            # IPython's, less its full garbage collection (≈ 30 ms in a rendering process): the
            # department's objects go with Python's own collector, as any other garbage here.
            for n in range(1, self.prompt_count + 1):
                self.shell.user_ns_hidden.pop(f"_{n}", None)
                self.shell.user_ns.pop(f"_{n}", None)
            oh = self.shell.user_ns.get("_oh", None)
            if oh is not None:
                oh.clear()
            self._, self.__, self.___ = "", "", ""
            if "_" not in builtins.__dict__:
                self.shell.user_ns.update({"_": self._, "__": self.__, "___": self.___})

        def finish_displayhook(self):
            if self.kit_result["data"]:
                self.shell.kit_outputs.add({"output_type": "execute_result", "execution_count": self.prompt_count,
                                            **self.kit_result})

    class Shell(InteractiveShell):
        displayhook_class = Hook
        display_pub_class = Publisher

        def init_sys_modules(self):
            pass  # __main__ is the user's module only while cells run (``_Running``)

        def transform_cell(self, raw_cell):
            # The same cells come with every department: their magics and escapes are turned
            # into Python once (IPython's input transformers depend on the text alone).
            cache = self.__dict__.setdefault("kit_transformed", {})
            if raw_cell not in cache:
                if len(cache) >= 512:
                    cache.clear()
                cache[raw_cell] = super().transform_cell(raw_cell)
            return cache[raw_cell]

        def _showtraceback(self, etype, evalue, stb):
            self.kit_outputs.add({"output_type": "error", "ename": str(etype.__name__), "evalue": str(evalue),
                                  "traceback": stb})

    return Shell


_SHELL = None
_RUNNING: threading.Thread | None = None  # the thread running cells, for ``interrupt``
_LOCK = threading.RLock()  # also taken by a stop signal handler in the thread that holds it


def shell():
    """This process's shell (made, and the modules the notebook imports imported, once)."""
    global _SHELL
    if _SHELL is None:
        from traitlets.config import Config

        from . import warm

        config = Config()
        config.HistoryManager.hist_file = ":memory:"  # no history database on disk, as the warm kernel
        # What ipykernel sets for the department's code: pyplot figures shown inline.
        os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        _SHELL = _shell_classes().instance(config=config)
        _SHELL.kit_outputs = _Outputs()
        warm.import_notebook_modules()
    return _SHELL


_TAINTED = False


def tainted() -> bool:
    """Whether a department's cells failed in this process (``forget_shell``)."""
    return _TAINTED


def forget_shell() -> None:
    """A shell that saw a department fail is not used again (the next one is made afresh), and
    this process is marked: a batch worker ends after reporting it (``kit.run.batch.pool``)."""
    global _SHELL, _TAINTED
    _TAINTED = True
    if _SHELL is not None:
        type(_SHELL).clear_instance()
        _SHELL = None


def interrupt() -> None:
    """The department's limit reached: raise ``DepartmentTimeout`` in the running cell, again
    every half second while the cells go on (a cell may catch it)."""
    import time

    thread = _RUNNING
    while thread is not None and _RUNNING is thread:
        _send(thread)
        time.sleep(0.5)


def stop_cells() -> None:
    """A stop signal for a command that runs cells in its own process (``kit render`` of one
    department): the running cell is interrupted once. Call it last in the signal handler: the
    cell's exception is raised as the handler ends, so nothing after it would run. (A batch
    worker does not call it: it ends at once.)"""
    thread = _RUNNING
    if thread is not None:
        _send(thread)


def _send(thread: threading.Thread) -> None:
    """``DepartmentTimeout`` into the cell ``thread`` runs: by a signal in the main thread (which
    also ends a sleep), else as an asynchronous exception (raised at its next Python step)."""
    with _LOCK:
        if _RUNNING is not thread:
            return
        if thread is threading.main_thread():
            signal.pthread_kill(thread.ident, signal.SIGALRM)
        else:
            _async_raise(thread.ident, DepartmentTimeout)


def _async_raise(ident: int, exc: type[BaseException] | None) -> None:
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(exc) if exc else None)


def _working_folder_first() -> None:
    """``''`` on ``sys.path`` where a kernel has it (IPython's ``init_path``: before the first
    site-packages), so that a department imports the modules of its own folder; put back after."""
    if "" in sys.path or sys.flags.safe_path:
        return
    idx = next((i for i, p in enumerate(sys.path) if os.path.basename(p) in ("site-packages", "dist-packages")), 0)
    sys.path.insert(idx, "")


def _no_stdin(*_args, **_kwargs):
    from IPython.core.error import StdinNotImplementedError

    raise StdinNotImplementedError("raw_input was called, but this frontend does not support input requests.")


def _on_alarm(_signum, _frame):
    # Installed once and left: an alarm that arrives after the cells ended does nothing.
    if _RUNNING is threading.current_thread():
        raise DepartmentTimeout("超过时限")


class _Running:
    """While a department's cells run: its streams, ``__main__``, stdin, and ``interrupt``'s target."""

    def __init__(self, sh) -> None:
        self.sh = sh

    def __enter__(self):
        global _RUNNING
        self.saved = sys.stdout, sys.stderr, sys.stdin, sys.modules.get("__main__")
        sys.stdout, sys.stderr = _Stream(self.sh.kit_outputs, "stdout"), _Stream(self.sh.kit_outputs, "stderr")
        # No one to answer input() or getpass(): refused as a kernel without stdin refuses them.
        import builtins
        import getpass

        self.saved_input = builtins.input, getpass.getpass
        builtins.input = getpass.getpass = _no_stdin
        sys.stdin = io.StringIO()
        sys.modules["__main__"] = self.sh.user_module  # pickle and shelve find the notebook's names
        _working_folder_first()
        if threading.current_thread() is threading.main_thread():
            kernels.handle_alarm(_on_alarm)
        with _LOCK:
            _RUNNING = threading.current_thread()
        return self

    def __exit__(self, *exc) -> None:
        global _RUNNING
        with _LOCK:
            _RUNNING = None
            if threading.current_thread() is not threading.main_thread():
                _async_raise(threading.get_ident(), None)  # one sent but not yet raised is withdrawn
        import builtins
        import getpass

        builtins.input, getpass.getpass = self.saved_input
        sys.stdout, sys.stderr, sys.stdin, main = self.saved
        if main is not None:
            sys.modules["__main__"] = main


def run_cells(nb_man, deadline=None) -> bool:
    """Execute the notebook's code cells in order as nbclient would; False after a failing cell
    (its error output says why; at the department's limit, ``DepartmentTimeout``)."""
    from . import warm

    sh = shell()
    outputs = sh.kit_outputs
    outputs.displays.clear()
    # What the department could change, as it is now: put back after its cells (its host's own
    # settings, an environment variable the caller set, stay as they were).
    state = warm.process_state()
    warm.matplotlib_as_imported()
    failed = None
    try:
        with _Running(sh):
            for index, cell in enumerate(nb_man.nb.cells):
                nb_man.cell_start(cell, index)
                try:
                    if cell.cell_type != "code" or not cell.source.strip() or SKIP_TAG in cell.metadata.get("tags", []):
                        continue
                    cell.outputs = []
                    outputs.cell, outputs.clear_pending = cell.outputs, False
                    failed = cell  # until it ends well
                    cell.execution_count = sh.execution_count
                    success = sh.run_cell(cell.source, store_history=True).success
                    outputs.flush()
                    if (deadline is None or not deadline.fired) and (success or RAISES_TAG in cell.metadata.get("tags", [])):
                        failed = None
                    else:
                        nb_man.cell_exception(cell, cell_index=index)
                        break
                finally:
                    outputs.flush()
                    outputs.cell = None
                    nb_man.cell_complete(cell, cell_index=index)
    except DepartmentTimeout:  # raised outside the cell's own code (IPython's or papermill's steps)
        pass
    finally:
        nb_man.nb.metadata["language_info"] = dict(LANGUAGE_INFO)
        if failed is not None:
            _say_why(failed, deadline)
            nb_man.cell_exception(failed)
        ok = failed is None
        try:
            # The department's names and settings gone before its page is written. No full garbage
            # collection (≈ 30 ms in this process): its objects go with Python's own collector.
            warm.reset_namespace()
            warm.restore_process_state(state)
        except Exception:  # noqa: BLE001 - a shell that cannot be reset is not used again
            ok = False
        if not ok:
            forget_shell()
    return ok


def _say_why(cell, deadline) -> None:
    """A failed cell shows an error output (what the page and papermill look for): at the limit,
    the timeout's, whatever the cell showed."""
    from nbformat import from_dict

    timed_out = deadline is not None and deadline.fired
    errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    if (timed_out and not any(o.get("ename") == DepartmentTimeout.__name__ for o in errors)) or not errors:
        cell.setdefault("outputs", []).append(from_dict({
            "output_type": "error", "ename": DepartmentTimeout.__name__ if timed_out else "RuntimeError",
            "evalue": "超过时限" if timed_out else "单元格未能运行完", "traceback": []}))


def _engine_class():
    from papermill.engines import Engine

    class InlineEngine(Engine):
        """papermill engine ``kit_inline``: the cells run in this process (``run_cells``)."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, deadline=None, **kwargs):
            run_cells(nb_man, deadline)
            return nb_man.nb

    InlineEngine.__module__, InlineEngine.__qualname__ = __name__, "InlineEngine"
    return InlineEngine


def execute(notebook, parameters: dict[str, Any], cwd, *, kernel_name: str = "python3", deadline=None):
    """papermill's ``execute_notebook`` with the output kept in memory, returning the executed
    notebook (on a failing cell, with papermill's error banner, ``PapermillExecutionError`` raised
    and the notebook on it as ``kit_notebook``).

    The same steps from papermill's own functions (load, parameterize, metadata, engine, error
    banner), less the final ``nbformat.writes`` of a notebook that goes nowhere (≈ 25 ms).
    """
    from papermill.engines import papermill_engines
    from papermill.execute import prepare_notebook_metadata, raise_for_execution_errors, remove_error_markers
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook
    from papermill.utils import chdir

    register_engine()
    input_path = str(notebook)
    nb = _loaded(input_path, load_notebook_node)
    nb = parameterize_notebook(nb, parameters, kernel_name=kernel_name, engine_name=ENGINE_NAME)
    nb = remove_error_markers(prepare_notebook_metadata(nb, input_path, None))
    with chdir(str(cwd)):
        nb = papermill_engines.execute_notebook_with_engine(
            ENGINE_NAME, nb, input_path=input_path, output_path=None, kernel_name=kernel_name,
            progress_bar=False, log_output=False, deadline=deadline)
    try:
        raise_for_execution_errors(nb, None)
    except Exception as exc:
        exc.kit_notebook = nb
        raise
    return nb


_LOADED: dict[str, tuple[tuple[int, int], Any]] = {}


def _loaded(path: str, load):
    """papermill's notebook read and checked once per version of the file; a copy each time."""
    import copy

    st = os.stat(path)
    key = (st.st_mtime_ns, st.st_size)
    if _LOADED.get(path, (None,))[0] != key:
        if len(_LOADED) >= 8:
            _LOADED.clear()
        _LOADED[path] = key, load(path)
    return copy.deepcopy(_LOADED[path][1])


_ENGINE = None


def register_engine() -> None:
    """Make ``kit_inline`` known to papermill in this process."""
    global _ENGINE
    from papermill.engines import papermill_engines

    if _ENGINE is None:
        _ENGINE = _engine_class()
    if papermill_engines._engines.get(ENGINE_NAME) is not _ENGINE:
        papermill_engines.register(ENGINE_NAME, _ENGINE)
