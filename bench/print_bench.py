"""Printing figures: time to build the 评审表 of a declaration with many imported items,
and time and peak memory to export a 花名册 of many declarations.

These call the pure printing functions (services/documents/printing) directly; no running
platform is needed.

    .venv/bin/python bench/print_bench.py [--items 100] [--rows 50000] [--repeat 3]
                                          [--no-tracemalloc]

The roster runs in a child process each time, so that its ru_maxrss is its own. The
tracemalloc run is separate from the timed run (tracemalloc slows allocation-heavy code
several times over).
"""
import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def review_form(items, repeat):
    from services.documents.printing import (
        render_publicity_table,
        render_review_form,
        render_workload_table,
    )
    from services.documents.tests.examples import example_photo, example_snapshot

    snapshot = example_snapshot(items=items)
    photo = example_photo()
    render_review_form(snapshot, photo=photo)          # warm up (font, imports)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        pdf = render_review_form(snapshot, photo=photo)
        times.append(time.perf_counter() - start)
    pages = len(re.findall(rb"/Type /Page\b(?!s)", pdf))
    print(f"review form, {items} imported items: median {statistics.median(times) * 1000:.0f} ms "
          f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}; {repeat} runs), "
          f"{len(pdf) / 1024:.0f} KiB, {pages} pages")

    start = time.perf_counter()
    render_publicity_table(snapshot)
    publicity = time.perf_counter() - start
    start = time.perf_counter()
    render_workload_table(snapshot)
    workload = time.perf_counter() - start
    print(f"publicity table (A3): {publicity * 1000:.0f} ms; "
          f"workload table: {workload * 1000:.0f} ms")


def roster_child(rows, trace):
    """Runs in the child: export ``rows`` roster rows, print JSON figures."""
    import tracemalloc

    from services.documents.printing import roster_row, write_roster
    from services.documents.tests.examples import example_id_number, example_snapshot

    base = roster_row(example_snapshot(items=0))

    def generate():
        for i in range(rows):
            row = dict(base)
            row["name"] = f"申报人{i}"
            row["id_number"] = example_id_number(seq=i % 1000)
            row["unit_name"] = f"重庆市第{i % 400}人民医院"
            row["submitted_at"] = f"2024-07-{1 + i % 28:02d}T10:00:00+08:00"
            yield row

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        tracemalloc.start()
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as out:
        start = time.perf_counter()
        count = write_roster(generate(), out)
        out.flush()
        elapsed = time.perf_counter() - start
        size = os.path.getsize(out.name)
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": count, "seconds": elapsed, "bytes": size,
                      "tracemalloc_peak": peak, "maxrss_kib": maxrss,
                      "baseline_maxrss_kib": baseline}))


def roster(rows, trace):
    def run(with_trace):
        out = subprocess.run([sys.executable, __file__, "--roster-child", str(rows)]
                             + (["--trace"] if with_trace else []),
                             capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    timed = run(False)
    print(f"roster, {timed['rows']} rows: {timed['seconds']:.1f} s "
          f"({timed['rows'] / timed['seconds']:.0f} rows/s), "
          f"{timed['bytes'] / 1024 / 1024:.1f} MiB xlsx, "
          f"ru_maxrss {timed['maxrss_kib'] / 1024:.1f} MiB "
          f"(after imports {timed['baseline_maxrss_kib'] / 1024:.1f} MiB, "
          f"growth {(timed['maxrss_kib'] - timed['baseline_maxrss_kib']) / 1024:.1f} MiB)")
    if trace:
        traced = run(True)
        print(f"roster, {traced['rows']} rows under tracemalloc: peak "
              f"{traced['tracemalloc_peak'] / 1024 / 1024:.2f} MiB of Python allocations "
              f"({traced['seconds']:.1f} s with tracing on)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100, help="imported items in the review form")
    parser.add_argument("--rows", type=int, default=50_000, help="roster rows")
    parser.add_argument("--repeat", type=int, default=3, help="review form runs")
    parser.add_argument("--no-tracemalloc", action="store_true",
                        help="skip the (slower) tracemalloc run of the roster")
    parser.add_argument("--roster-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.roster_child is not None:
        roster_child(args.roster_child, args.trace)
        return
    try:
        import lxml  # noqa: F401
        writer = "lxml"
    except ImportError:
        writer = "pure-Python et_xmlfile (no lxml installed)"
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f}; openpyxl writes with {writer}")
    review_form(args.items, args.repeat)
    roster(args.rows, not args.no_tracemalloc)


if __name__ == "__main__":
    main()
