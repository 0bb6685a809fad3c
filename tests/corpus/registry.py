"""What every corpus generator shares: the registry ``cases.yaml`` names generators from, and the
ways a generator writes its case (a file of given bytes, a symlink, a named pipe).

``make.py`` (loader cases) and ``make_import.py`` (``kit import`` cases) both register here.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

Generator = Callable[[Path], Path]
GENERATORS: dict[str, Generator] = {}


def register(name: str, fn: Generator) -> Generator:
    assert name not in GENERATORS, f"two corpus generators named {name}"
    GENERATORS[name] = fn
    return fn


def generator(fn: Generator) -> Generator:
    """Register ``fn`` under its own name."""
    return register(fn.__name__, fn)


def write(d: Path, name: str, data: str | bytes) -> Path:
    """``d/name`` holding ``data`` (text as UTF-8)."""
    p = d / name
    p.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return p


def symlink(d: Path, name: str, target: str | Path) -> Path:
    p = d / name
    os.symlink(target, p)
    return p


def fifo(d: Path, name: str) -> Path:
    """A named pipe with no writer (reading it would wait forever)."""
    p = d / name
    os.mkfifo(p)
    return p
