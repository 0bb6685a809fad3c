"""``kit import FORM... --out DIR|DATA.yaml``: published forms → data files with import records.

One form: its data file (``--out DATA.yaml``, or ``DIR/<code>-<year>.yaml``) and the import
record beside it (``<stem>.import.yaml``); exit 0, or 2 when the form cannot be imported.
Several forms: one data file each, a summary table, exit 0 all imported, 1 some failed, 2 a
bad invocation. A file holding several forms (a page publishing one project form after another)
gives one data file per form (``--out`` must then be a folder). ``--params DIR`` also writes a
parameter file per department.
"""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .kernels import on_stop_signals

RESULT_LABELS = {"full": "完整导入", "notes": "有提示", "failed": "失败"}


@dataclass
class Outcome:
    form: Path
    status: str  # 'full', 'notes', 'failed'
    data: Path | None = None
    message: str = ""


def add_import_command(sub) -> None:
    p = sub.add_parser("import", help="从发布的表单（PDF、文字层文本、网页）导入为数据文件，并记录每个数值的来源")
    p.add_argument("forms", nargs="+", metavar="FORM", help="表单文件：.pdf、.txt（PDF 的文字层）或 .html/.htm")
    p.add_argument("--out", required=True, help="输出文件夹；只导入一份表单时也可以是数据文件名（.yaml）")
    p.add_argument("--family", default=None, help="指定表式（默认按内容自动识别），例如 shenzhen_2022")
    p.add_argument("--params", default=None, metavar="DIR", help="同时为每个部门写出参数文件的文件夹")
    p.add_argument("-q", "--quiet", action="store_true", help="只输出汇总表和错误")
    p.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    from .errors import KitError
    from .families import family_ids

    forms = [Path(f) for f in args.forms]
    out = Path(args.out)
    single_file = out.suffix.lower() in (".yaml", ".yml")
    if single_file and len(forms) > 1:
        print("错误：导入多份表单时 --out 应为文件夹，不能是一个 .yaml 文件", file=sys.stderr)
        return 2
    if args.family is not None and args.family not in family_ids():
        print(f"错误：未知的表式 {args.family!r}，应为以下之一：{'、'.join(family_ids())}", file=sys.stderr)
        return 2
    if out.exists() and not single_file and not out.is_dir():
        print(f"错误：--out {out} 已存在且不是文件夹", file=sys.stderr)
        return 2
    outcomes: list[Outcome] = []
    taken: dict[Path, Path] = {}
    with on_stop_signals() as caught:
        for n, form in enumerate(forms):
            if caught:  # between forms: every data file written so far is whole
                done = sum(o.status != "failed" for o in outcomes)
                print(f"已中断（{caught[0]}）：已导入 {done} 份表单，未处理 {len(forms) - n} 份；"
                      "重新运行同一命令即可继续（已写出的数据文件完整，会被覆盖为同样的内容）", file=sys.stderr)
                return 130
            try:
                outcomes.extend(_import_file(form, out if single_file else None, out, args, taken))
            except KitError as exc:
                outcomes.append(Outcome(form, "failed", message=str(exc)))
                print(f"导入失败：\n{exc}", file=sys.stderr)
    if len(outcomes) > 1 or not args.quiet:
        _summary(outcomes)
    failed = sum(o.status == "failed" for o in outcomes)
    if not failed:
        return 0
    return 2 if len(forms) == 1 and len(outcomes) == 1 else 1



def _import_file(form: Path, data_path: Path | None, out: Path, args, taken: dict[Path, Path]) -> list[Outcome]:
    from .errors import KitError, Problem
    from .importer import import_forms

    found = import_forms(form, args.family)
    if len(found) > 1 and data_path is not None:
        raise KitError(Problem(f"文件中有 {len(found)} 份表单，--out 应为文件夹（每份表单各写一个数据文件）",
                               file=str(form), expected="--out 文件夹"))
    if len(found) > 1 and not args.quiet:
        print(f"{form.name}：文件中有 {len(found)} 份表单，各导入为一个数据文件")
    outcomes = []
    for doc, record in found:
        try:
            outcomes.append(_import_one(form, doc, record, data_path, out, args, taken))
        except KitError as exc:
            outcomes.append(Outcome(form, "failed", message=str(exc)))
            print(f"导入失败：\n{exc}", file=sys.stderr)
    return outcomes


def _import_one(form: Path, doc: dict, record, data_path: Path | None, out: Path, args,
                taken: dict[Path, Path]) -> Outcome:
    from .errors import KitError, Problem
    from .load import load_department
    from .rendering import write_atomic
    from .yamlio import dump_yaml

    fam = record.family
    if not args.quiet:
        how = "自动识别" if fam["chosen"] == "detected" else "由 --family 指定"
        print(f"{form.name}：表式 {fam['title']}（{fam['id']}，{how}；{fam['reason']}）")
    dep = doc["department"]
    if data_path is None:
        data_path = out / f"{dep['code']}-{dep['year']}.yaml"
    if data_path.resolve() in taken:
        raise KitError(Problem(
            f"与 {taken[data_path.resolve()].name} 的部门编码和年度相同（{dep['code']}，{dep['year']}），未写出",
            file=str(form), expected="每个部门-年度只导入一份表单"))
    record_path = data_path.with_name(data_path.stem + ".import.yaml")
    head = (f"# {dep.get('name', '')}（部门编码 {dep['code']}）{dep['year']} 年度：由 kit import 从 {record.source['file']} 导入\n"
            f"# 每个数值的来源与放置方式见 {record_path.name}\n")
    write_atomic(data_path, (head + dump_yaml(doc)).encode("utf-8"))
    write_atomic(record_path, dump_yaml(record.to_dict(data_file=data_path.name)).encode("utf-8"))
    taken[data_path.resolve()] = form
    load_department(data_path)  # the file written must load as it is
    if args.params:
        pdir = Path(args.params)
        rel = Path(os.path.relpath(data_path.resolve(), pdir.resolve())).as_posix()
        text = (f"# 由 kit import 从 {record.source['file']} 生成\n"
                f"dept_code: \"{dep['code']}\"\nfiscal_year: {dep['year']}\ndata: {rel}\n")
        write_atomic(pdir / f"{dep['code']}.yaml", text.encode("utf-8"))
    c = record.counts()
    message = f"按版式 {c['layout']} 项，推断 {c['inferred']} 项，未能读取 {c['absent']} 项，未归位文字 {c['not_placed']} 段"
    if not args.quiet:
        print(f"  → {data_path}（{message}）；导入记录 {record_path.name}")
    return Outcome(form, record.status, data_path, message)


def _summary(outcomes: list[Outcome]) -> None:
    counts = {k: sum(o.status == k for o in outcomes) for k in RESULT_LABELS}
    print("导入结果：" + "，".join(f"{RESULT_LABELS[k]} {v}" for k, v in counts.items()))
    width = max(len(o.form.name) for o in outcomes)
    print(f"{'表单'.ljust(width)}  结果      数据文件  说明")
    for o in outcomes:
        note = o.message.splitlines()[0] if o.message else ""
        data = o.data.name if o.data else "—"
        print(f"{o.form.name.ljust(width)}  {RESULT_LABELS[o.status]:<6}  {data}  {note}")
