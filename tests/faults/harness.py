"""The fault-injection harness: a RabbitMQ node of its own, the platform's services as
real OS processes, and the SQL that waits for the system to settle.

Nothing here imports a service's code to run it: every service runs as
``nameko run --config services/<svc>/config.yml services.<svc>.service:<Class>`` (as
``bin/run`` starts it), in its own process group, with its output in a log file, so a
test can ``kill -9`` it in the middle of its work and start it again.

The broker is a second RabbitMQ node (``zcfault<pid>@localhost``) on free ports with its
own data directory, so restarting it never disturbs the machine's node on 5672 that
other test runs use.
"""
import contextlib
import json
import os
import pathlib
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import eventlet
import requests
from kombu import Connection
from sqlalchemy import create_engine, text

from services.common.migrations import DEFAULT_APP_ROLE, as_role

ROOT = pathlib.Path(__file__).resolve().parents[2]
VENV_BIN = pathlib.Path(sys.executable).parent
NAMEKO = VENV_BIN / "nameko"
PYTHON = sys.executable

DOMAIN = ("identity", "achievements", "workflow", "documents")
CLASSES = {
    "identity": "IdentityService",
    "achievements": "AchievementsService",
    "workflow": "WorkflowService",
    "documents": "DocumentsService",
    "webhooks": "WebhooksService",
    "gateway": "GatewayService",
}
TOKEN_SECRET = "fault-suite-secret-" + "f" * 32
SERVICE_ROLE = os.environ.get("TEST_PG_SERVICE_ROLE", DEFAULT_APP_ROLE)  # the services' role
# Another government system, subscribed (as docs/events.md describes) to every event of
# every service with a durable queue the deployment declares.
EXTERNAL_QUEUE = "gov.subscriber"


class HarnessError(RuntimeError):
    pass


class ProcessExited(HarnessError):
    """A process the harness waits for has ended: no use waiting longer."""


def _die_with_parent():
    """In a child before exec: SIGKILL when the test process dies (even by SIGKILL), so a
    killed test run leaves no service behind (Linux prctl PR_SET_PDEATHSIG)."""
    import ctypes
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port, host="127.0.0.1"):
    with contextlib.closing(socket.socket()) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_until(predicate, timeout, what, interval=0.2):
    """Poll ``predicate`` until it answers something true; its answer, or HarnessError."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
        except ProcessExited:
            raise
        except Exception as exc:  # the thing polled may not be up yet
            last = exc
        else:
            if last:
                return last
        eventlet.sleep(interval)
    raise HarnessError(f"{what}: not reached within {timeout:g}s (last: {last!r})")


def tail(path, lines=60):
    try:
        with open(path, "rb") as handle:
            content = handle.read().decode("utf-8", "replace").splitlines()
    except FileNotFoundError:
        return "(no log)"
    return "\n".join(content[-lines:])


# --------------------------------------------------------------------------- janitor

class Janitor:
    """Cleans up after a test run that was killed without its teardown: a small shell
    loop waits for the test process to end, then kills the process groups, drops the
    databases and removes the directories registered here. (Service processes also get
    SIGKILL from the kernel when the test process dies; the broker runs as another user,
    which the parent-death signal does not cross.) After a normal teardown it has
    nothing left to do."""

    def __init__(self, admin_url):
        self.dir = pathlib.Path(tempfile.mkdtemp(prefix="zcfault-janitor-"))
        libpq_url = admin_url.replace("postgresql+psycopg://", "postgresql://")
        script = f"""
            while kill -0 {os.getpid()} 2>/dev/null; do sleep 1; done
            for g in $(cat {self.dir}/pgids 2>/dev/null); do kill -9 -$g 2>/dev/null; done
            for d in $(cat {self.dir}/databases 2>/dev/null); do
              psql '{libpq_url}' -qc "DROP DATABASE IF EXISTS \\"$d\\" WITH (FORCE)" \
                >/dev/null 2>&1
            done
            for p in $(cat {self.dir}/dirs 2>/dev/null); do rm -rf "$p"; done
            rm -rf {self.dir}
        """
        self.proc = subprocess.Popen(["sh", "-c", script], start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def add(self, kind, value):
        with open(self.dir / kind, "a") as handle:
            handle.write(f"{value}\n")

    def forget(self, kind, value):
        path = self.dir / kind
        with contextlib.suppress(FileNotFoundError):
            kept = [line for line in path.read_text().splitlines() if line != str(value)]
            path.write_text("".join(f"{line}\n" for line in kept))

    def close(self):
        """Normal end of the run: everything was cleaned up; stop watching."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)
        shutil.rmtree(self.dir, ignore_errors=True)


