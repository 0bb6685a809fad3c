"""The Jupyter kernels a kit process starts: quiet, owned, killable, and cleaned up.

Every kernel this process starts (papermill's fresh kernels and ``kit.run.warm``'s warm ones) is
made by ``quiet_kernel_manager()``: its output does not reach our terminal, it is recorded
here while alive, and its connection file goes to ``KIT_KERNEL_RUNTIME`` when set (the batch
points it inside ``--out``, so a killed batch leaves nothing in the temp folder the next run
cannot clear).

``kill_all()`` ends every kernel of this process at once (its whole process group: jupyter
starts each kernel in a session of its own) and removes the connection files; it is safe in
a signal handler. ``Deadline`` kills the kernels when a department's wall-clock limit is
reached. ``die_with_parent()`` makes a worker process end when the process that started it
ends, even by kill -9 (Linux: ``prctl(PR_SET_PDEATHSIG)``; elsewhere a thread polls the
parent). A kernel ends by itself when its parent (the worker) ends: ipykernel polls it.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

RUNTIME_ENV = "KIT_KERNEL_RUNTIME"

_LIVE: dict[int, Any] = {}  # id(kernel manager) -> kernel manager, while its kernel may run
_LOCK = threading.Lock()
_STOP = threading.Event()  # this process is stopping (a signal): no further writes


def _kernel_pid(km) -> int | None:
    process = getattr(getattr(km, "provisioner", None), "process", None)
    return getattr(process, "pid", None)


def _register(km) -> None:
    with _LOCK:
        _LIVE[id(km)] = km


def _unregister(km) -> None:
    with _LOCK:
        _LIVE.pop(id(km), None)


def kill_all() -> int:
    """Kill every kernel of this process (with its subprocesses), remove their connection files.

    Returns how many were signalled. Uses only os calls: safe from a signal handler.
    """
    with _LOCK:
        managers = list(_LIVE.values())
    n = 0
    for km in managers:
        pid = _kernel_pid(km)
        if pid:
            for kill in (os.killpg, os.kill) if hasattr(os, "killpg") else (os.kill,):
                try:
                    kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
                    n += 1
                    break
                except (ProcessLookupError, PermissionError):
                    continue
        remove_connection_file(km)
    return n


def remove_connection_file(km) -> None:
    path = getattr(km, "connection_file", "")
    if path:
        try:
            os.unlink(path)
        except OSError:
            pass


@contextmanager
def on_stop_signals(*actions: Callable[[str], Any]) -> Iterator[list[str]]:
    """SIGINT/SIGTERM for the block's lifetime: the kit's one signal helper.

    Yields a list that receives the name of each signal caught; the first one also runs each of
    ``actions`` with that name (an action that fails does not stop the others). The handlers before are restored
    on leaving; outside the main thread nothing is installed (Python allows handlers only there).
    """
    caught: list[str] = []

    def handler(signum, _frame) -> None:
        caught.append(signal.Signals(signum).name)
        if len(caught) == 1:
            for fn in actions:
                try:
                    fn(caught[0])
                except Exception:  # noqa: BLE001 - stopping must go on
                    pass

    saved = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            saved[sig] = signal.signal(sig, handler)
    try:
        yield caught
    finally:
        for sig, old in saved.items():
            signal.signal(sig, old)


def handle_alarm(handler: Callable[[int, Any], Any]) -> None:
    """SIGALRM handled by ``handler`` from now on (main thread only): ``kit.run.inline`` raises
    in a running cell with it; left installed, so an alarm that comes late finds it."""
    if signal.getsignal(signal.SIGALRM) is not handler:
        signal.signal(signal.SIGALRM, handler)


def request_stop() -> None:
    """Mark this process as stopping and kill its kernels (called from signal handlers)."""
    _STOP.set()
    kill_all()


def stopping() -> bool:
    return _STOP.is_set()


def clear_stop() -> None:
    """A long-lived worker (Dask) starts its next task unstopped."""
    _STOP.clear()
    _COMMITTING.clear()


# Set from the first rename of a department's files until its worker has reported them: a stop
# signal then waits for the report, so that the manifest knows of every file on disk.
_COMMITTING = threading.Event()


def begin_commit() -> None:
    _COMMITTING.set()


def end_commit() -> None:
    _COMMITTING.clear()


def committing() -> bool:
    return _COMMITTING.is_set()


def reset_after_fork() -> None:
    """A forked child owns none of its parent's kernels and is not stopping."""
    global _LOCK
    _LIVE.clear()
    _LOCK = threading.Lock()
    _STOP.clear()
    _COMMITTING.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=reset_after_fork)


def quiet_kernel_manager():
    """A kernel manager class whose kernel writes nothing to our terminal and is owned here.

    The kernel's own stderr carries start-up chatter (e.g. ipykernel's TCP warning), not cell
    output (that travels over the messaging channel and lands in the notebook).
    """
    import subprocess

    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def _async_pre_start_kernel(self, **kw):
            runtime = os.environ.get(RUNTIME_ENV)
            if runtime and not self.connection_file:
                Path(runtime).mkdir(parents=True, exist_ok=True)
                self.connection_file = str(Path(runtime) / f"kernel-{os.getpid()}-{uuid.uuid4().hex[:12]}.json")
            return await super()._async_pre_start_kernel(**kw)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw.setdefault("stderr", subprocess.DEVNULL)
            kw.setdefault("stdout", subprocess.DEVNULL)
            _register(self)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

        async def _async_cleanup_resources(self, restart: bool = False) -> None:
            # The last step of every shutdown (clean or forced); removes the connection file.
            try:
                await super()._async_cleanup_resources(restart=restart)
            finally:
                if not restart:
                    _unregister(self)
                    remove_connection_file(self)

        cleanup_resources = _async_cleanup_resources

    return QuietKernelManager


class Deadline:
    """A wall-clock limit: at ``seconds`` from now, kill this process's kernels.

    ``fired`` says afterwards whether the limit was reached (a timeout, whatever the error
    the notebook client then reports). Use as a context manager.
    """

    def __init__(self, seconds: float | None, on_fire: Callable[[], Any] = kill_all):
        self.seconds, self.on_fire = seconds, on_fire
        self.fired = False
        self._done = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Deadline:
        if self.seconds is not None:
            self._thread = threading.Thread(target=self._run, name="kit-deadline", daemon=True)
            self._thread.start()
        return self

    def _run(self) -> None:
        if not self._done.wait(self.seconds):
            self.fired = True
            self.on_fire()

    def __exit__(self, *exc) -> None:
        self._done.set()
        if self._thread is not None:
            self._thread.join()


def _set_pdeathsig(sig: int) -> bool:
    """Linux: have the kernel send ``sig`` to this process when its parent ends."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(1, int(sig), 0, 0, 0) == 0  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return False


def die_with_parent(parent_pid: int, on_orphan: Callable[[], Any]) -> None:
    """End this (worker) process when ``parent_pid`` ends, even by kill -9.

    ``on_orphan`` runs first (it kills the kernels); then the process exits at once, writing
    nothing more. Linux sends SIGTERM on the parent's death; a polling thread covers the rest
    (and the race where the parent died before prctl ran).
    """

    def orphaned(*_args) -> None:
        _STOP.set()
        try:
            on_orphan()
        finally:
            os._exit(143)

    if _set_pdeathsig(signal.SIGTERM):
        signal.signal(signal.SIGTERM, orphaned)

    def poll() -> None:
        while True:
            if os.getppid() != parent_pid:
                orphaned()
            time.sleep(0.5)

    threading.Thread(target=poll, name="kit-parent-poll", daemon=True).start()
