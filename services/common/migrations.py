"""Per-service Alembic migrations, each in the service's own schema.

Every service keeps its revisions in ``services/<name>/migrations`` and its version table
in its own schema. ``python -m services.common.migrations`` upgrades every domain
service (or those named) to head; the docker-compose migration jobs run it per service.
"""
import logging
import os
import pathlib
import sys

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from .config import DOMAIN_SERVICES, ConfigError

SERVICES_DIR = pathlib.Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)


def alembic_config(service, database_url):
    cfg = Config()
    cfg.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    cfg.attributes["database_url"] = database_url
    return cfg


def run_env(metadata):
    """The body of every service's ``migrations/env.py``."""
    from alembic import context

    schema = metadata.schema
    url = context.config.attributes.get("database_url") or os.environ.get("DATABASE_URL")
    if not url:
        raise ConfigError("DATABASE_URL is missing: set the environment variable DATABASE_URL")
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as connection:
        # One migrator per schema at a time, even when several jobs start together.
        connection.execute(select(func.pg_advisory_lock(func.hashtext(f"migrate:{schema}"))))
        try:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            connection.commit()
            context.configure(
                connection=connection,
                target_metadata=metadata,
                version_table_schema=schema,
                include_schemas=True,
                include_name=lambda name, type_, parent: type_ != "schema" or name == schema,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            connection.execute(select(func.pg_advisory_unlock(func.hashtext(f"migrate:{schema}"))))
            connection.commit()
    engine.dispose()


def upgrade(database_url, services=DOMAIN_SERVICES, revision="head"):
    for service in services:
        log.info("migrating %s to %s", service, revision)
        command.upgrade(alembic_config(service, database_url), revision)


def main(argv=None):
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    args = list(sys.argv[1:] if argv is None else argv)
    services = args or list(DOMAIN_SERVICES)
    unknown = [s for s in services if s not in DOMAIN_SERVICES]
    if unknown:
        raise SystemExit(f"unknown service(s): {', '.join(unknown)}; "
                         f"choose from {', '.join(DOMAIN_SERVICES)}")
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("DATABASE_URL is missing: set the environment variable DATABASE_URL")
    upgrade(url, services)
    print(f"migrated: {', '.join(services)}")


if __name__ == "__main__":
    main()
