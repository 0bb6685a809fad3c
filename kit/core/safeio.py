"""Reading a file someone else named (only regular files, never more than a bound), and
replacing a file atomically.

A department's parameter file names its data file, and a data path can be a symlink to
``/dev/zero`` (read forever), a FIFO (opening or reading it waits for a writer that never
comes), a symlink loop, a name longer than the file system allows, or a name that is not
UTF-8. Each is a ``LoadError`` naming the file, raised before anything is read:

- ``check_file(path, kind)`` says why a path cannot be read as a file, without opening it;
- ``read_bounded(path, limit, kind)`` returns the bytes of a regular file of at most ``limit``
  bytes: the file is opened without blocking (a FIFO swapped in after the check cannot hang
  it), checked again through its descriptor, and read to at most ``limit + 1`` bytes (a file
  that grows, or one of /proc that reports size 0, is still bounded);
- ``check_name(path, kind)`` refuses a name that is not valid UTF-8 (it could be shown in no
  report or manifest); the message shows its bytes escaped (``\\xff``). The batch calls it on
  each parameter file so that one such name is that department's error, not the batch's.
"""
from __future__ import annotations

import errno
import os
import secrets
import stat
from pathlib import Path
from typing import Callable

from .errors import FileMissing, LoadError, Problem
from .text import has_surrogates, path_text

_KINDS = (
    (stat.S_ISCHR, "字符设备（如 /dev/zero）"),
    (stat.S_ISBLK, "块设备"),
    (stat.S_ISFIFO, "命名管道（FIFO）"),
    (stat.S_ISSOCK, "套接字"),
)


def _what(mode: int) -> str:
    return next((label for test, label in _KINDS if test(mode)), "特殊文件")


def check_name(path: str | os.PathLike, kind: str = "数据文件") -> None:
    """A ``LoadError`` if the path is not valid UTF-8 (shown with its bytes escaped)."""
    if has_surrogates(os.fspath(path)):
        raise LoadError(Problem(f"{kind}的路径不是有效的 UTF-8 编码，无法在报告和清单中写出", file=path_text(path),
                                expected="只含 UTF-8 字符的文件名和文件夹名（请重命名）"))


def _os_problem(exc: OSError, path: str | os.PathLike, kind: str) -> Problem:
    name = path_text(path)
    code = exc.errno
    if code == errno.ENOENT:
        dangling = os.path.islink(path)
        return Problem(f"找不到{kind}" + ("（符号链接指向的文件不存在）" if dangling else ""), file=name)
    if code == errno.ELOOP:
        return Problem(f"{kind}的路径中有符号链接循环", file=name, expected="指向实际文件的路径")
    if code == errno.ENAMETOOLONG:
        return Problem(f"{kind}的文件名过长，超过文件系统的限制", file=name, expected="较短的文件名（每一级不超过 255 字节）")
    if code == errno.ENOTDIR:
        return Problem(f"找不到{kind}（路径中的某一级不是文件夹）", file=name)
    if code in (errno.EACCES, errno.EPERM):
        return Problem(f"没有读取{kind}的权限", file=name)
    return Problem(f"无法读取{kind}：{exc.strerror or exc}", file=name)


def _check_mode(mode: int, size: int, path, kind: str, limit: int | None) -> None:
    name = path_text(path)
    if stat.S_ISDIR(mode):
        raise LoadError(Problem(f"这是一个文件夹，不是{kind}", file=name))
    if not stat.S_ISREG(mode):
        raise LoadError(Problem(f"这不是普通文件，而是{_what(mode)}，不读取", file=name, expected=f"一个普通的{kind}"))
    if limit is not None and size > limit:
        raise LoadError(Problem(f"{kind}过大（{size:,} 字节）", file=name, expected=f"不超过 {limit:,} 字节"))


def check_file(path: str | os.PathLike, kind: str = "数据文件", limit: int | None = None) -> None:
    """Why ``path`` cannot be read as a (bounded) regular file, as a ``LoadError``; nothing opened."""
    check_name(path, kind)
    try:
        st = os.stat(path)  # follows symlinks: what matters is what they point to
    except OSError as exc:
        cls = FileMissing if exc.errno in (errno.ENOENT, errno.ENOTDIR) else LoadError
        raise cls(_os_problem(exc, path, kind)) from None
    except ValueError:  # NUL in the path
        raise LoadError(Problem(f"{kind}的路径含有不允许的控制字符", file=path_text(path))) from None
    _check_mode(st.st_mode, st.st_size, path, kind, limit)


def read_bounded(path: str | os.PathLike, limit: int, kind: str = "数据文件") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, or a ``LoadError`` saying why not."""
    check_file(path, kind, limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise LoadError(_os_problem(exc, path, kind)) from None
    try:
        st = os.fstat(fd)  # the file actually opened (it may have been swapped since the check)
        _check_mode(st.st_mode, st.st_size, path, kind, limit)
        chunks, got = [], 0
        while got <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except BlockingIOError:  # pragma: no cover - a regular file does not block
        raise LoadError(Problem(f"{kind}暂时无法读取", file=path_text(path))) from None
    except OSError as exc:
        raise LoadError(_os_problem(exc, path, kind)) from None
    finally:
        os.close(fd)
    if got > limit:
        raise LoadError(Problem(f"{kind}过大（超过 {limit:,} 字节）", file=path_text(path),
                                expected=f"不超过 {limit:,} 字节"))
    return b"".join(chunks)


def read_head(path: str | os.PathLike, size: int) -> bytes:
    """The first ``size`` bytes of a regular file, or ``b""`` for anything else (never blocks)."""
    try:
        check_file(path, "文件")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except (LoadError, OSError, ValueError):
        return b""
    try:
        return os.read(fd, size) if stat.S_ISREG(os.fstat(fd).st_mode) else b""
    except OSError:
        return b""
    finally:
        os.close(fd)


def resolve(path: Path, kind: str = "数据文件") -> Path:
    """``path`` made absolute with symlinks followed, or a ``LoadError`` (a loop raised RuntimeError)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError) as exc:
        if isinstance(exc, RuntimeError):  # Python < 3.13 reports a symlink loop this way
            exc = OSError(errno.ELOOP, os.strerror(errno.ELOOP))
        raise LoadError(_os_problem(exc, path, kind)) from None


def replace_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file in the same folder and a rename: a reader
    never sees half a file, and no temporary file is left behind. The kit's one atomic write."""
    path = Path(path)
    replace_all_atomic({path: data})
    return path


def replace_all_atomic(files: dict[Path, bytes], before_commit: Callable[[], None] | None = None) -> None:
    """Several files written together: every temporary file first (beside its target), then the
    renames back to back, so an interruption leaves all of them old or all new.

    ``before_commit`` runs between the two (it may raise to write nothing). An ``OSError`` is
    raised as it is; no temporary file is left behind either way.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            path = Path(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            # A name of its own (pid and a random part), its mode the umask's as for any file written.
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
            staged.append((tmp, path))
            tmp.write_bytes(data)
        if before_commit is not None:
            before_commit()
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _path in staged:
            tmp.unlink(missing_ok=True)
