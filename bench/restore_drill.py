"""Backup and restore drill: back up PostgreSQL and the object storage bucket while the
platform is under load, restore both into a fresh database and a fresh bucket, start the
platform on them, and check that everything the backup holds is there and readable.
Prints the RPO and the RTO.

1. Source: a new database (migrated), a RabbitMQ vhost and a bucket of their own; the
   four services and the gateway as processes (``nameko run``, as bin/run starts them);
   the demo data (``deploy/demo.py``: units, persons, records in every state, decisions,
   declarations, files); with ``--persons N`` first bench/seed.py's data set (1,000 units,
   N persons with accounts and approved bindings, ``--records`` records, default 10 per
   person, and the open reviews of the 审核中 ones), for a province-sized drill.
2. Load: ``--clients`` threads through the gateway: new persons register and upload
   evidence, the bound doctor creates and submits records with evidence, the hospital
   approves them in batches. It runs ``--warm`` seconds before the backup and on until
   the backup is complete.
3. Backup, under that load: one REPEATABLE READ transaction exports its snapshot;
   ``pg_dump --snapshot`` dumps every schema from exactly that snapshot, and the same
   transaction counts and checksums every table (what the backup holds). Then every
   object of the bucket is copied with its content type and metadata. The load stops
   when the backup is complete: that is the moment of the disaster. (The snapshot's
   checksums are computed after that, still in its transaction: a verification, not
   part of the backup's time.)
4. Restore (the RTO clock runs): a fresh database (``pg_restore``), a fresh bucket (the
   objects the restored file rows name), a fresh vhost with the event queues
   (``services.common.topology``), the services on them, until ``/readyz`` answers 200.
5. Checks: every table's row count and checksum equal the snapshot's; the outbox rows
   that were not published at the snapshot are published by the relay after the start,
   and events that were published but not yet handled at the snapshot (their messages
   were in the lost broker) are published again and handled (consumers are idempotent);
   through the API, every record, declaration (with its history) and file of the demo
   persons (and every record of ``--sample`` seeded persons) reads back, each file's
   bytes matching its SHA-256; the consistency check
   (``services.documents.consistency --sha256``) passes on the whole restored bucket;
   and after one object is deleted on purpose, the check finds it missing.

Run (PostgreSQL, RabbitMQ with its management API, and an S3 server: bin/run's):

    .venv/bin/python bench/restore_drill.py [--clients 3] [--warm 10]
    nice -n 10 .venv/bin/python bench/restore_drill.py --persons 100000   # province size

Exit status 0 when every check passed. Options: ``--help``.
"""
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pathlib  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import requests  # noqa: E402
from minio.error import S3Error  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.pool import NullPool  # noqa: E402

import services  # noqa: E402,F401  (PSYCOPG_WAIT_FUNC before psycopg loads)
from deploy import demo  # noqa: E402
from services.common import topology  # noqa: E402
from services.common.config import DOMAIN_SERVICES  # noqa: E402
from services.common.migrations import DEFAULT_APP_ROLE, as_role, grant_service_role, upgrade  # noqa: E402,E501
from services.common.replay import handlers_by_event, libpq, republish, unhandled_events  # noqa: E402,E501
from services.documents.storage import make_client  # noqa: E402

BIN = pathlib.Path(sys.executable).parent



def service_classes():
    """``{name: class name}`` of every domain service and the gateway, as bin/run runs them."""
    import importlib
    import inspect

    classes = {}
    for name in (*DOMAIN_SERVICES, "gateway"):
        module = importlib.import_module(f"services.{name}.service")
        classes[name] = next(cls.__name__ for _, cls in inspect.getmembers(module, inspect.isclass)
                             if cls.__module__ == module.__name__
                             and getattr(cls, "name", None) == name)
    return classes


BOUND = demo.PERSONS[0]          # 吴康金, bound to the hospital, records in every state
DECLARANT = demo.DECLARANT       # 陈立新, a declaration with the hospital
HOSPITAL_ADMIN = "demo_slyy"


