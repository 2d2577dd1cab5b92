"""Creates the first operator, security administrator or auditor account, idempotently.

    DATABASE_URL=postgresql+psycopg://... \\
        python -m services.identity.bootstrap --username ops --password '...' [--name 运维管理员]
        [--role operator|security|auditor]

Run it after the migrations, once per administrator (MLPS level 3 keeps the system,
security and audit administrators separate). A second run with the same user name changes
nothing (the existing account, its password included, is left as it is). The operator
then creates HR departments (内置单位) with their admins through ``POST /api/v1/units``;
the security administrator creates further staff accounts (``POST /api/v1/ops/accounts``).
"""
import argparse
import os
import sys

from sqlalchemy import create_engine, inspect
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import NullPool

from services.common.errors import AppError

from .logic.users import ensure_staff
from .models import SCHEMA

ROLES = ("operator", "security", "auditor")
DEFAULT_NAMES = {"operator": "运维管理员", "security": "安全管理员", "auditor": "审计员"}


def bootstrap(database_url, username, password, name=None, role="operator"):
    """``(account_id, created)``; raises AppError for a weak password or a name in use."""
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        if not inspect(engine).has_table("accounts", schema=SCHEMA):
            raise SystemExit("the identity tables do not exist yet: run the migrations first "
                             "(python -m services.common.migrations identity)")
        sessions = sessionmaker(engine)
        with sessions() as session, session.begin():
            session.info["source"] = "identity"
            default_name = DEFAULT_NAMES.get(role, role)
            account, created = ensure_staff(session, role, username, password,
                                            name or default_name)
            return account.id, created
    finally:
        engine.dispose()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m services.identity.bootstrap",
                                     description="Create the first operator, security "
                                                 "administrator or auditor.")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--name", default=None)
    parser.add_argument("--role", choices=ROLES, default="operator")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("DATABASE_URL is missing: set the environment variable or --database-url")
    try:
        account_id, created = bootstrap(args.database_url, args.username, args.password,
                                        args.name, args.role)
    except AppError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    state = "created" if created else "exists already, unchanged"
    print(f"{args.role} account {args.username.strip().lower()} (id {account_id}): {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
