"""``kit import FORM... --out DIR|DATA.yaml``: published forms → data files with import records.

One form: its data file (``--out DATA.yaml``, or ``DIR/<code>-<year>.yaml``) and the import
record beside it (``<stem>.import.yaml``); exit 0, or 2 when the form cannot be imported.
Several forms: one data file each, a summary table, exit 0 all imported, 1 some failed, 2 a
bad invocation. A file holding several forms (a page publishing one project form after another)
gives one data file per form (``--out`` must then be a folder). ``--params DIR`` also writes a
parameter file per department.

What is written is written as one, and only when it is right:

- the output folder's lock (``kit.run.batch.BatchLock``, the one a batch takes) is held for the
  whole run: two imports (or an import and a batch) into one ``--out`` never interleave;
- a form's data file, its parameter file and its import record are checked first (the data file
  must load exactly as it will be written), then written to temporary files and renamed one after
  the other, the record last. The record keeps the SHA-256 of the form and of every file written,
  so a data file without its record, or with another run's record (``kill -9`` between the
  renames), is seen by the next run, said, and imported again;
- a form that fails leaves nothing new behind (a full disk included: the temporary files go);
- a form whose file, options and outputs are unchanged since its record was written is skipped
  and said so (``--force`` imports it again).

File names and texts from the form are data: on the terminal they are shown with controls escaped
(``kit.core.text.for_terminal``), in a file's comment on one line.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..run.kernels import on_stop_signals
from ..core.text import for_terminal, path_text

RESULT_LABELS = {"full": "完整导入", "notes": "有提示", "skipped": "未改变，跳过", "failed": "失败"}
RECORD_SUFFIX = ".import.yaml"
MAX_RECORD_HEAD = 256 * 1024  # bytes of a record read to decide whether its form changed


@dataclass
class Outcome:
    form: Path
    status: str  # 'full', 'notes', 'skipped', 'failed'
    data: Path | None = None
    message: str = ""


def say(text: str, file=None) -> None:
    """Print a line that may hold a file name or a form's text: controls shown, never obeyed."""
    print(for_terminal(text), file=file or sys.stdout)


def shown(text: object) -> str:
    """A file name (or a form's text) on one line, for the terminal or a comment in a YAML file:
    undecodable bytes as \\xff, controls escaped (\\x1b), line breaks written as \\n."""
    return for_terminal(path_text(str(text))).replace("\n", "\\n")


def add_import_command(sub) -> None:
    p = sub.add_parser("import", help="从发布的表单（PDF、文字层文本、网页）导入为数据文件，并记录每个数值的来源")
    p.add_argument("forms", nargs="+", metavar="FORM",
                   help="表单文件：.pdf、.txt（PDF 的文字层）或 .html/.htm；或包含这些文件的文件夹")
    p.add_argument("--out", required=True, help="输出文件夹；只导入一份表单时也可以是数据文件名（.yaml）")
    p.add_argument("--family", default=None, help="指定表式（默认按内容自动识别），例如 shenzhen_2022")
    p.add_argument("--params", default=None, metavar="DIR", help="同时为每个部门写出参数文件的文件夹")
    p.add_argument("--force", action="store_true", help="即使表单和已写出的文件都未改变，也重新导入")
    p.add_argument("-q", "--quiet", action="store_true", help="只输出汇总表和错误")
    p.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace) -> int:
    from ..run.batch import BatchLock, clear_stale
    from ..core.errors import KitError
    from ..families import family_ids

    forms = _expand(Path(f) for f in args.forms)
    if not forms:
        say("错误：所给文件夹中没有可导入的表单（.pdf、.txt、.html/.htm）", file=sys.stderr)
        return 2
    out = Path(args.out)
    single_file = out.suffix.lower() in (".yaml", ".yml")
    if single_file and len(forms) > 1:
        say("错误：导入多份表单时 --out 应为文件夹，不能是一个 .yaml 文件", file=sys.stderr)
        return 2
    if args.family is not None and args.family not in family_ids():
        say(f"错误：未知的表式 {args.family!r}，应为以下之一：{'、'.join(family_ids())}", file=sys.stderr)
        return 2
    if single_file:
        try:
            _names_fit(out, out.with_name(out.stem + RECORD_SUFFIX), forms[0])
        except KitError as exc:
            say(f"错误：\n{exc}", file=sys.stderr)
            return 2
    if not single_file and os.path.lexists(out) and not out.is_dir():
        say(f"错误：--out {shown(out)} 已存在且不是文件夹", file=sys.stderr)
        return 2
    out_dir = out.parent if single_file else out
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        say(f"错误：无法创建输出文件夹 {shown(out_dir)}：{exc.strerror or exc}", file=sys.stderr)
        return 2
    why = _lock_unsafe(out_dir)
    if why:
        say(f"错误：{why}", file=sys.stderr)
        return 2
    outcomes: list[Outcome] = []
    taken: dict[Path, Path] = {}
    given: dict[str, Path] = {}  # real path of each form given → as given
    from ..importer.pdfguard import Stopped

    with BatchLock(out_dir), _stop_on_signals() as caught:
        clear_stale(out_dir, state_too=False)  # temporary files of a run killed before its renames
        previous = _previous_records(out if single_file else None, out_dir)
        for n, form in enumerate(forms):
            if caught:  # between forms: every data file written so far is whole, with its record
                return _interrupted(caught, outcomes, len(forms) - n)
            try:
                key = os.path.realpath(form)
            except (OSError, ValueError):
                key = str(form)
            if key in given:  # the same file named twice (a glob and a name): imported once
                say(f"{shown(form.name)}：与前面给出的 {shown(given[key].name)} 是同一个文件，不再重复导入")
                continue
            given[key] = form
            try:
                skipped = None if args.force else _unchanged(form, previous, args)
                if skipped is not None:
                    outcomes.extend(skipped)
                    taken.update({o.data.resolve(): form for o in skipped if o.data})
                    if not args.quiet:
                        say(f"{shown(form.name)}：表单及已写出的文件均未改变（SHA-256 与导入记录一致），跳过；"
                            "如需重新导入请加 --force")
                    continue
                outcomes.extend(_import_file(form, out if single_file else None, out, args, taken, previous))
            except Stopped:  # a signal during a long PDF parse: this form is not written
                return _interrupted(caught, outcomes, len(forms) - n)
            except KitError as exc:
                outcomes.append(Outcome(form, "failed", message=str(exc)))
                say(f"导入失败：\n{exc}", file=sys.stderr)
    if len(outcomes) > 1 or not args.quiet:
        _summary(outcomes)
    failed = sum(o.status == "failed" for o in outcomes)
    if not failed:
        return 0
    return 2 if len(forms) == 1 and len(outcomes) == 1 else 1


