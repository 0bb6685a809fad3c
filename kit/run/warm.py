"""One warm kernel per worker process, reset between departments (``--isolation warm``: the
default for one department and for Dask; a batch on the kit's own pool runs the cells in the
worker itself, ``kit.run.inline``, which also uses this module's state snapshot and reset).

A fresh kernel costs most of a department's time in starting python3 and importing pandas
and the kit in it; a warm kernel pays that once per worker. What a warm render then costs a
department (benchmarks/batch.py, CPU-seconds, 24 synthetic departments, this round): ~0.8 in
all, of which ~0.2 is the notebook's own work (the floor: audit, sections, charts, the published
result), ~0.15–0.2 the page and files written on the host, and the rest running the cells
through papermill, nbclient and the kernel's messages (an in-process render: ~0.4).

How it stays equivalent to a fresh kernel:

- ``kernel_warm_up`` (run in the kernel once, after start) imports what the audit notebook
  imports (no matplotlib: the charts are SVG written by the kit) and takes a snapshot of the
  process state a department could change: pandas options, numpy print options,
  ``os.environ``, ``sys.path``, the module table, warning filters, the decimal context, and
  matplotlib's rcParams if it was imported (else a department that imports it gets the
  settings of its import back: ``rcParamsOrig``).
- ``kernel_reset`` (run before every department, silently: no execution count, no output)
  restores that snapshot, clears the notebook namespace and its output history, sets the
  execution counter back to 1, closes pyplot figures, drops modules imported from outside the
  Python installation and the kit (a department's own helpers), and changes to the
  department's folder (``render`` gives papermill ``cwd=`` the parameter file's folder; a
  fresh kernel starts there).
- Any failure of a department (cell error, timeout, dead kernel, failed reset) discards the
  kernel; the next department gets a new one. The kernel is also replaced every
  ``RECYCLE_AFTER`` departments so that whatever leaks slowly (fragmented heaps, caches of
  libraries) cannot grow with the batch. A kernel's start and warm-up cost about 2 CPU-s; over 160
  synthetic departments on one kernel its RSS stayed at 107 MB, so it is replaced every 200
  (every 40 before: 0.05 CPU-s a department for nothing measured).

Module-level caches of the kit (``functools.lru_cache`` on the rule file and the font) hold
the same value for every department and are kept.

The engine is registered with papermill as ``kit_warm`` (entry point ``papermill.engine`` in
pyproject.toml, and by ``register_engine`` for a checkout whose metadata predates it).
"""
from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import Any

from ..core.errors import WarmKernelError
from ..core.vocab import FailureKind, RunStatus

ENGINE_NAME = "kit_warm"
# Departments per kernel before it is replaced (memory stays flat; see benchmarks/batch.py --memory).
RECYCLE_AFTER = int(os.environ.get("KIT_WARM_RECYCLE", "200"))
WARM_UP = "import kit.run.warm as _kit_warm; _kit_warm.kernel_warm_up(); del _kit_warm"
RESET_TIMEOUT = 60.0

# ----------------------------------------------------------------------------------------------
# Kernel side: these functions run inside the kernel process.

_SNAPSHOT: dict[str, Any] | None = None


def kernel_warm_up() -> None:
    """Import what the audit notebook needs and take the snapshot ``kernel_reset`` restores."""
    import_notebook_modules()
    _take_snapshot()


def import_notebook_modules() -> None:
    """What the audit notebook imports (a kernel's warm-up; ``kit.run.inline``'s first shell)."""
    import importlib

    # The report's charts are SVG written by the kit: the notebook imports no matplotlib.
    for name in ("pandas", "IPython.display", "kit.engine.audit", "kit.files.load", "kit.run.rendering", "kit.report.sections",
                 "kit.report.tables", "kit.report.charts", "kit.report.svg", "kit.report.summary"):
        importlib.import_module(name)


def _take_snapshot() -> None:
    global _SNAPSHOT
    import gc

    _SNAPSHOT = process_state()
    # Everything alive now lives for the kernel's lifetime: keep it out of the collector's
    # scans, so the full collection after each department costs milliseconds, not 0.1 s.
    gc.collect()
    gc.freeze()


