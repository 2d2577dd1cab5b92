"""Where each service of ``bin/run`` spends its CPU under a load: py-spy samples every
service process (no restart, no instrumentation) while a load command runs, then prints
per service what its on-CPU samples were in (SQLAlchemy, psycopg, kombu/amqp, marshmallow,
…) and the services' own functions by inclusive share.

    .venv/bin/python bench/profile.py --seconds 60 -- \\
        .venv/bin/python bench/load_bench.py --open-rate 20 --duration 90 --raw-seconds 1

py-spy is pinned in requirements-dev.lock (``bin/test`` installs it; after ``bin/run`` alone:
``.venv/bin/pip install -c requirements-dev.lock py-spy``). It needs ptrace rights over
the services (root, or the same user with ``kernel.yama.ptrace_scope`` 0).
Raw stacks are kept in ``var/prof``. Samples in eventlet's hub are the event loop waiting
(epoll) or switching; the shares of the other groups are the comparable part.
"""
import argparse
import collections
import os
import re
import shutil
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVICES = ("gateway", "identity", "achievements", "workflow", "documents", "webhooks")
GROUPS = (("sqlalchemy", "SQLAlchemy"), ("psycopg", "psycopg"), ("marshmallow", "marshmallow"),
          ("kombu", "kombu/amqp"), ("amqp/", "kombu/amqp"), ("nameko", "nameko"),
          ("eventlet", "eventlet hub"), ("logging", "logging"), ("json", "json"),
          ("argon2", "argon2"), ("minio", "minio/urllib3"), ("urllib3", "minio/urllib3"),
          ("werkzeug", "werkzeug"), ("reportlab", "reportlab"), ("jwt", "jwt"),
          ("services/", "services' own code"))


def frame_name(frame):
    match = re.match(r"(.*) \((.*?):\d+\)", frame)
    if not match:
        return frame
    path = match.group(2).split("site-packages/")[-1].replace(ROOT + "/", "")
    return f"{match.group(1)} ({path})"


def summarise(path, top):
    total, groups, inclusive = 0, collections.Counter(), collections.Counter()
    with open(path, errors="replace") as f:  # py-spy may cut a frame's name
        for line in f:
            stack, _, count = line.rstrip().rpartition(" ")
            if not stack:
                continue
            n = int(count)
            total += n
            frames = stack.split(";")
            leaf = frames[-1]
            groups[next((name for key, name in GROUPS if key in leaf), "other")] += n
            for name in {frame_name(fr) for fr in frames}:
                if "(services/" in name and "(services/common/" not in name:
                    inclusive[name] += n
    return total, groups, inclusive.most_common(top)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=60, help="sampling time")
    parser.add_argument("--delay", type=int, default=20,
                        help="seconds after the load starts before sampling (warm-up)")
    parser.add_argument("--rate", type=int, default=20, help="samples per second")
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- the load command")
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy") or os.path.join(os.path.dirname(sys.executable), "py-spy")
    out = os.path.join(ROOT, "var", "prof")
    os.makedirs(out, exist_ok=True)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    load = subprocess.Popen(command, cwd=ROOT) if command else None
    time.sleep(args.delay if load else 0)
    spies = {}
    for name in SERVICES:
        pid_file = os.path.join(ROOT, "var", "run", f"{name}.pid")
        if not os.path.exists(pid_file):
            continue
        with open(pid_file) as f:
            pid = f.read().strip()
        spies[name] = subprocess.Popen(
            [spy, "record", "-p", pid, "-d", str(args.seconds), "-r", str(args.rate),
             "-f", "raw", "--nonblocking", "-o", os.path.join(out, f"{name}.txt")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for name, process in spies.items():
        # py-spy can fall behind on a busy process and sample on for minutes: past the
        # time asked for (and a margin) it is told to stop and write what it has.
        try:
            process.wait(timeout=args.seconds + 30)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                print(f"{name}: py-spy did not stop; its profile is lost", file=sys.stderr)
    if load:
        load.wait()
    print(f"\nprofiles ({args.seconds} s at {args.rate} Hz, on-CPU samples; raw in var/prof)")
    for name in spies:
        path = os.path.join(out, f"{name}.txt")
        if not os.path.exists(path):
            print(f"\n{name}: no profile")
            continue
        total, groups, inclusive = summarise(path, args.top)
        print(f"\n{name}: {total} samples")
        print("  by library of the innermost frame: " + ", ".join(
            f"{group} {n * 100 / max(total, 1):.0f}%" for group, n in groups.most_common()))
        for function, n in inclusive:
            print(f"  {n * 100 / max(total, 1):5.1f}%  {function}")


if __name__ == "__main__":
    main()
