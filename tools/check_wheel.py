"""Build the wheel, install it in a clean virtual environment and use it as a new user would.

Run by CI (``make check-wheel``). Nothing of the source checkout is visible to the installed
kit: it runs in an empty folder, with no system CJK font (``KIT_FONT_DIRS`` empty), so it must
find its notebooks, the sample and its own font in the installation. Prints one line per step
and a closing ``wheel: N passed, M failed``; exits 1 when a step failed.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def main() -> int:
    results: list[tuple[str, bool, str]] = []

    def step(name: str, ok: bool, detail: str = "") -> bool:
        results.append((name, ok, detail))
        print(f"{'ok  ' if ok else 'FAIL'} {name}" + (f"\n{detail}" if detail and not ok else ""), flush=True)
        return ok

    with tempfile.TemporaryDirectory(prefix="kit-wheel-") as tmp:
        base = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("KIT_", "PYTHON", "VIRTUAL_ENV"))}
        t0 = time.monotonic()
        # -v: the build backend's warnings (e.g. setuptools on the licence fields) are shown.
        built = run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(base / "dist"), str(ROOT)],
                    base, env)
        wheels = sorted((base / "dist").glob("*.whl"))
        if not step("build the wheel", built.returncode == 0 and len(wheels) == 1, built.stderr[-3000:]):
            return 1
        output = (built.stdout + built.stderr).splitlines()
        legacy = [line for line in output if "warning" in line.lower() and "licen" in line.lower()]
        step("no licence warning from the build backend", not legacy, "\n".join(legacy))
        venv = base / "venv"
        made = run([sys.executable, "-m", "venv", str(venv)], base, env)
        if not step("create a clean venv", made.returncode == 0, made.stderr[-3000:]):
            return 1
        bin_ = venv / ("Scripts" if os.name == "nt" else "bin")
        inst = run([str(bin_ / "python"), "-m", "pip", "install", "-q", str(wheels[0])], base, env)
        if not step(f"pip install the wheel ({time.monotonic() - t0:.0f} s so far)", inst.returncode == 0,
                    inst.stderr[-3000:]):
            return 1
        kit = str(bin_ / "kit")
        work = base / "work"
        work.mkdir()
        env_run = {**env, "KIT_FONT_DIRS": "", "MPLCONFIGDIR": str(base / "mpl"), "PATH": f"{bin_}{os.pathsep}{env['PATH']}"}
        where = run([str(bin_ / "python"), "-c", "import kit; print(kit.__file__)"], work, env_run)
        step("the kit imported is the installed one", where.returncode == 0 and str(venv) in where.stdout,
             where.stdout + where.stderr)

        synth = run([kit, "synth", "3", "--out", "synth", "--seed", "1"], work, env_run)
        step("kit synth 3 (the sample found in the installation)",
             synth.returncode == 0 and len(list((work / "synth" / "params").glob("*.yaml"))) == 3,
             synth.stdout + synth.stderr)

        params = venv / "share" / "audit-notebook-kit" / "params" / "022006.yaml"
        check = run([kit, "check", str(params), "--format", "json"], work, env_run)
        try:
            doc = json.loads(check.stdout)
        except ValueError:
            doc = {}
        step("kit check of the installed sample", check.returncode == 0
             and doc.get("department", {}).get("name") == "深圳市龙岗中心医院", check.stdout[-2000:] + check.stderr)

        render = run([kit, "render", str(params), "--out", "one"], work, env_run)
        ipynb = work / "one" / "022006.ipynb"
        text = ipynb.read_text(encoding="utf-8") if ipynb.is_file() else ""
        step("kit render of the sample with no system font (no missing glyph)",
             render.returncode == 0 and (work / "one" / "022006.html").is_file() and text and "Glyph" not in text,
             render.stdout + render.stderr)

        batch = run([kit, "render", "synth/params", "--out", "batch", "-j", "2", "-q"], work, env_run)
        try:
            rows = json.loads((work / "batch" / "manifest.json").read_text(encoding="utf-8"))["departments"]
        except (OSError, ValueError, KeyError):
            rows = []
        step("kit render of a 3-department batch", batch.returncode == 0 and len(rows) == 3
             and all(r["status"] == "ok" for r in rows) and (work / "batch" / "index.html").is_file(),
             batch.stdout + batch.stderr)

    failed = sum(1 for _, ok, _ in results if not ok)
    print(f"wheel: {len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
