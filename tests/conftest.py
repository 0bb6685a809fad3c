"""Shared fixtures: the repository, the sample department and throw-away copies of it."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest

from kit import load_department

ROOT = Path(__file__).resolve().parents[1]


def disk_full_for_import_record(monkeypatch) -> None:
    """Writing an import record (``*.import.yaml``) fails with ENOSPC, as on a full disk; every other
    write goes through."""
    import errno
    import os
    import pathlib

    real = pathlib.Path.write_bytes

    def full(self, data):
        if ".import.yaml" in self.name:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, data)

    monkeypatch.setattr(pathlib.Path, "write_bytes", full)
SAMPLE_DATA = ROOT / "data" / "022006-2022.yaml"
SAMPLE_PARAMS = ROOT / "params" / "022006.yaml"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def sample_data_path() -> Path:
    return SAMPLE_DATA


@pytest.fixture(scope="session")
def sample_params_path() -> Path:
    return SAMPLE_PARAMS


@pytest.fixture(scope="session")
def sample():
    """The sample department (read-only: the model is frozen)."""
    return load_department(SAMPLE_DATA)


@pytest.fixture(scope="session")
def chromium() -> str:
    """The browser the page and PDF tests drive: missing, it fails CI and skips elsewhere."""
    import os

    from kit.report.pdf import chromium_path

    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI 环境中没有 chromium：请先运行 make sysdeps（apt-get install chromium）")
        pytest.skip("未安装 chromium（/usr/bin/chromium）：运行 make sysdeps 后可执行浏览器和 PDF 测试")
    return path


def _edit(text: str, replace: dict[str, str] | None) -> str:
    for old, new in (replace or {}).items():
        # A replacement that matches nothing would make the test pass for the wrong reason.
        assert old in text, f"sample no longer contains {old!r}"
        text = text.replace(old, new, 1)
    return text


@pytest.fixture
def sample_copy(tmp_path: Path) -> Callable[..., tuple[Path, Path]]:
    """Copy the sample params + data into tmp_path (same layout), optionally editing the text.

    ``sample_copy(data={old: new}, params={old: new})`` returns ``(params_path, data_path)``.
    """

    def copy(data: dict[str, str] | None = None, params: dict[str, str] | None = None) -> tuple[Path, Path]:
        (tmp_path / "data").mkdir(exist_ok=True)
        (tmp_path / "params").mkdir(exist_ok=True)
        d = tmp_path / "data" / SAMPLE_DATA.name
        p = tmp_path / "params" / SAMPLE_PARAMS.name
        d.write_text(_edit(SAMPLE_DATA.read_text(encoding="utf-8"), data), encoding="utf-8")
        p.write_text(_edit(SAMPLE_PARAMS.read_text(encoding="utf-8"), params), encoding="utf-8")
        return p, d

    return copy


@pytest.fixture
def tmp_copy(tmp_path: Path) -> Callable[[Path], Path]:
    """Copy any file into tmp_path and return the copy's path."""

    def copy(src: Path, name: str | None = None) -> Path:
        dst = tmp_path / (name or src.name)
        shutil.copyfile(src, dst)
        return dst

    return copy


# CI runs the property tests on a fixed seed: a submission's CI must not fail on a random draw.
# Local runs keep exploring (and the failures they find become explicit regression tests).
from hypothesis import settings as _hyp_settings  # noqa: E402

_hyp_settings.register_profile("ci", derandomize=True)
if __import__("os").environ.get("CI"):
    _hyp_settings.load_profile("ci")


# --- The fast lane starts no kernel ----------------------------------------------------------------
# A test that starts a Jupyter kernel is marked `kernel` (make test-fast runs -m "not kernel"). Every
# other test runs with a kernelspec "python3" first on JUPYTER_PATH that only leaves a trip file and
# exits, in this process and in every process it starts: such a test fails, naming itself.
_GUARD_KERNEL = ("import os, sys; d = os.environ.get('KIT_TEST_KERNEL_TRIPS'); "
                 "d and open(os.path.join(d, str(os.getpid())), 'w').close(); sys.exit(3)")


def _kernel_guard(root: Path) -> tuple[Path, Path]:
    import json
    import sys

    spec = root / "kernels" / "python3"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-c", _GUARD_KERNEL, "-f", "{connection_file}"],
        "display_name": "fast-lane guard", "language": "python"}), encoding="utf-8")
    trips = root / "trips"
    trips.mkdir(exist_ok=True)
    return root, trips


def pytest_configure(config):
    import os
    import tempfile

    if "not kernel" in (config.option.markexpr or ""):  # the whole fast lane, session fixtures included
        root, trips = _kernel_guard(Path(tempfile.mkdtemp(prefix="kit-no-kernel-")))
        os.environ["JUPYTER_PATH"] = str(root)
        os.environ["KIT_TEST_KERNEL_TRIPS"] = str(trips)


@pytest.fixture(autouse=True)
def _starts_no_kernel_unless_marked(request, tmp_path_factory, monkeypatch):
    import os

    if request.node.get_closest_marker("kernel"):
        yield
        return
    trips = Path(os.environ["KIT_TEST_KERNEL_TRIPS"]) if "KIT_TEST_KERNEL_TRIPS" in os.environ else None
    if trips is None:
        root, trips = _kernel_guard(tmp_path_factory.mktemp("no-kernel"))
        monkeypatch.setenv("JUPYTER_PATH", str(root))
        monkeypatch.setenv("KIT_TEST_KERNEL_TRIPS", str(trips))
    yield
    started = list(trips.iterdir())
    for p in started:
        p.unlink()
    if started:
        pytest.fail(f"{request.node.nodeid} started {len(started)} Jupyter kernel(s) but is not marked kernel "
                    "(mark it @pytest.mark.kernel, or test without a kernel)", pytrace=False)
