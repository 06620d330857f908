"""The house's figures read from the AST: import circles, imports against the layer order, and
modules, classes and functions over their size limits (issue 24).

Usage: python bench/architecture.py [--json] [--check [TARGET ...]]

The layer order and each module's layer are read from the tables in docs/architecture.md (the
one place they are written down). An import is any of:
  top            `import`/`from … import` at module level, outside `if TYPE_CHECKING:`
  function       the same inside a function or method (run when it is called)
  type-checking  inside `if TYPE_CHECKING:` (never run; types only)
  lazy           a string handed to `LazyModule("kronobarn_cli.…")` or `importlib.import_module`
A circle is a strongly connected set of modules (or a module importing itself). Circles are
counted three ways: top-level imports only; at run time (top, function, lazy); and with the
type-checking imports as well. Layer breaches count every kind.

Not a test yet: today's code misses the targets. `--check` exits 1 while any chosen target is
missed (targets: circles, layers, modules, classes, functions; default all of them), and 2
when a module has no layer in docs/architecture.md. The tests import this file for its
functions (tests/test_architecture.py).
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

PACKAGE = "kronobarn_cli"
ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / PACKAGE
DOC = ROOT / "docs" / "architecture.md"

MODULE_LINES = 400
CLASS_LINES = 300
FUNCTION_LINES = 80

KINDS = ("top", "function", "type-checking", "lazy")
TOP_LEVEL = frozenset({"top"})
RUN_TIME = frozenset({"top", "function", "lazy"})
EVERY_KIND = frozenset(KINDS)
LAZY_CALLS = frozenset({"LazyModule", "import_module"})
TARGETS = ("circles", "layers", "modules", "classes", "functions")


@dataclass(frozen=True, order=True)
class Import:
    source: str
    target: str
    line: int
    kind: str


@dataclass(frozen=True)
class Oversize:
    what: str  # "module", "class" or "function"
    name: str  # module name, or module:Qualified.name
    lines: int
    limit: int


@dataclass(frozen=True)
class Breach:
    """An import from a lower layer to a higher one."""

    source: str
    source_layer: str
    target: str
    target_layer: str
    line: int
    kind: str


# --- modules and their imports -------------------------------------------------------------


def module_name(path: Path, src: Path = SRC) -> str:
    parts = [PACKAGE, *path.relative_to(src).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def discover(src: Path = SRC) -> dict[str, Path]:
    """Every Python module of the package, by dotted name."""
    return {module_name(p, src): p for p in sorted(src.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _resolve(name: str, known: Iterable[str]) -> str | None:
    """The package's module a dotted name means (the longest known prefix), or None."""
    known = set(known)
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


class _Visitor(ast.NodeVisitor):
    def __init__(self, source: str, is_package: bool, known: set[str]) -> None:
        self.source = source
        self.package = source if is_package else source.rpartition(".")[0]
        self.known = known
        self.found: list[Import] = []
        self._functions = 0
        self._type_checking = 0

    def _kind(self) -> str:
        if self._type_checking:
            return "type-checking"
        return "function" if self._functions else "top"

    def _add(self, name: str, line: int, kind: str) -> None:
        target = _resolve(name, self.known)
        if target is not None:
            self.found.append(Import(self.source, target, line, kind))

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        self._functions += 1
        self.generic_visit(node)
        self._functions -= 1

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function
    visit_Lambda = _function

    def visit_If(self, node: ast.If) -> None:
        if not _is_type_checking(node.test):
            self.generic_visit(node)
            return
        self.visit(node.test)
        self._type_checking += 1
        for child in node.body:
            self.visit(child)
        self._type_checking -= 1
        for child in node.orelse:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node.lineno, self._kind())

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package.split(".")
            base = base[: len(base) - node.level + 1]
            module = ".".join([*base, node.module] if node.module else base)
        else:
            module = node.module or ""
        for alias in node.names:
            # `from kronobarn_cli import case` imports the module kronobarn_cli.case
            self._add(f"{module}.{alias.name}", node.lineno, self._kind())

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if (
            called in LAZY_CALLS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            self._add(node.args[0].value, node.lineno, "lazy")
        self.generic_visit(node)


def imports_of(name: str, path: Path, known: Iterable[str]) -> list[Import]:
    """The package-internal imports of one module: one per statement and module imported."""
    visitor = _Visitor(name, path.name == "__init__.py", set(known))
    visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return sorted(set(visitor.found), key=lambda i: (i.line, i.target, i.kind))


def all_imports(modules: dict[str, Path]) -> list[Import]:
    found: list[Import] = []
    for name, path in modules.items():
        found.extend(imports_of(name, path, modules))
    return found


def edges(imports: Iterable[Import], kinds: Iterable[str] = EVERY_KIND) -> dict[str, set[str]]:
    kinds = frozenset(kinds)
    graph: dict[str, set[str]] = {}
    for found in imports:
        if found.kind in kinds:
            graph.setdefault(found.source, set()).add(found.target)
    return graph


# --- circles -------------------------------------------------------------------------------


def circles(imports: Iterable[Import], kinds: Iterable[str] = RUN_TIME) -> list[list[str]]:
    """The import circles among `kinds` of imports: each a sorted list of the modules that
    reach one another (Tarjan's strongly connected components, and self-imports)."""
    graph = edges(imports, kinds)
    nodes = sorted(set(graph) | {t for targets in graph.values() for t in targets})
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    for root in nodes:
        if root in index:
            continue
        # iterative DFS: (node, iterator over its targets)
        work: list[tuple[str, Iterator[str]]] = []
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work.append((root, iter(sorted(graph.get(root, ())))))
        while work:
            node, targets = work[-1]
            advanced = False
            for target in targets:
                if target not in index:
                    index[target] = low[target] = counter
                    counter += 1
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.get(target, ())))))
                    advanced = True
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    found.append(sorted(component))
    return sorted(found)


