"""Ctrl-C or SIGTERM during a `kit import` of many forms: a clean stop, one line, exit 130, no half file."""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SAMPLE_FORM = Path(__file__).parent / "assets" / "forms" / "longgang-central-hospital-2022.txt"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signal_stops_an_import_cleanly(tmp_path, sig):
    forms = tmp_path / "forms"
    forms.mkdir()
    for i in range(600):  # ~10 ms each: several seconds of work
        shutil.copy(SAMPLE_FORM, forms / f"f{i:04d}.txt")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "kit", "import", *sorted(map(str, forms.glob("*.txt"))),
                             "--out", str(out), "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not (out.is_dir() and any(out.glob("*.import.yaml"))) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the import ended before it could be interrupted"
    sent = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert time.monotonic() - sent < 5
    assert proc.returncode == 130
    assert "Traceback" not in err and "已中断" in err and "重新运行同一命令" in err
    assert not list(out.glob(".*.tmp")) and not list(out.glob("*.tmp"))
