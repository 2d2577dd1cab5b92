"""Check the audit log's hash chain from the command line (operations, e.g. a daily job):

    DATABASE_URL=postgresql+psycopg://... python -m services.identity.audit_verify

Prints the number of entries checked, the chain's head (keep it elsewhere: removing the
newest entries shows only against a head kept before; ``--head SEQ:HASH`` checks that
the chain still holds it) and every problem found (an edited entry, a gap, an entry
written past the service, the kept head lost); exits 1 when there is one.
The same check as ``GET /api/v1/audit-log/verify`` (logic/audit_chain.py::verify).
"""
import argparse
import json
import os
import sys

from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from .logic import audit_chain


def verify(database_url, kept=None):
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with Session(engine) as session:
            return audit_chain.verify(session, kept=kept)
    finally:
        engine.dispose()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m services.identity.audit_verify",
                                     description="校验审计日志哈希链 / check the audit "
                                                 "log's hash chain")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--head", metavar="SEQ:HASH",
                        help="a head an earlier check printed: the chain must still hold it")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("DATABASE_URL is missing: set the environment variable or --database-url")
    kept = None
    if args.head:
        seq, _, digest = args.head.partition(":")
        if not seq.isdigit() or not digest:
            parser.error("--head takes SEQ:HASH, as an earlier check printed them")
        kept = {"seq": int(seq), "hash": digest}
    result = verify(args.database_url, kept)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
