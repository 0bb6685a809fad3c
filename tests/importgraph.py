"""The kit's own import graph, read from the source (function-level imports too): module → the kit
modules it imports. Shared by the layer test and the run layer's circle test."""
from __future__ import annotations

import ast
from pathlib import Path


def kit_import_graph(repo_root: Path) -> dict[str, set[str]]:
    kit = repo_root / "kit"
    modules = {".".join(p.relative_to(repo_root).with_suffix("").parts).removesuffix(".__init__"): p
               for p in kit.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package
                for _ in range(max(0, node.level - 1)):
                    base = base.rpartition(".")[0]
                target = f"{base}.{node.module}" if node.level and node.module else (node.module or base)
                for alias in node.names:
                    # `from . import kernels` depends on the module kernels, not on the package
                    sub = f"{target}.{alias.name}"
                    deps |= {sub} if sub in modules else ({target} if target in modules else set())
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names if a.name in modules}
        graph[name] = deps - {name}
    return graph