def same_circle(imports: Iterable[Import], first: str, second: str, kinds: Iterable[str]) -> bool:
    """Whether two modules (dotted names, or names inside the package) import each other,
    through any path, by `kinds` of imports."""
    a, b = (n if n.startswith(PACKAGE) else f"{PACKAGE}.{n}" for n in (first, second))
    return any(a in circle and b in circle for circle in circles(imports, kinds))


def circle_imports(
    imports: Iterable[Import], circle: Sequence[str], kinds: Iterable[str]
) -> list[Import]:
    members = set(circle)
    kinds = frozenset(kinds)
    return sorted(
        i for i in imports if i.kind in kinds and i.source in members and i.target in members
    )


# --- layers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layers:
    order: list[str]  # lowest first
    of_path: dict[str, str]  # module path inside the package (today's or target) -> layer
    packages: dict[str, str]  # a subpackage directory named in the layer table -> layer

    def layer_of(self, path: str) -> str | None:
        """The layer of a module by its path inside the package (`case.py`, `domain/case.py`)."""
        if path in self.of_path:
            return self.of_path[path]
        top = path.split("/", maxsplit=1)[0]
        return self.packages.get(top) if "/" in path else None

    def rank(self, layer: str) -> int:
        return self.order.index(layer)


_CELL_CODE = re.compile(r"`([^`]+)`")


def _table(text: str, name: str) -> list[list[str]]:
    """The rows (cells, stripped) of the Markdown table between `<!-- name:begin -->` and
    `<!-- name:end -->`, without its header and rule lines."""
    match = re.search(rf"<!-- {name}:begin -->(.*?)<!-- {name}:end -->", text, re.S)
    if match is None:
        raise SystemExit(f"docs/architecture.md: no table between <!-- {name}:begin/end -->")
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in match.group(1).splitlines()
        if line.strip().startswith("|")
    ]
    return [r for r in rows[1:] if not all(set(c) <= set("-: ") for c in r)]


def read_layers(doc: Path = DOC) -> Layers:
    """The layer order (table `layers`: a row per layer, lowest first, with the subpackages it
    owns in backticks) and each module's layer (table `modules`: today's path, layer, target
    path(s), all in backticks)."""
    text = doc.read_text(encoding="utf-8")
    order: list[str] = []
    packages: dict[str, str] = {}
    for row in _table(text, "layers"):
        layer = row[1].strip("`* ")
        order.append(layer)
        for package in _CELL_CODE.findall(row[2]):
            if package.endswith("/"):
                packages[package.rstrip("/")] = layer
    of_path: dict[str, str] = {}
    for row in _table(text, "modules"):
        layer = row[1].strip("`* ")
        if layer not in order:
            raise SystemExit(f"docs/architecture.md: unknown layer {layer!r} for {row[0]}")
        for path in _CELL_CODE.findall(row[0]) + _CELL_CODE.findall(row[2]):
            if path.endswith(".py"):
                of_path[path] = layer
    return Layers(order, of_path, packages)


def relative_path(name: str, modules: dict[str, Path], src: Path = SRC) -> str:
    return modules[name].relative_to(src).as_posix()


def unmapped(modules: dict[str, Path], layers: Layers, src: Path = SRC) -> list[str]:
    return [
        relative_path(n, modules, src)
        for n in modules
        if layers.layer_of(relative_path(n, modules, src)) is None
    ]


def breaches(
    imports: Iterable[Import], modules: dict[str, Path], layers: Layers, src: Path = SRC
) -> list[Breach]:
    """Imports from a lower layer to a higher one (of every kind)."""
    found = []
    for i in imports:
        source = layers.layer_of(relative_path(i.source, modules, src))
        target = layers.layer_of(relative_path(i.target, modules, src))
        if source is None or target is None:
            continue
        if layers.rank(target) > layers.rank(source):
            found.append(Breach(i.source, source, i.target, target, i.line, i.kind))
    return sorted(found, key=lambda b: (b.source, b.line, b.target))


# --- sizes ---------------------------------------------------------------------------------


