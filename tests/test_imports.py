"""The import rules of the slideshow package, read from the source with `ast` (nothing is
imported):

- no import cycle between modules. Every import counts, at module level and inside
  functions, except those under `if TYPE_CHECKING:` (they never run); `from slideshow.x
  import y` is an import of the module slideshow.x.y when y is a submodule, else of
  slideshow.x; a package's __init__.py is a module of its own;
- moderngl and glfw are imported only in slideshow/gpu/ (type-only imports under
  TYPE_CHECKING aside): the one folder that talks to GL and windows;
- an import inside a function says why in a comment, on its line or the line before:
  it is there only to defer an optional or heavy dependency.

A failure names each offence as file:line."""

from __future__ import annotations

import ast
import io
import tokenize
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import REPO

PACKAGE = "slideshow"
GPU_ONLY = ("moderngl", "glfw")


@dataclass(frozen=True)
class Import:
    """One imported module, as the importing module's source says it."""

    module: str  # the importer, dotted
    path: Path  # the importer's file
    line: int
    target: str  # the imported module, dotted (for `from a import b`: a.b if a module, else a)
    in_function: bool
    type_checking: bool


def package_modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file under the package folder `root`."""
    modules = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _walk(node: ast.AST, in_function: bool,
          type_checking: bool) -> Iterator[tuple[ast.stmt, bool, bool]]:
    """Every import statement under `node`, with whether it sits inside a function and
    inside an `if TYPE_CHECKING:` block."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, in_function, type_checking
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield from _walk(child, True, type_checking)
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for statement in child.body:
                yield from _walk(ast.Module(body=[statement], type_ignores=[]), in_function, True)
            for statement in child.orelse:
                yield from _walk(ast.Module(body=[statement], type_ignores=[]), in_function,
                                 type_checking)
        else:
            yield from _walk(child, in_function, type_checking)


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    """What `module` imports; targets inside the package are resolved to its modules."""
    is_package = path.name == "__init__.py"
    found = []
    for statement, in_function, type_checking in _walk(ast.parse(path.read_text(), str(path)),
                                                        False, False):
        targets: list[str] = []
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                name = alias.name
                while "." in name and name not in modules and name.startswith(PACKAGE + "."):
                    name = name.rsplit(".", 1)[0]  # `import slideshow.a.b` of a name in a.b
                targets.append(name)
        else:
            base = statement.module or ""
            if statement.level:  # relative: from the importer's package, `level` steps up
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[:len(package) - (statement.level - 1)]
                base = ".".join(package + ([base] if base else []))
            for alias in statement.names:
                submodule = f"{base}.{alias.name}"
                targets.append(submodule if submodule in modules else base)
        found += [Import(module, path, statement.lineno, target, in_function, type_checking)
                  for target in targets]
    return found


def all_imports(root: Path) -> tuple[dict[str, Path], list[Import]]:
    modules = package_modules(root)
    return modules, [found for module, path in modules.items()
                     for found in imports_of(module, path, modules)]


def cycles(modules: dict[str, Path], imports: list[Import]) -> list[list[Import]]:
    """One cycle (as the imports that make it) for each group of modules that import each
    other in a ring (Tarjan's strongly connected components), and each self-import."""
    edges: dict[str, dict[str, Import]] = {module: {} for module in modules}
    for found in imports:
        if found.target in modules and not found.type_checking:
            edges[found.module].setdefault(found.target, found)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def connect(node: str) -> None:  # recursion is fine: the package is a few levels deep
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1 or node in edges[node]:
                groups.append(group)

    for module in sorted(modules):
        if module not in index:
            connect(module)
    return [_ring(sorted(group)[0], group, edges) for group in groups]


def _ring(start: str, group: set[str], edges: dict[str, dict[str, Import]]) -> list[Import]:
    """The imports of one shortest way round from `start` back to it, inside `group`."""
    paths: dict[str, list[Import]] = {start: []}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target, found in sorted(edges[node].items()):
            if target == start:
                return paths[node] + [found]
            if target in group and target not in paths:
                paths[target] = paths[node] + [found]
                queue.append(target)
    raise AssertionError(f"no way round from {start}")  # a strongly connected group has one


def has_reason(path: Path, statement: ast.stmt) -> bool:
    """A comment on one of the statement's lines, or a comment line above the block of
    imports it belongs to."""
    lines = path.read_text().splitlines()
    commented = {token.start[0] for token in tokenize.generate_tokens(io.StringIO(
        "\n".join(lines) + "\n").readline) if token.type == tokenize.COMMENT}
    end = statement.end_lineno or statement.lineno
    if any(line in commented for line in range(statement.lineno, end + 1)):
        return True
    # Up through the imports just above it: a comment line above a block of imports gives
    # the whole block its reason. A comment at the end of a line explains that line only.
    before = statement.lineno - 1
    while before >= 1:
        text = lines[before - 1].strip()
        if text.startswith("#"):
            return True
        if not text.startswith(("from ", "import ")):
            return False
        before -= 1
    return False


