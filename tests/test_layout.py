"""The package's layout rules, read from every import in the source (module level and inside functions alike):

- ``interfaces/`` imports nothing of ``workflows/``;
- ``workflows/`` is layered: a stage imports only from its own stage or the ones below it (``LAYERS``);
- no import cycle between modules;
- an import of ssbi code inside a function is there to keep start-up fast, and says so (``# lazy:`` on its line);
- nothing imports the pre-``ssbi`` top-level names (``workflows``, ``interfaces``, ``ssbi_configs``).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).parents[1]
FOLDERS = {"interfaces": "ssbi.interfaces", "workflows": "ssbi.workflows", "configs": "ssbi.configs"}

# workflows/ from the bottom up; a module may import its own stage and the stages below it
LAYERS = [
    {"errors", "paths", "schemas", "_compat", "_legacy"},
    {"engines"},
    {"store"},
    {"stability"},
    {"flows"},
    {"run", "materials"},
    {"study"},
    {"report"},
    {"testing"},
    {"cli"},
]
LAZY_MARK = "# lazy:"


def _modules() -> dict[str, Path]:
    out = {}
    for folder, package in FOLDERS.items():
        for path in (ROOT / folder).rglob("*.py"):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            parts = parts[:-1] if parts[-1] == "__init__" else parts
            out[".".join([package, *parts])] = path
    return out


MODULES = _modules()


def _resolve(target: str) -> str | None:
    """The project module ``target`` names (a module, or a name inside one), else None."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def imports(path: Path) -> list[tuple[str, int, bool, str]]:
    """(imported module, line, inside a function, source line) of every import of project code in ``path``."""
    source = path.read_text()
    lines = source.splitlines()
    tree = ast.parse(source)
    top = {id(n) for n in tree.body}
    for node in ast.walk(tree):  # imports inside `if TYPE_CHECKING:` / try blocks at module level count as top
        if isinstance(node, (ast.If, ast.Try)) and id(node) in top:
            top |= {id(n) for n in ast.walk(node)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for target in targets:
            module = _resolve(target)
            if module:
                out.append((module, node.lineno, id(node) not in top, lines[node.lineno - 1]))
    return out


def _stage(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if parts[:2] == ["ssbi", "workflows"] and len(parts) > 2 else None


def _layer(stage: str) -> int:
    return next(i for i, group in enumerate(LAYERS) if stage in group)


def test_every_stage_has_a_layer_and_a_docstring():
    stages = {_stage(m) for m in MODULES if _stage(m)}
    assert stages == set().union(*LAYERS)
    for stage in stages:
        path = MODULES[f"ssbi.workflows.{stage}"]
        assert ast.get_docstring(ast.parse(path.read_text())), f"{path} has no docstring"


def test_interfaces_does_not_import_workflows():
    """Pure science: not even a lazy import of the workflow side."""
    found = [f"{m}:{line}" for m, path in MODULES.items() if m.startswith("ssbi.interfaces")
             for target, line, _, _ in imports(path) if target.startswith("ssbi.workflows")]
    assert not found


def test_stages_import_only_downwards():
    found = []
    for module, path in MODULES.items():
        stage = _stage(module)
        if stage is None:
            continue
        for target, line, _, _ in imports(path):
            other = _stage(target)
            if other is None or other == stage:
                continue
            if _layer(other) >= _layer(stage):
                found.append(f"{module}:{line} imports {target} ({other} is not below {stage})")
    assert not found, "\n".join(found)


def test_no_import_cycle():
    graph = {m: {t for t, *_ in imports(p) if t != m} for m, p in MODULES.items()}
    state: dict[str, int] = {}

    def visit(node, path):
        state[node] = 1
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                raise AssertionError(" -> ".join([*path, node, dep]))
            if dep not in state:
                visit(dep, [*path, node])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [])


def test_function_level_imports_of_ssbi_code_say_why():
    """Inside a function, ssbi code is imported only to keep start-up fast, and the line says so."""
    found = [f"{m}:{line}: {text.strip()}" for m, path in MODULES.items()
             for target, line, inside, text in imports(path) if inside and LAZY_MARK not in text]
    assert not found, "\n".join(found)


def test_no_old_import_names():
    """``workflows``, ``interfaces`` and ``ssbi_configs`` are folders, not import names: everything imports ssbi.*"""
    old = ("workflows", "interfaces", "ssbi_configs")
    found = []
    for path in [*MODULES.values(), *(ROOT / "tests").glob("*.py"), *(ROOT / "benchmarks").glob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
            found += [f"{path.name}:{node.lineno}: {n}" for n in names if n.split(".")[0] in old]
    assert not found, "\n".join(found)
