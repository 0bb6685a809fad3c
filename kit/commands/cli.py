"""The ``kit`` command line: one sub-command per job, all errors as plain messages."""
from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path

from ..core.version import __version__
from ..core.errors import KitError
from ..core.text import for_terminal


def say(text: str, file=None) -> None:
    """Print text that may hold what a department wrote: controls and escapes shown, not obeyed."""
    print(for_terminal(text), file=file or sys.stdout)


def cmd_validate(args: argparse.Namespace) -> int:
    from ..files.load import open_path

    params, dept = open_path(args.path)
    say(f"已加载：{dept.name}（部门编码 {dept.code}，{dept.year} 年度），来源 {dept.source.path}"
        + (f"；模板类型 {dept.family}" if dept.family else "")
        + (f"；不完整的栏目 {'、'.join(dept.incomplete)}" if dept.incomplete else ""))
    say(
        f"年度主要任务 {len(dept.tasks)} 项；绩效指标 {len(dept.indicators)} 项；评分表 {len(dept.scores)} 行；"
        f"自评报告 {len(dept.narrative.sections)} 部分"
    )
    if dept.load_findings:
        print(f"加载提示 {len(dept.load_findings)} 条：")
        for f in dept.load_findings:
            where = " ".join(p for p in (f.block, f"第{f.row}行" if f.row else "", f.field) if p)
            say(f"  [{f.severity}] {where}：{f.message}（原文 {f.raw!r}）")
    else:
        print("加载提示：无")
    return 0


@contextmanager
def _writing(target: Path):
    """An OSError while writing ``target`` (a read-only folder, /proc, a full disk) is a message."""
    from ..core.errors import Problem

    try:
        yield
    except OSError as exc:
        raise KitError(Problem("无法写入", file=str(target), value=exc.strerror or str(exc),
                               expected="可写的文件夹中的文件")) from None


def cmd_template(args: argparse.Namespace) -> int:
    from ..files.xlsxio import write_template

    out = Path(args.out)
    with _writing(out):
        write_template(out, args.family)
    say(f"已写出空白填报模板：{out}" + (f"（模板类型 {args.family}）" if args.family else ""))
    return 0


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (b.exists() and a.samefile(b))
    except OSError:
        return False


def cmd_convert(args: argparse.Namespace) -> int:
    from .convert import convert
    from ..core.errors import Problem

    src, dst = Path(args.src), Path(args.dst)
    if _same_file(src, dst):
        raise KitError(Problem("输出文件与输入文件相同，转换会覆盖原文件", file=str(src), value=str(dst),
                               expected="另一个输出文件名"))
    with _writing(dst):
        convert(src, dst)
    say(f"已转换：{args.src} → {args.dst}")
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    from .synth import write_family_synthetic, write_synthetic

    with _writing(Path(args.out)):
        if args.family:
            rows = write_family_synthetic(args.family, args.n, Path(args.out), seed=args.seed)
        else:
            rows = write_synthetic(args.n, Path(args.out), seed=args.seed, source=args.source)
    planted = sum(1 for r in rows if r["plant"])
    say(f"已生成 {len(rows)} 个合成部门（其中 {planted} 个含有预置问题）：{args.out}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kit", description="部门整体支出绩效自评表审核工具")
    parser.add_argument("--version", action="version", version=f"kit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="加载参数文件或数据文件并列出加载提示")
    p.add_argument("path", help="参数文件（params/*.yaml）或数据文件（.yaml/.xlsx）")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("template", help="写出空白的 Excel 填报模板")
    p.add_argument("out", help="输出文件，例如 模板.xlsx")
    p.add_argument("--family", default=None, metavar="F",
                   help="模板类型：shenzhen_2022（默认）、mof_selfeval、mof_2013 等（kit/families/ 下的文件夹名）")
    p.set_defaults(func=cmd_template)

    p = sub.add_parser("convert", help="在 YAML 与 xlsx 之间转换（按扩展名）")
    p.add_argument("src")
    p.add_argument("dst")
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser("synth", help="生成合成（虚构）部门数据，用于测试、演示和基准")
    p.add_argument("n", type=int, help="部门个数")
    p.add_argument("--out", required=True, help="输出文件夹（生成 data/、params/、planted.json）")
    p.add_argument("--seed", type=int, default=0, help="随机种子（相同种子生成相同数据）")
    p.add_argument("--from", dest="source", default=None, help="作为基础的部门数据文件（默认：示例部门）")
    p.add_argument("--family", default=None, metavar="F",
                   help="按某一模板类型生成（如 mof_selfeval、mof_2013；按 family.yaml 的 synth 说明），默认为示例部门的模板")
    p.set_defaults(func=cmd_synth)

    # Sub-commands added by later modules register here (see add_* functions below).
    for add in _EXTRA_COMMANDS:
        add(sub)
    return parser


_EXTRA_COMMANDS: list = []

from .checkcmd import add_check_command  # noqa: E402  (the audit engine loads on first use)

_EXTRA_COMMANDS.append(add_check_command)

from .rendercmd import add_render  # noqa: E402  (light: imports papermill only when run)

_EXTRA_COMMANDS.append(add_render)

from .importcmd import add_import_command  # noqa: E402  (light: the importer loads when run)

_EXTRA_COMMANDS.append(add_import_command)

from .reviewcmd import add_review_command  # noqa: E402  (light: the audit loads when run)

_EXTRA_COMMANDS.append(add_review_command)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KitError as exc:
        say(f"错误：\n{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except OSError as exc:
        # A file the command had to write (or read) refused by the system: /proc, a read-only
        # folder, a full disk. Say which file and why, without a traceback.
        where = exc.filename if exc.filename is not None else ""
        print(f"错误：\n无法读写文件 {where}：{exc.strerror or exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
