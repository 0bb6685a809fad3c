"""A CJK font for the charts, registered explicitly with matplotlib.

matplotlib's default font (DejaVu Sans) has no Chinese glyphs, so labels turn into boxes
(matplotlib #14269). Order of preference:

1. the font file named by ``KIT_CJK_FONT``;
2. a CJK font installed on the machine (Noto Sans CJK SC, WenQuanYi Micro Hei, then the fonts
   Windows and macOS auditors already have: Microsoft YaHei, SimHei, PingFang SC), searched in
   the usual font folders or in those ``KIT_FONT_DIRS`` names (``os.pathsep``-separated);
3. the font the kit ships (``fontdata/KitSansSC-Regular.otf``, a subset of Noto Sans CJK SC
   under the SIL Open Font License, ``fontdata/OFL.txt``): GB 2312 and every character of the
   kit's own texts, so ``pip install`` alone draws Chinese charts. A system font is preferred
   because it also covers rare characters of department names.

The font is registered with ``fontManager.addfont`` (the font cache may predate the font's
installation) and its family put first.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..core.errors import KitError, Problem

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
# Environment variable replacing the folders searched (os.pathsep-separated; empty: none).
DIRS_ENV_VAR = "KIT_FONT_DIRS"
BUNDLED = ("Kit Sans SC", Path(__file__).resolve().parent / "fontdata" / "KitSansSC-Regular.otf")


def font_dirs() -> list[Path]:
    """Folders searched for font files, system-wide and per user, on Linux, Windows and macOS."""
    if DIRS_ENV_VAR in os.environ:
        return [Path(d) for d in os.environ[DIRS_ENV_VAR].split(os.pathsep) if d and Path(d).is_dir()]
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
    bundled: bool = False  # the kit's own subset (no system font was found)


def _index_files(dirs: list[Path]) -> dict[str, Path]:
    """Lower-cased file name -> first path with that name, walking the folders once."""
    found: dict[str, Path] = {}
    for d in dirs:
        for root, _subdirs, files in os.walk(d):
            for name in sorted(files):
                found.setdefault(name.lower(), Path(root) / name)
    return found


def find_cjk_font(dirs: list[Path] | None = None) -> tuple[str, Path] | None:
    """The preferred CJK font installed on this machine as (family, path), or None.

    The kit's bundled font is not considered here (``setup_fonts`` falls back to it).
    """
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

    Raises ``KitError`` only when no system font is found and the kit's own font is missing
    from the installation (charts would show boxes).
    """
    import matplotlib
    from matplotlib import font_manager

    hit = find_cjk_font()
    bundled = hit is None
    if bundled:
        if not BUNDLED[1].is_file():
            raise KitError(
                Problem(
                    "未找到中文字体，图表中的中文将无法显示（本工具自带的字体文件也缺失，安装可能不完整）",
                    value=str(BUNDLED[1].name),
                    expected=(
                        "重新安装本工具，或安装 Noto Sans CJK SC 或文泉驿微米黑（Debian/Ubuntu：apt-get install "
                        f"fonts-noto-cjk fonts-wqy-microhei），或用环境变量 {ENV_VAR} 指定字体文件"
                    ),
                )
            )
        hit = BUNDLED
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
    return CJKFont(family, path, bundled)


def fontconfig_with_bundled(folder: Path) -> Path:
    """A fontconfig file (written in ``folder``) that adds the kit's own font to the fonts the
    machine has: the one that ``FONTCONFIG_FILE`` names, else the system's. Chromium then finds a
    Chinese face on a machine with none installed (a PDF would otherwise print boxes)."""
    from xml.sax.saxutils import escape

    base = os.environ.get("FONTCONFIG_FILE") or "/etc/fonts/fonts.conf"
    folder.mkdir(parents=True, exist_ok=True)
    conf = folder / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        f'  <include ignore_missing="yes">{escape(str(base))}</include>\n'
        f"  <dir>{escape(str(BUNDLED[1].parent))}</dir>\n"
        f"  <cachedir>{escape(str(folder / 'cache'))}</cachedir>\n"
        "</fontconfig>\n", encoding="utf-8")
    return conf
