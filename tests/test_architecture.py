"""The house has floors: which module may import which, read from the source (no module is executed).

Bottom up: the core (`finsam`, without its site package and project wiring), `plans`, `interventions`,
`budgets`, and on top the site (`finsam.site`: demo, benchmark, backup) with the project wiring
(settings, root URLs, WSGI). A module may import its own floor and the floors below it, never one above;
no module imports another app's views; no import cycle; and no function-local import of the project's
own modules (a local import that stays for start-up cost says so in a comment on its line).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("finsam", "plans", "interventions", "budgets")
WIRING = {"finsam.settings", "finsam.settings_test", "finsam.urls", "finsam.wsgi"}
FLOORS = ["core", "plans", "interventions", "budgets", "site"]


def floor_of(module: str) -> str:
    if module in WIRING or module == "finsam.site" or module.startswith("finsam.site."):
        return "site"
    top = module.split(".")[0]
    return "core" if top == "finsam" else top


def project_modules() -> dict[str, Path]:
    modules = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def imported_names(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        parts = module.split(".")
        base = parts if is_package else parts[:-1]
        base = base[: len(base) - node.level + 1]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    return [prefix, *(f"{prefix}.{alias.name}" for alias in node.names)]


def project_imports():
    """(module, imported project module, line, at module level?, the line's text) for every import."""
    modules = project_modules()
    found = []
    for module, path in modules.items():
        source = path.read_text()
        lines = source.splitlines()
        tree = ast.parse(source)
        top_level = {id(node) for node in tree.body}
        # Imports under `if TYPE_CHECKING:` only name types: they are not executed.
        for node in tree.body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                top_level |= {id(child) for child in ast.walk(node)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for name in imported_names(node, module, path.name == "__init__.py"):
                if name in modules:
                    found.append((module, name, node.lineno, id(node) in top_level, lines[node.lineno - 1]))
    return found


def test_no_module_imports_a_floor_above_its_own():
    wrong = [
        f"{module}:{line} imports {name} ({floor_of(module)} → {floor_of(name)})"
        for module, name, line, _top, _text in project_imports()
        if FLOORS.index(floor_of(name)) > FLOORS.index(floor_of(module))
    ]
    assert not wrong, "\n".join(wrong)


def test_the_core_imports_no_feature_app():
    wrong = [
        f"{module}:{line} imports {name}"
        for module, name, line, _top, _text in project_imports()
        if floor_of(module) == "core" and floor_of(name) != "core"
    ]
    assert not wrong, "\n".join(wrong)


def test_no_module_imports_another_apps_views():
    wrong = [
        f"{module}:{line} imports {name}"
        for module, name, line, _top, _text in project_imports()
        if ".views" in name
        and name.split(".")[0] != module.split(".")[0]
        and floor_of(module) != "site"  # the root URLs route to every app's views
    ]
    assert not wrong, "\n".join(wrong)


def test_there_is_no_import_cycle():
    graph = defaultdict(set)
    for module, name, _line, top, _text in project_imports():
        if top and name != module:
            graph[module].add(name)
    # A module's package __init__ is imported with it; only real module-to-module edges count.
    seen: dict[str, int] = {}
    cycles = []

    def visit(module: str, stack: list[str]) -> None:
        seen[module] = 1
        for target in sorted(graph[module]):
            if seen.get(target) == 1:
                cycles.append(" → ".join([*stack[stack.index(target) :], target]))
            elif target not in seen:
                visit(target, [*stack, target])
        seen[module] = 2

    for module in sorted(list(graph)):
        if module not in seen:
            visit(module, [module])
    assert not cycles, "\n".join(cycles)


def test_no_local_import_of_the_projects_own_modules_without_a_reason():
    wrong = [
        f"{module}:{line}: {text.strip()}"
        for module, _name, line, top, text in project_imports()
        if not top and "#" not in text
    ]
    assert not wrong, "A local import needs a reason in a comment on its line:\n" + "\n".join(wrong)


def test_every_module_imports():
    """Every module of the apps loads (commands and the benchmark are not all run by the suite)."""
    import importlib

    import django

    django.setup()
    for module in sorted(project_modules()):
        if module in ("finsam.settings", "finsam.settings_test", "finsam.wsgi"):
            continue
        importlib.import_module(module)
