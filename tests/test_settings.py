"""Settings: every key a service's code reads is declared for that service in
``services.common.config`` (type, default, bounds: the one place for defaults) and passed
by the service's ``config.yml``; each ``config.yml`` loads (as ``nameko run`` loads it)
into settings that pass the checks, and a bad value is refused naming its key."""
import ast
import pathlib
import re

import pytest
import yaml

from services.common import config as cfg

ROOT = pathlib.Path(__file__).resolve().parent.parent
SERVICES = ROOT / "services"
# Read by Nameko itself, not by the project's code.
NAMEKO_KEYS = {"SERIALIZER", "LOGGING", "WEB_SERVER_ADDRESS"}
# Nameko reads max_workers too: its config.yml default stays visible (equal to the table's).
VISIBLE_DEFAULTS = {"max_workers"}
# Functions that read a setting: f(config, "KEY"[, default]).
READERS = {"value", "require", "as_int", "as_float", "as_bool", "as_str", "_positive"}
ENTRY = re.compile(r"^(?P<key>[A-Za-z_]\w*):\s*(?P<rest>.*)$")
ENV = re.compile(r"^\$\{(?P<env>[A-Z0-9_]+)(?::(?P<default>[^}]*))?\}$")

pytestmark = pytest.mark.parametrize(
    "service", [s for s in cfg.SERVICE_SETTINGS if (SERVICES / s / "config.yml").exists()])


def yml_entries(service):
    """``{key: (env, default)}`` of the top-level entries of the service's config.yml
    (``env`` None for a literal; ``default`` None when the variable has none)."""
    entries = {}
    for line in (SERVICES / service / "config.yml").read_text().splitlines():
        match = ENTRY.match(line)
        if not match:
            continue
        env = ENV.match(match["rest"].strip())
        entries[match["key"]] = (env["env"], env["default"]) if env else (None, None)
    return entries


def _source(node):
    return ast.unparse(node).lower()


def _is_environ(node):
    return ast.unparse(node) == "os.environ"


