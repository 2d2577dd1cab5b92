"""Deadline-day load through the gateway over a province-sized data set, with the raw
PostgreSQL and Nameko RPC rates of the same machine, so that each layer's cost is a ratio.

1. Seeds (once; ``bench/seed.py``) 1,000 units, 100,000 persons with accounts and approved
   bindings, 1,000,000 records and the open review tasks of the 审核中 ones, with COPY,
   into the database the platform uses (``DATABASE_URL``, default bin/run's ``zhicheng``).
2. Warm-up through the API: the HR department publishes a plan (工程系列, one required
   section 工作经历); one person per client and the admins of ``--admins`` employers log in.
3. Raw layers, ``--raw-seconds`` each with ``--raw-callers`` concurrent callers: the
   session lookup every request makes (an indexed SELECT over a pool of connections), the
   same lookup as the RPC ``identity.authenticate`` (ClusterRpcProxy), the gateway's
   ``/healthz`` (HTTP only) and ``GET /api/v1/auth/me`` (HTTP + 2 RPCs).
4. The mix: ``--clients`` green threads, each with its own keep-alive HTTP connection,
   send back-to-back (no think time) for ``--duration`` seconds: logins, record lists and
   keyword searches (persons and units), record submissions, unit batch approvals
   (``POST /api/v1/tasks/decisions``), declaration submissions (create, personal
   information, import, submit) and file uploads (presign, form POST to S3, complete, delete).
   Prints per request kind: count, requests/s, p50/p95/p99, errors by status; totals; the
   ratios of the layers; and the CPU seconds each process spent during the mix.
   With ``--open-rate R`` the mix is an open loop instead: operations arrive at R per
   second (Poisson: exponential gaps), each on its own green thread and keep-alive
   connection, whatever the answers' speed, so a slow platform shows as latency and
   errors rather than as a lower offered rate. It prints the platform's CPU per request
   (services, gateway, S3 server, PostgreSQL and RabbitMQ from /proc, not the load
   generator, whose own CPU per request is printed beside it).
With ``--per-kind N`` it runs no mix: each kind of operation alone, N times one after the
other, and prints per operation the platform's CPU (idle taken off), requests,
PostgreSQL transactions and RabbitMQ messages, and the total weighted by the mix.
5. ``--capacity``: a bisection over the offered rate (``--capacity-low/high``,
   ``--trial-seconds`` each) for the highest rate with p99 <= ``--p99-target`` (300 ms)
   and no errors; its figure is also given as a ratio of ``/healthz`` and of one RPC.

The last line is always ``mix: <N> requests, <R> req/s, platform CPU <C> ms/request, p99
<P> ms`` (of the main run). An operation is one step of the mix; some steps make several
HTTP requests (a declaration 5, an upload 4, a batch approval 2): N and R count requests.

Run against a platform started with ``bin/run``:

    .venv/bin/python bench/load_bench.py [--duration 120] [--clients 200]
    .venv/bin/python bench/load_bench.py --open-rate 40 --capacity   # open loop, capacity
    .venv/bin/python bench/load_bench.py --cleanup      # remove the data set afterwards
"""
import warnings

warnings.filterwarnings("ignore", message="\nEventlet is deprecated")
import eventlet  # noqa: E402

eventlet.monkey_patch()

import argparse  # noqa: E402
import collections  # noqa: E402
import datetime as dt  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

import requests  # noqa: E402
import seed as dataset  # noqa: E402
from records_bench import WORDS  # noqa: E402

import services  # noqa: E402,F401  (PSYCOPG_WAIT_FUNC=wait_select before psycopg loads)

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/zhicheng"
PLAN_SERIES = "工程技术人员"
PLAN_SPECIALTIES = ["土木工程", "电气工程", "机械工程", "计算机应用"]
PLAN_TITLE = "高级工程师"
# What one client does next, with its weight (a closed loop without think time).
MIX = (("login", 5), ("records_list", 20), ("records_search", 10), ("unit_list", 8),
       ("unit_search", 7), ("record_submit", 15), ("batch_approve", 6), ("declare", 4),
       ("upload", 10))
TABS = ("all", "draft", "submitted", "approved", "returned")
TYPES = ("work_history", "education", "paper", "research_project", "annual_assessment")


# --------------------------------------------------------------------------- measuring

class Stats:
    """Latencies of successful requests and errors by status, per request kind."""

    def __init__(self):
        self.times = collections.defaultdict(list)
        self.errors = collections.defaultdict(collections.Counter)
        self.samples = {}
        self.notes = collections.Counter()

    def ok(self, kind, seconds):
        self.times[kind].append(seconds)

    def error(self, kind, status, sample=""):
        self.errors[kind][status] += 1
        self.samples.setdefault((kind, status), sample[:200])


def pct(ordered, q):
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else 0.0