def say(message):
    print(message, flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout, what, interval=0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not reached within {timeout:g} s")
        time.sleep(interval)


# --------------------------------------------------------------------------- pieces

class Broker:
    """Vhosts of their own through the RabbitMQ management API."""

    def __init__(self, api, amqp_base):
        self.api = api.rstrip("/")
        self.amqp_base = amqp_base.rstrip("/")
        parsed = requests.utils.urlparse(self.amqp_base)
        self.user = parsed.username or "guest"
        self.auth = (requests.utils.unquote(parsed.username or "guest"),
                     requests.utils.unquote(parsed.password or "guest"))

    def create(self, vhost):
        requests.put(f"{self.api}/api/vhosts/{vhost}", auth=self.auth,
                     timeout=30).raise_for_status()
        requests.put(f"{self.api}/api/permissions/{vhost}/{self.user}", auth=self.auth,
                     timeout=30, json={"configure": ".*", "write": ".*", "read": ".*"}
                     ).raise_for_status()
        return f"{self.amqp_base}/{vhost}"

    def delete(self, vhost):
        requests.delete(f"{self.api}/api/vhosts/{vhost}", auth=self.auth, timeout=30)

    def queued(self, vhost):
        """Messages ready or unacknowledged in the vhost's queues."""
        answer = requests.get(f"{self.api}/api/queues/{vhost}", auth=self.auth, timeout=30)
        answer.raise_for_status()
        return sum((q.get("messages") or 0) for q in answer.json())


class Platform:
    """The services and the gateway as processes on one database, vhost and bucket."""

    def __init__(self, label, work, env):
        self.label = label
        self.work = work
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.procs = []

    def start(self):
        env = {**os.environ, **self.env, "GATEWAY_ADDRESS": f"127.0.0.1:{self.port}",
               "PYTHONWARNINGS": "ignore"}
        for name, cls in service_classes().items():
            log = open(self.work / f"{self.label}-{name}.log", "ab")  # noqa: SIM115
            self.procs.append(subprocess.Popen(
                [str(BIN / "nameko"), "run", "--config", f"services/{name}/config.yml",
                 f"services.{name}.service:{cls}"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True))

    def ready(self):
        try:
            return requests.get(self.url + "/readyz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def wait_ready(self, timeout=180):
        def check():
            dead = [p for p in self.procs if p.poll() is not None]
            if dead:
                raise RuntimeError(f"{self.label}: a service exited; see {self.work}")
            return self.ready()
        wait_until(check, timeout, f"{self.label} platform ready")

    def stop(self):
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        self.procs = []


def tables(conn):
    return [f"{schema}.{name}" for schema, name in conn.execute(
        "SELECT table_schema, table_name FROM information_schema.tables "
        "WHERE table_schema = ANY(%s) AND table_type = 'BASE TABLE' "
        "AND table_name <> 'alembic_version' ORDER BY 1, 2", (list(DOMAIN_SERVICES),))]


def table_sums(conn):
    """``{table: (rows, checksum of every row)}`` as ``conn``'s snapshot sees them."""
    sums = {}
    for table in tables(conn):
        schema, name = table.split(".")
        rows, digest = conn.execute(
            f'SELECT count(*), md5(coalesce(string_agg(md5(t::text), \'\' '
            f'ORDER BY md5(t::text)), \'\')) FROM "{schema}"."{name}" t').fetchone()
        sums[table] = (rows, digest)
    return sums


def table_counts(conn):
    return {table: conn.execute(
        'SELECT count(*) FROM "{}"."{}"'.format(*table.split("."))).fetchone()[0]
        for table in tables(conn)}


# --------------------------------------------------------------------------- load

class Load:
    """Writes through the gateway until stopped; remembers when each write committed."""

    def __init__(self, url, clients):
        self.url = url
        self.clients = clients
        self.stop_event = threading.Event()
        self.threads = []
        self.writes = []        # completion times (time.time()) of successful writes
        self.errors = []
        self.lock = threading.Lock()
        self.seq = 0

    def start(self):
        for i in range(self.clients):
            thread = threading.Thread(target=self._client, args=(i,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self):
        self.stop_event.set()
        for thread in self.threads:
            thread.join(60)

    def _next(self):
        with self.lock:
            self.seq += 1
            return self.seq

    def _wrote(self):
        with self.lock:
            self.writes.append(time.time())

    def _call(self, http, method, path, token=None, expect=(200,), **kw):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        answer = http.request(method, self.url + path, headers=headers, timeout=60, **kw)
        if answer.status_code not in expect:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text[:200]}")
        if method != "GET":
            self._wrote()
        return answer.json() if answer.content else None

    def _login(self, http, username):
        return self._call(http, "POST", "/api/v1/auth/login",
                          json={"username": username, "password": demo.PASSWORD})["token"]

    def _upload(self, http, token, label):
        data = demo._pdf(f"drill evidence {label}")
        ticket = self._call(http, "POST", "/api/v1/files/uploads", token, expect=(201,),
                            json={"slot": "work_history", "file_name": f"证明{label}.pdf",
                                  "size": len(data)})
        form = ticket["form"]
        sent = http.post(form["url"], data=form["fields"],
                         files={"file": (f"证明{label}.pdf", data)}, timeout=60)
        if sent.status_code not in (200, 201, 204):
            raise RuntimeError(f"upload form POST to storage: {sent.status_code}")
        return self._call(http, "POST", f"/api/v1/files/{ticket['file_id']}/complete",
                          token)["id"]

    def _client(self, i):
        http = requests.Session()
        try:
            person = self._login(http, BOUND[3])
            admin = self._login(http, HOSPITAL_ADMIN)
        except Exception as exc:  # noqa: BLE001 - reported with the figures
            self.errors.append(f"client {i}: {exc}")
            return
        while not self.stop_event.is_set():
            n = self._next()
            try:
                # a new person registers, logs in and uploads evidence
                first17 = f"3401041990{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n % 1000:03d}"
                number = demo._id_number(first17)
                gender = "1" if int(first17[16]) % 2 else "2"  # GB 11643: odd = male
                self._call(http, "POST", "/api/v1/persons/register", expect=(201,), json={
                    "real_name": f"演练{n}", "id_type": "resident_id", "id_number": number,
                    "mobile": f"139{n:08d}", "password": demo.PASSWORD, "gender": gender,
                    "political_status": "01", "ethnicity": "01",
                    "email": f"drill{n}@example.com", "address": "安徽省合肥市",
                    "work_start_date": "2012-07-01", "education": "21", "degree": "4",
                    "title_series": "health", "is_freelancer": False})
                newcomer = self._login(http, number)
                self._upload(http, newcomer, f"{n}")
                # the bound doctor records a case and submits it
                self._call(http, "POST", "/api/v1/records", person, expect=(201,), json={
                    "type": "health_case", "submit": True,
                    "fields": demo._case(f"DRILL{n:06d}", f"患者{n}", 30 + n % 300)})
                if n % 3 == 0:  # the hospital decides what is waiting
                    page = self._call(http, "GET", "/api/v1/tasks", admin, params={
                        "box": "unclaimed", "kind": "record", "page_size": 20})
                    ids = [t["id"] for t in page["items"]]
                    if ids:
                        self._call(http, "POST", "/api/v1/tasks/decisions", admin, json={
                            "task_ids": ids, "action": "approve", "opinion": "同意"})
            except Exception as exc:  # noqa: BLE001 - a refused write is reported, not fatal
                self.errors.append(f"client {i}, step {n}: {exc}")
                time.sleep(0.5)


# --------------------------------------------------------------------------- backup

def backup_database(url, dump_path):
    """pg_dump of every schema from one exported snapshot. Answers what the snapshot holds
    and the snapshot's transaction, still open: :func:`snapshot_sums` checksums its tables
    after the backup is complete (a verification, not part of the backup's time)."""
    conn = psycopg.connect(libpq(url))
    try:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot, at = conn.execute("SELECT pg_export_snapshot(), clock_timestamp()").fetchone()
        started = time.monotonic()
        dump = subprocess.run(
            ["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--file", str(dump_path),
             "--dbname", libpq(url)], capture_output=True, text=True, timeout=3600)
        if dump.returncode:
            raise RuntimeError(f"pg_dump failed: {dump.stderr}")
        dump_seconds = time.monotonic() - started
        outbox = {s: conn.execute(
            f"SELECT count(*) FILTER (WHERE published_at IS NULL), count(*) "
            f'FROM "{s}".outbox').fetchone() for s in DOMAIN_SERVICES}
        files = {row[0] for row in conn.execute("SELECT object_key FROM documents.files")}
        db_bytes = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    except BaseException:
        conn.rollback()
        conn.close()
        raise
    return {"snapshot_at": at, "outbox": outbox, "file_keys": files, "conn": conn,
            "dump_seconds": dump_seconds, "dump_bytes": dump_path.stat().st_size,
            "db_bytes": db_bytes}


def snapshot_sums(held):
    """Every table's row count and checksum as the backup's snapshot sees them; ends the
    snapshot's transaction."""
    conn = held.pop("conn")
    try:
        held["sums"] = table_sums(conn)
    finally:
        conn.rollback()
        conn.close()


def backup_bucket(client, bucket, directory):
    """Every object with its content type and user metadata, into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for index, obj in enumerate(client.list_objects(bucket, recursive=True)):
        try:
            stat = client.stat_object(bucket, obj.object_name)
            response = client.get_object(bucket, obj.object_name)
        except S3Error as exc:
            # Under load an upload key disappears between the listing and the read: its
            # completion copied it to its final key and removed it. Such a key is named by
            # no file row of the snapshot; the consistency check after the restore proves
            # that every object a row names was copied.
            if exc.code == "NoSuchKey":
                continue
            raise
        try:
            data = response.read()
        finally:
            response.close()
            response.release_conn()
        name = f"{index:08d}"
        (directory / name).write_bytes(data)
        meta = {k[len("x-amz-meta-"):]: v for k, v in (stat.metadata or {}).items()
                if k.lower().startswith("x-amz-meta-")}
        manifest[obj.object_name] = {"file": name, "size": len(data),
                                     "sha256": hashlib.sha256(data).hexdigest(),
                                     "content_type": stat.content_type, "metadata": meta}
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def restore_bucket(client, bucket, directory, keys):
    """The backed-up objects that the restored file rows name, into a fresh bucket."""
    manifest = json.loads((directory / "manifest.json").read_text())
    client.make_bucket(bucket)
    restored = 0
    for key, item in manifest.items():
        if key not in keys:
            continue  # stored after the snapshot: no file row of the backup names it
        data = (directory / item["file"]).read_bytes()
        client.put_object(bucket, key, io.BytesIO(data), len(data),
                          content_type=item["content_type"] or "application/octet-stream",
                          metadata=item["metadata"] or None)
        restored += 1
    return restored, len(manifest) - restored


# --------------------------------------------------------------------------- API checks

class Reader:
    def __init__(self, url):
        self.url = url
        self.http = requests.Session()

    def get(self, path, token, **params):
        answer = self.http.get(self.url + path, params=params, timeout=60,
                               headers={"Authorization": f"Bearer {token}"})
        return answer.status_code, (answer.json() if answer.content else None)

    def login(self, username):
        answer = self.http.post(self.url + "/api/v1/auth/login", timeout=60,
                                json={"username": username, "password": demo.PASSWORD})
        if answer.status_code != 200:
            raise RuntimeError(f"login of {username} on the restored platform: "
                               f"{answer.status_code} {answer.text[:200]}")
        return answer.json()["token"]


def api_checks(url, conn):
    """Every record, declaration (and its history) and file of the demo persons reads
    back through the restored gateway as the backup has it. Answers (counts, problems)."""
    reader = Reader(url)
    counts = {"records": 0, "declarations": 0, "files": 0}
    problems = []
    for username in (BOUND[3], DECLARANT[2]):
        token = reader.login(username)
        _, me = reader.get("/api/v1/auth/me", token)
        account_id = me["account_id"]
        person_id = me["person_id"]
        for record_id, status in conn.execute(
                "SELECT id, status FROM achievements.records WHERE person_id = %s",
                (person_id,)):
            code, body = reader.get(f"/api/v1/records/{record_id}", token)
            counts["records"] += 1
            if code != 200 or body.get("status") != status:
                problems.append(f"record {record_id}: {code} {body and body.get('status')}, "
                                f"backup has {status}")
        for declaration_id, status in conn.execute(
                "SELECT id, status FROM workflow.declarations WHERE account_id = %s",
                (account_id,)):
            counts["declarations"] += 1
            code, body = reader.get(f"/api/v1/declarations/{declaration_id}", token)
            if code != 200 or body.get("status") != status:
                problems.append(f"declaration {declaration_id}: {code}, backup has {status}")
            code, _ = reader.get(f"/api/v1/declarations/{declaration_id}/history", token)
            if code != 200:
                problems.append(f"declaration {declaration_id} history: {code}")
        for file_id, sha in conn.execute(
                "SELECT id, sha256 FROM documents.files WHERE owner_account_id = %s AND "
                "status = 'completed'", (account_id,)):
            counts["files"] += 1
            code, link = reader.get(f"/api/v1/files/{file_id}/download", token, reason="")
            if code != 200:
                problems.append(f"file {file_id}: download link {code}")
                continue
            data = requests.get(link["url"], timeout=60).content
            if hashlib.sha256(data).hexdigest() != sha:
                problems.append(f"file {file_id}: bytes differ from their SHA-256")
    return counts, problems


def consistency(env):
    done = subprocess.run([sys.executable, "-m", "services.documents.consistency", "--sha256",
                           "--json"], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, timeout=3600)
    return done.returncode, json.loads(done.stdout)


def seeded_checks(url, conn, seeded, sample):
    """The records of ``sample`` seeded persons, spread over the data set, read back
    through the restored gateway with the status the database has."""
    import seed as seed_set

    reader = Reader(url)
    read, problems = 0, []
    persons = seeded["persons"]
    for index in sorted({i * persons // max(1, sample) for i in range(min(sample, persons))}):
        number, _born = seed_set.id_number(index)
        token = reader.login(number)
        for record_id, status in conn.execute(
                "SELECT id, status FROM achievements.records WHERE person_id = %s",
                (seed_set.person_id(index),)):
            code, body = reader.get(f"/api/v1/records/{record_id}", token)
            read += 1
            if code != 200 or body.get("status") != status:
                problems.append(f"seeded record {record_id}: {code} "
                                f"{body and body.get('status')}, backup has {status}")
    return read, problems


def seed_source(db_url, env, args):
    """bench/seed.py's data set in the source database, with the accounts' password hashed
    at the cost the drill's identity service uses."""
    sys.path.insert(0, str(ROOT / "bench"))
    import seed as seed_set

    for name in ("PASSWORD_HASH_TIME_COST", "PASSWORD_HASH_MEMORY_KIB",
                 "PASSWORD_HASH_PARALLELISM"):
        os.environ[name] = env[name]
    records = args.records or args.persons * 10
    started = time.monotonic()
    seed_set.seed(db_url, persons=args.persons, units=args.units, records=records)
    say(f"source: seeded {args.units} units, {args.persons} persons, {records} records in "
        f"{time.monotonic() - started:.0f} s")
    return {"persons": args.persons, "records": records}


# --------------------------------------------------------------------------- drill

def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=3, help="load threads")
    parser.add_argument("--warm", type=float, default=10.0,
                        help="seconds of load before the backup starts")
    parser.add_argument("--admin-url", default=os.environ.get(
        "DRILL_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
        help="PostgreSQL as a role that may create databases (the tables' owner)")
    parser.add_argument("--amqp", default=os.environ.get(
        "DRILL_AMQP", "amqp://guest:guest@127.0.0.1:5672"), help="RabbitMQ, without vhost")
    parser.add_argument("--amqp-api", default=os.environ.get(
        "DRILL_AMQP_API", "http://127.0.0.1:15672"), help="RabbitMQ management API")
    parser.add_argument("--s3-endpoint", default=os.environ.get(
        "S3_ENDPOINT", "http://127.0.0.1:9000"))
    parser.add_argument("--s3-key", default=os.environ.get("S3_ACCESS_KEY", "S3RVER"))
    parser.add_argument("--s3-secret", default=os.environ.get("S3_SECRET_KEY", "S3RVER"))
    parser.add_argument("--work-dir", default=str(ROOT / "var" / "drill"))
    parser.add_argument("--hold-relay", default="workflow", choices=(*DOMAIN_SERVICES, ""),
                        help="keep this service's outbox relay from publishing from "
                             "3 s before the backup until it is complete (as when the "
                             "broker is out), so that the snapshot holds unpublished events "
                             "to replay; empty: none")
    parser.add_argument("--persons", type=int, default=0,
                        help="also seed this many persons into the source database before "
                             "the demo data (bench/seed.py: accounts, approved bindings, "
                             "their records and open reviews); 0: the demo data only")
    parser.add_argument("--records", type=int, default=0,
                        help="records of the seeded data set (default: 10 per person)")
    parser.add_argument("--units", type=int, default=1000,
                        help="units of the seeded data set")
    parser.add_argument("--sample", type=int, default=20,
                        help="seeded persons whose records are read back through the API")
    parser.add_argument("--keep", action="store_true",
                        help="keep the databases, vhosts, buckets and files afterwards")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    run_id = uuid.uuid4().hex[:8]
    work = pathlib.Path(args.work_dir) / run_id
    work.mkdir(parents=True)
    admin = create_engine(args.admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    base = args.admin_url.rsplit("/", 1)[0]
    src_db, dst_db = f"drill_src_{run_id}", f"drill_dst_{run_id}"
    src_url, dst_url = f"{base}/{src_db}", f"{base}/{dst_db}"
    broker = Broker(args.amqp_api, args.amqp)
    s3 = make_client(args.s3_endpoint, args.s3_key, args.s3_secret, "us-east-1")
    src_bucket, dst_bucket = f"drill-src-{run_id}", f"drill-dst-{run_id}"
    created = {"db": [], "vhost": [], "bucket": []}
    platforms = []
    problems = []

    def platform_env(db_url, amqp_uri, bucket):
        return {"APP_ENV": "development", "AMQP_URI": amqp_uri,
                "DATABASE_URL": as_role(db_url, DEFAULT_APP_ROLE),
                "S3_ENDPOINT": args.s3_endpoint, "S3_ACCESS_KEY": args.s3_key,
                "S3_SECRET_KEY": args.s3_secret, "S3_BUCKET": bucket,
                "OUTBOX_POLL_INTERVAL": "0.2", "MAX_WORKERS": "10", "LOG_LEVEL": "WARNING",
                "METRICS_PORT": "", **{f"METRICS_PORT_{name.upper()}": ""
                                       for name in DOMAIN_SERVICES},
                "PASSWORD_HASH_TIME_COST": "1",
                "PASSWORD_HASH_MEMORY_KIB": "8192", "PASSWORD_HASH_PARALLELISM": "1"}

    try:
        # ---- 1. the source platform with the demo data
        say(f"drill {run_id}: work files in {work}")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{src_db}"'))
        created["db"].append(src_db)
        upgrade(src_url)
        grant_service_role(src_url, DEFAULT_APP_ROLE)
        src_amqp = broker.create(f"drill-src-{run_id}")
        created["vhost"].append(f"drill-src-{run_id}")
        topology.declare(src_amqp)
        s3.make_bucket(src_bucket)
        created["bucket"].append(src_bucket)
        env = platform_env(src_url, src_amqp, src_bucket)
        if args.persons:
            seeded = seed_source(src_url, env, args)
        source = Platform("source", work, env)
        platforms.append(source)
        source.start()
        source.wait_ready()
        demo.bootstrap_admins(src_url)   # the operator and the security administrator
        started = time.monotonic()
        demo.load(source.url)
        say(f"source: demo data loaded in {time.monotonic() - started:.1f} s")

        # ---- 2. load, 3. backup under load
        load = Load(source.url, args.clients)
        load.start()
        time.sleep(max(0.0, args.warm - 3))
        hold = psycopg.connect(libpq(src_url), autocommit=True)
        if args.hold_relay:  # the relay takes this lock for each batch (messaging.py)
            hold.execute("SELECT pg_advisory_lock(hashtext(%s))",
                         (f"outbox:{args.hold_relay}.outbox",))
        time.sleep(3)
        backup_started = time.monotonic()
        held = backup_database(src_url, work / "zhicheng.dump")
        manifest = backup_bucket(s3, src_bucket, work / "objects")
        backup_done_wall = time.time()
        load_during = os.getloadavg()
        backup_seconds = time.monotonic() - backup_started
        hold.close()  # the relay goes on
        engine = psycopg.connect(libpq(src_url), autocommit=True)
        at_disaster = table_counts(engine)
        engine.close()
        load.stop()
        snapshot_sums(held)
        snapshot_wall = held["snapshot_at"].timestamp()
        after = [w for w in load.writes if snapshot_wall < w <= backup_done_wall]
        lost_rows = {t: at_disaster[t] - held["sums"].get(t, (0, ""))[0] for t in at_disaster
                     if at_disaster[t] != held["sums"].get(t, (0, ""))[0]}
        rows_held = sum(n for n, _ in held["sums"].values())
        say(f"backup: snapshot at {held['snapshot_at'].isoformat(timespec='milliseconds')}, "
            f"{rows_held} rows in {len(held['sums'])} tables (database "
            f"{held['db_bytes'] / 2**20:.0f} MiB), dump {held['dump_bytes'] / 1024:.0f} KiB "
            f"in {held['dump_seconds']:.1f} s; "
            f"{len(manifest)} objects copied; whole backup {backup_seconds:.1f} s")
        say(f"load average during the backup: {load_during[0]:.2f} (1 min), "
            f"{os.getloadavg()[1]:.2f} (5 min) on {os.cpu_count()} cores")
        say(f"load: {len(load.writes)} writes, {len(load.errors)} refused"
            + (f" (first: {load.errors[0]})" if load.errors else ""))
        source.stop()

        # ---- 4. restore
        rto_started = time.monotonic()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{dst_db}"'))
        created["db"].append(dst_db)
        restore = subprocess.run(["pg_restore", "--exit-on-error", "--jobs", "2", "--dbname",
                                  libpq(dst_url), str(work / "zhicheng.dump")],
                                 capture_output=True, text=True, timeout=3600)
        if restore.returncode:
            raise RuntimeError(f"pg_restore failed: {restore.stderr}")
        db_seconds = time.monotonic() - rto_started
        paused = time.monotonic()  # what the drill reads here is not part of the RTO
        dst = psycopg.connect(libpq(dst_url), autocommit=True)
        restored_sums = table_sums(dst)
        keys = {row[0] for row in dst.execute("SELECT object_key FROM documents.files")}
        unpublished = sum(pending for pending, _ in held["outbox"].values())
        pause = time.monotonic() - paused
        objects_started = time.monotonic()
        restored_objects, skipped = restore_bucket(s3, dst_bucket, work / "objects", keys)
        created["bucket"].append(dst_bucket)
        objects_seconds = time.monotonic() - objects_started
        dst_amqp = broker.create(f"drill-dst-{run_id}")
        created["vhost"].append(f"drill-dst-{run_id}")
        topology.declare(dst_amqp)
        restored = Platform("restored", work, platform_env(dst_url, dst_amqp, dst_bucket))
        platforms.append(restored)
        services_started = time.monotonic()
        restored.start()
        restored.wait_ready()
        rto = time.monotonic() - rto_started - pause
        services_seconds = time.monotonic() - services_started

        # ---- 5. checks
        differing = [t for t in held["sums"] if restored_sums.get(t) != held["sums"][t]]
        if differing or set(restored_sums) != set(held["sums"]):
            problems.append(f"tables that differ from the snapshot: {differing}")
        say(f"tables: {len(held['sums']) - len(differing)} of {len(held['sums'])} identical "
            f"to the snapshot (row counts and checksums of every row), {rows_held} rows")

        relay_started = time.monotonic()

        def pending():
            return sum(dst.execute(f'SELECT count(*) FROM "{s}".outbox WHERE published_at '
                                   f'IS NULL').fetchone()[0] for s in DOMAIN_SERVICES)
        wait_until(lambda: pending() == 0, 120, "the relay publishing the restored outbox")
        say(f"outbox: {unpublished} events unpublished at the snapshot ("
            + ", ".join(f"{s} {n}" for s, (n, _) in held["outbox"].items() if n)
            + "), published by the "
            f"relay {time.monotonic() - relay_started:.1f} s after the services were ready")

        consumers = handlers_by_event()
        settle = lambda: broker.queued(f"drill-dst-{run_id}") == 0  # noqa: E731
        wait_until(settle, 120, "the restored queues emptied")
        in_flight = unhandled_events(dst, consumers)
        if in_flight:
            republish(dst_amqp, in_flight)
            wait_until(lambda: not unhandled_events(dst, consumers), 120,
                       "the re-published events handled")
        dead = sum(dst.execute(f'SELECT count(*) FROM "{s}".failed_events WHERE status = '
                               f"'dead'").fetchone()[0] for s in DOMAIN_SERVICES)
        say(f"events: {len(in_flight)} published but not yet handled at the snapshot, "
            f"published again and handled; {dead} dead events in the restored platform")
        if dead:
            problems.append(f"{dead} dead events after the restore")

        counts, api_problems = api_checks(restored.url, dst)
        problems.extend(api_problems)
        say(f"API: {counts['records']} records, {counts['declarations']} declarations (with "
            f"their history) and {counts['files']} files (bytes against SHA-256) of the demo "
            f"persons read back, {len(api_problems)} problems")
        if args.persons:
            read, seeded_problems = seeded_checks(restored.url, dst, seeded, args.sample)
            problems.extend(seeded_problems)
            say(f"API: {read} records of {min(args.sample, seeded['persons'])} seeded "
                f"persons read back, {len(seeded_problems)} problems")

        check_env = {"DATABASE_URL": dst_url, "S3_ENDPOINT": args.s3_endpoint,
                     "S3_ACCESS_KEY": args.s3_key, "S3_SECRET_KEY": args.s3_secret,
                     "S3_BUCKET": dst_bucket}
        code, report = consistency(check_env)
        if code:
            problems.append(f"consistency check: {report['counts']}")
        say(f"consistency: {report['completed']} completed files, {report['objects']} objects, "
            f"{report['hashed']} hashed: {'ok' if code == 0 else report['counts']}")
        victim = sorted(k for (k,) in dst.execute(
            "SELECT object_key FROM documents.files WHERE status = 'completed'"))[0]
        s3.remove_object(dst_bucket, victim)
        code, report = consistency(check_env)
        found = code == 1 and [(p["kind"], p["object_key"]) for p in report["problems"]] \
            == [("missing", victim)]
        say(f"deliberately deleted object {victim}: "
            f"{'found missing' if found else 'NOT found'} by the consistency check")
        if not found:
            problems.append("the consistency check missed the deleted object")

        # ---- figures
        rpo_seconds = (max(after) - snapshot_wall) if after else 0.0
        say(f"RPO: {rpo_seconds:.1f} s, {sum(lost_rows.values())} rows, {skipped} objects "
            f"committed after the snapshot (writes between the snapshot and the end of the "
            f"backup: {len(after)}; tables: "
            + (", ".join(f"{t} +{n}" for t, n in sorted(lost_rows.items())) or "none") + ")")
        say(f"RTO: {rto:.1f} s (database {db_seconds:.1f} s, {restored_objects} objects "
            f"{objects_seconds:.1f} s, services to /readyz 200 {services_seconds:.1f} s)")
        dst.close()
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the drill reports, then cleans up
        # (deploy/demo.py stops with SystemExit when an answer is not the expected one)
        problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        for platform in platforms:
            platform.stop()
        if not args.keep:
            with admin.connect() as conn:
                for name in created["db"]:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for vhost in created["vhost"]:
                broker.delete(vhost)
            for bucket in created["bucket"]:
                for obj in s3.list_objects(bucket, recursive=True):
                    s3.remove_object(bucket, obj.object_name)
                s3.remove_bucket(bucket)
            if not problems:  # the logs stay for a failed drill
                shutil.rmtree(work, ignore_errors=True)
        admin.dispose()
    if problems:
        say("DRILL FAILED:\n  " + "\n  ".join(problems))
        return 1
    say(f"drill passed ({dt.datetime.now().isoformat(timespec='seconds')})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
