"""``kit render PARAMS --out DIR``: one department's report, notebook and JSON."""
from __future__ import annotations

import argparse
import sys


def cmd_render(args: argparse.Namespace) -> int:
    from .render import render

    result = render(args.params, args.out, timeout=args.timeout)
    if result.ok:
        print(f"已生成审核报告：{result.html}（用时 {result.seconds:.1f} 秒）")
        print(f"执行后的笔记本：{result.ipynb}")
        print(f"审核结果（JSON）：{result.json}")
        return 0
    print(f"报告生成失败（部门编码 {result.dept_code}）：{result.failure}", file=sys.stderr)
    print(f"已写出说明失败原因的页面：{result.html}；执行后的笔记本：{result.ipynb}", file=sys.stderr)
    return 1


def add_render(sub) -> None:
    p = sub.add_parser("render", help="运行审核笔记本并生成一个部门的 HTML 审核报告")
    p.add_argument("params", help="参数文件，例如 params/022006.yaml")
    p.add_argument("--out", default="reports", help="输出目录（默认 reports）：写出 <部门编码>.html/.ipynb/.json")
    p.add_argument("--timeout", type=float, default=600, help="每个单元格的执行时限（秒，默认 600）")
    p.set_defaults(func=cmd_render)
