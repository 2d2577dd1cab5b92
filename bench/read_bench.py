"""The authenticated read path under wrk, as ratios of ``/healthz`` in the same run, and
the time of a batch of 100 review decisions.

1. ``wrk`` (Debian's package; ``--connections`` keep-alive connections, ``--threads``
   threads, ``--seconds`` each) on ``GET /healthz`` (the gateway alone), on a person's
   record list ``GET /api/v1/records?status=all`` and on ``GET /api/v1/auth/me``, one after
   the other, each with the platform's CPU seconds around it (services, gateway,
   PostgreSQL, RabbitMQ, as ``bench/load_bench.py`` counts them). Prints requests/s,
   p50/p99, non-2xx answers, the ratio to ``/healthz`` and the platform's CPU per request.
2. ``--batches`` batch decisions of ``--batch`` record review tasks each (``POST
   /api/v1/tasks/decisions``, 通过), by the admins of seeded units that have that many
   tasks waiting: wall time and platform CPU of each.

Needs the data set of ``bench/load_bench.py`` (``--seed-only``) on a platform started
with ``bin/run``:

    .venv/bin/python bench/read_bench.py [--seconds 20] [--connections 32] [--batch 100] \\
        [--persons 5000 --units 100]   # the sizes the data set was seeded with
"""
import argparse
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import load_bench as lb  # noqa: E402
import requests  # noqa: E402
import seed as dataset  # noqa: E402


def platform_seconds(used):
    return lb.platform_cpu(used)


def by_process(used, count):
    return ", ".join(f"{name} {seconds / max(count, 1) * 1000:.2f}"
                     for name, seconds in sorted(used.items(), key=lambda kv: -kv[1])
                     if name not in lb.PLATFORM_EXCLUDED and seconds)


def wrk(url, path, seconds, connections, threads, token=None):
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "--timeout", "10s"]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    before = lb.cpu_snapshot()
    out = subprocess.run(command + [url + path], capture_output=True, text=True,
                         check=True).stdout
    used = lb.cpu_used(before, lb.cpu_snapshot())
    total = int(re.search(r"(\d+) requests in", out).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)

    def latency(q):
        value, unit = re.search(rf"\s{q}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return {"path": path, "requests": total, "rate": rate, "p50": latency(50),
            "p99": latency(99), "non_2xx": int(bad.group(1)) if bad else 0,
            "socket_errors": errors.group(1) if errors else "",
            "cpu_ms": platform_seconds(used) / max(total, 1) * 1000, "used": used}


def login(url, username):
    answer = requests.post(url + "/api/v1/auth/login", timeout=60,
                           json={"username": username, "password": dataset.PASSWORD})
    answer.raise_for_status()
    return answer.json()["token"]


def top_up(url, db_url, units, persons, batch):
    """The seeded employer with the most unclaimed record tasks, topped up to ``batch``
    of them by its persons' 工作经历 submitted through the API."""
    import psycopg
    first = dataset.unit_id(2 + dataset.COMPETENT)
    with psycopg.connect(dataset.plain_url(db_url)) as conn:
        unit, count = conn.execute("""
            SELECT unit_id, count(*) FROM workflow.tasks
            WHERE state = 'open' AND claimed_by_account_id IS NULL AND unit_id >= %s
            GROUP BY unit_id ORDER BY count(*) DESC LIMIT 1
        """, (first,)).fetchone()
    index = unit - dataset.unit_id(0)
    members = [i for i in range(persons) if dataset.employer_index(units, i) == index]
    for n in range(batch - count):
        token = login(url, dataset.id_number(members[n % len(members)])[0])
        answer = requests.post(url + "/api/v1/records", timeout=60,
                               headers={"Authorization": f"Bearer {token}"}, json={
            "type": "work_history", "submit": True, "fields": {
                "unit_name": f"{dataset.PREFIX}原单位{n}", "start_date": "2001-07-01",
                "end_date": "2004-07-01", "specialty": "土木工程", "position": "工程师"}})
        answer.raise_for_status()
    return index


def batch_decisions(url, db_url, units, persons, batch, batches):
    """``batches`` batch approvals of ``batch`` tasks, each by the admin of the employer
    with the most waiting (topped up through the API where fewer wait)."""
    results = []
    for _ in range(batches):
        index = top_up(url, db_url, units, persons, batch)
        token = login(url, dataset.admin_username(index))
        headers = {"Authorization": f"Bearer {token}"}
        page = requests.get(url + "/api/v1/tasks", headers=headers, timeout=60, params={
            "box": "unclaimed", "kind": "record", "page_size": batch}).json()
        ids = [t["id"] for t in page["items"]]
        before = lb.cpu_snapshot()
        start = time.perf_counter()
        answer = requests.post(url + "/api/v1/tasks/decisions", headers=headers, timeout=120,
                               json={"task_ids": ids, "action": "approve", "opinion": "同意"})
        seconds = time.perf_counter() - start
        used = lb.cpu_used(before, lb.cpu_snapshot())
        body = answer.json()
        results.append({"tasks": len(ids), "status": answer.status_code,
                        "succeeded": body.get("succeeded"), "seconds": seconds,
                        "cpu": platform_seconds(used), "used": used})
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL",
                                                                 lb.DEFAULT_DB))
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--person", type=int, default=7, help="index of the seeded person")
    parser.add_argument("--persons", type=int, default=5000, help="as the data set was seeded")
    parser.add_argument("--units", type=int, default=100, help="as the data set was seeded")
    args = parser.parse_args(argv)
    lb.PLATFORM_DATABASE[0] = dataset.plain_url(args.database_url).rsplit("/", 1)[-1]
    url = args.url.rstrip("/")
    if not dataset.is_seeded(args.database_url):
        raise SystemExit("load the data set first: bench/load_bench.py --seed-only")

    token = login(url, dataset.id_number(args.person)[0])
    runs = [wrk(url, "/healthz", args.seconds, args.connections, args.threads),
            wrk(url, "/api/v1/records?status=all", args.seconds, args.connections,
                args.threads, token),
            wrk(url, "/api/v1/auth/me", args.seconds, args.connections, args.threads,
                token)]
    base = runs[0]["rate"]
    print(f"\nwrk, {args.connections} connections, {args.threads} threads, "
          f"{args.seconds} s each")
    print(f"  {'path':<32} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8} "
          f"{'x healthz':>10} {'CPU ms/req':>11}")
    for run in runs:
        print(f"  {run['path']:<32} {run['rate']:8.1f} {run['p50']:8.1f} {run['p99']:8.1f} "
              f"{run['non_2xx']:8d} {run['rate'] / base:10.3f} {run['cpu_ms']:11.2f}"
              + (f"  socket errors: {run['socket_errors']}" if run["socket_errors"] else ""))
        print(f"      CPU ms/request by process: {by_process(run['used'], run['requests'])}")

    results = batch_decisions(url, args.database_url, args.units, args.persons, args.batch,
                              args.batches)
    print(f"\nbatch decisions of {args.batch} record tasks (通过)")
    for r in results:
        print(f"  {r['tasks']} tasks: HTTP {r['status']}, {r['succeeded']} succeeded, "
              f"{r['seconds']:.2f} s, platform CPU {r['cpu']:.2f} s")
        print(f"      CPU ms/decision by process: {by_process(r['used'], r['tasks'])}")


if __name__ == "__main__":
    main()
