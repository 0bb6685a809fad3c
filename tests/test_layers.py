"""The folders of kit/ are the layers of docs/architecture.md: a module imports only from its own
folder and the folders below it, apart from the reaches the document names."""
from __future__ import annotations

from conftest import ROOT
from importgraph import kit_import_graph

KIT = ROOT / "kit"
# From the ground up (docs/architecture.md's table); kit/__init__ and __main__ stand above all.
ORDER = ["core", "model", "families", "engine", "files", "importer", "report", "run", "commands"]
# The reaches docs/architecture.md names, each (importing module, imported module).
KNOWN = {
    ("kit.model.build", "kit.families"),             # the default family's name
    ("kit.engine.audit", "kit.report.facts"),        # AuditResult's display numbers findings as the report does
    ("kit.engine.audit", "kit.report.summary"),      # AuditResult._repr_html_
    ("kit.engine.audit", "kit.files.params"),        # the Params type
    ("kit.engine.audit", "kit.files.load"),          # audit_path opens a command-line path
    ("kit.families.", "kit.engine.scoretypes"),      # a family's formula plug-in registers itself
    ("kit.families.", "kit.engine.formulas"),        # and may build on the shared plug-ins
}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in ORDER:
        return None  # kit itself, kit.__main__, kit.templates
    return ORDER.index(parts[1])


def test_every_module_of_kit_lives_in_a_layer_folder():
    loose = [p.name for p in KIT.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    folders = sorted(p.name for p in KIT.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert loose == []
    assert folders == sorted(ORDER)


def test_no_layer_imports_a_layer_above_it():
    upward, used = [], set()
    for mod, targets in sorted(kit_import_graph(ROOT).items()):
        own = _layer(mod)
        if own is None:
            continue
        for target in sorted(targets):
            other = _layer(target)
            if other is None or other <= own:
                continue
            known = [k for k in KNOWN if mod.startswith(k[0]) and target.startswith(k[1])]
            used.update(known)
            if not known:
                upward.append(f"{mod} -> {target}")
    assert upward == []
    assert used == KNOWN, f"reaches no longer made (drop them here and in docs/architecture.md): {KNOWN - used}"
