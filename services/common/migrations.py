"""Per-service Alembic migrations, each in the service's own schema.

Every service keeps its revisions in ``services/<name>/migrations`` and its version table
in its own schema. ``python -m services.common.migrations`` upgrades every domain
service (or those named) to head; the docker-compose migration jobs run it per service.

Migrations run as the database owner (``DATABASE_URL`` of the migration job). The
services connect as another role, named by ``APP_DB_ROLE`` (password ``APP_DB_PASSWORD``
where the server asks for one): after upgrading, the runner creates that role if missing
and grants it what the services need and no more — read and write their tables, never
change the migrations' version tables nor change or remove an append-only table's rows
(the audit log). Such a role cannot drop a trigger or bypass it either, not being the
tables' owner nor a superuser.
"""
import logging
import os
import pathlib
import sys

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, func, make_url, select, text
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


DEFAULT_APP_ROLE = "zhicheng_app"  # bin/run's and the tests' services' role

# Tables the services may read and add to, never change: {service: (table, ...)}.
APPEND_ONLY = {"identity": ("audit_log",)}


def _ident(name):
    return '"' + name.replace('"', '""') + '"'


def as_role(database_url, role):
    """``database_url`` with ``role`` as its user (no password: local trust or PGPASSWORD)."""
    return make_url(database_url).set(username=role, password=None) \
        .render_as_string(hide_password=False)


def grant_service_role(database_url, role, services=DOMAIN_SERVICES, password=None):
    """Create the services' role if missing and grant it the services' tables."""
    engine = create_engine(database_url, poolclass=NullPool)
    who = _ident(role)
    with engine.begin() as conn:
        # Roles are shared by every database of the server: another migrator may create
        # it at the same moment.
        conn.execute(text(f"DO $$ BEGIN CREATE ROLE {who} LOGIN; "
                          "EXCEPTION WHEN duplicate_object THEN NULL; END $$"))
        if password:
            literal = "'" + password.replace("'", "''") + "'"
            conn.execute(text(f"ALTER ROLE {who} PASSWORD {literal}"))
        for service in services:
            schema = _ident(service)
            conn.execute(text(f"GRANT USAGE ON SCHEMA {schema} TO {who}"))
            conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "
                              f"{schema} TO {who}"))
            conn.execute(text(f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA "
                              f"{schema} TO {who}"))
            kept = [("INSERT, UPDATE, DELETE", "alembic_version")] + [
                ("UPDATE, DELETE, TRUNCATE", table) for table in APPEND_ONLY.get(service, ())]
            for rights, table in kept:
                name = f"{schema}.{_ident(table)}"
                if conn.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar():
                    conn.execute(text(f"REVOKE {rights} ON {name} FROM {who}"))
    engine.dispose()
    log.info("granted %s the tables of %s", role, ", ".join(services))


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
    role = os.environ.get("APP_DB_ROLE")
    if role:
        grant_service_role(url, role, services, password=os.environ.get("APP_DB_PASSWORD"))
    print(f"migrated: {', '.join(services)}" + (f"; granted to {role}" if role else ""))


if __name__ == "__main__":
    main()