def report(stats, seconds, title):
    kinds = sorted(set(stats.times) | set(stats.errors))
    print(f"\n{title} ({seconds:.0f} s)")
    print(f"  {'request':<34} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
          f"{'p99 ms':>8}  errors")
    total = errors = 0
    for kind in kinds:
        ordered = sorted(stats.times[kind])
        failed = sum(stats.errors[kind].values())
        count = len(ordered) + failed
        total += count if not kind.endswith(" (all steps)") else 0
        errors += failed if not kind.endswith(" (all steps)") else 0
        by_status = ", ".join(f"{s}: {n}" for s, n in sorted(stats.errors[kind].items(),
                                                              key=str)) or "0"
        print(f"  {kind:<34} {count:>7} {count / seconds:>7.1f} {pct(ordered, .5):>8.0f} "
              f"{pct(ordered, .95):>8.0f} {pct(ordered, .99):>8.0f}  {by_status}")
    print(f"  {'total HTTP requests':<34} {total:>7} {total / seconds:>7.1f} "
          f"{'':>8} {'':>8} {'':>8}  {errors}")
    for (kind, status), sample in sorted(stats.samples.items(), key=str):
        print(f"    first {kind} {status}: {sample}")
    for note, count in sorted(stats.notes.items()):
        print(f"  {note}: {count}")
    return total


class Http:
    """One client's keep-alive connection to the gateway."""

    def __init__(self, url, stats):
        self.url = url.rstrip("/")
        self.stats = stats
        self.session = requests.Session()

    def call(self, kind, method, path, token=None, expect=(200,), **kw):
        """Answers (ok, body); records the latency or the error under ``kind``."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        headers.update(kw.pop("headers", None) or {})
        url = path if path.startswith("http") else self.url + path
        start = time.perf_counter()
        try:
            answer = self.session.request(method, url, headers=headers, timeout=120, **kw)
        except requests.RequestException as exc:
            self.stats.error(kind, type(exc).__name__, str(exc))
            return False, None
        elapsed = time.perf_counter() - start
        if answer.status_code not in expect:
            self.stats.error(kind, answer.status_code, answer.text)
            return False, None
        self.stats.ok(kind, elapsed)
        is_json = answer.headers.get("Content-Type", "").startswith("application/json")
        return True, (answer.json() if answer.content and is_json else None)


def run_for(seconds, callers, work):
    """``work(i, deadline)`` in ``callers`` green threads; answers the elapsed time."""
    pool = eventlet.GreenPool(callers)
    start = time.perf_counter()
    deadline = start + seconds
    for i in range(callers):
        pool.spawn_n(work, i, deadline)
    pool.waitall()
    return time.perf_counter() - start


# --------------------------------------------------------------------------- CPU

def _cpu_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


PLATFORM_DATABASE = ["zhicheng"]   # set from --database-url


def _platform_backend(pid):
    """Whether a postgres process serves the platform's database, or is one of the
    server's own (checkpointer, WAL writer, …): other databases' backends (other test
    runs on the machine) are not the platform's."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            title = f.read().replace(b"\0", b" ").decode(errors="replace").split()
    except OSError:
        return False
    # "postgres: 15/main: <user> <database> <host(port)> <state>" for a backend
    if len(title) >= 5 and title[0] == "postgres:" and "(" in title[4]:
        return title[3] == PLATFORM_DATABASE[0]
    return True


def cpu_snapshot():
    """CPU seconds so far of the platform's processes (bin/run's pid files), of
    PostgreSQL's (the platform database's backends and the server's own processes) and
    RabbitMQ's (all of it: other vhosts' traffic included), and of this process."""
    result = collections.defaultdict(dict)   # name -> {pid: CPU seconds}
    run = os.path.join(ROOT, "var", "run")
    for name in sorted(os.listdir(run)) if os.path.isdir(run) else ():
        if name.endswith(".pid"):
            with open(os.path.join(run, name)) as f:
                pid = f.read().strip()
            value = _cpu_of(pid)
            if value is not None:
                result[name[:-4]][pid] = value
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        group = "postgres" if comm == "postgres" else "rabbitmq" if comm == "beam.smp" else None
        if group == "postgres" and not _platform_backend(pid):
            continue
        if group:
            result[group][pid] = _cpu_of(pid) or 0.0
    result["load generator"][os.getpid()] = _cpu_of(os.getpid()) or 0.0
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    result["whole machine"][0] = (sum(fields) - fields[3] - fields[4]) / os.sysconf(
        "SC_CLK_TCK")
    return result


def cpu_used(before, after):
    """CPU seconds of each group between two snapshots, process by process: a process
    started in between counts from zero, one that ended in between is not counted."""
    return {name: sum(cpu - before.get(name, {}).get(pid, 0.0) for pid, cpu in pids.items())
            for name, pids in after.items()}


def cpu_report(used, seconds):
    print(f"\nCPU seconds during the mix ({os.cpu_count()} cores x {seconds:.0f} s = "
          f"{os.cpu_count() * seconds:.0f} available; PostgreSQL and RabbitMQ include other "
          "work on the machine):")
    for name, cpu in used.items():
        print(f"  {name:<16} {cpu:7.1f} s  ({cpu / seconds * 100:5.1f} % of one core)")


# --------------------------------------------------------------------------- warm-up

