"""Configuration: every service reads its settings from its Nameko config, whose values
come from the environment (``${ENV:}`` in each ``config.yml``).

``SETTINGS`` below is the one table of the settings the code reads: each one's type,
default and bounds. ``SERVICE_SETTINGS`` names the ones each service reads, and the
``Settings`` dependency checks all of them when the container starts: a missing
required value or a bad number stops the service with a message naming the key, and a
production deployment refuses the development token secret. Code reads a setting with
``value(config, KEY)`` (or ``as_int``/``as_float``/``as_str``/``as_bool``), which applies
the table's default; ``tests/test_settings.py`` checks that every key the code reads is
in its service's list and passed by its ``config.yml``.
"""
import dataclasses
import os

from nameko.extensions import DependencyProvider

DEV_TOKEN_SECRET = "dev-only-token-secret-change-me"
DEVELOPMENT_ENVS = {"development", "test"}


class ConfigError(RuntimeError):
    pass


REQUIRED = object()  # a Setting's default when it has none: the value must be set
_TABLE = object()  # "use the table's default" (as_int, as_float, … called without one)


@dataclasses.dataclass(frozen=True)
class Setting:
    """One setting: ``kind`` is str, int, float or bool; ``default`` is REQUIRED or the
    value used when the key is absent or empty (None: optional, no value); numbers lie
    in ``[minimum, maximum]``, and above 0 when ``positive``."""
    key: str
    kind: type = str
    default: object = None
    positive: bool = False
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""


def _table(*settings):
    return {s.key: s for s in settings}


