"""The import contracts in pyproject.toml hold (import-linter): the core imports no Rasa,
Rasa SDK or Sanic, and the web app uses only the public names of `readiness.storage`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_import_contracts_are_kept() -> None:
    assert LINT_IMPORTS.is_file(), f"{LINT_IMPORTS} is missing: run `make venv`"
    result = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "0 broken" in output, output


#: What the Rasa actions may import from the core: its public entry points only.
ACTION_ENTRY_POINTS = frozenset({"readiness.dialogue", "readiness.storage"})


def test_actions_import_only_the_cores_entry_points() -> None:
    import ast

    for path in sorted((ROOT / "actions").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                if name == "readiness" or name.startswith("readiness."):
                    assert name in ACTION_ENTRY_POINTS, f"{path.name} imports {name}"


def test_no_core_module_or_class_grows_past_the_aim() -> None:
    """Small modules and classes (issue 9's aim: no class over ~250 lines, no module over ~500)."""
    import ast

    for path in sorted((ROOT / "readiness").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = path.read_text()
        assert len(source.splitlines()) <= 560, f"{path.relative_to(ROOT)} is over ~500 lines"
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef):
                size = node.end_lineno - node.lineno + 1
                assert size <= 260, f"{path.relative_to(ROOT)}: class {node.name} is {size} lines"


def test_every_public_function_of_the_core_is_typed() -> None:
    import ast

    untyped = []
    for path in sorted((ROOT / "readiness").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
                arguments = [a for a in node.args.args + node.args.kwonlyargs if a.arg not in ("self", "cls")]
                if node.returns is None or any(a.annotation is None for a in arguments):
                    untyped.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert untyped == []
