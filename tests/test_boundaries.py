"""Service boundaries: a service's code (its tests aside) imports only its own package,
``services.common`` and ``services.contracts``; common and contracts import no service.

Every import statement counts, function-local ones and relative ones included.
"""
import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
SERVICES = ROOT / "services"
SHARED = {"common", "contracts"}


def packages():
    return sorted(p.name for p in SERVICES.iterdir()
                  if (p / "__init__.py").exists() and p.name != "__pycache__")


def is_test_code(path):
    rel = path.relative_to(SERVICES)
    return ("tests" in rel.parts[:-1] or rel.name.startswith("test_")
            or rel.name in ("conftest.py", "testing.py"))


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path):
    """``(line, module)`` for every module the file imports, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module == "services":  # from services import workflow
                for alias in node.names:
                    yield node.lineno, f"services.{alias.name}"
            else:
                yield node.lineno, module


def crossings():
    """``path:line imports module`` for each import across a service boundary."""
    found = []
    for package in packages():
        for path in sorted((SERVICES / package).rglob("*.py")):
            if is_test_code(path):
                continue
            for line, module in imported_modules(path):
                parts = module.split(".")
                if len(parts) < 2 or parts[0] != "services":
                    continue
                target = parts[1]
                allowed = SHARED if package in SHARED else SHARED | {package}
                if target not in allowed:
                    rel = path.relative_to(ROOT)
                    found.append(f"{rel}:{line} imports {module}")
    return found


def test_the_scanner_sees_imports():
    """Not vacuous: the services' imports of common are found, relative ones resolved."""
    seen = {module for path in (SERVICES / "identity").rglob("*.py")
            if not is_test_code(path) for _, module in imported_modules(path)}
    assert any(m.startswith("services.common") for m in seen), seen
    assert any(m.startswith("services.identity.") for m in seen), seen


def test_no_service_imports_another_service():
    found = crossings()
    assert not found, ("imports across service boundaries (only services.common and "
                       "services.contracts are shared):\n" + "\n".join(found))