FORM_SUFFIXES = (".pdf", ".txt", ".html", ".htm")


def _expand(paths) -> list[Path]:
    """Forms named, a folder standing for the forms in it (as ``kit render`` takes a folder of params)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.is_file() and not f.name.startswith(".")
                          and f.suffix.lower() in FORM_SUFFIXES)
        else:
            out.append(p)
    return out


def _interrupted(caught: list[str], outcomes: list, left: int) -> int:
    done = sum(o.status != "failed" for o in outcomes)
    say(f"已中断（{caught[0] if caught else 'SIGINT'}）：已导入 {done} 份表单，未处理 {left} 份；"
        "重新运行同一命令即可继续（已导入且未改变的表单会跳过）", file=sys.stderr)
    return 130


def _lock_unsafe(out_dir: Path) -> str:
    """Why the folder's lock file may not be opened ('' when it may): ``kit.run.batch.BatchLock``'s own
    look (a symlink there would have the lock overwrite the file it points to)."""
    from ..run.batch import BatchLock

    problem = BatchLock(out_dir).unsafe()
    return "" if problem is None else str(problem)


@contextmanager
def _stop_on_signals():
    """SIGINT/SIGTERM (Ctrl-C, cron, Kubernetes): stop cleanly between forms, or inside a PDF
    being parsed (that form is not written)."""
    from ..importer import pdfguard

    pdfguard.clear_stop()
    try:
        with on_stop_signals(pdfguard.request_stop) as caught:  # a PDF being parsed stops at its next check
            yield caught
    finally:
        pdfguard.clear_stop()


# --- what an earlier run wrote ------------------------------------------------------------------
def _sha256_file(path: Path) -> str | None:
    """SHA-256 of a regular file's bytes, None when it is not one (or cannot be read)."""
    import stat

    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except (OSError, ValueError):
        return None


def _record_head(path: Path) -> dict | None:
    """The leading part of an import record (what was read and what was written, with hashes),
    or None when it is not a record this kit wrote."""
    from ..core.errors import KitError
    from ..core.safeio import read_head
    from ..core.yamlio import parse_yaml

    raw = read_head(path, MAX_RECORD_HEAD)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    cut = text.find("\ncheck_by_hand:")  # everything the decision needs comes before it
    if cut < 0:
        return None
    try:
        doc = parse_yaml(text[:cut + 1], str(path))
    except KitError:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("inputs"), dict) or not isinstance(doc.get("outputs"), dict):
        return None
    return doc


