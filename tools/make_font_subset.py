"""Build the CJK font the kit ships (kit/report/fontdata/KitSansSC-Regular.otf).

The charts need a Chinese font; a machine without one (a server, a container, a conda or
pip-only install) would draw boxes. The kit therefore ships a subset of Noto Sans CJK SC
(SIL Open Font License 1.1, licence text beside the font): ASCII, Latin-1, general and CJK
punctuation, full-width forms, the symbols the reports print, every character GB 2312 encodes
(its 6,763 hanzi cover everyday Simplified Chinese) and every character in the kit's own
sources, notebooks, rule files and the sample. A font installed on the machine is still
preferred (kit/report/fonts.py): it covers rare characters of department names too.

The family is renamed "Kit Sans SC" so that it never shadows a full Noto Sans CJK SC that
matplotlib may also know. Run with fontTools installed:

    python tools/make_font_subset.py /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
"""
from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "kit" / "report" / "fontdata" / "KitSansSC-Regular.otf"
FAMILY = "Kit Sans SC"
RANGES = [
    (0x20, 0x7E), (0xA0, 0xFF),          # ASCII, Latin-1
    (0x2000, 0x206F), (0x2100, 0x214F),  # general punctuation, letterlike (℃ №)
    (0x2150, 0x218F), (0x2190, 0x21FF),  # number forms (Ⅰ Ⅱ), arrows
    (0x2200, 0x22FF), (0x2460, 0x24FF),  # maths (≥ ≤ ≠ ±), enclosed numbers (① ⑴)
    (0x2500, 0x257F), (0x25A0, 0x25FF),  # box drawing, geometric shapes (■ ○ △)
    (0x3000, 0x303F), (0x3200, 0x32FF),  # CJK punctuation, enclosed CJK (㈠)
    (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),  # CJK compatibility forms, full-width forms
]


def gb2312() -> set[int]:
    out = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.add(ord(bytes((hi, lo)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return out


def project_text() -> set[int]:
    out = set()
    for pattern in ("kit/**/*.py", "kit/**/*.yaml", "kit/templates/**/*", "notebooks/*.ipynb", "data/*.yaml",
                    "params/*.yaml"):
        for p in ROOT.glob(pattern):
            if p.is_file():
                out |= {ord(c) for c in p.read_text(encoding="utf-8", errors="ignore") if ord(c) >= 0x2E80}
    return out


def source_face(path: str) -> TTFont:
    if path.lower().endswith(".ttc"):
        for face in TTCollection(path).fonts:
            if face["name"].getDebugName(1) == "Noto Sans CJK SC":
                return face
        raise SystemExit(f"no 'Noto Sans CJK SC' face in {path}")
    return TTFont(path)


def main(src: str) -> None:
    font = source_face(src)
    cmap = font.getBestCmap()
    wanted = {c for a, b in RANGES for c in range(a, b + 1)} | gb2312() | project_text()
    unicodes = sorted(c for c in wanted if c in cmap)
    options = subset.Options()
    options.hinting = False  # matplotlib's Agg renders unhinted outlines well; hints double the size
    options.desubroutinize = False
    options.layout_features = ["kern", "vert", "locl"]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 11, 13, 14]
    options.notdef_outline = True
    sub = subset.Subsetter(options)
    sub.populate(unicodes=unicodes)
    sub.subset(font)
    name = font["name"]
    for rec in list(name.names):
        if rec.nameID in (1, 16):
            rec.string = FAMILY
        elif rec.nameID in (4,):
            rec.string = FAMILY
        elif rec.nameID in (3, 6):
            rec.string = "KitSansSC-Regular"
    name.removeNames(nameID=16)
    name.removeNames(nameID=17)
    desc = (f"Subset of Noto Sans CJK SC 2.004 (SIL Open Font License 1.1) for the audit notebook kit: "
            f"{len(unicodes)} characters.")
    name.setName(desc, 10, 3, 1, 0x409)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = ["KitSansSC-Regular"]
        top = cff.topDictIndex[0]
        for attr in ("FullName", "FamilyName"):
            if hasattr(top, attr):
                setattr(top, attr, FAMILY)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(OUT)
    print(f"{OUT.relative_to(ROOT)}: {len(unicodes)} characters, {OUT.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
