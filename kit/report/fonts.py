"""A CJK font for the charts, found on disk and registered explicitly with matplotlib.

matplotlib's default font (DejaVu Sans) has no Chinese glyphs, so labels turn into boxes
(matplotlib #14269). We look for a known CJK font file, register it with
``fontManager.addfont`` (the font cache may predate the font's installation) and put its
family first. Order of preference: Noto Sans CJK SC, WenQuanYi Micro Hei, then the fonts
Windows and macOS auditors already have (Microsoft YaHei, SimHei, PingFang SC).
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import KitError, Problem

# Preferred family -> file names that carry it (first match wins within a family).
CANDIDATES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Noto Sans CJK SC", ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf", "NotoSansSC-Regular.otf",
                          "NotoSansSC-Regular.ttf", "NotoSansCJKSC-Regular.otf")),
    ("WenQuanYi Micro Hei", ("wqy-microhei.ttc", "wqy-microhei.ttf")),
    ("Microsoft YaHei", ("msyh.ttc", "msyh.ttf")),
    ("SimHei", ("simhei.ttf",)),
    ("PingFang SC", ("PingFang.ttc",)),
)
# Environment variable naming a font file to use instead of searching.
ENV_VAR = "KIT_CJK_FONT"


def font_dirs() -> list[Path]:
    """Folders searched for font files, system-wide and per user, on Linux, Windows and macOS."""
    home = Path.home()
    dirs = [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".local/share/fonts",
        home / ".fonts",
        Path(sys.prefix) / "share/fonts",  # conda installs fonts here
        Path("/System/Library/Fonts"),
        Path("/Library/Fonts"),
        home / "Library/Fonts",
    ]
    windir = os.environ.get("WINDIR")
    if windir:
        dirs.append(Path(windir) / "Fonts")
    local = os.environ.get("LOCALAPPDATA")
    if local:
        dirs.append(Path(local) / "Microsoft/Windows/Fonts")
    return [d for d in dirs if d.is_dir()]


@dataclass(frozen=True)
class CJKFont:
    family: str  # the family name matplotlib now knows
    path: Path


def _index_files(dirs: list[Path]) -> dict[str, Path]:
    """Lower-cased file name -> first path with that name, walking the folders once."""
    found: dict[str, Path] = {}
    for d in dirs:
        for root, _subdirs, files in os.walk(d):
            for name in sorted(files):
                found.setdefault(name.lower(), Path(root) / name)
    return found


def find_cjk_font(dirs: list[Path] | None = None) -> tuple[str, Path] | None:
    """The preferred CJK font file on this machine as (family, path), or None."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        p = Path(explicit)
        if not p.is_file():
            raise KitError(Problem(f"环境变量 {ENV_VAR} 指定的字体文件不存在", value=explicit,
                                   expected="一个 .ttf/.otf/.ttc 中文字体文件"))
        return "", p
    files = _index_files(font_dirs() if dirs is None else dirs)
    for family, names in CANDIDATES:
        for name in names:
            path = files.get(name.lower())
            if path is not None:
                return family, path
    return None


@lru_cache(maxsize=1)
def setup_fonts() -> CJKFont:
    """Register the CJK font with matplotlib and make it the default sans-serif face.

    Raises ``KitError`` when no Chinese font is installed (charts would show boxes).
    """
    import matplotlib
    from matplotlib import font_manager

    hit = find_cjk_font()
    if hit is None:
        raise KitError(
            Problem(
                "未找到中文字体，图表中的中文将无法显示",
                expected=(
                    "安装 Noto Sans CJK SC 或文泉驿微米黑（Debian/Ubuntu：apt-get install fonts-noto-cjk "
                    f"fonts-wqy-microhei，或运行 make sysdeps），或用环境变量 {ENV_VAR} 指定字体文件"
                ),
            )
        )
    wanted, path = hit
    before = {id(f) for f in font_manager.fontManager.ttflist}
    font_manager.fontManager.addfont(str(path))
    # A .ttc holds several faces; matplotlib < 3.11 registers only the first one, so the
    # family we asked for may be absent: then use whatever family the file gave us.
    added = [f.name for f in font_manager.fontManager.ttflist if id(f) not in before]
    known = {f.name for f in font_manager.fontManager.ttflist if Path(f.fname) == path}
    if wanted and wanted in known:
        family = wanted
    elif added or known:
        family = (added or sorted(known))[0]
    else:  # pragma: no cover - addfont raised or the file holds no usable face
        raise KitError(Problem("中文字体文件无法被 matplotlib 读取", value=path.name))
    rc = matplotlib.rcParams
    rc["font.family"] = "sans-serif"
    rc["font.sans-serif"] = [family] + [f for f in rc["font.sans-serif"] if f != family]
    # CJK fonts lack U+2212 (the typographic minus); use the ASCII hyphen-minus.
    rc["axes.unicode_minus"] = False
    return CJKFont(family, path)