SETTINGS = _table(
    # every service
    Setting("AMQP_URI", default=REQUIRED, help="the broker"),
    Setting("APP_ENV", default="production",
            help="production, development or test (else the APP_ENV environment variable)"),
    Setting("max_workers", int, 10, positive=True, help="concurrent workers (and pool)"),
    Setting("METRICS_PORT", int, minimum=0,
            help="Prometheus metrics port (services.common.metrics); unset or 0: none"),
    Setting("METRICS_ADDRESS", default="0.0.0.0", help="address of the metrics server"),
    # services with a database and an outbox (services.common.db.Database)
    Setting("DATABASE_URL", default=REQUIRED, help="the service's database"),
    Setting("OUTBOX_POLL_INTERVAL", float, 1.0, positive=True, help="seconds"),
    Setting("OUTBOX_MAX_BACKOFF", float, 30.0, positive=True, help="seconds"),
    Setting("OUTBOX_UNROUTABLE_GRACE", float, 300.0, minimum=0,
            help="seconds an event no queue takes is retried before it is left to replay"),
    # identity
    Setting("TOKEN_SECRET", help="token signing secret (see token_secret())"),
    Setting("PRINCIPAL_KEY",
            help="HMAC key signing the principal and the calling service in RPC and event "
                 "headers (services/common/principal.py); the same in every service; "
                 "required (32+ characters) outside development and test"),
    Setting("SESSION_TTL_MINUTES", int, 720, positive=True),
    Setting("SESSION_IDLE_MINUTES", float, 30.0, positive=True,
            help="a session unused this long ends (identity and the gateway)"),
    Setting("LOGIN_MAX_FAILURES", int, 5, positive=True),
    Setting("LOGIN_LOCK_MINUTES", int, 15, positive=True),
    Setting("LOGIN_MAX_PER_ADDRESS", int, 30, positive=True,
            help="failed logins one client address may make per window before every "
                 "login from it is refused (429) until the window ends"),
    Setting("LOGIN_ADDRESS_WINDOW_SECONDS", int, 300, positive=True,
            help="seconds of the per-address login window"),
    Setting("PASSWORD_HASH_TIME_COST", int, positive=True,
            help="argon2id cost; unset: argon2-cffi's RFC 9106 low-memory profile"),
    Setting("PASSWORD_HASH_MEMORY_KIB", int, positive=True),
    Setting("PASSWORD_HASH_PARALLELISM", int, positive=True),
    # gateway
    Setting("RPC_TIMEOUT", float, 15.0, positive=True, help="seconds"),
    Setting("EXPORT_TIMEOUT", float, 120.0, positive=True,
            help="seconds, for operations that build a document"),
    Setting("READY_TIMEOUT", float, 2.0, positive=True, help="seconds"),
    Setting("GATEWAY_MAX_IN_FLIGHT", int, 200, positive=True,
            help="requests one gateway handles at once; more answer 503 with Retry-After"),
    Setting("SESSION_ACTIVITY_SECONDS", float, 2.0, positive=True,
            help="how often the gateway reports the sessions it let through"),
    Setting("SESSION_START_WAIT", float, 5.0, positive=True,
            help="seconds the gateway waits for identity's session feed at start"),
    Setting("CONSOLE_DIR", help="the built console (default: console/dist)"),
    Setting("TRUSTED_PROXIES",
            help="comma-separated addresses/networks (CIDR) of proxies in front of the "
                 "gateway (the Ingress); only from them is X-Forwarded-For believed for the "
                 "client address (per-address login limit, audit); unset: none"),
    # documents: object storage
    Setting("S3_ENDPOINT", default=REQUIRED, help="URL; without a scheme S3_SECURE decides"),
    Setting("S3_ACCESS_KEY", default="testing"),
    Setting("S3_SECRET_KEY", default="testing"),
    Setting("S3_BUCKET", default="zhicheng-files"),
    Setting("S3_SECURE", bool, False, help="HTTPS to an S3_ENDPOINT given without scheme"),
    Setting("S3_REGION", default="us-east-1"),
    Setting("S3_PUBLIC_ENDPOINT", help="presigned URLs are signed for this address"),
    # documents: rules (services.documents.policy adds its own upper bounds)
    Setting("SLOT_RULES", help='JSON: {"work_history": {"max_size_mb": 5, "max_files": 3}}'),
    Setting("BUNDLE_MAX_MB", float, 120.0, positive=True),
    Setting("UPLOAD_URL_TTL", int, 600, positive=True, maximum=3600),
    Setting("DOWNLOAD_URL_TTL", int, 300, positive=True, maximum=300),
    Setting("UPLOAD_PURGE_AGE", int, 3600, positive=True),
    Setting("TRANSIENT_FILE_AGE", int, 86400, positive=True),
    Setting("PURGE_INTERVAL", float, 60.0, positive=True),
    Setting("MERGE_MAX_IMAGES", int, 30, positive=True, maximum=200),
    Setting("WORKBOOK_MAX_MB", float, 10.0, positive=True),
    Setting("WORKBOOK_MAX_SHEETS", int, 5, positive=True),
    Setting("WORKBOOK_MAX_ROWS", int, 10_000, positive=True),
    Setting("WORKBOOK_MAX_UNCOMPRESSED_MB", float, 100.0, positive=True),
    Setting("WORKBOOK_MAX_RATIO", int, 100, positive=True),
    # webhooks
    Setting("WEBHOOK_ALLOW_HOSTS",
            help="hosts or networks a subscription may name although private (comma-separated)"),
    Setting("WEBHOOK_CONCURRENCY", int, 20, positive=True),
    Setting("WEBHOOK_TIMEOUT", float, 10.0, positive=True),
    Setting("WEBHOOK_RETRY_BASE", float, 10.0, positive=True),
    Setting("WEBHOOK_RETRY_MAX", float, 3600.0, positive=True),
    Setting("WEBHOOK_GIVE_UP_AFTER", float, 86400.0, positive=True),
    Setting("WEBHOOK_LEASE", float, positive=True,
            help="seconds a claimed delivery is left to its sender (unset: 2 × timeout + 5)"),
)

