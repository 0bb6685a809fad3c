"""``kit render PATH… --out DIR``: one department's report, or a batch with an index page.

One parameter file renders in this process (exit 0 ok, 1 notebook failed, 2 bad input).
Several files or a folder render as a batch: worker processes (or a Dask cluster), a progress
bar, ``DIR/manifest.json`` and ``DIR/index.html``; exit 0 when every department rendered, 1 when
some failed (everything else is still written), 2 for a bad invocation (checked before any
work: option values, the output folder, the parameter files, another batch on the folder),
130 when stopped by Ctrl-C or SIGTERM (one line says how far it got and how to go on).
"""
from __future__ import annotations

import argparse
import functools
import math
import sys
from pathlib import Path

from ..run.kernels import on_stop_signals, request_stop
from ..core.vocab import RunStatus

DEFAULT_TIMEOUT = 300.0
MAX_JOBS = 256
EXIT_INTERRUPTED = 130


# jsonschema (imported by nbformat) loads rfc3987_syntax when installed, for its "iri" format
# checks; that module builds a parser grammar on import (~1.2 s, in this process and again in
# every worker). Notebook validation uses no such format, so kit render goes without it.
SKIPPED_IMPORTS = ("rfc3987_syntax",)


def seconds(text: str) -> float:
    """``--timeout``: a positive, finite number of seconds (2.5 is fine; 0, -5, inf are not)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为秒数，例如 300 或 2.5：{text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"应为大于 0 的有限秒数：{text!r}")
    return value


def job_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"应为整数：{text!r}") from None
    if not 1 <= value <= MAX_JOBS:
        raise argparse.ArgumentTypeError(f"应在 1 到 {MAX_JOBS} 之间：{text!r}")
    return value


def cmd_render(args: argparse.Namespace) -> int:
    for name in SKIPPED_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # import now raises ImportError
    if args.scheduler and args.executor != "dask":
        args.parser.error("--scheduler 只能与 --executor dask 一起使用")
    if args.isolation == "inline" and args.executor == "dask":
        args.parser.error("--isolation inline 不能与 --executor dask 一起使用（Dask 在线程中运行任务，"
                          "单元格无法在时限处中断）；请用 warm 或 fresh")
    paths = [Path(p) for p in args.paths]
    one = len(paths) == 1 and paths[0].is_file() and args.executor == "local" and not args.index
    if args.isolation is None:
        # A batch on the kit's own pool runs the cells in its workers (a worker that dies is
        # replaced); one department and Dask keep a kernel apart from the command's process.
        args.isolation = "inline" if args.executor == "local" and not one else "warm"
    if one:
        return _render_one(paths[0], args)
    return _render_batch(paths, args)



def _render_one(path: Path, args: argparse.Namespace) -> int:
    from ..run.batch import check_out_dir
    from ..files.params import load_params
    from ..run.rendering import Stopped, check_dept_code, prepare_worker, render
    from ..run.warm import shutdown_all

    params = load_params(path)
    check_dept_code(params)  # before a kernel is started for it
    out = check_out_dir(Path(args.out), 1)
    actions = [lambda _signal: request_stop()]
    if args.isolation == "inline":
        from ..run.inline import stop_cells

        actions.append(lambda _signal: stop_cells())  # last: the cell's exception ends the handler
    with on_stop_signals(*actions) as caught:
        try:
            if args.isolation != "fresh":
                # warm: the kernel boots while this process imports papermill and nbconvert.
                prepare_worker(args.isolation)
            result = render(params, out, timeout=args.timeout, docx=args.docx, isolation=args.isolation)
        except Stopped:
            result = None
        finally:
            shutdown_all()  # the department's kernel ends with the command (also when called in a process that goes on)
    if result is None or caught:
        print(f"已中断（{caught[0] if caught else '信号'}）：报告未写出；重新运行同一命令即可。", file=sys.stderr)
        return EXIT_INTERRUPTED
    if result.ok:
        print(f"已生成审核报告：{result.html}（用时 {result.seconds:.1f} 秒）")
        print(f"执行后的笔记本：{result.ipynb}")
        print(f"审核结果（JSON）：{result.json}")
        print(f"问题清单（整改跟踪）：{result.html.with_name(f'{result.dept_code}-问题清单.xlsx')}")
        if args.docx:
            print(f"Word 复核报告：{result.html.with_suffix('.docx')}")
        return _pdf([result.html], args)
    print(f"报告生成失败（部门编码 {result.dept_code}）：{result.failure}", file=sys.stderr)
    print(f"已写出说明失败原因的页面：{result.html}；执行后的笔记本：{result.ipynb}", file=sys.stderr)
    return 1


def _render_batch(paths: list[Path], args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ..run import batch
    from ..core.text import for_terminal
    from ..run.rendering import locate_notebook, now_text
    from ..families import FAMILIES_DIR

    out = Path(args.out).absolute()
    notebook = locate_notebook()
    # Every family's rule and layout files: a change to any of them re-renders (they are small).
    inputs = [notebook, locate_notebook("portfolio.ipynb"), *sorted(FAMILIES_DIR.glob("*/*.yaml"))]
    refused: list[dict[str, str]] = []  # files of the folders given that are not parameter files
    jobs = batch.plan_batch(paths, out, args.timeout, extra_files=inputs, isolation=args.isolation, refused=refused)
    for job in jobs:
        job.docx = args.docx
    if not jobs:
        print("没有找到参数文件（*.yaml）", file=sys.stderr)
        return 2
    batch.check_out_dir(out, len(jobs))
    if args.executor == "dask":
        _check_dask(args)
    bar = tqdm(total=len(jobs), unit="个部门", file=sys.stderr, disable=args.quiet, dynamic_ncols=True)

    def progress(code: str, row: dict) -> None:
        bar.set_postfix_str(code)
        bar.update(1)

    # The index page (on a worker's warm kernel when isolation is warm) and the batch's 问题清单
    # are written by the workers after the departments, side by side.
    finals = [functools.partial(batch.render_index, out, now_text(), isolation=args.isolation),
              functools.partial(batch.write_batch_tracking, out)]
    try:
        rows = batch.run_batch(
            jobs, out, batch.render_job, jobs_n=args.jobs, force=args.force,
            executor=args.executor, scheduler=args.scheduler, progress=progress, finals=finals, refused=refused,
        )
    except batch.BatchInterrupted as stop:
        bar.close()
        print(f"已中断（{stop.signame}）：本次需生成的 {stop.total} 个部门中已完成 {stop.done} 个，其余未运行；"
              f"重新运行同一命令即可从中断处继续（已完成的部门会跳过）。清单：{out / batch.MANIFEST}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except batch.BatchHalted as halt:
        bar.close()
        print(f"批量运行已停止：输出文件夹写入失败（{' '.join(halt.reason.split())[:300]}）", file=sys.stderr)
        for r in halt.rows:
            print(f"  {r['dept_code']}：{_status_text(r['status'])}", file=sys.stderr)
        where = f"清单：{out / batch.MANIFEST}" if halt.manifest_written else "清单也无法写入"
        print(f"腾出空间或换一个 --out 后重新运行同一命令即可继续。{where}", file=sys.stderr)
        return 1
    bar.close()
    index = out / "index.html"
    failed = [r for r in rows if r["status"] != RunStatus.OK]
    skipped = sum(1 for r in rows if r.get("skipped"))
    print(f"共 {len(rows)} 个部门：已生成 {len(rows) - len(failed)}（其中 {skipped} 个输入未变、沿用上次结果），失败 {len(failed)}")
    print(f"汇总页：{index}；清单：{out / batch.MANIFEST}")
    if refused:
        print(for_terminal(f"未读取的文件 {len(refused)} 个（汇总页“未读取的输入”一节列出）："
                           + "、".join(r["file"] for r in refused[:10]) + ("……" if len(refused) > 10 else "")))
    for r in failed:
        reason = " ".join((r.get("error") or "").split())
        print(f"  失败 {r['dept_code']}（{r['status']}）：{reason[:300]}", file=sys.stderr)
    print(f"问题清单（整改跟踪，全部部门）：{out / batch.BATCH_TRACKING}")
    pages = [out / r["report"] for r in rows if r["status"] == RunStatus.OK and r.get("report")] + [index]
    pdf_status = _pdf([p for p in pages if p.is_file()], args)
    return 1 if failed or pdf_status else 0


def _pdf(pages: list[Path], args: argparse.Namespace) -> int:
    """``--pdf``: each page printed to PDF beside it by one headless Chromium (kit.report.pdf)."""
    if not getattr(args, "pdf", False) or not pages:
        return 0
    import time

    from ..core.errors import KitError
    from ..report.pdf import pages_to_pdf

    t0 = time.perf_counter()
    try:
        done = pages_to_pdf(pages, skip_current=not args.force, jobs=max(1, getattr(args, "jobs", 1) or 1))
    except KitError as exc:
        print(f"未能生成 PDF：{exc}", file=sys.stderr)
        return 1
    bad = [(p, e) for p, e in done if e]
    print(f"已生成 PDF {len(done) - len(bad)} 个（用时 {time.perf_counter() - t0:.1f} 秒）"
          + (f"：{done[0][0]}" if len(done) == 1 and not bad else ""))
    for p, e in bad:
        print(f"  PDF 生成失败 {p.name}：{e}", file=sys.stderr)
    return 1 if bad else 0


def _status_text(status: str) -> str:
    from ..core.vocab import FailureKind

    if status == RunStatus.OK:
        return "已完成"
    try:
        return f"失败（{FailureKind(status).label}）" if status != FailureKind.NOT_REACHED else FailureKind(status).label
    except ValueError:
        return status


def _check_dask(args: argparse.Namespace) -> None:
    """The Dask extra is installed and ``--scheduler`` (when given) answers, before any work."""
    from ..run.batch import connect_dask

    if args.scheduler:
        client, _cluster = connect_dask(args.scheduler, args.jobs, Path(args.out))
        client.close()
    else:
        try:
            import dask.distributed  # noqa: F401
        except ImportError:
            connect_dask(None, args.jobs, Path(args.out))  # raises the install hint


def add_render(sub) -> None:
    p = sub.add_parser("render", help="运行审核笔记本，生成一个或一批部门的 HTML 审核报告")
    p.add_argument("paths", nargs="+", metavar="PATH", help="参数文件或参数文件夹，例如 params/022006.yaml 或 params/")
    p.add_argument("--out", default="reports", help="输出目录（默认 reports）：写出 <部门编码>.html/.ipynb/.json")
    p.add_argument("--jobs", "-j", type=job_count, default=2, help="并行的部门数（默认 2）")
    p.add_argument("--timeout", type=seconds, default=DEFAULT_TIMEOUT,
                   help=f"每个部门的时限（秒，默认 {DEFAULT_TIMEOUT:.0f}）：读取数据、审核和运行笔记本合计，超过即记为超时")
    p.add_argument("--force", action="store_true", help="输入未变的部门也重新生成")
    p.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="local：本机进程池（默认）；dask：Dask 集群")
    p.add_argument("--scheduler", default=None, help="Dask 调度器地址（不指定则启动本机 LocalCluster）")
    p.add_argument("--isolation", choices=("inline", "warm", "fresh"), default=None,
                   help="笔记本在哪里运行。inline（本机批量的默认）：在工作进程内运行单元格，部门之间重置状态，"
                        "进程退出则只有该部门失败并换新进程；warm（单个参数文件和 Dask 的默认）：每个工作进程复用一个内核，"
                        "部门之间重置状态，出错、超时或内核退出后换新内核；fresh：每个部门启动一个新内核（最慢、隔离最彻底，"
                        "适合来源不明的自定义笔记本）")
    p.add_argument("--index", action="store_true", help="只有一个参数文件时也按批量方式运行并生成汇总页")
    p.add_argument("--pdf", action="store_true",
                   help="同时用无界面 Chromium 把每个报告（及汇总页）打印为 A4 PDF（<部门编码>.pdf），需要安装 chromium")
    p.add_argument("--docx", action="store_true",
                   help="同时写出 Word 复核报告（<部门编码>.docx：与网页报告相同的各节和全部栏目，可编辑、签署）")
    p.add_argument("--quiet", "-q", action="store_true", help="不显示进度条")
    p.set_defaults(func=cmd_render, parser=p)
