"""Stopping a batch: Ctrl-C, SIGTERM, kill -9 of the main process, and a second batch on one --out.

Each test runs ``kit render`` as a separate process (in its own session) over a few synthetic
departments, stops it once the first department is done, and checks what a user relies on:
it exits within seconds with one line and no traceback, nothing is written after the signal,
no worker or kernel is left, the manifest is true, and running the command again completes.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kit.run import batch
from kit.commands.synth import write_synthetic

pytestmark = [pytest.mark.kernel, pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")]


def _synth(folder: Path, n: int) -> Path:
    write_synthetic(n, folder, seed=7, planted_share=0.0)
    return folder / "params"


def _start(params: Path, out: Path, *extra: str, env: dict | None = None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "kit", "render", str(params), "--out", str(out), "-j", "2", "-q", *extra]
    return subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})


def _wait_first_done(out: Path, proc: subprocess.Popen, timeout: float = 180) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        done = [c for c, r in batch.read_manifest(out).items() if r["status"] == "ok"]
        if done:
            return done
        time.sleep(0.05)
    raise AssertionError("the first department never finished")


def _processes_of(out: Path) -> list[int]:
    """Processes (workers, kernels) started for this batch: their environment names its --out."""
    marker = f"{batch.STATE_DIR}/run-".encode()
    mine = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            env = Path(f"/proc/{pid}/environ").read_bytes()
        except OSError:
            continue
        if str(out).encode() + b"/" + marker in env and int(pid) != os.getpid():
            # multiprocessing's resource tracker (Dask starts one) belongs to the process that
            # ran the batch, here the test itself, and ends with it.
            if b"resource_tracker" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                mine.append(int(pid))
    return mine


def _wait_gone(out: Path, timeout: float = 10) -> list[str]:
    """Processes of this batch still alive after ``timeout`` seconds (with their command lines)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left = _processes_of(out)
        if not left:
            return []
        time.sleep(0.1)
    described = []
    for pid in _processes_of(out):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")[:200]
            described.append(f"{pid}: {cmdline!r}")
        except OSError:
            pass
    return described


def _newer_than(out: Path, when: float) -> list[str]:
    """Files of --out (reports, notebooks, JSON, index) modified after ``when``; the manifest aside."""
    return sorted(p.name for p in out.iterdir() if p.is_file() and p.name != batch.MANIFEST
                  and p.stat().st_mtime > when)