def ensure_plan(http, hr_token, organiser_unit_id):
    """The HR department's published plan of this year (created once)."""
    today = dt.date.today()
    name = f"{dataset.PREFIX}{today.year}年度工程系列高级职称评审"
    ok, page = http.call("warm-up", "GET", "/api/v1/plans", hr_token,
                         params={"mine": "true", "year": today.year, "page_size": 200})
    plan = next((p for p in (page or {}).get("items", []) if p["name"] == name), None)
    if plan is None:
        ok, plan = http.call("warm-up", "POST", "/api/v1/plans", hr_token, expect=(201,), json={
            "year": today.year, "name": name, "committee": "压测工程系列高级职称评审委员会",
            "level": "deputy_senior", "forms": ["regular"],
            "starts_on": (today - dt.timedelta(days=15)).isoformat(),
            "ends_on": (today + dt.timedelta(days=60)).isoformat(),
            "scope": [{"series": PLAN_SERIES, "specialties": PLAN_SPECIALTIES,
                       "titles": [PLAN_TITLE]}],
            "content": "适用于压测数据集中的工程技术人员。", "contact_name": "专业技术人员管理处",
            "contact_phone": "0551-65329082", "titles_required": False,
            "sections": [{"code": "work", "label": "工作经历", "types": ["work_history"],
                          "min": 1, "max": 5, "required": True}],
            "organiser_unit_id": organiser_unit_id})
        if not ok:
            raise SystemExit("the plan could not be created: " + repr(http.stats.samples))
    if plan["status"] != "published":
        ok, plan = http.call("warm-up", "POST", f"/api/v1/plans/{plan['id']}/publish", hr_token)
        if not ok:
            raise SystemExit("the plan could not be published: " + repr(http.stats.samples))
    return plan


def login_many(url, usernames, concurrency=10):
    """Tokens of ``usernames`` (None where the login failed)."""
    stats = Stats()
    tokens = [None] * len(usernames)

    def one(i):
        http = Http(url, stats)
        for _attempt in range(3):  # a 503 (RPC timeout) when the machine is overloaded
            ok, body = http.call("login", "POST", "/api/v1/auth/login",
                                 json={"username": usernames[i], "password": dataset.PASSWORD})
            if ok:
                tokens[i] = body["token"]
                return

    pool = eventlet.GreenPool(concurrency)
    for i in range(len(usernames)):
        pool.spawn_n(one, i)
    pool.waitall()
    failed = sum(1 for t in tokens if t is None)
    if failed:
        raise SystemExit(f"{failed} warm-up logins failed: {stats.samples}")
    return tokens, stats


def declared_persons(db_url):
    import psycopg

    with psycopg.connect(dataset.plain_url(db_url)) as conn:
        return {row[0] - dataset.PERSON_BASE - 1 for row in conn.execute(
            "SELECT person_id FROM workflow.declarations WHERE person_id > %s AND "
            "person_id <= %s", (dataset.PERSON_BASE, dataset.PERSON_BASE + dataset.RANGE))}


# --------------------------------------------------------------------------- raw layers

def raw_layers(args, db_url, tokens):
    """Calls per second of each layer with the same callers and time; answers them."""
    import psycopg
    from nameko.standalone.rpc import ClusterRpcProxy

    with psycopg.connect(dataset.plain_url(db_url)) as conn:
        sessions = [r[0] for r in conn.execute(
            "SELECT id FROM identity.sessions WHERE account_id > %s AND account_id <= %s "
            "AND revoked_at IS NULL LIMIT 2000",
            (dataset.PERSON_BASE, dataset.ADMIN_BASE + dataset.RANGE))]
    query = ("SELECT s.id, s.expires_at, s.revoked_at, a.id, a.role, a.status, a.person_id, "
             "a.unit_id FROM identity.sessions s JOIN identity.accounts a "
             "ON a.id = s.account_id WHERE s.id = %s")
    rates = {}

    def layer(label, setup, call):
        stats = Stats()

        def work(i, deadline):
            rng = random.Random(i)
            handle = setup()
            try:
                while time.perf_counter() < deadline:
                    start = time.perf_counter()
                    try:
                        call(handle, rng)
                    except Exception as exc:  # noqa: BLE001 - counted, not fatal
                        stats.error(label, type(exc).__name__, str(exc))
                        continue
                    stats.ok(label, time.perf_counter() - start)
            finally:
                close = getattr(handle, "close", None) or getattr(handle, "stop", None)
                if close:
                    close()

        before = cpu_snapshot()
        seconds = run_for(args.raw_seconds, args.raw_callers, work)
        cpu = platform_cpu(cpu_used(before, cpu_snapshot()))
        ordered = sorted(stats.times[label])
        rates[label] = len(ordered) / seconds
        failed = sum(stats.errors[label].values())
        print(f"  {label:<52} {rates[label]:8.0f} calls/s   p50 {pct(ordered, .5):6.1f} ms   "
              f"p99 {pct(ordered, .99):6.1f} ms   errors {failed}   platform CPU "
              f"{cpu / max(len(ordered), 1) * 1000:5.2f} ms/call", flush=True)

    def pg_call(conn, rng):
        conn.execute(query, (rng.choice(sessions),)).fetchone()

    class Proxy:
        def __init__(self):
            self.cluster = ClusterRpcProxy({"AMQP_URI": args.amqp_uri}, timeout=60)
            self.rpc = self.cluster.start()

        def stop(self):
            self.cluster.stop()

    print(f"\nraw layers ({args.raw_callers} concurrent callers, {args.raw_seconds} s each)")
    layer("PostgreSQL: session lookup (indexed SELECT)",
          lambda: psycopg.connect(dataset.plain_url(db_url), autocommit=True), pg_call)
    layer("Nameko RPC: identity.authenticate (same SELECT)", Proxy,
          lambda proxy, rng: proxy.rpc.identity.authenticate(rng.choice(tokens)))
    http_stats = Stats()
    layer("HTTP: GET /healthz (gateway only, no RPC)", lambda: Http(args.url, http_stats),
          lambda http, rng: http.session.get(http.url + "/healthz", timeout=60)
          .raise_for_status())
    layer("HTTP: GET /api/v1/auth/me (authenticate + me RPC)",
          lambda: Http(args.url, http_stats),
          lambda http, rng: http.session.get(
              http.url + "/api/v1/auth/me", timeout=60,
              headers={"Authorization": f"Bearer {rng.choice(tokens)}"}).raise_for_status())
    return rates