def _previous_records(data_file: Path | None, out_dir: Path) -> list[tuple[Path, dict]]:
    """The import records in the output folder (or beside the one data file), read once per run."""
    if data_file is not None:
        cands = [data_file.with_name(data_file.stem + RECORD_SUFFIX)]
    else:
        try:
            cands = sorted(p for p in out_dir.iterdir() if p.name.endswith(RECORD_SUFFIX))
        except OSError:
            cands = []
    out = []
    for p in cands:
        head = _record_head(p)
        if head is not None:
            out.append((p, head))
    return out


def _options(args) -> dict:
    from ..core.version import __version__

    return {"kit_version": __version__, "family": args.family}


def _unchanged(form: Path, previous: list[tuple[Path, dict]], args) -> list[Outcome] | None:
    """Outcomes 'skipped' when every form the file held was imported from these very bytes, with
    the same options, and every file then written is still as written; else None."""
    if not previous:
        return None
    sha = _sha256_file(form)
    if sha is None:
        return None
    mine = [(p, h) for p, h in previous
            if h["inputs"].get("form_sha256") == sha and h["inputs"].get("form") == path_text(form.name)]
    if not mine:
        return None
    # The kit's YAML reader keeps numbers as their text: compare as text.
    n = str(mine[0][1]["inputs"].get("forms_in_file"))
    if not n.isdigit() or sorted(str(h["inputs"].get("form_index")) for _, h in mine) != \
            sorted(str(i) for i in range(1, int(n) + 1)):
        return None
    params_dir = Path(args.params).resolve() if args.params else None
    out = []
    for rec, h in mine:
        if h["inputs"].get("options") != _options(args):
            return None
        outputs = h["outputs"]
        data = rec.with_name(str(outputs.get("data_file", "")))
        if not outputs.get("data_file") or _sha256_file(data) != outputs.get("data_sha256"):
            return None
        if params_dir is not None:
            pfile = params_dir / str(outputs.get("params_file", ""))
            if not outputs.get("params_file") or str(params_dir) != outputs.get("params_dir") \
                    or _sha256_file(pfile) != outputs.get("params_sha256"):
                return None
        out.append(Outcome(form, "skipped", data, "表单与已写出的文件未改变"))
    return out


def _repair_note(data_path: Path, record_path: Path) -> str:
    """What an earlier run left half done for this data file ('' when nothing)."""
    if not data_path.exists():
        return "已有导入记录，但数据文件不存在" if record_path.exists() else ""
    head = _record_head(record_path) if record_path.exists() else None
    if head is None:
        return "已有数据文件，但没有（可读的）导入记录"
    if _sha256_file(data_path) != head["outputs"].get("data_sha256"):
        return "数据文件与导入记录不一致（上次导入中断，或文件被改动过）"
    return ""


# --- importing ------------------------------------------------------------------------------------
def _import_file(form: Path, data_path: Path | None, out: Path, args, taken: dict[Path, Path],
                 previous: list[tuple[Path, dict]]) -> list[Outcome]:
    from ..core.errors import KitError, Problem
    from ..importer import import_forms

    found = import_forms(form, args.family)
    if len(found) > 1 and data_path is not None:
        raise KitError(Problem(f"文件中有 {len(found)} 份表单，--out 应为文件夹（每份表单各写一个数据文件）",
                               file=str(form), expected="--out 文件夹"))
    if len(found) > 1 and not args.quiet:
        say(f"{shown(form.name)}：文件中有 {len(found)} 份表单，各导入为一个数据文件")
    outcomes = []
    for k, (doc, record) in enumerate(found, start=1):
        try:
            outcomes.append(_import_one(form, doc, record, data_path, out, args, taken, (k, len(found))))
        except KitError as exc:
            outcomes.append(Outcome(form, "failed", message=str(exc)))
            say(f"导入失败：\n{exc}", file=sys.stderr)
    return outcomes