def unexplained_function_imports(root: Path) -> list[str]:
    """file:line of each import inside a function with no comment saying why."""
    offences = []
    for module, path in package_modules(root).items():
        tree = ast.parse(path.read_text(), str(path))
        statements = [s for s, in_function, type_checking in _walk(tree, False, False)
                      if in_function and not type_checking]
        for statement in statements:
            if not has_reason(path, statement):
                names = ", ".join(alias.name for alias in statement.names)
                source = (f"from {'.' * statement.level}{statement.module or ''} import {names}"
                          if isinstance(statement, ast.ImportFrom) else f"import {names}")
                offences.append(f"{_shown(path)}:{statement.lineno}: {source}")
    return offences


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(REPO))
    except ValueError:
        return str(path)


def _describe(ring: list[Import]) -> str:
    steps = " -> ".join(f"{i.target} ({_shown(i.path)}:{i.line})" for i in ring)
    return f"{ring[0].module} -> {steps}"


# -- the rules, on the package ---------------------------------------------------------------

SOURCE = REPO / PACKAGE


def test_no_import_cycle_between_the_packages_modules():
    modules, imports = all_imports(SOURCE)
    assert f"{PACKAGE}.run.app" in modules and len(imports) > 100  # the walk found the package
    rings = cycles(modules, imports)
    if rings:
        pytest.fail("import cycles:\n" + "\n".join(_describe(ring) for ring in rings),
                    pytrace=False)


def test_moderngl_and_glfw_are_imported_only_in_gpu():
    _, imports = all_imports(SOURCE)
    outside = [f"{_shown(i.path)}:{i.line}: imports {i.target}" for i in imports
               if i.target.split(".")[0] in GPU_ONLY and not i.type_checking
               and not i.module.startswith(f"{PACKAGE}.gpu.") and i.module != f"{PACKAGE}.gpu"]
    assert any(i.target == "moderngl" for i in imports)  # the gpu/ side is seen
    if outside:
        pytest.fail("moderngl or glfw outside slideshow/gpu/:\n" + "\n".join(outside),
                    pytrace=False)


def test_every_import_inside_a_function_says_why():
    offences = unexplained_function_imports(SOURCE)
    if offences:
        pytest.fail("imports inside functions without a comment saying why (an optional or heavy "
                    "dependency, deferred), on the line or the line before:\n"
                    + "\n".join(offences), pytrace=False)


# -- the checker itself, on a package made here --------------------------------------------


def write_package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / PACKAGE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / PACKAGE


TYPING = "from typing import TYPE_CHECKING\n"


@pytest.fixture
def small_package(tmp_path: Path) -> Path:
    """a -> b.c -> a through a function-level import; d imports a only for type checking;
    e.f imports its package e, and e imports e.f back under TYPE_CHECKING (no cycle)."""
    return write_package(tmp_path, {
        "__init__.py": "",
        "a.py": "from slideshow.b import c\nimport moderngl\n",
        "b/__init__.py": "",
        "b/c.py": "def late():\n    from slideshow import a  # deferred: heavy\n    import glfw\n",
        "d.py": TYPING + "if TYPE_CHECKING:\n    from slideshow import a\n",
        "e/__init__.py": TYPING + "if TYPE_CHECKING:\n    from . import f\n",
        "e/f.py": "from slideshow import e\nfrom .. import d\n",
    })


def test_the_checker_resolves_submodules_packages_and_relative_imports(small_package):
    modules, imports = all_imports(small_package)
    edges = {(i.module, i.target, i.in_function, i.type_checking) for i in imports}
    assert ("slideshow.a", "slideshow.b.c", False, False) in edges  # y is a submodule
    assert ("slideshow.b.c", "slideshow.a", True, False) in edges
    assert ("slideshow.e.f", "slideshow.e", False, False) in edges  # a package is its __init__
    assert ("slideshow.e.f", "slideshow.d", False, False) in edges  # relative, two levels
    assert ("slideshow.e", "slideshow.e.f", False, True) in edges
    assert ("slideshow.d", "slideshow.a", False, True) in edges


def test_the_checker_finds_the_cycle_and_ignores_type_checking_imports(small_package):
    modules, imports = all_imports(small_package)
    [ring] = cycles(modules, imports)
    assert [(i.module, i.target, i.line) for i in ring] == [
        ("slideshow.a", "slideshow.b.c", 1), ("slideshow.b.c", "slideshow.a", 2)]
    assert _describe(ring).startswith("slideshow.a -> slideshow.b.c (")
    assert ":2)" in _describe(ring)


def test_the_checker_names_each_unexplained_function_import_by_file_and_line(small_package):
    offences = unexplained_function_imports(small_package)
    assert len(offences) == 1
    assert offences[0].endswith("slideshow/b/c.py:3: import glfw")


def test_one_comment_line_gives_a_block_of_imports_its_reason(tmp_path):
    root = write_package(tmp_path, {
        "__init__.py": "",
        "h.py": "def late():\n    # deferred: both load heavy libraries\n    import json\n"
                "    import csv\n\n\ndef later():\n    x = 1  # a comment about x\n"
                "    import json\n",
    })
    offences = unexplained_function_imports(root)
    assert [offence.rsplit("/", 1)[1] for offence in offences] == ["h.py:9: import json"]