# --------------------------------------------------------------------------- the mix

def _pdf(size_kb):
    from deploy.demo import _pdf as small_pdf

    data = small_pdf("load bench evidence")
    return data + b"\n%" + b"0" * max(0, size_kb * 1024 - len(data) - 2) + b"\n"


class Mix:
    def __init__(self, args, stats, *, persons, admins, declarants, plan):
        self.args = args
        self.stats = stats
        self.persons = persons          # [(person index, token)], one per client
        self.admins = admins            # [token]
        self.declarants = declarants    # person indices that have not declared this year
        self.plan = plan
        self.pdf = _pdf(args.upload_kb)
        self.ops = [name for name, _ in MIX]
        self.weights = [w for _, w in MIX]

    def client(self, i, deadline):
        http = Http(self.args.url, self.stats)
        rng = random.Random(self.args.seed * 1000 + i)
        person, token = self.persons[i % len(self.persons)]
        admin = self.admins[i % len(self.admins)]
        while time.perf_counter() < deadline:
            op = rng.choices(self.ops, self.weights)[0]
            getattr(self, op)(http, rng, person, token, admin)

    def login(self, http, rng, person, token, admin):
        number, _born = dataset.id_number(rng.randrange(self.args.persons))
        http.call("login", "POST", "/api/v1/auth/login",
                  json={"username": number, "password": dataset.PASSWORD})

    def records_list(self, http, rng, person, token, admin):
        params = {"status": rng.choice(TABS)}
        if rng.random() < 0.5:
            params["type"] = rng.choice(TYPES)
        http.call("records: person's list", "GET", "/api/v1/records", token, params=params)

    def records_search(self, http, rng, person, token, admin):
        http.call("records: person's search", "GET", "/api/v1/records", token,
                  params={"q": rng.choice(WORDS)})

    def unit_list(self, http, rng, person, token, admin):
        http.call("unit records: list", "GET", "/api/v1/unit/records", admin,
                  params={"status": rng.choice(("all", "submitted", "approved", "returned")),
                          "page": rng.randint(1, 20)})

    def unit_search(self, http, rng, person, token, admin):
        http.call("unit records: search", "GET", "/api/v1/unit/records", admin,
                  params={"q": " ".join(rng.sample(WORDS, 2))})

    def record_submit(self, http, rng, person, token, admin):
        start = dt.date(2000 + rng.randrange(20), 7, 1)
        http.call("record: create + submit", "POST", "/api/v1/records", token, expect=(201,),
                  json={"type": "work_history", "submit": True, "fields": {
                      "unit_name": f"{dataset.PREFIX}原单位{rng.randrange(1000)}",
                      "start_date": start.isoformat(),
                      "end_date": start.replace(year=start.year + 3).isoformat(),
                      "specialty": rng.choice(PLAN_SPECIALTIES), "position": "工程师"}})

    def batch_approve(self, http, rng, person, token, admin):
        ok, page = http.call("approve: task list (unclaimed)", "GET", "/api/v1/tasks", admin,
                             params={"box": "unclaimed", "kind": "record",
                                     "page_size": self.args.batch})
        ids = [t["id"] for t in (page or {}).get("items", [])]
        if not ok or not ids:
            self.stats.notes["approve: no task left at the unit"] += not ids and ok
            return
        ok, result = http.call(f"approve: batch decision (<= {self.args.batch})", "POST",
                               "/api/v1/tasks/decisions", admin,
                               json={"task_ids": ids, "action": "approve", "opinion": "同意"})
        if ok:
            self.stats.notes["approve: tasks approved"] += result["succeeded"]
            self.stats.notes["approve: tasks refused (taken by another admin first)"] += \
                result["failed"]

    def declare(self, http, rng, person, token, admin):
        if not self.declarants:
            self.stats.notes["declare: no person left to declare"] += 1
            return
        index = self.declarants.pop()
        started = time.perf_counter()
        number, _born = dataset.id_number(index)
        ok, body = http.call("declare: login", "POST", "/api/v1/auth/login",
                             json={"username": number, "password": dataset.PASSWORD})
        if not ok:
            return
        me = body["token"]
        ok, declaration = http.call("declare: create", "POST", "/api/v1/declarations", me,
                                    expect=(201,), json={
                                        "plan_id": self.plan["id"], "form": "regular",
                                        "series": PLAN_SERIES,
                                        "specialty": rng.choice(PLAN_SPECIALTIES),
                                        "title": PLAN_TITLE, "pledge_accepted": True})
        if not ok:
            return
        did = declaration["id"]
        ok, _ = http.call("declare: personal information", "PATCH",
                          f"/api/v1/declarations/{did}/personal", me, json={
                              "former_name": "无", "ethnicity": "汉族",
                              "birthplace": "安徽省合肥市",
                              "work_start_date": "2010-07-01", "work_years": 14,
                              "specialty_years": 14, "political_status": "群众",
                              "health": "健康"})
        ok = ok and http.call("declare: import 工作经历", "POST",
                              f"/api/v1/declarations/{did}/sections/work/items", me,
                              expect=(201,),
                              json={"record_ids": [dataset.work_record_id(index)]})[0]
        ok = ok and http.call("declare: submit", "POST", f"/api/v1/declarations/{did}/submit",
                              me)[0]
        if ok:
            self.stats.ok("declare (all steps)", time.perf_counter() - started)

    def upload(self, http, rng, person, token, admin):
        started = time.perf_counter()
        ok, ticket = http.call("upload: presign", "POST", "/api/v1/files/uploads", token,
                               expect=(201,), json={"slot": "work_history",
                                                    "file_name": "工作证明.pdf",
                                                    "size": len(self.pdf)})
        if not ok:
            return
        form = ticket["form"]
        ok, _ = http.call("upload: POST to S3", "POST", form["url"], expect=(200, 201, 204),
                          data=form["fields"], files={"file": ("工作证明.pdf", self.pdf)})
        ok = ok and http.call("upload: complete", "POST",
                              f"/api/v1/files/{ticket['file_id']}/complete", token)[0]
        if ok:
            self.stats.ok("upload (all steps)", time.perf_counter() - started)
        # the slot holds 5 unattached files per person: remove it again
        http.call("upload: delete", "DELETE", f"/api/v1/files/{ticket['file_id']}", token,
                  expect=(204,))


