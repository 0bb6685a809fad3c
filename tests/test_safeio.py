"""kit.core.safeio: only regular files are read, and never past the bound, whatever their size says."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kit.core.errors import LoadError
from kit.core.safeio import check_name, read_bounded, read_head


def test_a_regular_file_within_the_bound_is_read_whole(tmp_path):
    p = tmp_path / "d.yaml"
    p.write_bytes(b"x" * 100)
    assert read_bounded(p, 100) == b"x" * 100
    with pytest.raises(LoadError) as exc:
        read_bounded(p, 99)
    assert "过大" in str(exc.value) and "99" in str(exc.value)


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc")
def test_a_file_that_reports_size_zero_is_still_read_to_the_bound_only():
    # /proc files are regular with st_size 0: the bound holds on what is read, not on what stat says.
    assert os.stat("/proc/self/maps").st_size == 0
    with pytest.raises(LoadError) as exc:
        read_bounded("/proc/self/maps", 16)
    assert "超过 16 字节" in str(exc.value)


def test_special_files_give_an_empty_head_and_never_block(tmp_path):
    os.mkfifo(tmp_path / "pipe.yaml")
    assert read_head(tmp_path / "pipe.yaml", 4096) == b""
    assert read_head("/dev/zero", 4096) == b""
    assert read_head(tmp_path / "missing.yaml", 4096) == b""


def test_a_name_that_is_not_utf8_is_refused_with_its_bytes_shown(tmp_path):
    name = tmp_path / os.fsdecode(b"\xd6\xd0\xce\xc4.yaml")  # 中文 in GBK
    with pytest.raises(LoadError) as exc:
        check_name(name)
    (p,) = exc.value.problems
    assert p.file.endswith("\\xd6\\xd0\\xce\\xc4.yaml")
    p.file.encode("utf-8")  # the message itself can be written anywhere
    check_name(tmp_path / "中文.yaml")  # a UTF-8 name passes