def _span(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    first = min([node.lineno] + [d.lineno for d in node.decorator_list])
    return (node.end_lineno or node.lineno) - first + 1


def _oversized_in(node: ast.AST, module: str, prefix: str, found: list[Oversize]) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            qualified = f"{prefix}{child.name}"
            what, limit = (
                ("class", CLASS_LINES)
                if isinstance(child, ast.ClassDef)
                else ("function", FUNCTION_LINES)
            )
            if _span(child) > limit:
                found.append(Oversize(what, f"{module}:{qualified}", _span(child), limit))
            _oversized_in(child, module, f"{qualified}.", found)
        else:
            _oversized_in(child, module, prefix, found)


def oversized(modules: dict[str, Path]) -> list[Oversize]:
    """Modules over MODULE_LINES lines, classes over CLASS_LINES and functions (methods and
    nested functions too) over FUNCTION_LINES, decorators included."""
    found: list[Oversize] = []
    for name, path in modules.items():
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MODULE_LINES:
            found.append(Oversize("module", name, lines, MODULE_LINES))
        _oversized_in(ast.parse(text, str(path)), name, "", found)
    return sorted(found, key=lambda o: (o.what, -o.lines, o.name))


# --- the report ----------------------------------------------------------------------------


@dataclass
class Figures:
    modules: int
    lines: int
    imports: dict[str, int]
    circles_top_level: list[list[str]]
    circles_run_time: list[list[str]]
    circles_with_type_checking: list[list[str]]
    circle_imports: list[Import]
    unmapped: list[str]
    breaches: list[Breach]
    oversized: list[Oversize]

    def missed(self, targets: Iterable[str]) -> list[str]:
        misses = {
            "circles": bool(self.circles_run_time),
            "layers": bool(self.breaches),
            "modules": any(o.what == "module" for o in self.oversized),
            "classes": any(o.what == "class" for o in self.oversized),
            "functions": any(o.what == "function" for o in self.oversized),
        }
        return [t for t in targets if misses[t]]


def figures(src: Path = SRC, doc: Path = DOC) -> Figures:
    modules = discover(src)
    imports = all_imports(modules)
    layers = read_layers(doc)
    every = circles(imports, EVERY_KIND)
    return Figures(
        modules=len(modules),
        lines=sum(len(p.read_text(encoding="utf-8").splitlines()) for p in modules.values()),
        imports={k: sum(1 for i in imports if i.kind == k) for k in KINDS},
        circles_top_level=circles(imports, TOP_LEVEL),
        circles_run_time=circles(imports, RUN_TIME),
        circles_with_type_checking=every,
        circle_imports=[i for c in every for i in circle_imports(imports, c, EVERY_KIND)],
        unmapped=unmapped(modules, layers, src),
        breaches=breaches(imports, modules, layers, src),
        oversized=oversized(modules),
    )


def _short(name: str) -> str:
    return name.removeprefix(f"{PACKAGE}.") if name != PACKAGE else "__init__"


def report(f: Figures) -> Iterator[str]:
    yield f"{f.modules} modules, {f.lines} lines"
    yield "imports inside the package: " + ", ".join(f"{k} {n}" for k, n in f.imports.items())
    yield (
        f"import circles: {len(f.circles_top_level)} by top-level imports, "
        f"{len(f.circles_run_time)} at run time (+ function, lazy), "
        f"{len(f.circles_with_type_checking)} with type-checking imports too"
    )
    for circle in f.circles_with_type_checking:
        yield "  circle: " + " ↔ ".join(_short(m) for m in circle)
        for i in f.circle_imports:
            if i.source in circle:
                yield f"    {_short(i.source)}:{i.line} → {_short(i.target)} ({i.kind})"
    if f.unmapped:
        yield "modules with no layer in docs/architecture.md: " + ", ".join(f.unmapped)
    yield f"imports from a lower layer to a higher one: {len(f.breaches)}"
    for b in f.breaches:
        yield (
            f"  {_short(b.source)}:{b.line} ({b.source_layer}) → {_short(b.target)} "
            f"({b.target_layer}), {b.kind}"
        )
    sizes = (("module", "modules", MODULE_LINES), ("class", "classes", CLASS_LINES))
    for what, plural, limit in (*sizes, ("function", "functions", FUNCTION_LINES)):
        over = [o for o in f.oversized if o.what == what]
        yield f"{plural} over {limit} lines: {len(over)}"
        for o in over:
            yield f"  {_short(o.name)}: {o.lines}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="the figures as JSON")
    parser.add_argument(
        "--check",
        nargs="*",
        choices=TARGETS,
        metavar="TARGET",
        help=f"exit 1 if a target is missed ({', '.join(TARGETS)}; default all)",
    )
    args = parser.parse_args(argv)
    found = figures()
    if args.json:
        print(json.dumps(asdict(found), indent=2, ensure_ascii=False))
    else:
        for line in report(found):
            print(line)
    if found.unmapped:
        return 2
    if args.check is not None:
        missed = found.missed(args.check or TARGETS)
        if missed:
            print("missed: " + ", ".join(missed), file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
