"""The layout and layer rules of docs/architecture.md, checked on the source so a break fails the build.

Ruff's banned-api holds the import bans it can express (DuckDB only in `spend/duck.py`, transactions
only in services); these tests hold the rest: module names follow `<layer>_<area>.py`, the read side
never imports the write side, and views never reach the ORM's writers or the permission rules' roles.
"""

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.database_independent

PACKAGE = Path(__file__).resolve().parent.parent / "commonweal"
APPS = sorted(path.parent.name for path in PACKAGE.glob("*/apps.py"))
LAYERS = ("models", "selectors", "services", "forms", "views", "urls", "tasks")
LAYER_MODULE = re.compile(rf"^({'|'.join(LAYERS)})(_[a-z0-9]+)*\.py$")
# A module named after a layer but not in the `<layer>_<area>.py` form (e.g. `servicesreturns.py`).
LAYER_LIKE = re.compile(rf"^({'|'.join(LAYERS)})[a-z]")
READ_SIDE = ("selectors", "views")


def source_files() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts)


def imported_modules(path: Path) -> set[str]:
    """Every module `path` imports, absolute, including `from . import services_x` forms."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def layer_of(module: str) -> str | None:
    last = module.rsplit(".", 1)[-1]
    return next((layer for layer in LAYERS if last == layer or last.startswith(f"{layer}_")), None)


def relative(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def test_the_package_has_the_apps_the_architecture_names() -> None:
    assert {"core", "tenancy", "accounts", "frameworks", "procurement", "delivery", "spend", "api"} <= set(APPS)


@pytest.mark.parametrize("app", APPS)
def test_layer_modules_are_named_layer_underscore_area(app: str) -> None:
    misnamed = [
        relative(path)
        for path in (PACKAGE / app).glob("*.py")
        if LAYER_LIKE.match(path.name) and not LAYER_MODULE.match(path.name)
    ]
    assert not misnamed, f"Name layer modules `<layer>_<area>.py`: {misnamed}"


def test_the_read_side_never_imports_the_write_side() -> None:
    offenders = []
    for path in source_files():
        if layer_of(path.stem) not in ("selectors",):
            continue
        for module in imported_modules(path):
            if module.startswith("commonweal.") and layer_of(module) == "services":
                offenders.append(f"{relative(path)} imports {module}")
    assert not offenders, "Selectors read; move the rule they share with services to a rules module:\n" + "\n".join(
        offenders
    )


def test_only_the_duck_module_imports_duckdb() -> None:
    offenders = [
        relative(path)
        for path in source_files()
        if path != PACKAGE / "spend" / "duck.py" and any(m.split(".")[0] == "duckdb" for m in imported_modules(path))
    ]
    assert not offenders, f"Reach DuckDB through commonweal.spend.duck: {offenders}"


def test_views_and_selectors_do_not_open_transactions() -> None:
    offenders = [
        relative(path)
        for path in source_files()
        if layer_of(path.stem) in READ_SIDE and "django.db.transaction" in imported_modules(path)
    ]
    assert not offenders, f"Only services open transactions: {offenders}"


def test_no_module_re_exports_another_services_module() -> None:
    """A facade that re-exports writes hides where a write lives and forces import cycles: each name a
    module imports from a services module must be used there."""
    facades: list[str] = []
    for path in source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module and layer_of(node.module) == "services":
                facades.extend(
                    f"{relative(path)}: {node.module}.{alias.name}"
                    for alias in node.names
                    if (alias.asname or alias.name) not in used
                )
    assert not facades, "Import writes from the module that defines them:\n" + "\n".join(facades)


def test_views_check_permissions_through_the_permissions_module() -> None:
    """Views gate with `member_require(...)`, not with roles or a view-local helper."""
    offenders = []
    for path in source_files():
        if layer_of(path.stem) != "views":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\bRole\.[A-Z_]+\b", text) or "has_role(" in text or "member_access(" in text:
            offenders.append(relative(path))
    assert not offenders, f"Gate views with tenancy.permissions.member_require: {offenders}"
