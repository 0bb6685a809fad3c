"""Batch rendering: fault isolation, manifest and index, resumability, duplicates, Dask.

Each department starts a kernel (seconds), so batches here are small and shared per module.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kit.run import batch
from kit.commands.cli import main
from kit.commands.synth import write_synthetic
from test_report_html import external_references

ROOT = Path(__file__).resolve().parents[1]
FAULTY = ROOT / "tests" / "assets" / "faulty.ipynb"


def _synth(folder: Path, n: int, seed: int = 11) -> Path:
    write_synthetic(n, folder, seed=seed, planted_share=0.0)
    return folder / "params"


@pytest.fixture(scope="module")
def broken_batch(tmp_path_factory):
    """3 good synthetic departments, one unreadable parameter file, one whose data cannot load."""
    base = tmp_path_factory.mktemp("batch")
    params = _synth(base / "in", 3)
    (params / "bad-code.yaml").write_text("dept_code: 12\nfiscal_year: 2022\ndata: nowhere.yaml\n", encoding="utf-8")
    data = base / "in" / "data" / "S00001-2022.yaml"
    broken = data.read_text(encoding="utf-8").replace("code: S00001", 'code: "X9"', 1)
    broken = broken.replace("format: kit-dept/1", "format: kit-dept/1\nbudget_typo: 1", 1)
    (base / "in" / "data" / "X9.yaml").write_text(broken, encoding="utf-8")
    (params / "X9.yaml").write_text('dept_code: "X9"\nfiscal_year: 2022\ndata: ../data/X9.yaml\n', encoding="utf-8")
    (params / "S00001.review.yaml").write_text("decisions: []\n", encoding="utf-8")  # read with S00001, not a department
    (params / "说明<b>.txt").write_text("不是参数文件\n", encoding="utf-8")  # not read: listed on the index page
    out = base / "out"
    code = main(["render", str(params), "--out", str(out), "-j", "2", "-q"])
    return code, out, json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.kernel
def test_broken_departments_do_not_stop_the_batch(broken_batch, capsys):
    code, out, manifest = broken_batch
    assert code == 1
    rows = {r["dept_code"]: r for r in manifest["departments"]}
    assert set(rows) == {"S00001", "S00002", "S00003", "X9", "bad-code"}
    for ok in ("S00001", "S00002", "S00003"):
        assert rows[ok]["status"] == "ok"
        assert (out / f"{ok}.html").is_file() and (out / f"{ok}.json").is_file()
        assert rows[ok]["recomputed_grade"] in {"优", "良", "中", "差"}
    assert rows["X9"]["status"] == "error" and "budget_typo" in rows["X9"]["error"]
    assert rows["bad-code"]["status"] == "error" and "dept_code" in rows["bad-code"]["error"]
    # Every department gets a page, the broken ones a page that says why.
    for bad in ("X9", "bad-code"):
        page = (out / rows[bad]["report"]).read_text(encoding="utf-8")
        assert "生成失败" in page
    assert str(out.parent) not in json.dumps(manifest["departments"][-1])


@pytest.mark.kernel
def test_index_lists_every_department_with_links_and_failures(broken_batch):
    _code, out, manifest = broken_batch
    page = (out / "index.html").read_text(encoding="utf-8")
    for row in manifest["departments"]:
        assert f'href="{row["report"]}"' in page
    assert "生成失败的部门" in page and "budget_typo" in page
    # The file of the folder that is not a parameter file is listed with why (escaped), not silently passed over.
    assert manifest["refused"] == [{"file": "说明<b>.txt", "reason": "不是参数文件（*.yaml、*.yml），未读取"}]
    assert "未读取的输入" in page and "说明&lt;b&gt;.txt" in page and "不是参数文件" in page
    assert "<script" not in page and external_references(page) == []
    assert str(out) not in page


@pytest.mark.kernel
def test_terminal_names_each_failed_department(tmp_path, capsys):
    params = _synth(tmp_path / "in", 1)
    (params / "bad.yaml").write_text("dept_code: 7\nfiscal_year: 2022\ndata: x.yaml\n", encoding="utf-8")
    assert main(["render", str(params), "--out", str(tmp_path / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "失败 bad（error）" in err and "Traceback" not in err


def test_duplicate_codes_stop_before_anything_runs(tmp_path, capsys):
    params = _synth(tmp_path / "in", 1)
    shutil.copy(params / "S00001.yaml", params / "copy.yaml")
    assert main(["render", str(params), "--out", str(tmp_path / "out"), "-q"]) == 2
    assert "部门编码重复" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.kernel
def test_rerun_skips_unchanged_and_redoes_changed(broken_batch, tmp_path):
    _code, out, manifest = broken_batch
    work = tmp_path / "out"
    shutil.copytree(out, work)
    params = out.parent / "in" / "params"
    before = {p.name: p.stat().st_mtime_ns for p in work.glob("S*.html")}
    data = out.parent / "in" / "data" / "S00002-2022.yaml"
    original = data.read_text(encoding="utf-8")
    try:
        data.write_text(original.replace("adjustment_reason:", "# edited\n  adjustment_reason:", 1), encoding="utf-8")
        main(["render", str(params), "--out", str(work), "-q"])
    finally:
        data.write_text(original, encoding="utf-8")
    after = {p.name: p.stat().st_mtime_ns for p in work.glob("S*.html")}
    assert after["S00001.html"] == before["S00001.html"]
    assert after["S00003.html"] == before["S00003.html"]
    assert after["S00002.html"] != before["S00002.html"]


@pytest.mark.kernel
def test_killed_batch_resumes_without_redoing_or_half_files(tmp_path):
    params = _synth(tmp_path / "in", 4, seed=3)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "kit", "render", str(params), "--out", str(out), "-j", "1", "-q"]
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    done: list[str] = []
    while time.monotonic() < deadline:
        done = [r["dept_code"] for r in batch.read_manifest(out).values() if r["status"] == "ok"]
        if done:
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # the batch and its kernels, mid-way
    proc.wait()
    assert done, "the first department never finished"
    first = {c: (out / f"{c}.html").stat().st_mtime_ns for c in done}
    assert main(["render", str(params), "--out", str(out), "-j", "1", "-q"]) == 0
    rows = batch.read_manifest(out)
    assert sorted(rows) == ["S00001", "S00002", "S00003", "S00004"]
    assert all(r["status"] == "ok" for r in rows.values())
    for c, mtime in first.items():
        assert (out / f"{c}.html").stat().st_mtime_ns == mtime, f"{c} was rendered again"
    # Temporary files of the killed run are cleared; every report is whole (ends its document).
    leftovers = [p.name for p in out.iterdir() if p.name.endswith(".tmp") or ".run." in p.name]
    assert leftovers == []
    for page in out.glob("*.html"):
        assert page.read_text(encoding="utf-8").rstrip().endswith("</html>")


@pytest.mark.kernel
def test_no_output_outside_out_whatever_the_code(tmp_path):
    params = _synth(tmp_path / "in", 1)
    for i, code in enumerate(("../escape", "/abs", "a\\0b", "..")):
        (params / f"evil{i}.yaml").write_text(
            f'dept_code: "{code}"\nfiscal_year: 2022\ndata: ../data/S00001-2022.yaml\n', encoding="utf-8")
    out = tmp_path / "deep" / "out"
    before = {p for p in tmp_path.rglob("*")}
    assert main(["render", str(params), "--out", str(out), "-q"]) == 1
    written = {p for p in tmp_path.rglob("*")} - before
    assert written and all(out in p.parents or p == out or p in out.parents for p in written)
    rows = batch.read_manifest(out)
    assert {r["status"] for c, r in rows.items() if c.startswith("evil")} == {"error"}
    assert all("部门编码" in r["error"] for c, r in rows.items() if c.startswith("evil"))


@pytest.fixture
def faulty_notebook(monkeypatch):
    monkeypatch.setenv("KIT_NOTEBOOK", str(FAULTY))


@pytest.mark.kernel
def test_hang_timeout_and_dead_kernel_are_recorded(tmp_path, faulty_notebook):
    params = _synth(tmp_path / "in", 5, seed=5)
    # The stand-in notebook misbehaves according to the parameter file's name.
    for src, name in (("S00002", "hang"), ("S00003", "die"), ("S00004", "raise"), ("S00005", "oom")):
        (params / f"{src}.yaml").rename(params / f"{name}-{src}.yaml")
    # The limit is derived from this machine as it is now (a fixed 5 s saw a loaded machine time out
    # before the kernel died): four times what a normal department takes here, at least 5 s. 'hang'
    # never ends, so any limit catches it; the others end on their own well within it.
    t0 = time.monotonic()
    assert main(["render", str(params / "S00001.yaml"), "--out", str(tmp_path / "baseline"), "-q"]) == 0
    limit = max(5.0, 4 * (time.monotonic() - t0))
    out = tmp_path / "out"
    code = main(["render", str(params), "--out", str(out), "-j", "2", "--timeout", f"{limit:.1f}", "-q"])
    rows = batch.read_manifest(out)
    assert code == 1
    assert rows["S00001"]["status"] == "ok"
    assert rows["S00002"]["status"] == "timeout"
    assert rows["S00003"]["status"] == "kernel_died"
    assert rows["S00004"]["status"] == "error" and "planted failure" in rows["S00004"]["error"]
    assert rows["S00005"]["status"] in ("error", "kernel_died") and "MemoryError" in rows["S00005"]["error"]
    for c in ("S00002", "S00003", "S00004", "S00005"):
        assert "生成失败" in (out / f"{c}.html").read_text(encoding="utf-8")


@pytest.mark.kernel
def test_dask_executor_gives_the_same_manifest(tmp_path):
    pytest.importorskip("distributed", reason="dask[distributed] is the optional 'dask' extra")
    params = _synth(tmp_path / "in", 2, seed=9)
    keys = ("dept_code", "name", "status", "self_total", "recomputed_total", "self_grade", "recomputed_grade",
            "findings", "failing_checks", "report")

    def run(executor: str) -> list[dict]:
        out = tmp_path / executor
        assert main(["render", str(params), "--out", str(out), "-j", "2", "-q", "--executor", executor]) == 0
        return [{k: r[k] for k in keys} for r in json.loads((out / "manifest.json").read_text())["departments"]]

    assert run("dask") == run("local")


# ----------------------------------------------------------------------------------------------
# Before any work: the output folder, the option values, the codes; the lock.


def test_lock_is_exclusive_and_a_dead_holder_is_taken_over(tmp_path, monkeypatch):
    from kit.core.errors import KitError

    monkeypatch.setattr(batch.manifest, "LOCK_WAIT", 0.2)
    lock = batch.BatchLock(tmp_path)
    lock.path.parent.mkdir(parents=True)
    lock.path.write_text("pid 999999999, started long ago", encoding="utf-8")  # a dead batch's file
    with lock:
        with pytest.raises(KitError, match="正被另一个批量运行使用"):
            batch.BatchLock(tmp_path).acquire()
        assert f"pid {os.getpid()}" in lock.path.read_text(encoding="utf-8")
    with batch.BatchLock(tmp_path):  # released: free again
        pass


def test_files_of_a_folder_that_are_not_departments_are_refused_with_why(tmp_path):
    from kit.run import portfolio

    params = _synth(tmp_path / "in", 2)
    (params / "S00001.review.yaml").write_text("decisions: []\n", encoding="utf-8")  # its department's
    (params / "S00009.review.yaml").write_text("decisions: []\n", encoding="utf-8")  # no S00009.yaml
    (params / "部门.xlsx").write_bytes(b"PK")
    (params / "old").mkdir()
    (params / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    (params / ".DS_Store").write_bytes(b"x")
    refused: list = []
    jobs = batch.plan_batch([params], tmp_path / "out", 60, refused=refused)
    assert sorted(j.dept_code for j in jobs) == ["S00001", "S00002"]  # the review file is no department
    why = {r["file"]: r["reason"] for r in refused}
    assert set(why) == {"S00009.review.yaml", "部门.xlsx", "old/", "gone.yaml"}
    assert "S00009.yaml" in why["S00009.review.yaml"] and "子文件夹" in why["old/"]
    assert "不是普通文件" in why["gone.yaml"] and "不是参数文件" in why["部门.xlsx"]
    batch.write_manifest(tmp_path, [], refused)
    table = portfolio.refused_table(tmp_path / batch.MANIFEST)
    assert table.count("<tr") == 5 and "部门.xlsx" in table
    batch.write_manifest(tmp_path, [])
    assert "均已读取" in portfolio.refused_table(tmp_path / batch.MANIFEST)


@pytest.mark.parametrize("link", [".kit/lock", ".kit"])
def test_render_never_follows_a_symlinked_lock(tmp_path, capsys, link):
    """The lock is opened for writing: a symlink there (to someone's file, or .kit to someone's
    folder) would have the batch overwrite what it points to. Refused before any work, as kit import does."""
    params = _synth(tmp_path / "in", 2)
    out = tmp_path / "out"
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "lock").write_text("别人的文件\n", encoding="utf-8")
    (out / ".kit").parent.mkdir(parents=True)
    if link == ".kit":
        (out / ".kit").symlink_to(victim)
    else:
        (out / ".kit").mkdir()
        (out / ".kit" / "lock").symlink_to(victim / "lock")
    assert main(["render", str(params), "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err
    assert "符号链接" in err and "Traceback" not in err
    assert (victim / "lock").read_text(encoding="utf-8") == "别人的文件\n" and not (out / "manifest.json").exists()


def test_a_lock_that_is_no_regular_file_is_refused_not_waited_on(tmp_path):
    """A FIFO or a folder where the lock should be: refused at once (opening a FIFO would block)."""
    from kit.core.errors import KitError

    for name, make in (("fifo", os.mkfifo), ("dir", os.mkdir)):
        out = tmp_path / name
        (out / batch.STATE_DIR).mkdir(parents=True)
        make(out / batch.STATE_DIR / batch.LOCK_FILE)
        t0 = time.monotonic()
        with pytest.raises(KitError, match="不是普通文件"):
            batch.BatchLock(out).acquire()
        assert time.monotonic() - t0 < batch.LOCK_WAIT


@pytest.mark.parametrize("case", ["a file", "under a file", "under /proc", "no space"])
def test_out_that_cannot_take_the_batch_is_refused_before_work(tmp_path, capsys, monkeypatch, case):
    params = _synth(tmp_path / "in", 2)
    if case == "a file":
        out = tmp_path / "out.txt"
        out.write_text("x")
    elif case == "under a file":
        (tmp_path / "f").write_text("x")
        out = tmp_path / "f" / "out"
    elif case == "under /proc":
        out = Path("/proc/kit-test-out")
    else:
        out = tmp_path / "out"
        monkeypatch.setattr(shutil, "disk_usage", lambda p: shutil._ntuple_diskusage(10 << 30, 10 << 30, 1 << 20))
    for args in (["render", str(params), "--out", str(out), "-q"],
                 ["render", str(params / "S00001.yaml"), "--out", str(out)]):
        assert main(args) == 2
        err = capsys.readouterr().err
        assert "Traceback" not in err and str(out) in err
        assert {"a file": "不是文件夹", "under a file": "是一个文件", "under /proc": "无法写入",
                "no space": "空间不足"}[case] in err
    if case == "no space":
        assert list(out.iterdir()) == []  # no manifest, no page: nothing ran


@pytest.mark.parametrize("value, ok", [("2.5", True), ("300", True), ("0", False), ("-5", False), ("inf", False),
                                       ("nan", False), ("abc", False)])
def test_timeout_values_are_checked_before_work(value, ok, capsys):
    from kit.commands.cli import build_parser

    argv = ["render", "p.yaml", "--timeout", value]
    if ok:
        assert build_parser().parse_args(argv).timeout == float(value)
        return
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "--timeout" in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["--jobs", "0"], ["--jobs", "-1"], ["--scheduler", "tcp://x:1"]])
def test_other_bad_render_options_are_refused(argv, capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        main(["render", str(tmp_path), *argv])
    assert exit_.value.code == 2 and "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize("codes, message", [(["index"], "重名"), (["Manifest"], "重名"),
                                            (["abc1", "ABC1"], "仅大小写不同")])
def test_codes_colliding_with_batch_files_or_by_case_are_refused(tmp_path, capsys, codes, message):
    params = _synth(tmp_path / "in", 1)
    for i, code in enumerate(codes):
        (params / f"c{i}.yaml").write_text(
            f'dept_code: "{code}"\nfiscal_year: 2022\ndata: ../data/S00001-2022.yaml\n', encoding="utf-8")
    assert main(["render", str(params), "--out", str(tmp_path / "out"), "-q"]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_render_refuses_a_reserved_code_alone_too(tmp_path, capsys):
    params = _synth(tmp_path / "in", 1)
    p = params / "index.yaml"
    p.write_text('dept_code: "index"\nfiscal_year: 2022\ndata: ../data/S00001-2022.yaml\n', encoding="utf-8")
    assert main(["render", str(p), "--out", str(tmp_path / "out")]) == 2
    assert "重名" in capsys.readouterr().err
    assert not (tmp_path / "out" / "index.html").exists()


# ----------------------------------------------------------------------------------------------
# Faults while the batch runs: a full disk, a slow department, outputs changed between runs.


@pytest.mark.kernel
def test_a_full_disk_mid_batch_stops_cleanly_with_a_status_for_every_department(tmp_path):
    import resource

    params = _synth(tmp_path / "in", 4, seed=13)
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "kit", "render", str(params), "--out", str(out), "-j", "1", "-q"]

    def small_disk():  # files over 200 kB cannot be written (EFBIG), as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    proc = subprocess.run(cmd, preexec_fn=small_disk, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "输出文件夹写入失败" in proc.stderr and "重新运行同一命令" in proc.stderr
    rows = batch.read_manifest(out)
    codes = [f"S{i:05d}" for i in range(1, 5)]
    assert sorted(rows) == codes
    assert rows["S00001"]["status"] == "error" and "无法写入输出文件" in rows["S00001"]["error"]
    assert [rows[c]["status"] for c in codes[1:]] == ["not_reached"] * 3
    for c in codes:
        assert f"  {c}：" in proc.stderr
    assert [p.name for p in out.rglob("*") if p.name.endswith(".tmp") or ".run." in p.name] == []
    assert not (out / "S00001.html").exists() and not (out / "index.html").exists()
    # Room again: the same command completes.
    assert main(["render", str(params), "--out", str(out), "-j", "1", "-q"]) == 0
    assert all(r["status"] == "ok" for r in batch.read_manifest(out).values())


@pytest.mark.kernel
def test_wall_clock_limit_covers_the_whole_department_not_each_cell(tmp_path, monkeypatch):
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell('params_file = ""\nrender_time = ""', metadata={"tags": ["parameters"]})]
                      + [new_code_cell("import time; time.sleep(2)") for _ in range(8)])
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    slow = tmp_path / "slow.ipynb"
    nbformat.write(nb, slow)
    monkeypatch.setenv("KIT_NOTEBOOK", str(slow))
    params = _synth(tmp_path / "in", 1)
    out = tmp_path / "out"
    t0 = time.monotonic()
    assert main(["render", str(params), "--out", str(out), "-j", "1", "--timeout", "6.5", "-q"]) == 1
    took = time.monotonic() - t0
    row = batch.read_manifest(out)["S00001"]
    assert row["status"] == "timeout" and "超过时限（6.5 秒" in row["error"]
    # Each 2 s cell is under the limit, the 16 s of all of them are not: a per-cell limit would have
    # let the department finish; the whole department stopped before its cells' sum.
    assert row["seconds"] < 16 and took < 16 + 60  # + start-up and teardown of the batch, however loaded
    assert "生成失败" in (out / "S00001.html").read_text(encoding="utf-8")


@pytest.mark.kernel
def test_resume_redoes_departments_whose_outputs_are_missing_or_changed(broken_batch, tmp_path):
    _code, out, _manifest = broken_batch
    work = tmp_path / "out"
    shutil.copytree(out, work)
    params = out.parent / "in" / "params"
    before = {p.name: p.stat().st_mtime_ns for p in work.glob("S*.html")}
    (work / "S00001.json").unlink()
    with open(work / "S00002.html", "a", encoding="utf-8") as fh:
        fh.write("<!-- edited by hand -->")
    main(["render", str(params), "--out", str(work), "-q"])
    after = {p.name: p.stat().st_mtime_ns for p in work.glob("S*.html")}
    assert (work / "S00001.json").is_file() and after["S00001.html"] != before["S00001.html"]
    assert "edited by hand" not in (work / "S00002.html").read_text(encoding="utf-8")
    assert after["S00003.html"] == before["S00003.html"]
    rows = batch.read_manifest(work)
    assert set(rows["S00001"]["outputs"]) == {"S00001.html", "S00001.ipynb", "S00001.json", "S00001-问题清单.xlsx"}


@pytest.mark.kernel
def test_executed_notebooks_carry_no_local_path_or_process_id(broken_batch):
    _code, out, _manifest = broken_batch
    for name in ("S00001.ipynb", "index.ipynb"):
        text = (out / name).read_text(encoding="utf-8")
        meta = json.loads(text)["metadata"]["papermill"]
        assert meta["output_path"] == name and "/" not in meta["input_path"]
        assert str(out.parent) not in text and ".run.ipynb" not in text and str(ROOT) not in text


@pytest.mark.kernel
def test_dask_scratch_space_stays_in_out_and_kernels_end_with_the_batch(tmp_path, monkeypatch):
    pytest.importorskip("distributed", reason="dask[distributed] is the optional 'dask' extra")
    from test_signals import _wait_gone

    params = _synth(tmp_path / "in", 1, seed=2)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    assert main(["render", str(params), "--out", str(out), "-q", "--executor", "dask"]) == 0
    assert not (tmp_path / "dask-scratch-space").exists()
    assert [p.name for p in (out / batch.STATE_DIR).iterdir()] == [batch.LOCK_FILE]
    assert _wait_gone(out, timeout=10) == []  # workers and their kernels end with the batch


@pytest.mark.parametrize("address", ["not an address", "tcp://127.0.0.1:1"])
def test_a_bad_scheduler_is_a_bad_invocation(tmp_path, capsys, address):
    pytest.importorskip("distributed", reason="dask[distributed] is the optional 'dask' extra")
    params = _synth(tmp_path / "in", 1)
    assert main(["render", str(params), "--out", str(tmp_path / "out"), "-q", "--executor", "dask",
                 "--scheduler", address]) == 2
    err = capsys.readouterr().err
    assert "无法连接 Dask 调度器" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "manifest.json").exists()


@pytest.mark.kernel
def test_a_lost_dask_cluster_fails_the_departments_not_done(tmp_path):
    pytest.importorskip("distributed", reason="dask[distributed] is the optional 'dask' extra")
    from dask.distributed import LocalCluster

    params = _synth(tmp_path / "in", 5, seed=4)
    out = tmp_path / "out"
    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None,
                           local_directory=str(tmp_path / "scratch"))
    cmd = [sys.executable, "-m", "kit", "render", str(params), "--out", str(out), "-q", "--executor", "dask",
           "--scheduler", cluster.scheduler_address]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "KIT_DASK_LOST_AFTER": "3"})
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not any(r["status"] == "ok" for r in batch.read_manifest(out).values()):
            time.sleep(0.1)
        cluster.close()  # the scheduler and its worker go away mid-batch
        _out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 1 and "Traceback" not in err
    rows = batch.read_manifest(out)
    assert len(rows) == 5 and any(r["status"] == "ok" for r in rows.values())
    lost = [r for r in rows.values() if r["status"] != "ok"]
    assert lost and all("Dask" in r["error"] for r in lost)
    assert (out / "index.html").is_file()


@pytest.mark.kernel
def test_a_params_name_that_is_not_utf8_is_one_failed_department(tmp_path):
    params = _synth(tmp_path / "in", 2, seed=3)
    first = sorted(params.glob("*.yaml"))[0]
    bad = os.fsdecode(os.fsencode(str(params)) + b"/bad\xff.yaml")
    os.rename(first, bad)
    out = tmp_path / "out"
    assert main(["render", str(params), "--out", str(out), "-j", "1", "-q"]) == 1
    rows = batch.read_manifest(out)
    assert len(rows) == 2 and sorted(r["status"] for r in rows.values()) == ["error", "ok"]
    (failed,) = [r for r in rows.values() if r["status"] == "error"]
    assert "\\xff" in failed["error"] and "UTF-8" in failed["error"]
    assert (out / "index.html").is_file()
