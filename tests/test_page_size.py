"""Page size: the report page carries only the style rules that can apply to it (nbconvert's lab
template inlines all of JupyterLab's stylesheet), with the same look: a browser draws the page
pixel for pixel as with every rule, at desktop and phone widths."""
from __future__ import annotations

import re

import pytest

from kit.report.styles import page_classes, prune, prune_css

FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}", re.S)


def test_rules_that_cannot_match_go_the_rest_stays():
    css = """/* c */ .a .b { color: red } .zz { color: blue } .a:not(.zz) { margin: 0 }
    p, .zz > i { x: 1 } @media print { .zz { a: b } .a { c: d } } @media screen { .zz { e: f } }
    :root { --used: 1px; --chain: var(--used); --unused: 2px } @font-face { font-family: X }
    .q:is(.zz) { k: v } [data-x] { y: 2 }"""
    out = prune_css(css, {"a", "b"})
    assert ".a .b" in out and ".a:not(.zz)" in out and "p, .zz > i" in out and "@mediaprint{.a{" in out.replace(" ", "")
    assert ".zz{" not in out.replace(" ", "") and "@media screen" not in out and "/* c */" not in out
    assert "@font-face" in out and ".q:is(.zz)" in out and "[data-x]" in out


def test_unused_custom_properties_go_used_ones_stay_transitively():
    page = ("<html><head><style>:root { --a: 1px; --b: var(--a); --c: 3px; --d: 4px } .k { width: var(--b) }"
            "</style></head><body><div class=\"k\" style=\"height: var(--d)\"></div></body></html>")
    out = prune(page)
    assert "--a: 1px" in out and "--b: var(--a)" in out and "--d: 4px" in out and "--c" not in out


def test_a_page_with_a_script_keeps_every_rule():
    page = "<style>.never { color: red }</style><body><script>1</script></body>"
    assert prune(page) == page and page_classes(page) == set()


@pytest.mark.kernel
def test_sample_page_is_small_and_looks_the_same(tmp_path_factory, tmp_path):
    import nbformat

    from kit.report.export import export_html
    from kit.report.pdf import chromium_path
    from render_helpers import rendered

    res = rendered(tmp_path_factory.getbasetemp(), "sample")
    page = res.html.read_text(encoding="utf-8")
    size = len(FONT_FACE.sub("", page).encode())  # the embedded font subset is counted on its own
    assert size <= 250 * 1024, f"{size / 1024:.0f} KiB"
    full = export_html(nbformat.read(res.ipynb, as_version=4), prune_styles=False)
    assert prune(full) == prune(prune(full))
    no_style = re.compile(r"<style[^>]*>.*?</style>", re.S)
    assert no_style.sub("", prune(full)) == no_style.sub("", full)  # only style rules differ
    assert no_style.sub("", page) == no_style.sub("", prune(full))  # the page written is the pruned one
    exe = chromium_path()
    if exe is None:
        pytest.skip("no chromium: the look is compared in a browser")
    import subprocess

    from PIL import Image, ImageChops

    pages = {"pruned": prune(full), "full": full}
    for width in (1280, 420):
        shots = {}
        for name, text in pages.items():
            f = tmp_path / f"{name}.html"
            f.write_text(text, encoding="utf-8")
            shot = tmp_path / f"{name}-{width}.png"
            subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                            f"--window-size={width},9000", f"--screenshot={shot}", f.as_uri()],
                           capture_output=True, timeout=180)
            shots[name] = Image.open(shot).convert("RGB")
        assert ImageChops.difference(shots["pruned"], shots["full"]).getbbox() is None, width