# --------------------------------------------------------------------------- open loop

PLATFORM_EXCLUDED = ("load generator", "whole machine")


def platform_cpu(used):
    """CPU seconds of the platform's processes (services, gateway, S3 server, PostgreSQL,
    RabbitMQ) in a ``cpu_used`` answer; not the load generator's."""
    return sum(cpu for name, cpu in used.items() if name not in PLATFORM_EXCLUDED)


class Sessions:
    """Keep-alive HTTP connections to the gateway, each used by one request at a time."""

    def __init__(self, url, stats):
        self.url, self.stats, self.free = url, stats, []

    def get(self):
        return self.free.pop() if self.free else Http(self.url, self.stats)

    def put(self, http):
        self.free.append(http)


def open_loop(mix, rate, seconds, seed, max_outstanding=2000):
    """Operations of the mix arrive at ``rate`` per second (a Poisson process: exponential
    gaps), whatever the answers' speed; each runs in its own green thread on a free
    keep-alive connection. Waits for the last ones to finish. Answers the window's
    length (arrivals stop at ``seconds``) and the operations started."""
    rng = random.Random(seed)
    sessions = Sessions(mix.args.url, mix.stats)
    pool = eventlet.GreenPool(max_outstanding)
    started = 0

    def operation(op, op_seed):
        http = sessions.get()
        try:
            person, token = mix.persons[op_seed % len(mix.persons)]
            admin = mix.admins[op_seed % len(mix.admins)]
            getattr(mix, op)(http, random.Random(op_seed), person, token, admin)
        finally:
            sessions.put(http)

    start = time.perf_counter()
    next_at = start
    while True:
        next_at += rng.expovariate(rate)
        if next_at - start >= seconds:
            break
        delay = next_at - time.perf_counter()
        if delay > 0:
            eventlet.sleep(delay)
        if pool.free() == 0:
            mix.stats.error("(generator)", "too many outstanding", "")
            continue
        op = rng.choices(mix.ops, mix.weights)[0]
        pool.spawn_n(operation, op, rng.getrandbits(32))
        started += 1
    pool.waitall()
    return time.perf_counter() - start, started


def summary(stats):
    """(HTTP requests, errors, overall latencies sorted, errors by "kind: status") of a
    run's Stats."""
    times, kinds = [], collections.Counter()
    for kind in set(stats.times) | set(stats.errors):
        if kind.endswith(" (all steps)"):
            continue
        times.extend(stats.times[kind])
        kinds.update({f"{kind}: {status}": n for status, n in stats.errors[kind].items()})
    errors = sum(kinds.values())
    return len(times) + errors, errors, sorted(times), kinds


def traffic_snapshot(args):
    """Totals so far of what the platform's requests turn into: messages published to and
    delivered by RabbitMQ (its management API; every vhost) and PostgreSQL transactions
    of the platform's database (an autocommit statement is one)."""
    import psycopg

    totals = {}
    try:
        stats = requests.get(args.rabbitmq_api.rstrip("/") + "/api/overview", timeout=10,
                             auth=("guest", "guest")).json().get("message_stats", {})
        totals.update(published=stats.get("publish", 0), delivered=stats.get("deliver_get", 0))
    except (requests.RequestException, ValueError):
        pass  # no management API: messages are not counted
    with psycopg.connect(dataset.plain_url(args.database_url), autocommit=True) as conn:
        totals["transactions"] = conn.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database "
            "WHERE datname = current_database()").fetchone()[0]
    return totals


def traffic_report(before, after, requests_done):
    """Per HTTP request of a run: messages and transactions (their counters lag by up to
    a few seconds, so a long run reads truest)."""
    per = {k: (after[k] - before[k]) / max(requests_done, 1) for k in after if k in before}
    if per:
        print("  per request: " + ", ".join(
            f"{v:.1f} {k}" for k, v in per.items()) + " (messages: RabbitMQ's management "
            "API, all vhosts; transactions: PostgreSQL's, the platform's database)", flush=True)
    return per


