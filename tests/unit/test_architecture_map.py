"""ARCHITECTURE.md's area map, and each services package's docstring, name files that
exist: when a file moves without the map, these tests say which path went stale."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "app" / "services"
PATH = re.compile(r"`((?:app|tests|migrations|bench)/[^`\s]*)`")


def area_map() -> str:
    text = (ROOT / "ARCHITECTURE.md").read_text()
    start = text.index("## Area map")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def stale(paths: list[str]) -> list[str]:
    """The paths (or globs) that match nothing on disk."""
    return [path for path in paths if not any(ROOT.glob(path.rstrip("/")))]


def area_packages() -> list[Path]:
    return sorted(path for path in SERVICES.iterdir() if (path / "__init__.py").is_file())


def test_every_path_in_the_area_map_exists():
    rows = [line for line in area_map().splitlines() if line.startswith("| ")]
    named = [path for row in rows for path in PATH.findall(row)]
    assert len(rows) > 5 and len(named) > 50
    gone = stale(named)
    assert not gone, f"Not found; update the area map in ARCHITECTURE.md: {gone}"


def test_every_services_package_and_module_is_in_the_area_map():
    named = set(PATH.findall(area_map()))
    missing = [
        entry.name
        for entry in SERVICES.iterdir()
        if entry.name not in ("__init__.py", "__pycache__")
        and f"app/services/{entry.name}{'/' if entry.is_dir() else ''}" not in named
    ]
    assert not missing, f"Not in the area map of ARCHITECTURE.md: {missing}"


def test_each_area_package_is_a_docstring_naming_paths_that_exist():
    for package in area_packages():
        init = package / "__init__.py"
        body = ast.parse(init.read_text()).body
        assert len(body) == 1 and isinstance(ast.get_docstring(ast.Module(body, [])), str), (
            f"{init.relative_to(ROOT)} holds code; it maps the area in a docstring only"
        )
        docstring = ast.get_docstring(ast.Module(body, [])) or ""
        modules = re.findall(r"`(\w+\.py)`", docstring)
        missing = [name for name in modules if not (package / name).is_file()]
        assert not missing, f"{init.relative_to(ROOT)} names modules it does not hold: {missing}"
        gone = stale(PATH.findall(docstring))
        assert not gone, f"{init.relative_to(ROOT)} names paths that do not exist: {gone}"


def test_services_never_import_the_web_layer():
    # Services own the rules and know nothing of HTTP; time and form parsing live in
    # app/clock.py and app/forms.py so both layers can use them.
    found = []
    for path in SERVICES.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            found += [
                f"{path.relative_to(ROOT)}: {name}"
                for name in names
                if name == "app.web" or name.startswith(("app.web.", "app.routers", "fastapi"))
            ]
    assert not found, "\n".join(found)
