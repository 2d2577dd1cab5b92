"""The backup and restore drill (bench/restore_drill.py) at a small size, on the real
database server, broker and S3 server: it passes, prints its RPO and RTO, finds the
object it deletes on purpose missing, and leaves nothing behind. The source holds a small
copy of bench/seed.py's data set too, as the province-sized run does."""
import pathlib
import re
import subprocess
import sys

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from conftest import ADMIN_URL

ROOT_DIR = pathlib.Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


def test_the_drill_restores_everything_and_prints_rpo_and_rto(request, s3_endpoint):
    amqp = request.config.getoption("RABBIT_AMQP_URI")
    api = request.config.getoption("RABBIT_API_URI")
    done = subprocess.run(
        [sys.executable, "bench/restore_drill.py", "--clients", "2", "--warm", "4",
         "--persons", "200", "--units", "20", "--sample", "5",
         "--admin-url", ADMIN_URL, "--amqp", amqp, "--amqp-api", api,
         "--s3-endpoint", s3_endpoint, "--s3-key", "testing", "--s3-secret", "testing"],
        cwd=ROOT_DIR, capture_output=True, text=True, timeout=840)
    out = done.stdout
    print(out)  # the figures, in the report of a failure or with -s
    assert done.returncode == 0, out + done.stderr
    assert out.rstrip().splitlines()[-1].startswith("drill passed")

    tables = re.search(r"^tables: (\d+) of (\d+) identical to the snapshot .*, (\d+) rows$",
                       out, re.M)
    assert tables and tables[1] == tables[2] and int(tables[3]) > 100, out
    assert re.search(r"^outbox: \d+ events unpublished at the snapshot .*published by the "
                     r"relay", out, re.M), out
    api_line = re.search(r"^API: (\d+) records, (\d+) declarations .* and (\d+) files .*, "
                         r"0 problems$", out, re.M)
    assert api_line and all(int(n) > 0 for n in api_line.groups()), out
    # bench/seed.py's data set (what a province-sized drill loads) came back whole
    seeded = re.search(r"^source: seeded 20 units, 200 persons, 2000 records", out, re.M)
    seeded_read = re.search(r"^API: (\d+) records of 5 seeded persons read back, 0 problems$",
                            out, re.M)
    assert seeded and seeded_read and int(seeded_read[1]) == 5 * 10, out
    assert re.search(r"^consistency: \d+ completed files, \d+ objects, \d+ hashed: ok$",
                     out, re.M), out
    assert re.search(r"^deliberately deleted object \S+: found missing by the consistency "
                     r"check$", out, re.M), out

    rpo = re.search(r"^RPO: ([\d.]+) s, (\d+) rows, (\d+) objects committed after the "
                    r"snapshot", out, re.M)
    backup = re.search(r"whole backup ([\d.]+) s$", out, re.M)
    assert rpo and backup, out
    # what the load committed after the snapshot, until the backup was complete
    assert 0 <= float(rpo[1]) <= float(backup[1]) + 1
    assert int(rpo[2]) > 0
    rto = re.search(r"^RTO: ([\d.]+) s \(database ([\d.]+) s, (\d+) objects ([\d.]+) s, "
                    r"services to /readyz 200 ([\d.]+) s\)$", out, re.M)
    assert rto, out
    total, database, objects, _, services = (float(n) for n in rto.groups())
    assert 0 < database + services <= total < 300 and objects > 0

    run_id = re.search(r"^drill (\w+):", out, re.M)[1]
    engine = create_engine(ADMIN_URL, poolclass=NullPool)
    with engine.connect() as conn:
        left = conn.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :n"),
                            {"n": f"drill_%_{run_id}"}).scalars().all()
    engine.dispose()
    assert left == []