def measure_open(args, mix_factory, rate, seconds, title, show=True):
    """One open-loop run at ``rate``: answers a dict of its figures."""
    stats = Stats()
    mix = mix_factory(stats)
    traffic = traffic_snapshot(args) if show else None
    before = cpu_snapshot()
    window, operations = open_loop(mix, rate, seconds, args.seed + int(rate * 1000))
    used = cpu_used(before, cpu_snapshot())
    requests_done, errors, times, error_kinds = summary(stats)
    cpu = platform_cpu(used)
    figures = {"rate": rate, "operations": operations, "requests": requests_done,
               "errors": errors, "seconds": window, "throughput": requests_done / window,
               "p50": pct(times, .5), "p95": pct(times, .95), "p99": pct(times, .99),
               "cpu_ms": cpu / max(requests_done, 1) * 1000,
               "rabbitmq_ms": used.get("rabbitmq", 0) / max(requests_done, 1) * 1000,
               "generator_ms": used["load generator"] / max(requests_done, 1) * 1000,
               "error_kinds": error_kinds}
    if show:
        report(stats, window, title)
        cpu_report(used, window)
        print(f"  platform CPU {figures['cpu_ms']:.1f} ms/request (services, gateway, S3, "
              f"PostgreSQL, RabbitMQ, of which RabbitMQ {figures['rabbitmq_ms']:.1f}: all "
              "its vhosts); load generator "
              f"{figures['generator_ms']:.1f} ms/request", flush=True)
        traffic_report(traffic, traffic_snapshot(args), requests_done)
        sizing(used, requests_done)
    return figures


# One process of a service uses at most one core (eventlet); this share of it is what
# the sizing rule plans for, leaving the rest for bursts (p99) and the other processes.
SIZING_UTILISATION = 0.6
SERVICE_PROCESSES = ("gateway", "identity", "achievements", "workflow", "documents",
                     "webhooks")


def sizing(used, requests_done):
    """Per service: CPU ms per request of the mix, the requests/s one instance carries at
    SIZING_UTILISATION of its core, and so the rule for a province's peak rate."""
    print(f"\nper service (one instance = one process = at most one core; planned at "
          f"{SIZING_UTILISATION:.0%} of it):")
    print(f"  {'process':<14} {'CPU ms/request':>15} {'req/s per instance':>19}")
    for name in (*SERVICE_PROCESSES, "postgres", "rabbitmq"):
        ms = used.get(name, 0.0) / max(requests_done, 1) * 1000
        if ms <= 0:
            continue
        carries = SIZING_UTILISATION * 1000 / ms
        note = "" if name in SERVICE_PROCESSES else "  (cores of the server, all processes)"
        print(f"  {name:<14} {ms:15.2f} {carries:19.0f}{note}")
    print("  instances of a service for a peak of R requests/s of this mix = "
          "ceil(R x its CPU ms/request / 600)", flush=True)


def queues_drained():
    """Wait until no queue of the broker holds a message, ready or unacknowledged (what
    an operation set off has been consumed). rabbitmqctl, exact where the management
    API's figures lag by seconds."""
    import subprocess

    for _attempt in range(1200):
        out = subprocess.run(["rabbitmqctl", "-q", "list_queues", "messages_ready",
                              "messages_unacknowledged"], capture_output=True, text=True,
                             check=True).stdout
        if not any(int(v) for line in out.splitlines() for v in line.split() if v.isdigit()):
            return
        time.sleep(0.1)
    raise SystemExit("the broker's queues did not drain in 2 minutes")


# RabbitMQ's management API refreshes its counters every 5 s by default, PostgreSQL's
# statistics are flushed within a second or so of a backend going idle
STATISTICS_LAG = 6
IDLE_WINDOW = 20


def per_kind(args, mix_factory):
    """Each kind of operation alone, ``--per-kind`` times one after the other, the queues
    drained after each: platform CPU, messages published and transactions per operation
    (the counters read once they caught up: ``STATISTICS_LAG``; idle messages, such as
    identity's session-feed heartbeat, are in them). The platform's idle CPU (relays,
    heartbeats: measured first) is taken off in proportion to the time each kind took,
    including the drain."""
    stats = Stats()
    mix = mix_factory(stats)
    wanted = set(args.kinds.split(",")) if args.kinds else set(mix.ops)
    if wanted - set(mix.ops):
        raise SystemExit(f"--kinds: no such kind {', '.join(sorted(wanted - set(mix.ops)))} "
                         f"(the mix's: {', '.join(mix.ops)})")
    kinds = [k for k in mix.ops if k in wanted]
    queues_drained()
    time.sleep(STATISTICS_LAG)
    traffic, before, start = traffic_snapshot(args), cpu_snapshot(), time.perf_counter()
    time.sleep(IDLE_WINDOW)
    seconds = time.perf_counter() - start
    idle = platform_cpu(cpu_used(before, cpu_snapshot())) / seconds
    after, read_at = traffic_snapshot(args), time.perf_counter()
    idle_traffic = {k: (after[k] - traffic[k]) / seconds for k in after}
    print(f"\neach kind of operation alone, {args.per_kind} times; the platform's idle "
          f"work taken off: {idle * 1000:.0f} ms of CPU, " + ", ".join(
              f"{v:.1f} {k}" for k, v in idle_traffic.items()) + " per second")
    rng = random.Random(args.seed)
    weights = dict(MIX)
    weighted = {"cpu": 0.0, "requests": 0.0}
    for kind in kinds:
        count = sum(len(v) for v in stats.times.values())
        traffic, before, start = after, cpu_snapshot(), time.perf_counter()
        since = read_at
        for i in range(args.per_kind):
            person, token = mix.persons[i % len(mix.persons)]
            getattr(mix, kind)(Http(args.url, stats), rng, person, token,
                               mix.admins[i % len(mix.admins)])
        queues_drained()
        used = cpu_used(before, cpu_snapshot())
        spent = platform_cpu(used) - idle * (time.perf_counter() - start)
        ops = args.per_kind
        done = sum(len(v) for v in stats.times.values()) - count
        time.sleep(STATISTICS_LAG)
        after, read_at = traffic_snapshot(args), time.perf_counter()
        per = {k: (after[k] - traffic[k] - idle_traffic[k] * (read_at - since)) / ops
               for k in after}
        shares = sorted(((v, k) for k, v in used.items() if k not in PLATFORM_EXCLUDED),
                        reverse=True)[:5]
        print(f"  {kind:<15} {spent / ops * 1000:6.1f} ms/operation  {done / ops:3.1f} "
              f"requests  {per['transactions']:5.1f} transactions" + (
                  f"  {per['published']:5.1f} messages" if "published" in per else "")
              + "   " + ", ".join(f"{k} {v / ops * 1000:.1f}" for v, k in shares),
              flush=True)
        weighted["cpu"] += spent / ops * weights[kind]
        weighted["requests"] += done / ops * weights[kind]
    errors = sum(sum(v.values()) for v in stats.errors.values())
    if len(kinds) < len(mix.ops):  # a part of the mix: no weighted figure
        print(f"  errors {errors}", flush=True)
        return
    print(f"  weighted by the mix: {weighted['cpu'] / sum(weights.values()) * 1000:.1f} "
          f"ms/operation, {weighted['cpu'] / weighted['requests'] * 1000:.1f} ms/request "
          f"(without idle); errors {errors}", flush=True)