def reads(path):
    """``(line, key, default node or None, how)`` for each setting read in the file:
    ``how`` is "config" (from a Nameko config or the settings) or "environ"."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            args = node.args
            strings = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str)
                       else None for a in args]
            if name in READERS and len(args) >= 2 and strings[1]:
                yield node.lineno, strings[1], args[2] if len(args) > 2 else None, "config"
            elif "ConfiguredTimer" in ast.unparse(func) and args and strings[0]:
                yield node.lineno, strings[0], args[1] if len(args) > 1 else None, "config"
            elif (name in ("get", "setdefault") and isinstance(func, ast.Attribute)
                  and args and strings[0]):
                if _is_environ(func.value):
                    yield node.lineno, strings[0], None, "environ"
                elif re.search(r"config|settings", _source(func.value)):
                    yield node.lineno, strings[0], args[1] if len(args) > 1 else None, \
                        "config"
            elif name in ("getenv", "_env") and args and strings[0]:
                yield node.lineno, strings[0], None, "environ"
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) \
                and isinstance(node.slice.value, str):
            if _is_environ(node.value):
                yield node.lineno, node.slice.value, None, "environ"
            elif re.search(r"config|settings", _source(node.value)):
                yield node.lineno, node.slice.value, None, "config"


def is_setting(key):
    return key in cfg.SETTINGS or re.fullmatch(r"[A-Z][A-Z0-9_]+", key) is not None


def code_files(package):
    for path in sorted((SERVICES / package).rglob("*.py")):
        rel = path.relative_to(SERVICES / package)
        if "tests" in rel.parts or path.name.startswith("test_") or path.name == "conftest.py":
            continue
        yield path


def common_modules_used(service):
    """The services.common modules the service's code imports (its dependency providers
    and helpers read their settings from the service's config)."""
    def imports(path):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = node.module or ""
                yield from [module, *(f"{module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                yield from (a.name for a in node.names)

    def as_path(module):
        if module.startswith("services.common."):
            path = SERVICES / "common" / (module.split(".")[2] + ".py")
            return path if path.exists() else None
        return None

    return sorted({p for f in code_files(service) for m in imports(f) if (p := as_path(m))})


def test_config_yml_passes_every_setting_of_its_service(service):
    missing = set(cfg.SERVICE_SETTINGS[service]) - set(yml_entries(service))
    assert not missing, f"services/{service}/config.yml does not pass {sorted(missing)}"


def test_config_yml_passes_only_declared_settings(service):
    extra = set(yml_entries(service)) - set(cfg.SERVICE_SETTINGS[service]) - NAMEKO_KEYS
    assert not extra, (f"services/{service}/config.yml passes {sorted(extra)}, which "
                       f"SERVICE_SETTINGS[{service!r}] does not declare")


def test_defaults_live_in_the_settings_table(service):
    problems = []
    for key, (env, default) in yml_entries(service).items():
        setting = cfg.SETTINGS.get(key)
        if setting is None or env is None:
            continue
        if setting.default is cfg.REQUIRED:
            if default is not None:
                problems.append(f"{key} is required but config.yml gives it a default")
        elif default is None:
            problems.append(f"{key}: write ${{{env}:}} (empty: the table's default)")
        elif default and (key not in VISIBLE_DEFAULTS
                          or cfg.value({key: yaml.safe_load(default)}, key) != setting.default):
            problems.append(f"{key}: default {default!r} belongs in SETTINGS "
                            f"(which says {setting.default!r}); write ${{{env}:}}")
    assert not problems, f"services/{service}/config.yml:\n" + "\n".join(problems)


def test_every_setting_the_code_reads_is_declared_for_the_service(service):
    declared = set(cfg.SERVICE_SETTINGS[service])
    files = list(code_files(service)) + [
        p for p in common_modules_used(service) if p.name != "config.py"]
    problems = []
    for path in files:
        rel = path.relative_to(ROOT)
        for line, key, default, how in reads(path):
            if not is_setting(key):
                continue
            if how == "environ":
                if key not in cfg.SETTINGS and key not in cfg.JOB_ENVIRONMENT:
                    problems.append(f"{rel}:{line} reads ${key}, declared nowhere")
                continue
            if key in NAMEKO_KEYS:
                continue
            if key not in declared:
                problems.append(f"{rel}:{line} reads {key}, not in "
                                f"SERVICE_SETTINGS[{service!r}]")
                continue
            table = cfg.SETTINGS[key].default
            if isinstance(default, ast.Constant) and table is not None \
                    and table is not cfg.REQUIRED and default.value != table:
                problems.append(f"{rel}:{line} reads {key} with default {default.value!r}; "
                                f"the table says {table!r}")
    assert not problems, "\n".join(problems)


def test_config_yml_loads_into_checked_settings(service, monkeypatch):
    from nameko.cli.main import setup_yaml_parser

    setup_yaml_parser()
    for _, (env, _default) in yml_entries(service).items():
        if env:
            monkeypatch.delenv(env, raising=False)
    for key, setting in cfg.SETTINGS.items():
        if setting.default is cfg.REQUIRED:
            monkeypatch.setenv(key, "x://required")
    with open(SERVICES / service / "config.yml") as handle:
        config = yaml.safe_load(handle)
    settings = cfg.service_settings(service, config)
    for key, value in settings.items():
        setting = cfg.SETTINGS[key]
        if setting.default is not cfg.REQUIRED:
            assert value == setting.default, key
    # a malformed number stops the service, naming the key
    numbers = [k for k in cfg.SERVICE_SETTINGS[service] if cfg.SETTINGS[k].kind in (int, float)]
    for key in numbers:
        env = yml_entries(service)[key][0]
        monkeypatch.setenv(env, "soon")
        with open(SERVICES / service / "config.yml") as handle:
            config = yaml.safe_load(handle)
        with pytest.raises(cfg.ConfigError, match=key):
            cfg.service_settings(service, config)
        monkeypatch.delenv(env)
