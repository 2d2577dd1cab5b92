"""What the documents service knows of its files (``documents.files``) against what the
object storage holds, for operators:

    python -m services.documents.consistency [--sha256] [--json]

Reads ``DATABASE_URL`` and ``S3_ENDPOINT``, ``S3_ACCESS_KEY``, ``S3_SECRET_KEY``,
``S3_BUCKET``, ``S3_REGION`` from the environment (as the service does) and reports

- ``missing``: a completed file whose object is not in the bucket;
- ``size``: a completed file whose object's size differs from the recorded size;
- ``sha256``: (with ``--sha256``, which reads every object) a completed file whose bytes'
  SHA-256 differs from the recorded one;
- ``orphaned``: an object that no file row names (pending uploads' objects are not
  orphans: their rows exist until the purge removes both).

Prints a table (or JSON) and exits 1 when there is any problem, 0 otherwise. The restore
drill (``bench/restore_drill.py``) runs it on every restored bucket.
"""
import argparse
import hashlib
import json
import os
import sys
from dataclasses import asdict, dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from .storage import CHUNK, make_client

KINDS = ("missing", "size", "sha256", "orphaned")


@dataclass
class Problem:
    kind: str
    object_key: str
    file_id: int | None = None
    expected: str = ""
    found: str = ""


@dataclass
class Report:
    files: int
    completed: int
    objects: int
    hashed: int
    problems: list

    @property
    def ok(self):
        return not self.problems

    def counts(self):
        return {kind: sum(1 for p in self.problems if p.kind == kind) for kind in KINDS}

    def as_dict(self):
        return {"files": self.files, "completed": self.completed, "objects": self.objects,
                "hashed": self.hashed, "ok": self.ok, "counts": self.counts(),
                "problems": [asdict(p) for p in self.problems]}


def file_rows(database_url):
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT id, object_key, status, size, sha256 FROM documents.files "
                "ORDER BY id")).all()
    finally:
        engine.dispose()


def object_sha256(client, bucket, key):
    digest = hashlib.sha256()
    response = client.get_object(bucket, key)
    try:
        for chunk in response.stream(CHUNK):
            digest.update(chunk)
    finally:
        response.close()
        response.release_conn()
    return digest.hexdigest()


def check(database_url, client, bucket, verify_sha256=False):
    """Compare the file rows with the bucket's objects: a :class:`Report`."""
    rows = file_rows(database_url)
    objects = {obj.object_name: obj.size
               for obj in client.list_objects(bucket, recursive=True)}
    problems, hashed = [], 0
    known = set()
    completed = 0
    for row in rows:
        known.add(row.object_key)
        if row.status != "completed":
            continue
        completed += 1
        if row.object_key not in objects:
            problems.append(Problem("missing", row.object_key, row.id,
                                    expected=f"{row.size} bytes", found="no object"))
            continue
        size = objects[row.object_key]
        if row.size is not None and size != row.size:
            problems.append(Problem("size", row.object_key, row.id,
                                    expected=str(row.size), found=str(size)))
            continue
        if verify_sha256 and row.sha256:
            found = object_sha256(client, bucket, row.object_key)
            hashed += 1
            if found != row.sha256:
                problems.append(Problem("sha256", row.object_key, row.id,
                                        expected=row.sha256, found=found))
    for key in sorted(set(objects) - known):
        problems.append(Problem("orphaned", key, None, expected="no file row",
                                found=f"{objects[key]} bytes"))
    return Report(files=len(rows), completed=completed, objects=len(objects),
                  hashed=hashed, problems=problems)


def format_table(report):
    lines = [f"files: {report.files} ({report.completed} completed), objects: "
             f"{report.objects}, bytes hashed: {report.hashed}"]
    if report.ok:
        lines.append("no problem found")
        return "\n".join(lines)
    header = ("problem", "file id", "object key", "expected", "found")
    body = [(p.kind, "" if p.file_id is None else str(p.file_id), p.object_key,
             p.expected, p.found) for p in report.problems]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *body]:
        cells = (cell.ljust(w) for cell, w in zip(row, widths, strict=True))
        lines.append("  ".join(cells).rstrip())
    counts = ", ".join(f"{n} {kind}" for kind, n in report.counts().items() if n)
    lines.append(f"{len(report.problems)} problems: {counts}")
    return "\n".join(lines)


def _env(key, default=None):
    value = os.environ.get(key, "").strip() or default
    if not value:
        raise SystemExit(f"{key} is missing: set the environment variable {key}")
    return value


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m services.documents.consistency",
                                     description="file metadata against stored objects")
    parser.add_argument("--sha256", action="store_true",
                        help="read every completed file's object and compare its SHA-256")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    client = make_client(_env("S3_ENDPOINT"), os.environ.get("S3_ACCESS_KEY", ""),
                         os.environ.get("S3_SECRET_KEY", ""), _env("S3_REGION", "us-east-1"))
    report = check(_env("DATABASE_URL"), client, _env("S3_BUCKET"), args.sha256)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
    else:
        print(format_table(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
