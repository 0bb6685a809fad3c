"""``kit check PATH [--format table|json]``: audit one department and print the result."""
from __future__ import annotations

from decimal import Decimal

import argparse
import json
import unicodedata

from ..core.text import for_terminal, json_for_terminal
from ..core.values import fmt_score
from ..core.vocab import Basis, Severity, Status
from ..core.values import fmt_amount

BASIS_TEXT = Basis.labels()
STATUS_TEXT = Status.labels()
SEVERITY_TEXT = Severity.labels()


def width(s: str) -> int:
    """Terminal columns of a string (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def pad(s: str, n: int, right: bool = False) -> str:
    s = clip(s, n)
    fill = " " * (n - width(s))
    return fill + s if right else s + fill


def clip(s: str, n: int) -> str:
    if width(s) <= n:
        return s
    out = ""
    for c in s:
        if width(out + c) > n - 1:
            break
        out += c
    return out + "…"


def table(headers: list[str], rows: list[list[str]], right: set[int] = frozenset(), max_width: dict | None = None) -> list[str]:
    max_width = max_width or {}
    # Escaped before measuring, so a control character in a name cannot shift the columns.
    rows = [[for_terminal(c) for c in r] for r in rows]
    widths = [min(max([width(h)] + [width(r[i]) for r in rows]), max_width.get(i, 10**6)) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(pad(c, w, i in right) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    return [line(headers), "  ".join("─" * w for w in widths)] + [line(r) for r in rows]


def render_table(result) -> str:
    d = result.department
    t, g = result.totals, result.grade
    what = f"“{d.header.project}”项目支出" if d.header.project else "部门整体支出"
    out = [f"{d.name}（部门编码 {d.code}，{d.year} 年度）{what}绩效自评复核", ""]
    counts = result.findings["status"].value_counts().to_dict()
    out.append("概况")
    diff = "—" if t["self"] is None or t["recomputed"] is None else fmt_score(t["recomputed"] - t["self"])
    out.append(f"  自评总分 {fmt_score(t['self'])} 分（{g['self']}）；复核总分 {fmt_score(t['recomputed'])} 分（{g['recomputed']}）"
               f"；差 {diff} 分")
    out.append(f"  检查 {len(result.findings)} 项：通过 {counts.get('pass', 0)}，不符 {counts.get('fail', 0)}，"
               f"无法核实 {counts.get('unverifiable', 0)}；模板 {result.family.title if result.family else '—'}；"
               f"规则 {result.rules.title}（{result.rules.name}）")
    if not result.graded:  # another template's rules, or none: why there is no grade and no recomputed total
        out.append("  " + result.no_grade_reason())
    out.append("  " + money_line(d))
    out += ["", "评分复核"]
    rows = []
    for r in result.scores.to_dict("records"):
        diff = ""
        if r["self_score"] is not None and r["recomputed_score"] is not None and r["self_score"] != r["recomputed_score"]:
            dv = r["recomputed_score"] - r["self_score"]
            diff = ("+" if dv > 0 else "") + fmt_score(dv)
        basis = BASIS_TEXT.get(r["basis"], r["basis"]) + ("·按表内分值" if r.get("weight_source") == "table" else "")
        rows.append([r["level1"], r["indicator"], fmt_score(r["weight"]), fmt_score(r["self_score"]),
                     fmt_score(r["recomputed_score"]), diff, basis])
    for l1, v in t["by_level1"].items():
        rows.append([l1, "小计", fmt_score(v["weight"]), fmt_score(v["self"]), fmt_score(v["recomputed"]),
                     "", ""])
    weights = [v["weight"] for v in t["by_level1"].values()]
    rows.append(["合计", "", fmt_score(None if None in weights else sum(weights, Decimal(0))), fmt_score(t["self"]),
                 fmt_score(t["recomputed"]), "", ""])
    out += ["  " + x for x in table(["一级指标", "三级指标", "权重", "自评", "复核", "差异", "依据"], rows,
                                    right={2, 3, 4, 5}, max_width={1: 30})]
    issues = result.issues(labels="machine")  # machine names; issues() is the Chinese frame
    out += ["", f"问题清单（{len(issues)} 项：问题按对分数、金额的影响排列，其后为无法核实、格式与解析说明）"]
    if issues.empty:
        out.append("  无")
    for r in issues.to_dict("records"):
        # An info-level 'fail' is a note (e.g. 万元 converted), not a discrepancy.
        if r["status"] == Status.UNVERIFIABLE:
            tag = "[无法核实]"  # not a discrepancy: inputs are missing (listed under 需补充资料)
        elif r["severity"] == Severity.INFO:
            tag = "[提示]"
        else:
            tag = f"[{SEVERITY_TEXT[r['severity']]}·{STATUS_TEXT[r['status']]}]"
        out.append(f"  {tag} {r['check_id']} {r['subject']}：{r['message']}")
        if r["location"]:
            out.append(f"        位置：{r['location']}")
    out += ["", "需补充资料"]
    if result.missing_inputs.empty:
        out.append("  无")
    for r in result.missing_inputs.to_dict("records"):
        out.append(f"  · {r['label']}（用于 {'、'.join(r['needed_by'])}）")
    return for_terminal("\n".join(out))


def money_line(d) -> str:
    """The department's money in one line: the 年度预算执行情况 total row, or the Shenzhen budget totals."""
    total = d.funds.total
    if total is not None:
        unit = d.header.unit or ""
        cells = [f"{label} {n.raw.strip()}{unit}" for label, n in (("年初预算数", total.initial), ("全年预算数", total.adjusted),
                                                                  ("全年执行数", total.actual)) if n.raw.strip()]
        return f"{total.source.rstrip(':：')}：" + ("；".join(cells) or "未印金额")
    b = d.budget
    return (f"年初预算 {fmt_amount(b.initial.total.value)} 元；调整后 {fmt_amount(b.adjusted.total.value)} 元；"
            f"年末执行 {fmt_amount(b.actual.total.value)} 元")


def cmd_check(args: argparse.Namespace) -> int:
    from ..engine.audit import audit_path

    result = audit_path(args.path, rules=args.rules)
    if args.format == "json":
        print(json_for_terminal(json.dumps(result.to_json_dict(), ensure_ascii=False, indent=1)))
    else:
        print(render_table(result))
    return 0


def add_check_command(sub) -> None:
    p = sub.add_parser("check", help="复核一个部门：重算得分、运行全部检查，输出问题清单")
    p.add_argument("path", help="参数文件（params/*.yaml）或数据文件（.yaml/.xlsx）")
    p.add_argument("--format", choices=("table", "json"), default="table", help="输出格式（默认 table）")
    p.add_argument("--rules", default=None, metavar="NAME|PATH",
                   help="规则：内置规则名（如 mof_selfeval、mof_selfeval_anhui）或规则文件路径；默认取参数文件的 rules 或数据文件所属模板的规则")
    p.set_defaults(func=cmd_check)