# Environment variables read directly (os.environ) by command-line jobs and start-up code
# rather than from a service's config: migrations, topology, probes, bootstrap, the
# consistency check. Settings of the table may be read that way too.
JOB_ENVIRONMENT = {
    "APP_DB_ROLE": "the role the services connect as (migrations create and grant it)",
    "APP_DB_PASSWORD": "that role's password",
    "PSYCOPG_WAIT_FUNC": "psycopg's wait function under eventlet (services/__init__.py)",
    "LOG_FORMAT": "json: one JSON object per log line (services.common.logs), else text",
}

_BASE = ("AMQP_URI", "APP_ENV", "max_workers", "METRICS_PORT", "METRICS_ADDRESS",
         "PRINCIPAL_KEY")
_DATABASE = ("DATABASE_URL", "OUTBOX_POLL_INTERVAL", "OUTBOX_MAX_BACKOFF",
             "OUTBOX_UNROUTABLE_GRACE")
_STORAGE = ("S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_BUCKET", "S3_SECURE",
            "S3_REGION", "S3_PUBLIC_ENDPOINT")

# The settings each service reads (its config.yml passes every one of them).
SERVICE_SETTINGS = {
    "identity": _BASE + _DATABASE + (
        "TOKEN_SECRET", "SESSION_TTL_MINUTES", "SESSION_IDLE_MINUTES", "LOGIN_MAX_FAILURES",
        "LOGIN_LOCK_MINUTES", "LOGIN_MAX_PER_ADDRESS", "LOGIN_ADDRESS_WINDOW_SECONDS",
        "PASSWORD_HASH_TIME_COST", "PASSWORD_HASH_MEMORY_KIB", "PASSWORD_HASH_PARALLELISM"),
    "achievements": _BASE + _DATABASE,
    "workflow": _BASE + _DATABASE,
    "documents": _BASE + _DATABASE + _STORAGE + (
        "SLOT_RULES", "BUNDLE_MAX_MB", "UPLOAD_URL_TTL", "DOWNLOAD_URL_TTL",
        "UPLOAD_PURGE_AGE", "TRANSIENT_FILE_AGE", "PURGE_INTERVAL", "MERGE_MAX_IMAGES",
        "WORKBOOK_MAX_MB", "WORKBOOK_MAX_SHEETS", "WORKBOOK_MAX_ROWS",
        "WORKBOOK_MAX_UNCOMPRESSED_MB", "WORKBOOK_MAX_RATIO"),
    "webhooks": _BASE + _DATABASE + (
        "WEBHOOK_ALLOW_HOSTS", "WEBHOOK_CONCURRENCY", "WEBHOOK_TIMEOUT",
        "WEBHOOK_RETRY_BASE", "WEBHOOK_RETRY_MAX", "WEBHOOK_GIVE_UP_AFTER", "WEBHOOK_LEASE"),
    "gateway": _BASE + ("RPC_TIMEOUT", "EXPORT_TIMEOUT", "READY_TIMEOUT", "TOKEN_SECRET",
                        "GATEWAY_MAX_IN_FLIGHT",
                        "SESSION_IDLE_MINUTES", "SESSION_ACTIVITY_SECONDS",
                        "SESSION_START_WAIT", "CONSOLE_DIR", "TRUSTED_PROXIES"),
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _missing(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _convert(setting, value):
    key, kind = setting.key, setting.kind
    if kind is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise ConfigError(f"configuration value {key} must be true or false, got {value!r}")
    if kind in (int, float):
        what = "an integer" if kind is int else "a number"
        if isinstance(value, bool):
            raise ConfigError(f"configuration value {key} must be {what}, got {value!r}")
        try:
            number = kind(value)
        except (TypeError, ValueError):
            raise ConfigError(
                f"configuration value {key} must be {what}, got {value!r}") from None
        if setting.positive and number <= 0:
            raise ConfigError(f"configuration value {key} must be greater than 0, "
                              f"got {value!r}")
        if setting.minimum is not None and number < setting.minimum:
            raise ConfigError(f"configuration value {key} must be at least "
                              f"{setting.minimum}, got {value!r}")
        if setting.maximum is not None and number > setting.maximum:
            raise ConfigError(f"configuration value {key} must be at most "
                              f"{setting.maximum}, got {value!r}")
        return number
    return str(value).strip()


def value(config, key):
    """The typed value of the setting ``key`` in ``config``, or the table's default;
    a ConfigError naming the key when it is required and missing, or malformed."""
    setting = SETTINGS.get(key)
    if setting is None:
        raise KeyError(f"{key} is not a declared setting (services.common.config.SETTINGS)")
    raw = config.get(key)
    if _missing(raw):
        if setting.default is REQUIRED:
            raise ConfigError(
                f"configuration value {key} is missing: set the environment variable {key}")
        return setting.default
    return _convert(setting, raw)


def service_settings(service, config):
    """Every setting of ``service``, checked and typed: ``{key: value}``; one ConfigError
    naming every missing or malformed value."""
    values, problems = {}, []
    for key in SERVICE_SETTINGS[service]:
        try:
            values[key] = value(config, key)
        except ConfigError as exc:
            problems.append(str(exc))
    if problems:
        raise ConfigError("; ".join(problems))
    return values


def require(config, key):
    """The value of ``key``; a ConfigError if it is missing or empty."""
    raw = config.get(key)
    if _missing(raw):
        raise ConfigError(
            f"configuration value {key} is missing: set the environment variable {key}"
        )
    return raw


def app_env(config):
    return (config.get("APP_ENV") or os.environ.get("APP_ENV") or "production").strip()


def token_secret(config):
    """The token signing secret; the development default only in development and test."""
    env = app_env(config)
    secret = (config.get("TOKEN_SECRET") or "").strip()
    if env in DEVELOPMENT_ENVS:
        return secret or DEV_TOKEN_SECRET
    if not secret or secret == DEV_TOKEN_SECRET:
        raise ConfigError(
            f"TOKEN_SECRET must be set to a private value when APP_ENV={env}"
        )
    if len(secret) < 32:
        raise ConfigError("TOKEN_SECRET must be at least 32 characters long")
    return secret


def _typed(kind, config, key, default):
    if default is _TABLE:
        return value(config, key)
    setting = SETTINGS.get(key) or Setting(key, kind)
    raw = config.get(key)
    if raw in (None, ""):
        return default
    return _convert(dataclasses.replace(setting, kind=kind), raw)


def as_int(config, key, default=_TABLE):
    """``key`` as an integer; without ``default``, the table's default and bounds."""
    return _typed(int, config, key, default)


def as_float(config, key, default=_TABLE):
    return _typed(float, config, key, default)


def as_bool(config, key, default=_TABLE):
    return _typed(bool, config, key, default)


def as_str(config, key, default=_TABLE):
    return _typed(str, config, key, default)


def max_workers(config):
    return as_int(config, "max_workers")


# The domain services, in the order they are migrated, started and checked for readiness.
DOMAIN_SERVICES = ("identity", "achievements", "workflow", "documents", "webhooks")


class Settings(DependencyProvider):
    """The service's configuration, checked when the container starts: every setting of
    the service (``SERVICE_SETTINGS``) typed, with its default, and a missing or bad
    value stops the service at once, naming the key. ``required`` adds keys that must
    be set; the token secret is checked when ``needs_token_secret``. The dependency is
    the container's configuration with the typed settings laid over it."""

    def __init__(self, required=("AMQP_URI",), needs_token_secret=False, **kwargs):
        self.required = tuple(required)
        self.needs_token_secret = needs_token_secret
        super().__init__(**kwargs)

    def setup(self):
        config = self.container.config
        typed = {}
        if self.container.service_name in SERVICE_SETTINGS:
            typed = service_settings(self.container.service_name, config)
            typed["APP_ENV"] = app_env(config)
        self.values = {**config, **typed}
        for key in self.required:  # set, or given a default by the table
            require(self.values, key)
        if self.needs_token_secret:
            self.values["TOKEN_SECRET"] = token_secret(config)

    def get_dependency(self, worker_ctx):
        return self.values