def capacity_search(args, mix_factory):
    """Bisection over the offered rate (operations/s): the highest at which every request
    answered without error and the p99 stayed within the target. Each trial starts once
    the broker's queues are empty: a trial over capacity leaves events behind in them, and
    the next trial would otherwise pay for its predecessor's backlog."""
    low, high = args.capacity_low, args.capacity_high
    best = None
    print(f"\ncapacity search: p99 <= {args.p99_target:.0f} ms and no errors, "
          f"{args.trial_seconds:.0f} s per trial, offered rate in [{low:g}, {high:g}] "
          "operations/s", flush=True)
    for _ in range(args.capacity_steps):
        rate = (low + high) / 2
        queues_drained()
        f = measure_open(args, mix_factory, rate, args.trial_seconds, "", show=False)
        ok = f["errors"] == 0 and f["p99"] <= args.p99_target
        print(f"  offered {rate:6.1f} op/s: {f['throughput']:6.1f} req/s, p50 {f['p50']:.0f} "
              f"ms, p99 {f['p99']:.0f} ms, errors {f['errors']}, platform CPU "
              f"{f['cpu_ms']:.1f} ms/request -> {'ok' if ok else 'over'}", flush=True)
        if f["errors"]:
            print("      errors: " + ", ".join(
                f"{what} x{n}" for what, n in f["error_kinds"].most_common(4)), flush=True)
        if ok:
            best = f
            low = rate
        else:
            high = rate
        if high - low < args.capacity_resolution:
            break
    if best:
        print(f"  capacity: {best['rate']:.1f} operations/s offered = "
              f"{best['throughput']:.1f} requests/s at p99 {best['p99']:.0f} ms, no errors",
              flush=True)
    else:
        print("  capacity: no rate tried met the target", flush=True)
    return best


# --------------------------------------------------------------------------- main

