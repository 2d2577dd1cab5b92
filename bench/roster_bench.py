"""花名册 end to end: a 50,000-row roster exported through the gateway (documents asks
workflow for the rows page by page, writes the xlsx, stores it), with the wall time, the
CPU seconds of each process and the documents service's peak memory.

Needs the data set of ``bench/load_bench.py`` (``--seed-only``) and at least one
declaration of the load's HR department's plan (a run of the mix makes some) on a platform
started with ``bin/run``. The declarations are cloned from one of them in SQL (a load
generator, not an API user) for seeded persons that have none this year, marked
``roster-bench`` in their pledge text and deleted at the end:

    .venv/bin/python bench/roster_bench.py [--rows 50000] [--keep]
"""
import argparse
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import load_bench as lb  # noqa: E402
import psycopg  # noqa: E402
import requests  # noqa: E402
import seed as dataset  # noqa: E402

MARK = "roster-bench"
COLUMNS = ("plan_id", "year", "account_id", "form", "series", "specialty", "title",
           "level", "unit_id", "unit_name", "status", "pledge_accepted_at", "person",
           "personal", "titles", "chain", "current_step", "current_unit_id",
           "current_unit_name", "first_submitted_at", "submitted_at", "created_at",
           "updated_at", "version")


def clone(conn, rows):
    template = conn.execute("""
        SELECT id, plan_id FROM workflow.declarations
        WHERE status = 'submitted' AND deleted_at IS NULL AND pledge_text <> %s
          AND unit_id >= %s
        ORDER BY id LIMIT 1""", (MARK, dataset.unit_id(0))).fetchone()
    if template is None:
        raise SystemExit("no submitted declaration to clone: run the mix first "
                         "(bench/load_bench.py --open-rate 10 --duration 30)")
    have = conn.execute("SELECT count(*) FROM workflow.declarations WHERE pledge_text = %s",
                        (MARK,)).fetchone()[0]
    if have < rows:
        columns = ", ".join(COLUMNS)
        conn.execute(f"""
            INSERT INTO workflow.declarations
                (person_id, person_name, pledge_text, {columns})
            SELECT p.id, p.real_name, %s, {", ".join("d." + c for c in COLUMNS)}
            FROM workflow.declarations d
            JOIN identity.persons p ON p.id BETWEEN %s AND %s
            WHERE d.id = %s
              AND NOT EXISTS (SELECT 1 FROM workflow.declarations o
                              WHERE o.person_id = p.id AND o.year = d.year
                                AND o.deleted_at IS NULL)
            LIMIT %s""", (MARK, dataset.person_id(0), dataset.person_id(10**7), template[0],
                          rows - have))
        conn.commit()
        # as autovacuum would soon: without statistics of the new rows the planner sorts
        # the whole plan for every page
        conn.execute("ANALYZE workflow.declarations")
    return template[1]


def peak_memory_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL",
                                                                 lb.DEFAULT_DB))
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true", help="keep the cloned declarations")
    args = parser.parse_args(argv)
    lb.PLATFORM_DATABASE[0] = dataset.plain_url(args.database_url).rsplit("/", 1)[-1]
    url = args.url.rstrip("/")
    with psycopg.connect(dataset.plain_url(args.database_url)) as conn:
        plan_id = clone(conn, args.rows)
        count = conn.execute("SELECT count(*) FROM workflow.declarations WHERE plan_id = %s "
                             "AND deleted_at IS NULL", (plan_id,)).fetchone()[0]
    try:
        token = requests.post(url + "/api/v1/auth/login", timeout=60, json={
            "username": dataset.admin_username(0), "password": dataset.PASSWORD}).json()["token"]
        with open(os.path.join(lb.ROOT, "var", "run", "documents.pid")) as f:
            documents = f.read().strip()
        before_peak = peak_memory_kib(documents)
        before = lb.cpu_snapshot()
        start = time.perf_counter()
        answer = requests.post(url + "/api/v1/rosters", timeout=300,
                               headers={"Authorization": f"Bearer {token}"},
                               json={"scope": "level", "plan_id": plan_id})
        seconds = time.perf_counter() - start
        used = lb.cpu_used(before, lb.cpu_snapshot())
        answer.raise_for_status()
        body = answer.json()
        size = len(requests.get(body["url"], timeout=120).content)
        print(f"花名册 of plan {plan_id} ({count} declarations): {body['rows']} rows, "
              f"{size / 2**20:.1f} MiB xlsx, {seconds:.1f} s through the gateway")
        print("  CPU seconds: " + ", ".join(
            f"{name} {cpu:.1f}" for name, cpu in sorted(used.items(), key=lambda kv: -kv[1])
            if name not in lb.PLATFORM_EXCLUDED and cpu >= 0.05))
        print(f"  documents service peak resident memory (VmHWM): {before_peak / 1024:.0f} "
              f"MiB before, {peak_memory_kib(documents) / 1024:.0f} MiB after")
    finally:
        if not args.keep:
            with psycopg.connect(dataset.plain_url(args.database_url)) as conn:
                conn.execute("DELETE FROM workflow.declarations WHERE pledge_text = %s",
                             (MARK,))


if __name__ == "__main__":
    main()
