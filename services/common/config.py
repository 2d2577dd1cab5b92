"""Configuration: every service reads the same keys from its Nameko config, whose
values come from the environment (``${ENV:default}`` in each ``config.yml``).

A missing required value stops the service at start-up with a message naming the key,
and a production deployment refuses the development token secret.
"""
import os

from nameko.extensions import DependencyProvider

DEV_TOKEN_SECRET = "dev-only-token-secret-change-me"
DEVELOPMENT_ENVS = {"development", "test"}


class ConfigError(RuntimeError):
    pass


def require(config, key):
    """The value of ``key``; a ConfigError if it is missing or empty."""
    value = config.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ConfigError(
            f"configuration value {key} is missing: set the environment variable {key}"
        )
    return value


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


def as_int(config, key, default):
    value = config.get(key)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"configuration value {key} must be an integer, got {value!r}")


def as_float(config, key, default):
    value = config.get(key)
    if value in (None, ""):
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"configuration value {key} must be a number, got {value!r}")


def max_workers(config):
    return as_int(config, "max_workers", 10)


# The domain services, in the order they are migrated, started and checked for readiness.
DOMAIN_SERVICES = ("identity", "achievements", "workflow", "documents", "webhooks")


class Settings(DependencyProvider):
    """The service's configuration, checked when the container starts: a missing value
    stops the service at once, naming the key; the token secret is checked where used."""

    def __init__(self, required=("AMQP_URI",), needs_token_secret=False, **kwargs):
        self.required = tuple(required)
        self.needs_token_secret = needs_token_secret
        super().__init__(**kwargs)

    def setup(self):
        config = self.container.config
        for key in self.required:
            require(config, key)
        self.values = dict(config)
        if self.needs_token_secret:
            self.values["TOKEN_SECRET"] = token_secret(config)

    def get_dependency(self, worker_ctx):
        return self.values
