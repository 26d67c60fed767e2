"""The layers stay apart: read from the source, so a forbidden import fails here before it ships.

* faq/ is pure (text in, topics out): it imports nothing of bot/, handlers/ or storage/.
* storage/ holds tables and queries, no behaviour: it imports nothing of bot/ or handlers/.
* handlers/ is messenger-independent: no bot/, no aiogram, httpx or aiohttp.
* Only bot.telegram imports aiogram (after bot.telegram.aiogram_types: see that module).
* No import cycle among the imports that run when a module loads.
* No module over 400 lines and no class over 250 without a written reason ("Size:" in its docstring).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ("bot", "handlers", "storage", "faq")
MESSENGER_SDKS = ("aiogram", "httpx", "aiohttp")
MAX_MODULE_LINES = 400
MAX_CLASS_LINES = 250


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {
    _module_name(path): path for top in PROJECT for path in sorted((ROOT / top).rglob("*.py"))
}


def _imports(path: Path, *, at_load_only: bool) -> Iterator[tuple[str, int]]:
    """(imported module, line) for each import; `at_load_only` skips those inside functions."""

    def visit(nodes: list[ast.stmt], in_function: bool) -> Iterator[tuple[str, int]]:
        for node in nodes:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if not at_load_only:
                    yield from visit(node.body, True)
                continue
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue  # annotations only: never executed
            if isinstance(node, ast.Import):
                yield from ((alias.name, node.lineno) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                submodules = [
                    f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in MODULES
                ]
                yield from ((name, node.lineno) for name in submodules)
                if len(submodules) < len(node.names):
                    yield node.module, node.lineno
            for field in ("body", "orelse", "finalbody", "handlers"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    yield from visit(children, in_function)

    yield from visit(ast.parse(path.read_text(encoding="utf-8")).body, False)


def _violations(layer: str, forbidden: tuple[str, ...], allowed_in: tuple[str, ...] = ()) -> list[str]:
    found = []
    for name, path in MODULES.items():
        if name.split(".")[0] != layer or name.startswith(allowed_in):
            continue
        for imported, line in _imports(path, at_load_only=False):
            if imported.split(".")[0] in forbidden:
                found.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    return found


def test_faq_is_pure() -> None:
    assert _violations("faq", ("bot", "handlers", "storage")) == []


def test_storage_has_no_behaviour() -> None:
    assert _violations("storage", ("bot", "handlers")) == []


def test_handlers_know_no_messenger() -> None:
    assert _violations("handlers", ("bot", *MESSENGER_SDKS)) == []


def test_only_the_telegram_adapter_imports_aiogram() -> None:
    outside = [v for layer in PROJECT for v in _violations(layer, ("aiogram",), allowed_in=("bot.telegram",))]
    assert outside == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycles_when_modules_load() -> None:
    graph = {
        name: {i for i, _ in _imports(path, at_load_only=True) if i in MODULES and i != name}
        for name, path in MODULES.items()
    }
    assert _cycles(graph) == []


def test_cycle_finder_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _has_reason(node: ast.AST) -> bool:
    doc = ast.get_docstring(node) if isinstance(node, ast.Module | ast.ClassDef) else None
    return bool(doc and "Size:" in doc)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_and_classes_stay_small(name: str) -> None:
    path = MODULES[name]
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    too_big = []
    if len(source.splitlines()) > MAX_MODULE_LINES and not _has_reason(tree):
        too_big.append(f"module of {len(source.splitlines())} lines")
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
            lines = node.end_lineno - node.lineno + 1
            if lines > MAX_CLASS_LINES and not _has_reason(node):
                too_big.append(f"class {node.name} of {lines} lines")
    assert too_big == [], (
        f"{path.relative_to(ROOT)}: {', '.join(too_big)} (split it, or say why under 'Size:')"
    )