def _import_one(form: Path, doc: dict, record, data_path: Path | None, out: Path, args,
                taken: dict[Path, Path], index: tuple[int, int]) -> Outcome:
    from ..core.errors import KitError, Problem
    from ..run.rendering import write_all_atomic
    from ..core.yamlio import dump_yaml

    fam = record.family
    if not args.quiet:
        how = "自动识别" if fam["chosen"] == "detected" else "由 --family 指定"
        say(f"{shown(form.name)}：表式 {fam['title']}（{fam['id']}，{how}；{fam['reason']}）")
    dep = doc["department"]
    if data_path is None:
        data_path = out / f"{dep['code']}-{dep['year']}.yaml"
    record_path = data_path.with_name(data_path.stem + RECORD_SUFFIX)
    _names_fit(data_path, record_path, form)
    if data_path.resolve() in taken:
        raise KitError(Problem(
            f"与 {path_text(taken[data_path.resolve()].name)} 的部门编码和年度相同（{dep['code']}，{dep['year']}），未写出",
            file=str(form), expected="每个部门-年度只导入一份表单"))
    repair = _repair_note(data_path, record_path)
    source_name = path_text(record.source["file"])
    record.source["file"] = source_name
    head = (f"# {shown(dep.get('name', ''))}（部门编码 {shown(dep['code'])}）{shown(dep['year'])} 年度："
            f"由 kit import 从 {shown(source_name)} 导入\n"
            f"# 每个数值的来源与放置方式见 {shown(record_path.name)}\n")
    data = (head + dump_yaml(doc)).encode("utf-8")
    _loads_as_written(data, data_path)  # the file to be written must load as it is: else nothing is written
    files: dict[Path, bytes] = {data_path: data}
    outputs = {"data_file": data_path.name, "data_sha256": hashlib.sha256(data).hexdigest()}
    if args.params:
        pdir = Path(args.params)
        rel = Path(os.path.relpath(data_path.resolve(), pdir.resolve())).as_posix()
        ptext = (f"# 由 kit import 从 {shown(source_name)} 生成\n"
                 + dump_yaml({"dept_code": str(dep["code"]), "fiscal_year": dep["year"], "data": rel}))
        pdata = ptext.encode("utf-8")
        pfile = pdir / f"{dep['code']}.yaml"
        files[pfile] = pdata
        outputs.update({"params_dir": str(pdir.resolve()), "params_file": pfile.name,
                        "params_sha256": hashlib.sha256(pdata).hexdigest()})
    inputs = {"form": source_name, "form_sha256": record.source["sha256"], "form_index": index[0],
              "forms_in_file": index[1], "options": _options(args)}
    files[record_path] = dump_yaml(record.to_dict(data_file=data_path.name, inputs=inputs, outputs=outputs)).encode("utf-8")
    write_all_atomic(files)  # temporary files first, then the renames back to back, the record last
    taken[data_path.resolve()] = form
    if repair and not args.quiet:
        say(f"  修复：{shown(data_path.name)}：{repair}，已重新导入")
    c = record.counts()
    message = f"按版式 {c['layout']} 项，推断 {c['inferred']} 项，未能读取 {c['absent']} 项，未归位文字 {c['not_placed']} 段"
    if repair:
        message += f"；已修复：{repair}"
    if not args.quiet:
        say(f"  → {shown(data_path)}（{message}）；导入记录 {shown(record_path.name)}")
    return Outcome(form, record.status, data_path, message)


def _names_fit(data_path: Path, record_path: Path, form: Path) -> None:
    """The files to write, and their temporary names, must fit the file system's name limit:
    said before anything is written (the system's English 'File name too long' otherwise)."""
    from ..core.errors import KitError, Problem

    try:
        limit = os.pathconf(data_path.parent, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):
        limit = 255
    longest = max(len(f".{p.name}.{os.getpid()}.tmp".encode("utf-8", "surrogateescape")) for p in (data_path, record_path))
    if longest > limit:
        raise KitError(Problem(f"数据文件名过长：连同导入记录 {record_path.name} 和写入时的临时文件名，超过文件系统每级 {limit} 字节的限制",
                               file=str(form), value=data_path.name,
                               expected=f"较短的数据文件名（不超过 {limit - len(RECORD_SUFFIX) - 20} 字节）"))


def _loads_as_written(data: bytes, data_path: Path) -> None:
    """Load the data file's bytes as ``kit.files.load.load_department`` would read the file."""
    from ..core.errors import KitError, LoadError, Problem
    from ..families import get_family
    from ..files.intake import build
    from ..model import Source
    from ..core.yamlio import line_locator, parse_yaml

    text = data.decode("utf-8")
    doc = parse_yaml(text, str(data_path))
    if not isinstance(doc, dict):
        raise LoadError(Problem("写出的数据文件不是一个部门的数据表", file=str(data_path)))
    family = doc.get("family")
    try:
        fam = get_family(family if isinstance(family, str) else None, str(data_path))
    except KitError as exc:
        raise LoadError(exc.problems) from None
    build(doc, Source(str(data_path), "yaml", hashlib.sha256(data).hexdigest()), line_locator(doc), fam.required)


def _summary(outcomes: list[Outcome]) -> None:
    counts = {k: sum(o.status == k for o in outcomes) for k in RESULT_LABELS}
    say("导入结果：" + "，".join(f"{RESULT_LABELS[k]} {v}" for k, v in counts.items() if v or k != "skipped"))
    names = [shown(o.form.name) for o in outcomes]
    width = max(len(n) for n in names)
    say(f"{'表单'.ljust(width)}  结果      数据文件  说明")
    for name, o in zip(names, outcomes):
        note = o.message.splitlines()[0] if o.message else ""
        data = shown(o.data.name) if o.data else "—"
        say(f"{name.ljust(width)}  {RESULT_LABELS[o.status]:<6}  {data}  {note}")
