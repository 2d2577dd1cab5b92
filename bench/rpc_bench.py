"""One bare RPC round trip, Nameko's stock RPC against the platform's transient RPC.

For each mode, on a fresh RabbitMQ vhost, this process runs two tiny Nameko services: an
``echo`` service and a ``caller`` whose workers call ``echo.echo`` through a proxy. It
makes ``--calls`` calls with ``--in-flight`` of them outstanding at a time and prints
calls/s, p50/p99 of a call, the RabbitMQ (beam) CPU per call read from /proc, and this
process's own CPU per call (both services and the load; one process).

Modes:
- ``stock``: ``nameko.rpc.rpc`` and ``nameko.rpc.RpcProxy`` (persistent requests and
  answers, publisher confirms on both, durable reply queue);
- ``transient``: ``services.common.rpc.rpc`` and ``ServiceRpc`` (non-persistent,
  unconfirmed requests and answers once the service is known to exist, non-durable
  reply queue).

    .venv/bin/python bench/rpc_bench.py [--calls 5000] [--in-flight 50] [--modes stock,transient]
"""
import warnings

warnings.filterwarnings("ignore", message="\nEventlet is deprecated")
import eventlet  # noqa: E402
import eventlet.event  # noqa: E402

eventlet.monkey_patch()

import argparse  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

import requests  # noqa: E402
from nameko.containers import ServiceContainer  # noqa: E402
from nameko.extensions import Entrypoint  # noqa: E402
from nameko.rpc import RpcProxy  # noqa: E402
from nameko.rpc import rpc as nameko_rpc  # noqa: E402

from services.common.rpc import ServiceRpc  # noqa: E402
from services.common.rpc import rpc as transient_rpc  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")


class Trigger(Entrypoint):
    """An entrypoint that only ``entrypoint_hook`` fires."""


def make_services(mode):
    decorator = nameko_rpc if mode == "stock" else transient_rpc
    proxy_cls = RpcProxy if mode == "stock" else ServiceRpc

    class Echo:
        name = "echo"

        @decorator
        def echo(self, value):
            return value

    class Caller:
        name = "caller"
        echo_rpc = proxy_cls("echo")

        @Trigger.decorator
        def call(self, value):
            return self.echo_rpc.echo(value)

    return Echo, Caller


def beam_pids():
    out = subprocess.run(["pgrep", "-f", "beam"], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def cpu_seconds(pids):
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / CLK_TCK


class Vhost:
    def __init__(self, api, user, password):
        self.api, self.auth = api.rstrip("/"), (user, password)
        self.name = f"rpcbench-{uuid.uuid4().hex[:8]}"

    def __enter__(self):
        requests.put(f"{self.api}/vhosts/{self.name}", auth=self.auth,
                     timeout=10).raise_for_status()
        requests.put(f"{self.api}/permissions/{self.name}/{self.auth[0]}", auth=self.auth,
                     json={"configure": ".*", "write": ".*", "read": ".*"},
                     timeout=10).raise_for_status()
        return self.name

    def __exit__(self, *exc):
        requests.delete(f"{self.api}/vhosts/{self.name}", auth=self.auth, timeout=10)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def run_mode(mode, args):
    echo_cls, caller_cls = make_services(mode)
    with Vhost(args.management, "guest", "guest") as vhost:
        config = {"AMQP_URI": f"{args.amqp.rstrip('/')}/{vhost}",
                  "max_workers": args.in_flight + 10, "SERIALIZER": "json"}
        echo = ServiceContainer(echo_cls, config)
        caller = ServiceContainer(caller_cls, config)
        echo.start()
        caller.start()
        try:
            entrypoint = next(e for e in caller.entrypoints if e.method_name == "call")

            def call(value):
                done = eventlet.event.Event()

                def handle_result(worker_ctx, result, exc_info):
                    if exc_info:
                        done.send_exception(exc_info[1])
                    else:
                        done.send(result)
                    return result, exc_info

                caller.spawn_worker(entrypoint, (value,), {}, handle_result=handle_result)
                return done.wait()

            for i in range(args.warmup):  # reply queue, pools, routing check
                assert call(i) == i
            pids = beam_pids()
            latencies = []
            remaining = [args.calls]

            def client():
                while remaining[0] > 0:
                    remaining[0] -= 1
                    start = time.perf_counter()
                    call({"n": remaining[0]})
                    latencies.append(time.perf_counter() - start)

            broker0, own0, t0 = cpu_seconds(pids), time.process_time(), time.perf_counter()
            pool = eventlet.GreenPool(args.in_flight)
            for _ in range(args.in_flight):
                pool.spawn(client)
            pool.waitall()
            elapsed = time.perf_counter() - t0
            broker = cpu_seconds(pids) - broker0
            own = time.process_time() - own0
        finally:
            caller.stop()
            echo.stop()
    n = len(latencies)
    return {"mode": mode, "calls": n, "rate": n / elapsed,
            "p50": percentile(latencies, 50) * 1000, "p99": percentile(latencies, 99) * 1000,
            "broker_ms": broker / n * 1000, "own_ms": own / n * 1000}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--in-flight", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--modes", default="stock,transient")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the modes, alternating")
    parser.add_argument("--amqp", default="amqp://guest:guest@127.0.0.1:5672/")
    parser.add_argument("--management", default="http://127.0.0.1:15672/api")
    args = parser.parse_args()
    for _ in range(args.rounds):
        for mode in args.modes.split(","):
            r = run_mode(mode, args)
            print(f"rpc {r['mode']:9}: {r['calls']} calls, {args.in_flight} in flight, "
                  f"{r['rate']:.0f} calls/s, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, "
                  f"broker CPU {r['broker_ms']:.3f} ms/call, "
                  f"services+client CPU {r['own_ms']:.3f} ms/call", flush=True)


if __name__ == "__main__":
    main()