def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the gateway")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--amqp-uri", default=os.environ.get(
        "AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"))
    parser.add_argument("--rabbitmq-api", default="http://127.0.0.1:15672",
                        help="RabbitMQ's management API (messages per request)")
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=1_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--clients", type=int, default=200, help="concurrent HTTP clients")
    parser.add_argument("--duration", type=float, default=120, help="seconds of the mix")
    parser.add_argument("--admins", type=int, default=100,
                        help="employers whose admins approve in the mix")
    parser.add_argument("--batch", type=int, default=20, help="tasks per batch decision")
    parser.add_argument("--upload-kb", type=int, default=200, help="size of an upload")
    parser.add_argument("--open-rate", type=float, default=0,
                        help="open loop: operations of the mix per second (Poisson "
                        "arrivals); 0 = the closed loop of --clients")
    parser.add_argument("--capacity", action="store_true",
                        help="after the run, search the highest offered rate that meets "
                        "--p99-target with no errors (bisection)")
    parser.add_argument("--p99-target", type=float, default=300, help="ms")
    parser.add_argument("--trial-seconds", type=float, default=30)
    parser.add_argument("--capacity-low", type=float, default=0)
    parser.add_argument("--capacity-high", type=float, default=120)
    parser.add_argument("--capacity-steps", type=int, default=6)
    parser.add_argument("--capacity-resolution", type=float, default=2)
    parser.add_argument("--per-kind", type=int, default=0, metavar="N",
                        help="instead of the mix: each kind of operation alone, N times "
                        "one after the other (platform CPU, messages and transactions per "
                        "operation), then stop")
    parser.add_argument("--kinds", default="", metavar="K,K",
                        help="with --per-kind: only these kinds (e.g. batch_approve,declare)")
    parser.add_argument("--raw-seconds", type=float, default=10)
    parser.add_argument("--raw-callers", type=int, default=20)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--reseed", action="store_true",
                        help="delete the data set and load it again first")
    parser.add_argument("--seed-only", action="store_true", help="load the data set, stop")
    parser.add_argument("--cleanup", action="store_true",
                        help="only delete the data set and what the benchmark created")
    args = parser.parse_args(argv)
    db_url = args.database_url
    PLATFORM_DATABASE[0] = dataset.plain_url(db_url).rsplit("/", 1)[-1].split("?")[0]

    if args.cleanup or args.reseed:
        print("cleanup", flush=True)
        dataset.cleanup(db_url)
        if args.cleanup:
            return
    if dataset.is_seeded(db_url):
        print("data set already loaded (--reseed loads it again)", flush=True)
    else:
        print(f"seeding {args.units} units, {args.persons} persons, {args.records} records "
              "with COPY", flush=True)
        dataset.seed(db_url, persons=args.persons, units=args.units, records=args.records,
                     seed=args.seed)
    if args.seed_only:
        return

    for _attempt in range(30):  # a loaded machine may answer 503 for a while
        answer = requests.get(args.url.rstrip("/") + "/readyz", timeout=30)
        if answer.status_code == 200:
            break
        time.sleep(2)
    if answer.status_code != 200:
        raise SystemExit(f"the platform is not ready at {args.url}: {answer.text[:300]}")

    warm = Stats()
    http = Http(args.url, warm)
    start = time.perf_counter()
    hr_token = login_many(args.url, [dataset.admin_username(0)])[0][0]
    plan = ensure_plan(http, hr_token, dataset.unit_id(1))
    employers = list(range(2 + dataset.COMPETENT, args.units))
    rng = random.Random(args.seed)
    admin_units = rng.sample(employers, min(args.admins, len(employers)))
    declared = declared_persons(db_url)
    candidates = [i for i in range(args.persons) if i not in declared]
    rng.shuffle(candidates)
    client_persons = [candidates.pop() for _ in range(min(args.clients, len(candidates)))]
    person_tokens, login_stats = login_many(
        args.url, [dataset.id_number(i)[0] for i in client_persons])
    admin_tokens, admin_stats = login_many(
        args.url, [dataset.admin_username(i) for i in admin_units])
    logins = sorted(login_stats.times["login"] + admin_stats.times["login"])
    print(f"\nwarm-up: plan {plan['id']} published; {len(logins)} logins (10 at a time) in "
          f"{time.perf_counter() - start:.0f} s, p50 {pct(logins, .5):.0f} ms, "
          f"p95 {pct(logins, .95):.0f} ms; {len(candidates)} persons may still declare",
          flush=True)

    rates = raw_layers(args, db_url, person_tokens) if not args.per_kind else {}

    persons = list(zip(client_persons, person_tokens, strict=True))

    def mix_factory(stats):
        return Mix(args, stats, persons=persons, admins=admin_tokens, declarants=candidates,
                   plan=plan)

    if args.per_kind:
        per_kind(args, mix_factory)
        return
    weights = ", ".join(f"{n} {w}" for n, w in MIX)
    if args.open_rate:
        print(f"\nmix, open loop: {args.open_rate:g} operations/s offered (Poisson) for "
              f"{args.duration:.0f} s over {len(persons)} logged-in persons, weights "
              f"{weights}", flush=True)
        main_run = measure_open(args, mix_factory, args.open_rate, args.duration,
                                f"deadline-day mix, open loop at {args.open_rate:g} op/s")
    else:
        stats = Stats()
        mix = mix_factory(stats)
        print(f"\nmix: {args.clients} clients for {args.duration:.0f} s, weights {weights}",
              flush=True)
        before = cpu_snapshot()
        seconds = run_for(args.duration, args.clients, mix.client)
        used = cpu_used(before, cpu_snapshot())
        report(stats, seconds, f"deadline-day mix, {args.clients} clients")
        cpu_report(used, seconds)
        requests_done, errors, times, _ = summary(stats)
        main_run = {"requests": requests_done, "errors": errors, "seconds": seconds,
                    "throughput": requests_done / seconds, "p99": pct(times, .99),
                    "cpu_ms": platform_cpu(used) / max(requests_done, 1) * 1000}
    capacity = capacity_search(args, mix_factory) if args.capacity else None

    http_rate = main_run["throughput"]
    pg, rpc, healthz, me = (rates[k] for k in sorted(rates, key=list(rates).index))
    print("\nratios (calls per second, same callers)")
    print(f"  PostgreSQL lookup / RPC authenticate        {pg / rpc:6.1f}x")
    print(f"  RPC authenticate / HTTP /auth/me            {rpc / me:6.1f}x")
    print(f"  HTTP /healthz / HTTP /auth/me               {healthz / me:6.1f}x")
    print(f"  HTTP /auth/me / mix (requests/s)            {me / http_rate:6.1f}x")
    print(f"  PostgreSQL lookup / mix (requests/s)        {pg / http_rate:6.1f}x")
    if capacity:
        print(f"  capacity (req/s at p99 <= {args.p99_target:.0f} ms) / HTTP /healthz  "
              f"{capacity['throughput'] / healthz:6.3f}")
        print(f"  capacity / RPC authenticate                 "
              f"{capacity['throughput'] / rpc:6.3f}")
    # the last line, exactly this shape
    print(f"mix: {main_run['requests']} requests, {main_run['throughput']:.1f} req/s, "
          f"platform CPU {main_run['cpu_ms']:.1f} ms/request, p99 {main_run['p99']:.0f} ms")


if __name__ == "__main__":
    main()