def process_state() -> dict[str, Any]:
    """The process state a department could change (``restore_process_state`` puts it back)."""
    import copy
    import decimal
    import warnings

    import numpy
    from pandas._config import config as pd_config

    mpl = sys.modules.get("matplotlib")
    return {
        "rc": copy.deepcopy(dict(mpl.rcParams)) if mpl is not None else None,
        "pandas": copy.deepcopy(pd_config._global_config),
        "numpy": numpy.get_printoptions(),
        "environ": dict(os.environ),
        "path": list(sys.path),
        "modules": set(sys.modules),
        "warnings": list(warnings.filters),
        "decimal": decimal.getcontext().copy(),
    }


def _restore_nested(target: dict, saved: dict) -> None:
    """Put a nested dict (pandas' option tree) back in place, keeping the dict objects."""
    import copy

    for key in list(target):
        if key not in saved:
            del target[key]
    for key, value in saved.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _restore_nested(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


def _own_module(module: Any, roots: tuple[str, ...]) -> bool:
    path = getattr(module, "__file__", None)
    return not path or os.path.realpath(path).startswith(roots)


def kernel_reset(cwd: str) -> None:
    """Bring the kernel back to its warm-up state and change to the department's folder."""
    import gc

    if _SNAPSHOT is None:
        raise RuntimeError("kernel_warm_up has not run")
    reset_namespace()
    restore_process_state(_SNAPSHOT)
    gc.collect()
    os.chdir(cwd)


def reset_namespace() -> None:
    """The shell's names, history and pyplot figures gone; the execution counter back to 1."""
    from IPython import get_ipython

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    shell = get_ipython()
    # A new history session puts the execution counter back to 1 (as in a fresh kernel)
    # without clashing with the line numbers already stored for the previous department.
    shell.reset(new_session=True)
    shell.execution_count = 1


def _set_rc(mpl: Any, saved: dict[str, Any]) -> None:
    import copy

    rc = mpl.rcParams
    for key in [k for k in rc if k not in saved]:
        dict.__delitem__(rc, key)
    dict.update(rc, copy.deepcopy(saved))


def matplotlib_as_imported() -> None:
    """matplotlib's settings as its import gives them (a fresh kernel's), where this process has
    it imported: the kit's own process may have changed them (``kit.run.inline`` calls this
    before a department's cells; ``restore_process_state`` puts them back). The backend stays."""
    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        _set_rc(mpl, {**dict(mpl.rcParamsOrig), "backend": dict.__getitem__(mpl.rcParams, "backend")})


def restore_process_state(snap: dict[str, Any]) -> None:
    """Settings, environment, paths, modules, warning filters and decimal context as in ``snap``
    (``process_state``)."""
    import decimal
    import warnings

    import numpy
    from pandas._config import config as pd_config

    mpl = sys.modules.get("matplotlib")
    if mpl is not None:
        # A department that imported matplotlib (the report does not) leaves it imported: its
        # settings go back to those of the import (a fresh kernel's), or of the warm-up.
        # dict.update skips rcParams' validators: the saved values were valid when taken. A
        # copy, because a department may change a list value in place.
        _set_rc(mpl, snap["rc"] if snap["rc"] is not None else dict(mpl.rcParamsOrig))
        fonts = sys.modules.get("kit.report.fonts")
        if fonts is not None and snap["rc"] is None:
            fonts.setup_fonts.cache_clear()  # its font registration went with the settings
    _restore_nested(pd_config._global_config, snap["pandas"])
    numpy.set_printoptions(**snap["numpy"])
    if dict(os.environ) != snap["environ"]:
        os.environ.clear()
        os.environ.update(snap["environ"])
        import time

        time.tzset()
    sys.path[:] = snap["path"]
    warnings.filters[:] = snap["warnings"]
    getattr(warnings, "_filters_mutated", lambda: None)()  # drop the per-module "already warned" caches
    decimal.setcontext(snap["decimal"].copy())
    # Modules a department imported from its own folder (or anywhere outside the Python
    # installation and the kit package) are forgotten: a fresh kernel would import that
    # folder's version.
    roots = tuple({os.path.realpath(p) + os.sep for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
                  | {os.path.realpath(str(Path(__file__).resolve().parents[1])) + os.sep})
    for name in [n for n in sys.modules if n not in snap["modules"]]:
        if _own_module(sys.modules[name], roots):
            snap["modules"].add(name)  # judged once: kept now, kept next time
        else:
            del sys.modules[name]


# ----------------------------------------------------------------------------------------------
# Worker side: the kernel a worker process keeps, and the papermill engine that uses it.


def _quiet_manager(kernel_name: str):
    from .kernels import quiet_kernel_manager

    return quiet_kernel_manager()(kernel_name=kernel_name)


class WarmKernel:
    """One kernel, started on first use and reused; replaced after a failure or RECYCLE_AFTER uses."""

    def __init__(self, kernel_name: str = "python3", recycle_after: int = RECYCLE_AFTER):
        self.kernel_name = kernel_name
        self.recycle_after = max(1, recycle_after)
        self.km = None
        self.kc = None
        self.uses = 0
        self.starts = 0
        self.launched: str | None = None  # the warm-up request of a kernel started, not yet waited for

    # jupyter_client's async API, driven the way nbclient drives it (one loop per thread).
    def _sync(self, coro_fn, *args, **kw):
        from jupyter_core.utils import run_sync

        return run_sync(coro_fn)(*args, **kw)

    def alive(self) -> bool:
        return self.km is not None and bool(self._sync(self.km.is_alive))

    def launch(self) -> None:
        """Start the kernel process and return without waiting for it (``start`` finishes it):
        a batch worker does its own imports while the kernel boots."""
        self.discard()
        km = _quiet_manager(self.kernel_name)
        # The kernel starts in the kit's folder, never a department's; kernel_reset changes to it.
        # History in memory: a new history session per department (which puts the execution
        # counter back to 1) would otherwise cost a disk commit each time.
        self._sync(km.start_kernel, cwd=str(Path(__file__).resolve().parents[2]),
                   extra_arguments=["--HistoryManager.hist_file=:memory:"])
        kc = km.client()
        kc.start_channels()
        self.km, self.kc = km, kc
        # The warm-up is queued at once (ZeroMQ delivers it when the kernel is up): the kernel
        # imports what the notebook needs while this process goes on.
        self.launched = kc.execute(WARM_UP, silent=True, store_history=False)

    def start(self, start_timeout: float) -> None:
        """A kernel ready and warmed up: the one ``launch`` started, or a new one."""
        if not self.launched:
            self.launch()
        warm_up, self.launched = self.launched, None
        try:
            self._wait(warm_up, start_timeout)
            self._sync(self.kc.wait_for_ready, timeout=start_timeout)
        except Exception:
            self.discard()
            raise
        self.uses = 0
        self.starts += 1

    def _run(self, code: str, timeout: float) -> None:
        """Execute code silently (no execution count, no history) and wait for its reply."""
        self._wait(self.kc.execute(code, silent=True, store_history=False), timeout)

    def _wait(self, msg_id: str, timeout: float) -> None:
        """Wait for the reply to execute request ``msg_id``; raise if it failed."""
        import time
        from queue import Empty

        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise WarmKernelError(f"kernel did not answer within {timeout:.0f} s", FailureKind.TIMEOUT)
            try:
                reply = self._sync(self.kc.get_shell_msg, timeout=min(left, 1.0))
            except Empty:
                if not self.alive():
                    raise WarmKernelError("kernel died", FailureKind.KERNEL_DIED) from None
                continue
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            content = reply["content"]
            if content.get("status") != RunStatus.OK:
                raise WarmKernelError(f"{content.get('ename', '')}: {content.get('evalue', '')}")
            return

    def prepare(self, cwd: str, start_timeout: float) -> None:
        """A kernel ready for the next department, in folder ``cwd``."""
        if self.km is None or self.launched is not None or self.uses >= self.recycle_after or not self.alive():
            self.start(start_timeout)
        try:
            self._run(f"import kit.run.warm as _kit_warm; _kit_warm.kernel_reset({cwd!r})", RESET_TIMEOUT)
        except Exception:
            # A kernel that cannot be reset is replaced, and the new one must reset cleanly.
            self.start(start_timeout)
            self._run(f"import kit.run.warm as _kit_warm; _kit_warm.kernel_reset({cwd!r})", RESET_TIMEOUT)
        self.uses += 1

    def discard(self) -> None:
        km, kc = self.km, self.kc
        self.km = self.kc = None
        self.launched = None
        if kc is not None:
            try:
                kc.stop_channels()
            except Exception:  # noqa: BLE001 - best effort on a kernel being thrown away
                pass
        if km is not None:
            try:
                self._sync(km.shutdown_kernel, now=True)
            except Exception:  # noqa: BLE001
                pass


_LOCAL = threading.local()
_ALL: list[WarmKernel] = []
_SHUTDOWN_REGISTERED = False


def warm_kernel(kernel_name: str = "python3") -> WarmKernel:
    """This thread's warm kernel (a worker process runs departments in one thread)."""
    kernels = getattr(_LOCAL, "kernels", None)
    if kernels is None:
        kernels = _LOCAL.kernels = {}
    if kernel_name not in kernels:
        _register_shutdown()
        kernels[kernel_name] = WarmKernel(kernel_name)
        _ALL.append(kernels[kernel_name])
    return kernels[kernel_name]


def shutdown_all() -> None:
    """Stop every warm kernel of this process (each starts again if used later)."""
    for kernel in list(_ALL):
        kernel.discard()


def _register_shutdown() -> None:
    global _SHUTDOWN_REGISTERED
    if _SHUTDOWN_REGISTERED:
        return
    import atexit
    from multiprocessing import util

    atexit.register(shutdown_all)
    # Pool workers leave through os._exit, which skips atexit; multiprocessing's finalizers run.
    util.Finalize(None, shutdown_all, exitpriority=20)
    _SHUTDOWN_REGISTERED = True


def _forget_inherited_kernels() -> None:
    # A process forked from one that holds a warm kernel (a pool worker) must not talk to its
    # parent's kernel, nor shut it down: it starts its own when it needs one.
    global _LOCAL, _ALL, _SHUTDOWN_REGISTERED
    _LOCAL, _ALL, _SHUTDOWN_REGISTERED = threading.local(), [], False


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_inherited_kernels)


def _notebook_failed(nb) -> bool:
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if out.get("output_type") == "error":
                return True
    return False


def _engine_class():
    """The papermill engine class (built on first use: papermill is not imported in kernels)."""
    from papermill.engines import NBClientEngine

    class WarmEngine(NBClientEngine):
        """papermill engine ``kit_warm``: executes on this worker's warm kernel."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            from papermill.clientwrap import PapermillNotebookClient
            from papermill.log import logger

            kernel = warm_kernel(kernel_name)
            # papermill has changed this process to the cwd it was given; the kernel follows.
            kernel.prepare(os.getcwd(), start_timeout)
            for key in ("input_path", "timeout", "startup_timeout", "kernel_manager_class", "km"):
                kwargs.pop(key, None)
            client = PapermillNotebookClient(
                nb_man, km=kernel.km, timeout=execution_timeout, startup_timeout=start_timeout,
                kernel_name=kernel_name, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file, **kwargs,
            )
            client.kc = kernel.kc
            # papermill writes the whole notebook after every cell (about 30 times a department);
            # it is written once, when the run ends, failed or not (papermill's notebook_complete).
            output_path, nb_man.output_path = nb_man.output_path, None
            try:
                client.execute()
            except BaseException:
                kernel.discard()  # timed out (still busy), died, or interrupted: never reused
                raise
            finally:
                nb_man.output_path = output_path
            if _notebook_failed(nb_man.nb):
                kernel.discard()
            return nb_man.nb

    WarmEngine.__module__, WarmEngine.__qualname__ = __name__, "WarmEngine"
    return WarmEngine


_ENGINE = None


def __getattr__(name: str):
    # ``kit.run.warm:WarmEngine`` is the papermill entry point; the kernel imports this module
    # without papermill, so the class is made when first asked for.
    global _ENGINE
    if name == "WarmEngine":
        if _ENGINE is None:
            _ENGINE = _engine_class()
        return _ENGINE
    raise AttributeError(name)


def register_engine() -> None:
    """Make ``kit_warm`` known to papermill in this process (the entry point may be missing)."""
    from papermill.engines import papermill_engines

    engine = __getattr__("WarmEngine")
    if papermill_engines._engines.get(ENGINE_NAME) is not engine:
        papermill_engines.register(ENGINE_NAME, engine)
