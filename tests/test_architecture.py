"""The import rules of docs/ARCHITECTURE.md, read from the source with `ast` (nothing is imported).

The crossings issue 10 found are listed exactly: a new one fails, and so does one that has been
removed without shrinking its list, so the lists only ever shrink and the page stays true.
"""

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# selectors -> api: both build wire dicts with api.representations (badge_to_wire,
# constraint_to_wire, cycle_to_wire) instead of returning rows or records for api/ to render.
KNOWN_API_CROSSINGS = {
    ("badges_api.selectors.badges", "badges_api.api.representations"),
    ("badges_api.selectors.customer_badges", "badges_api.api.representations"),
}
# selectors -> services: the customer page's limit usage needs earning.badge_limits and
# ROLLING_PAIRS, which belong in a limits module under both.
KNOWN_SERVICE_CROSSINGS = {
    ("badges_api.selectors.customer_badges", "badges_api.services.earning"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_project_module(name: str) -> bool:
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def imported_modules(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module `source` imports, at any depth (functions, TYPE_CHECKING blocks included).

    `from a.b import c` counts as a.b.c when c is a module of this project, else as a.b, so the
    rules see `from badges_api.api import representations` as badges_api.api.representations.
    """
    package = module.split(".") if is_package else module.split(".")[:-1]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            else:
                base = node.module
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if is_project_module(candidate) else base)
    return found


def project_files(*packages: str) -> Iterable[Path]:
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def imports_under(*packages: str) -> list[tuple[str, str]]:
    """(importing module, imported module) for every import in the packages' source files."""
    pairs = []
    for path in project_files(*packages):
        module = module_name(path)
        source = path.read_text(encoding="utf-8")
        imported = imported_modules(source, module, is_package=path.name == "__init__.py")
        pairs += [(module, target) for target in sorted(imported)]
    return pairs


def within(name: str, *prefixes: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def assert_exactly_known(found: set, known: set, rule: str):
    new, gone = sorted(found - known), sorted(known - found)
    assert not new, f"{rule}: new crossing(s) {new}; move the shared knowledge under both layers"
    assert not gone, f"{rule}: {gone} no longer cross; remove them from the known list"


def test_import_reader_sees_every_form_of_import():
    source = (
        "import django.db\n"
        "from badges_api.api import representations\n"
        "from badges_api.api.envelope import ok\n"
        "def late():\n"
        "    from badges_api.services import earning\n"
        "    from . import customers\n"
        "    from ..inputs import whole_number\n"
    )
    assert imported_modules(source, "badges_api.selectors.badges") == {
        "django.db",
        "badges_api.api.representations",
        "badges_api.api.envelope",
        "badges_api.services.earning",
        "badges_api.selectors.customers",
        "badges_api.inputs",
    }


def test_badge_rules_stay_pure():
    forbidden = ("django", "rest_framework", "badges_api", "badges_ui", "console")
    crossings = [pair for pair in imports_under("badge_rules") if within(pair[1], *forbidden)]
    assert crossings == [], "badge_rules is shared by both apps and imports no framework"


def test_console_reaches_the_api_over_http_only():
    crossings = [pair for pair in imports_under("badges_ui") if within(pair[1], "badges_api")]
    assert crossings == [], "the console talks to the badge API through badges_ui/client.py"


def test_services_and_selectors_never_import_api_beyond_known_crossings():
    found = {
        pair
        for pair in imports_under("badges_api/services", "badges_api/selectors")
        if within(pair[1], "badges_api.api")
    }
    assert_exactly_known(found, KNOWN_API_CROSSINGS, "services/selectors -> api")


def test_selectors_never_import_services_beyond_known_crossings():
    found = {
        pair
        for pair in imports_under("badges_api/selectors")
        if within(pair[1], "badges_api.services")
    }
    assert_exactly_known(found, KNOWN_SERVICE_CROSSINGS, "selectors -> services")
