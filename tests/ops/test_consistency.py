"""The operators' consistency check of file metadata against stored objects, on the real
database and S3 server: missing, orphaned, size and SHA-256 mismatches, as a table and
an exit status."""
import hashlib
import io
import os
import subprocess
import sys
import uuid

from sqlalchemy import text

from services.documents import consistency
from services.documents.storage import make_client

KEY = "testing"


def _client(endpoint):
    return make_client(endpoint, KEY, KEY, "us-east-1")


def _file(conn, key, data, status="completed", size=None, sha=None):
    return conn.execute(text(
        "INSERT INTO documents.files (object_key, slot, original_name, extension, "
        "content_type, size, sha256, status, owner_account_id) VALUES (:k, 'work_history', "
        "'a.pdf', 'pdf', 'application/pdf', :size, :sha, :status, 1) RETURNING id"), {
        "k": key, "status": status,
        "size": len(data) if size is None else size,
        "sha": hashlib.sha256(data).hexdigest() if sha is None else sha}).scalar()


def test_every_kind_of_problem_is_found_and_reported(clean_db, database_url, s3_endpoint):
    client, bucket = _client(s3_endpoint), f"t-{uuid.uuid4().hex[:16]}"
    client.make_bucket(bucket)

    def put(key, data):
        client.put_object(bucket, key, io.BytesIO(data), len(data))

    with clean_db.begin() as conn:
        _file(conn, "ok/1", b"good bytes")
        put("ok/1", b"good bytes")
        missing = _file(conn, "gone/2", b"never stored")
        sized = _file(conn, "size/3", b"four")
        put("size/3", b"five!")
        hashed = _file(conn, "sha/4", b"same len")
        put("sha/4", b"SAME LEN")
        _file(conn, "pending/5", b"", status="pending", size=0, sha="")
        put("pending/5", b"bytes of an upload not completed yet")
    put("orphan/6", b"no row names me")

    quick = consistency.check(database_url, client, bucket)
    assert {(p.kind, p.object_key, p.file_id) for p in quick.problems} == {
        ("missing", "gone/2", missing), ("size", "size/3", sized),
        ("orphaned", "orphan/6", None)}
    full = consistency.check(database_url, client, bucket, verify_sha256=True)
    assert full.counts() == {"missing": 1, "size": 1, "sha256": 1, "orphaned": 1}
    assert ("sha256", "sha/4", hashed) in {(p.kind, p.object_key, p.file_id)
                                          for p in full.problems}
    assert full.hashed == 2 and full.files == 5 and full.objects == 5

    env = {**os.environ, "DATABASE_URL": database_url, "S3_ENDPOINT": s3_endpoint,
           "S3_ACCESS_KEY": KEY, "S3_SECRET_KEY": KEY, "S3_BUCKET": bucket}
    done = subprocess.run([sys.executable, "-m", "services.documents.consistency", "--sha256"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1].split() == ["problem", "file", "id", "object", "key", "expected", "found"]
    for kind, key in (("missing", "gone/2"), ("size", "size/3"), ("sha256", "sha/4"),
                      ("orphaned", "orphan/6")):
        assert any(line.split()[0] == kind and key in line for line in lines), (kind, lines)
    assert lines[-1] == "4 problems: 1 missing, 1 size, 1 sha256, 1 orphaned"

    # repaired: the check passes and says so
    client.remove_object(bucket, "orphan/6")
    put("size/3", b"four")
    put("sha/4", b"same len")
    put("gone/2", b"never stored")
    done = subprocess.run([sys.executable, "-m", "services.documents.consistency", "--sha256"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[-1] == "no problem found"