def _resume_completes(params: Path, out: Path, done: list[str]) -> None:
    kept = {c: (out / f"{c}.html").stat().st_mtime_ns for c in done}
    proc = subprocess.run([sys.executable, "-m", "kit", "render", str(params), "--out", str(out), "-j", "2", "-q"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    rows = batch.read_manifest(out)
    assert all(r["status"] == "ok" for r in rows.values()) and len(rows) == len(list(params.glob("*.yaml")))
    for c, mtime in kept.items():
        assert (out / f"{c}.html").stat().st_mtime_ns == mtime, f"{c} was rendered again"
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp") or ".run." in p.name]


@pytest.mark.parametrize("how", ["SIGINT to the process group (Ctrl-C)", "SIGTERM to the main process"])
def test_signal_stops_the_batch_cleanly_and_it_resumes(tmp_path, how):
    params = _synth(tmp_path / "in", 6)
    out = tmp_path / "out"
    proc = _start(params, out)
    _wait_first_done(out, proc)
    sent = time.time()
    if how.startswith("SIGINT"):
        os.killpg(proc.pid, signal.SIGINT)
    else:
        proc.send_signal(signal.SIGTERM)
    t0 = time.monotonic()
    _stdout, err = proc.communicate(timeout=30)
    took = time.monotonic() - t0
    assert took < 5, f"took {took:.1f} s to stop"
    assert proc.returncode == 130
    assert "Traceback" not in err and "Task exception" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "已中断" in lines[0] and "重新运行同一命令" in lines[0], err
    assert _wait_gone(out) == [], "a worker or kernel outlived the batch"
    assert _newer_than(out, sent) == []
    # The manifest is true: each ok row's files are there as recorded; the rest were not reached.
    rows = batch.read_manifest(out)
    assert set(rows) == {f"S{i:05d}" for i in range(1, 7)}
    for code, row in rows.items():
        if row["status"] == "ok":
            assert batch.is_current(batch.Job(code, "", str(out), 1, row["fingerprint"]), row, out)
        else:
            assert row["status"] == "not_reached", row
            assert not (out / f"{code}.json").exists(), (row, sorted(p.name for p in out.iterdir()))
    assert not (out / batch.STATE_DIR / f"run-{proc.pid}").exists()  # kernels' connection files
    _resume_completes(params, out, [c for c, r in rows.items() if r["status"] == "ok"])


def test_kill_9_of_the_main_process_leaves_no_worker_writing(tmp_path):
    params = _synth(tmp_path / "in", 6)
    out = tmp_path / "out"
    proc = _start(params, out)
    done = _wait_first_done(out, proc)
    proc.kill()  # the main process only: its workers and kernels must not go on alone
    killed = time.time()
    proc.wait()
    assert _wait_gone(out, timeout=10) == [], "orphaned workers or kernels"
    time.sleep(1.0)
    assert _newer_than(out, killed + 0.5) == [], "files written after the main process died"
    # The next run takes the dead batch's lock over, clears its leftovers and completes.
    _resume_completes(params, out, done)
    assert [p.name for p in (out / batch.STATE_DIR).iterdir()] == [batch.LOCK_FILE]


def test_a_second_batch_on_the_same_folder_is_refused(tmp_path):
    params = _synth(tmp_path / "in", 3)
    # The stand-in notebook hangs for a department named 'hang…': the first batch stays busy.
    (params / "S00003.yaml").rename(params / "hang-S00003.yaml")
    out = tmp_path / "out"
    first = _start(params, out, env={"KIT_NOTEBOOK": str(Path(__file__).parent / "assets" / "faulty.ipynb")})
    try:
        _wait_first_done(out, first)
        second = subprocess.run([sys.executable, "-m", "kit", "render", str(params), "--out", str(out), "-q"],
                                capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert "正被另一个批量运行使用" in second.stderr and "Traceback" not in second.stderr
        assert f"pid {first.pid}" in second.stderr
    finally:
        os.killpg(first.pid, signal.SIGINT)
        first.communicate(timeout=30)
    assert first.returncode == 130


def _marking_notebook(folder: Path) -> Path:
    """A notebook whose one cell marks that it runs, then sleeps: the moment to send a signal."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[
        new_code_cell("params_file = ''\nrender_time = ''", metadata={"tags": ["parameters"]}),
        new_code_cell("import os, time\nopen(os.environ['KIT_TEST_MARK'], 'w').close()\ntime.sleep(600)"),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = folder / "mark.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.parametrize("how", ["SIGTERM", "SIGINT"])
def test_a_signal_interrupts_a_cell_running_in_the_command_itself(tmp_path, how):
    # kit render of one department with --isolation inline: the cell sleeps in the command's own
    # process; the signal must end it within seconds, with one line and no page written.
    params = _synth(tmp_path / "in", 1)
    mark = tmp_path / "running"
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "kit", "render", str(params / "S00001.yaml"), "--out", str(out),
                             "--isolation", "inline"], start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "KIT_NOTEBOOK": str(_marking_notebook(tmp_path)),
                                 "KIT_TEST_MARK": str(mark)})
    deadline = time.monotonic() + 120
    while not mark.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mark.exists(), proc.communicate()[1]
    proc.send_signal(getattr(signal, how))
    t0 = time.monotonic()
    _stdout, err = proc.communicate(timeout=30)
    assert time.monotonic() - t0 < 5
    assert proc.returncode == 130
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "已中断" in lines[0] and "Traceback" not in err, err
    assert not (out / "S00001.html").exists()