# --------------------------------------------------------------------------- broker

class RabbitNode:
    """A RabbitMQ node of the fault suite's own (AMQP, distribution and management on
    free loopback ports, data and logs in a temporary directory).

    Started in the foreground as a child process group (as the ``rabbitmq`` user when
    run by root, so the CLI tools share its Erlang cookie), stopped with
    ``rabbitmqctl -n <node> stop``. The data directory survives :meth:`restart`, so
    durable queues and persistent messages come back as after a real restart.
    """

    def __init__(self, base_dir=None, janitor=None):
        self.janitor = janitor
        self.nodename = f"zcfault{os.getpid()}@localhost"
        self.amqp_port = free_port()
        self.dist_port = free_port()
        self.mgmt_port = free_port()
        self.base = pathlib.Path(base_dir or tempfile.mkdtemp(prefix="zcfault-rabbit-"))
        self.proc = None
        self.starts = 0
        self._as_rabbitmq = os.geteuid() == 0 and _user_exists("rabbitmq")
        self._prepare()
        if janitor is not None:
            janitor.add("dirs", self.base)

    # files -----------------------------------------------------------------
    def _prepare(self):
        (self.base / "mnesia").mkdir(parents=True, exist_ok=True)
        (self.base / "log").mkdir(parents=True, exist_ok=True)
        (self.base / "rabbitmq.conf").write_text(
            f"listeners.tcp.local = 127.0.0.1:{self.amqp_port}\n"
            f"management.tcp.port = {self.mgmt_port}\n"
            "management.tcp.ip = 127.0.0.1\n"
            # queue and connection figures in the management API refresh every 0.5 s,
            # with deliveries per channel and queue (which instance got which message)
            "collect_statistics_interval = 500\n"
            "management.rates_mode = detailed\n"
            # deadline-day traffic: never block publishers on this machine's disk figure
            "disk_free_limit.absolute = 50MB\n"
        )
        (self.base / "enabled_plugins").write_text("[rabbitmq_management].\n")
        # Our own env file: the machine's one names the machine's node.
        (self.base / "rabbitmq-env.conf").write_text("ERL_EPMD_ADDRESS=127.0.0.1\n")
        if self._as_rabbitmq:
            user = pwd.getpwnam("rabbitmq")
            os.chmod(self.base, 0o755)
            for path in [self.base, *self.base.rglob("*")]:
                os.chown(path, user.pw_uid, user.pw_gid)

    @property
    def log_path(self):
        return self.base / "node.out"

    def env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("RABBITMQ_")}
        env.update({
            "RABBITMQ_NODENAME": self.nodename,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.amqp_port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_CONFIG_FILE": str(self.base / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
            "RABBITMQ_CONF_ENV_FILE": str(self.base / "rabbitmq-env.conf"),
            "RABBITMQ_PID_FILE": str(self.base / "node.pid"),
            "ERL_FLAGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        })
        if self._as_rabbitmq:
            env["HOME"] = pwd.getpwnam("rabbitmq").pw_dir
        return env

    def _server_command(self):
        server = "/usr/lib/rabbitmq/bin/rabbitmq-server"
        if not os.path.exists(server):
            server = shutil.which("rabbitmq-server") or "rabbitmq-server"
        if self._as_rabbitmq:
            return ["runuser", "-u", "rabbitmq", "--", server]
        return [server]

    def _ctl(self, *args, timeout=60):
        ctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
        return subprocess.run([ctl, "-n", self.nodename, *args], env=self.env(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=timeout, cwd="/tmp")

    # lifecycle -------------------------------------------------------------
    def start(self, timeout=120, wait=True):
        """Start the node; with ``wait=False`` only launch it (see :meth:`wait_started`)."""
        if self.proc is not None and self.proc.poll() is None:
            return
        with open(self.log_path, "ab") as out:
            out.write(f"\n===== start {self.starts + 1} at {time.ctime()} =====\n".encode())
            out.flush()
            self.proc = subprocess.Popen(self._server_command(), env=self.env(), cwd="/tmp",
                                         stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self.starts += 1
        if self.janitor is not None:
            self.janitor.add("pgids", self.proc.pid)
        if wait:
            self.wait_started(timeout)

    def wait_started(self, timeout=120):
        def up():
            if self.proc.poll() is not None:
                raise ProcessExited(f"RabbitMQ node exited ({self.proc.returncode}):\n"
                                   f"{tail(self.log_path, 30)}")
            if not port_open(self.amqp_port):
                return False
            return self.api("GET", "/api/overview").status_code == 200

        try:
            wait_until(up, timeout, f"RabbitMQ node {self.nodename}", interval=0.3)
        except ProcessExited:
            raise
        except HarnessError as exc:
            raise HarnessError(f"{exc}\n{tail(self.log_path, 30)}") from exc

    def stop(self, timeout=60):
        """Graceful stop (``rabbitmqctl stop``); SIGKILL to the group if that fails."""
        if self.proc is None or self.proc.poll() is not None:
            self._ended()
            return
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._ctl("stop", timeout=timeout)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self._ended()

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(30)
        self._ended()

    def _ended(self):
        if self.proc is not None and self.janitor is not None:
            self.janitor.forget("pgids", self.proc.pid)  # the number may be reused
        self.proc = None

    def remove(self):
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    # management ------------------------------------------------------------
    def api(self, method, path, **kwargs):
        return requests.request(method, f"http://127.0.0.1:{self.mgmt_port}{path}",
                                auth=("guest", "guest"), timeout=10, **kwargs)

    def create_vhost(self, name):
        answer = self.api("PUT", f"/api/vhosts/{name}")
        if answer.status_code not in (201, 204):
            raise HarnessError(f"cannot create vhost {name}: {answer.status_code} {answer.text}")
        answer = self.api("PUT", f"/api/permissions/{name}/guest",
                          json={"configure": ".*", "write": ".*", "read": ".*"})
        if answer.status_code not in (201, 204):
            raise HarnessError(f"cannot grant vhost {name}: {answer.status_code} {answer.text}")

    def delete_vhost(self, name):
        with contextlib.suppress(requests.RequestException):
            self.api("DELETE", f"/api/vhosts/{name}")

    def amqp_uri(self, vhost):
        return f"amqp://guest:guest@127.0.0.1:{self.amqp_port}/{vhost}"

    def channels(self, vhost):
        answer = self.api("GET", f"/api/vhosts/{vhost}/channels")
        answer.raise_for_status()
        return answer.json()

    def channel(self, name):
        answer = self.api("GET", f"/api/channels/{requests.utils.quote(name, safe='')}")
        answer.raise_for_status()
        return answer.json()


def _user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


# --------------------------------------------------------------------------- database

def create_database(admin_url):
    """A new database (its URL); migrated by :func:`run_module` of the migrations."""
    from sqlalchemy.pool import NullPool

    name = f"zc_fault_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


def drop_database(admin_url, url):
    from sqlalchemy.pool import NullPool

    name = url.rsplit("/", 1)[1]
    admin = create_engine(admin_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def run_module(module, env, *args, timeout=180):
    """``python -m <module> args`` in the project with ``env``; its output, or an error."""
    done = subprocess.run([PYTHON, "-m", module, *args], cwd=ROOT, env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout)
    output = done.stdout.decode("utf-8", "replace")
    if done.returncode != 0:
        raise HarnessError(f"python -m {module} failed ({done.returncode}):\n{output}")
    return output


def truncate_all(engine):
    with engine.begin() as conn:
        tables = conn.execute(text(
            "SELECT schemaname || '.' || quote_ident(tablename) FROM pg_tables "
            "WHERE schemaname = ANY(:schemas) AND tablename <> 'alembic_version'"
        ), {"schemas": [*DOMAIN, "webhooks"]}).scalars().all()
        if tables:
            # identity.audit_log refuses TRUNCATE (a trigger); triggers do not fire for
            # this superuser session in replica mode, which the services' role cannot set.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


# --------------------------------------------------------------------------- processes

class ServiceProcess:
    """One ``nameko run`` of one service, in its own process group."""

    def __init__(self, service, index, env, log_dir):
        self.service = service
        self.index = index
        self.env = env
        self.log_path = pathlib.Path(log_dir) / f"{service}-{index}.log"
        self.proc = None
        self.starts = 0
        self.down_on_purpose = False

    @property
    def name(self):
        return f"{self.service}#{self.index}"

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def command(self):
        return [str(NAMEKO), "run", "--config", f"services/{self.service}/config.yml",
                f"services.{self.service}.service:{CLASSES[self.service]}"]

    def start(self):
        if self.alive:
            raise HarnessError(f"{self.name} is running already")
        self.down_on_purpose = False
        with open(self.log_path, "ab") as out:
            out.write(f"\n===== start {self.starts + 1} at {time.ctime()} =====\n".encode())
            out.flush()
            self.proc = subprocess.Popen(self.command(), cwd=ROOT, env=self.env, stdout=out,
                                         stderr=subprocess.STDOUT, start_new_session=True,
                                         preexec_fn=_die_with_parent)
        self.starts += 1
        return self

    @property
    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        """``kill -9`` the process (its group: only this process lives in it)."""
        self.down_on_purpose = True
        if self.alive:
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self.proc is not None:
            self.proc.wait(30)
        with open(self.log_path, "ab") as out:
            out.write(f"\n===== killed -9 at {time.ctime()} =====\n".encode())

    def log(self):
        try:
            return self.log_path.read_text("utf-8", "replace")
        except FileNotFoundError:
            return ""


def local_ports(pid):
    """The local TCP ports of the sockets process ``pid`` holds (from /proc)."""
    inodes = set()
    fd_dir = pathlib.Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir() if fd_dir.exists() else ():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    ports = set()
    for table in ("tcp", "tcp6"):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/net/{table}") as handle:
            next(handle)
            for line in handle:
                fields = line.split()
                if fields[9] in inodes:
                    ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


# --------------------------------------------------------------------------- cluster

class Cluster:
    """The platform as separate processes on one vhost of the fault suite's broker and
    one database, the gateway on a free port."""

    def __init__(self, broker, database_url, engine, s3_endpoint, work_dir, instances=1,
                 settings=None, per_service=None):
        self.broker = broker
        self.database_url = database_url
        self.engine = engine
        self.s3_endpoint = s3_endpoint
        self.work_dir = pathlib.Path(work_dir)
        self.log_dir = self.work_dir / "logs"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.vhost = f"zcf-{uuid.uuid4().hex[:10]}"
        self.bucket = f"zcf-{uuid.uuid4().hex[:12]}"
        self.gateway_port = free_port()
        self.base_url = f"http://127.0.0.1:{self.gateway_port}"
        self.instances = instances
        self.settings = dict(settings or {})
        self.per_service = {k: dict(v) for k, v in (per_service or {}).items()}
        self.processes = {}
        self.external_seen = set()
        self.supervising = False

    # configuration ---------------------------------------------------------
    @property
    def amqp_uri(self):
        return self.broker.amqp_uri(self.vhost)

    def env(self, service=None):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("RABBITMQ_", "S3_", "OUTBOX_", "PASSWORD_HASH_"))}
        env.update({
            "AMQP_URI": self.amqp_uri,
            # the services' role, as deployed (the suite's own SQL uses the owner's URL)
            "DATABASE_URL": as_role(self.database_url, SERVICE_ROLE),
            "APP_ENV": "test",
            "TOKEN_SECRET": TOKEN_SECRET,
            "GATEWAY_ADDRESS": f"127.0.0.1:{self.gateway_port}",
            "S3_ENDPOINT": self.s3_endpoint,
            "S3_ACCESS_KEY": "testing",
            "S3_SECRET_KEY": "testing",
            "S3_BUCKET": self.bucket,
            "S3_REGION": "us-east-1",
            "OUTBOX_POLL_INTERVAL": "0.2",
            "OUTBOX_MAX_BACKOFF": "1",
            # A cheap argon2id cost for the suite (production keeps RFC 9106's profile).
            "PASSWORD_HASH_TIME_COST": "1",
            "PASSWORD_HASH_MEMORY_KIB": "8192",
            "PASSWORD_HASH_PARALLELISM": "1",
            # Five workers (and database connections) per domain service: the machine's
            # PostgreSQL (max_connections 100) is shared with every other test run.
            "MAX_WORKERS": "5" if service not in (None, "gateway") else "10",
            "RPC_TIMEOUT": "20",
            "READY_TIMEOUT": "2",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            "PSYCOPG_WAIT_FUNC": "wait_select",
        })
        env.update({k: str(v) for k, v in self.settings.items()})
        if service is not None:
            env.update({k: str(v) for k, v in self.per_service.get(service, {}).items()})
        return env

    # set-up ----------------------------------------------------------------
    def prepare(self):
        """A fresh vhost with every event queue declared (what ``python -m
        services.common.topology`` does at deployment: the same function, called here
        to save a process start per test); the database emptied."""
        from kombu import Queue, binding

        from services.common.messaging import event_exchange
        from services.common.topology import declare

        self.broker.create_vhost(self.vhost)
        external = Queue(EXTERNAL_QUEUE, durable=True, auto_delete=False, bindings=[
            binding(event_exchange(source), routing_key="#") for source in DOMAIN])
        declare(self.amqp_uri, extra_queues=[external])
        truncate_all(self.engine)

    def start(self, services=None):
        """Start the services (and, the first time, create the first operator and
        security administrator with ``python -m services.identity.bootstrap`` meanwhile);
        wait until ready."""
        bootstrap = None
        if not self.processes:
            def first_administrators():
                run_module("services.identity.bootstrap", self.env(), "--username", "ops",
                           "--password", PASSWORD, "--name", "运维管理员")
                run_module("services.identity.bootstrap", self.env(), "--username", "sec",
                           "--password", PASSWORD, "--name", "安全管理员",
                           "--role", "security")
            bootstrap = eventlet.spawn(first_administrators)
        services = services or (*DOMAIN, "webhooks", "gateway")
        for service in services:
            count = 1 if service == "gateway" else self.instances
            procs = self.processes.setdefault(service, [])
            for index in range(count):
                if index >= len(procs):
                    procs.append(ServiceProcess(service, index, self.env(service),
                                                self.log_dir))
                if not procs[index].alive:
                    procs[index].start()
        if bootstrap is not None:
            bootstrap.wait()
        self.wait_ready()

    def process(self, service, index=0):
        return self.processes[service][index]

    def alive(self, service):
        return [p for p in self.processes.get(service, ()) if p.alive]

    def kill9(self, service, index=0):
        proc = self.process(service, index)
        proc.kill9()
        return proc

    def restart(self, service, index=0, wait=True):
        proc = self.process(service, index)
        if proc.alive:
            proc.kill9()
        proc.start()
        if wait:
            self.wait_ready()
        return proc

    @contextlib.contextmanager
    def supervised(self, interval=0.5):
        """Start again any service process that exits on its own, as the deployment's
        restart policy does (docker-compose: ``restart: unless-stopped``). Yields the
        list of ``(process name, exit code)`` it restarted; processes the test kills
        stay down."""
        restarted = []
        watching = [True]

        def watch():
            while watching[0]:
                for group in self.processes.values():
                    for proc in group:
                        if proc.proc is not None and proc.proc.poll() is not None \
                                and not proc.down_on_purpose:
                            restarted.append((proc.name, proc.proc.returncode))
                            proc.start()
                eventlet.sleep(interval)

        watcher = eventlet.spawn(watch)
        self.supervising = True
        try:
            yield restarted
        finally:
            self.supervising = False
            watching[0] = False
            watcher.wait()

    def teardown(self):
        """The test is over: kill every process (nothing of their state is kept: the
        vhost is deleted, the next test empties the database)."""
        for group in self.processes.values():
            for proc in group:
                if proc.alive:
                    proc.kill9()
        self.broker.delete_vhost(self.vhost)

    # readiness -------------------------------------------------------------
    def consumers(self, queue):
        """Consumers of ``queue`` right now (a passive declare, no statistics lag)."""
        with Connection(self.amqp_uri, connect_timeout=5) as conn:
            channel = conn.channel()
            _, _, consumers = channel.queue_declare(queue=queue, passive=True)
            return consumers

    def queue_depths(self):
        """``{queue: messages ready}`` of the vhost's event queues, without lag."""
        depths = {}
        with Connection(self.amqp_uri, connect_timeout=5) as conn:
            channel = conn.channel()
            for queue in self.event_queues():
                _, ready, _ = channel.queue_declare(queue=queue, passive=True)
                depths[queue] = ready
        return depths

    def event_queues(self):
        from services.common.topology import SERVICE_CLASSES, handler_queues, load_class
        return [q.name for path in SERVICE_CLASSES.values()
                for q in handler_queues(load_class(path))]

    def wait_ready(self, timeout=120):
        """Every running domain instance consumes its RPC queue; the gateway is ready."""
        def ready():
            for procs in self.processes.values():
                for proc in procs:
                    if proc.proc is not None and proc.proc.poll() is not None \
                            and not proc.down_on_purpose:
                        if self.supervising:
                            return False  # the supervisor starts it again
                        raise ProcessExited(f"{proc.name} exited ({proc.proc.returncode}):\n"
                                           f"{tail(proc.log_path, 40)}")
            for service in DOMAIN:
                want = len(self.alive(service))
                if want and self.consumers(f"rpc-{service}") < want:
                    return False
            if self.alive("gateway"):
                answer = requests.get(f"{self.base_url}/readyz", timeout=5)
                return answer.status_code == 200
            return True

        try:
            wait_until(ready, timeout, "services ready", interval=0.3)
        except HarnessError as exc:
            raise HarnessError(f"{exc}\n{self.log_tails(20)}") from exc

    def publish(self, source, event_type, body, content_type="application/json"):
        """Publish a message to ``<source>.events`` as a (misbehaving) producer would:
        ``body`` is sent as it is when it is bytes, as JSON otherwise."""
        from kombu import Producer

        from services.common.messaging import event_exchange

        with Connection(self.amqp_uri, connect_timeout=5,
                        transport_options={"confirm_publish": True}) as conn:
            producer = Producer(conn.channel(), exchange=event_exchange(source))
            if isinstance(body, bytes):
                producer.publish(body, routing_key=event_type, content_type=content_type,
                                 content_encoding="binary", delivery_mode=2,
                                 mandatory=True)
            else:
                producer.publish(body, routing_key=event_type, serializer="json",
                                 delivery_mode=2, mandatory=True)

    def drain_external(self):
        """Take every message waiting for the external subscriber; the event ids it has
        heard so far (it tolerates duplicates, as docs/events.md asks)."""
        with Connection(self.amqp_uri, connect_timeout=5) as conn:
            queue = conn.SimpleQueue(EXTERNAL_QUEUE)
            try:
                while True:
                    try:
                        message = queue.get(timeout=0.3)
                    except queue.Empty:
                        break
                    try:
                        payload = message.payload
                    except Exception:  # an undecodable message a test injected
                        payload = None
                    if isinstance(payload, dict) and payload.get("event_id"):
                        self.external_seen.add(str(payload["event_id"]))
                    message.ack()
            finally:
                queue.close()
        return self.external_seen

    def queue_state(self, queue):
        """``{ready, unacked, consumers}`` of a queue from the management API."""
        answer = self.broker.api("GET", f"/api/queues/{self.vhost}/{queue}")
        answer.raise_for_status()
        data = answer.json()
        return {"ready": data.get("messages_ready", 0),
                "unacked": data.get("messages_unacknowledged", 0),
                "consumers": data.get("consumers", 0)}

    def deliveries(self, queue):
        """``{process name: messages of queue delivered to it}`` for the running
        processes, from the broker's per-channel statistics (a channel belongs to the
        process owning its client socket)."""
        owners = {}
        for group in self.processes.values():
            for proc in group:
                if proc.alive:
                    for port in local_ports(proc.pid):
                        owners[port] = proc.name
        counts = {name: 0 for name in set(owners.values())}
        for channel in self.broker.channels(self.vhost):
            detail = self.broker.channel(channel["name"])
            owner = owners.get(detail.get("connection_details", {}).get("peer_port"))
            for entry in detail.get("deliveries", ()):
                if owner and entry.get("queue", {}).get("name") == queue:
                    counts[owner] += entry.get("stats", {}).get("deliver_get", 0)
        return counts

    def owner_of_backend(self, backend_pid):
        """The running service process whose database connection is PostgreSQL backend
        ``backend_pid`` (matched on the client's port)."""
        port = self.scalar("SELECT client_port FROM pg_stat_activity WHERE pid = :p",
                           p=backend_pid)
        for group in self.processes.values():
            for proc in group:
                if proc.alive and port in local_ports(proc.pid):
                    return proc
        raise HarnessError(f"no service process owns backend {backend_pid} (port {port})")

    def wait_for(self, predicate, what, timeout=60):
        return wait_until(predicate, timeout, what)

    # SQL -------------------------------------------------------------------
    def scalar(self, sql, **params):
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def rows(self, sql, **params):
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(text(sql), params).mappings().all()]

    # settling --------------------------------------------------------------
    def unsettled(self):
        """What is still in flight: pending outbox rows, failures being retried, ready
        messages, and events a consumer has neither applied nor parked."""
        reasons = []
        for schema in DOMAIN:
            pending = self.scalar(f"SELECT count(*) FROM {schema}.outbox "
                                  "WHERE published_at IS NULL")
            if pending:
                reasons.append(f"{schema}: {pending} outbox rows unpublished")
            retrying = self.scalar(f"SELECT count(*) FROM {schema}.failed_events "
                                   "WHERE status = 'retrying'")
            if retrying:
                reasons.append(f"{schema}: {retrying} failed events still retrying")
        for handler in consumer_handlers():
            missing = self.scalar(_MISSING_SQL.format(concerned=concerned_sql(handler),
                                                      **handler),
                                  type=handler["event_type"], handler=handler["handler"])
            if missing:
                reasons.append(f"{handler['service']}.{handler['handler']}: {missing} "
                               f"{handler['source']} {handler['event_type']} events not "
                               "handled yet")
        depths = {q: n for q, n in self.queue_depths().items() if n}
        if depths:
            reasons.append(f"messages waiting: {depths}")
        return reasons

    def settle(self, timeout=120):
        """Wait until nothing is in flight (twice in a row, a moment apart)."""
        deadline = time.monotonic() + timeout
        calm = 0
        reasons = []
        while time.monotonic() < deadline:
            reasons = self.unsettled()
            calm = calm + 1 if not reasons else 0
            if calm >= 2:
                return
            eventlet.sleep(0.5)
        raise HarnessError(f"the system did not settle within {timeout}s: {reasons}\n"
                           f"{self.log_tails(15)}")

    # logs ------------------------------------------------------------------
    def log_tails(self, lines=40):
        parts = [f"service logs in {self.log_dir}"]
        for group in self.processes.values():
            for proc in group:
                parts.append(f"----- {proc.name} (pid {proc.pid}, "
                             f"{'alive' if proc.alive else 'not running'}) {proc.log_path}\n"
                             f"{tail(proc.log_path, lines)}")
        return "\n".join(parts)

    def log(self, service):
        return "".join(p.log() for p in self.processes.get(service, ()))


PASSWORD = "Passw0rd!"

def concerned_sql(handler):
    """SQL over the outbox row ``o``: the events the handler's ``when`` takes (its
    values inlined as literals: they come from the code, not from input)."""
    conditions = []
    for key, allowed in (handler.get("when") or {}).items():
        allowed = allowed if isinstance(allowed, tuple) else (allowed,)
        # compared as JSON, as ``messaging.concerns`` compares: true is not "True", and
        # None takes a missing key or null
        either = [f"o.data->'{key}' = '" + json.dumps(v).replace("'", "''") + "'::jsonb"
                  for v in allowed if v is not None]
        if None in allowed:
            either.append(f"coalesce(o.data->'{key}', 'null'::jsonb) = 'null'::jsonb")
        conditions.append(" AND (" + " OR ".join(either) + ")")
    return "".join(conditions)


_MISSING_SQL = """
SELECT count(*) FROM {source}.outbox o
WHERE o.type = :type AND o.published_at IS NOT NULL {concerned}
  AND NOT EXISTS (SELECT 1 FROM {service}.processed_events p
                  WHERE p.handler = :handler AND p.event_id = o.event_id)
  AND NOT EXISTS (SELECT 1 FROM {service}.failed_events f
                  WHERE f.handler = :handler AND f.event_id = o.event_id
                    AND f.status = 'dead')
"""


_HANDLERS = None


def consumer_handlers():
    """Every idempotent consumer of every service: ``{service, handler, source,
    event_type}`` (the handler name is what ``processed_events.handler`` records)."""
    global _HANDLERS
    if _HANDLERS is None:
        import inspect

        from nameko.events import EventHandler
        from nameko.extensions import ENTRYPOINT_EXTENSIONS_ATTR

        from services.common.topology import SERVICE_CLASSES, load_class

        found = []
        for service, path in SERVICE_CLASSES.items():
            cls = load_class(path)
            for name, method in inspect.getmembers(cls, inspect.isfunction):
                for entrypoint in getattr(method, ENTRYPOINT_EXTENSIONS_ATTR, ()):
                    if isinstance(entrypoint, EventHandler):
                        found.append({"service": service, "handler": name,
                                      "source": entrypoint.source_service,
                                      "event_type": entrypoint.event_type,
                                      "when": getattr(method, "when", None)})
        _HANDLERS = found
    return _HANDLERS

