"""Achievement records at scale: p50/p95 of the list queries through the gateway, and the
time to preview and commit a large case workbook.

Loads one unit (安徽省立医院 of the demo data) with ``--records`` records over
``--persons`` persons straight into the achievements schema with COPY (a load generator,
not an API user), then measures through the running gateway:

* a person's list (the demo person 吴康金, who gets an equal share of the records):
  ``GET /api/v1/records`` with a type, with status tabs;
* the unit's status-tab list (业绩档案): ``GET /api/v1/unit/records?status=…&page=…``;
* a keyword search of the unit's archive: ``GET /api/v1/unit/records?q=…``;
* an Excel import of ``--workbook-rows`` case rows: upload to documents, preview
  (``POST /api/v1/imports``) and commit, as 卫生-病案 records and as the 病案列表 of a
  卫生-专题.

Run against a platform started with ``bin/run`` (demo data loaded):

    .venv/bin/python bench/records_bench.py [--records 200000] [--persons 5000]
        [--samples 100] [--workbook-rows 5000] [--url http://127.0.0.1:8000] [--keep]

The loaded rows carry ``"bench": true`` in their fields and are deleted at the end
(``--keep`` keeps them; ``--cleanup`` only deletes what an earlier run kept).
"""
import argparse
import datetime as dt
import io
import json
import os
import random
import statistics
import sys
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/zhicheng"
WORDS = ("心血管", "胸痛", "急诊", "介入", "高血压", "糖尿病", "康复", "护理", "影像", "检验",
         "肿瘤", "儿科", "麻醉", "药学", "感染", "呼吸", "神经", "骨科", "眼科", "口腔")
STATUSES = (("approved", 60), ("submitted", 20), ("returned", 10), ("terminated", 5),
            ("draft", 5))
BENCH_PERSON_BASE = 900_000_000


class Gateway:
    def __init__(self, url):
        self.url = url.rstrip("/")
        self.http = requests.Session()

    def login(self, username, password):
        answer = self.http.post(f"{self.url}/api/v1/auth/login", timeout=30,
                                json={"username": username, "password": password})
        answer.raise_for_status()
        return answer.json()["token"]

    def call(self, method, path, token, expect=(200,), timeout=120, **kw):
        answer = self.http.request(method, self.url + path, timeout=timeout,
                                   headers={"Authorization": f"Bearer {token}"}, **kw)
        if answer.status_code not in expect:
            raise SystemExit(f"{method} {path}: {answer.status_code} {answer.text[:300]}")
        return answer.json() if answer.content else None


def percentiles(times):
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * len(ordered))) - 1)]
    return statistics.median(ordered) * 1000, p95 * 1000


def measure(label, samples, request):
    request(0)  # warm up
    times = []
    for i in range(samples):
        start = time.perf_counter()
        request(i)
        times.append(time.perf_counter() - start)
    p50, p95 = percentiles(times)
    print(f"  {label:<58} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   ({samples} requests)")


# --------------------------------------------------------------------------- loading

def _values(rtype, rng, n):
    words = rng.sample(WORDS, 3)
    values = {"bench": True}
    for f in rtype.fields:
        if f.key in (rtype.title_field,) + tuple(rtype.query_fields):
            if f.kind in ("text", "textarea"):
                values[f.key] = f"{words[0]}{words[1]}{f.label}{n}"
            elif f.kind == "year":
                values[f.key] = 2015 + n % 10
            elif f.kind == "select" and f.options:
                values[f.key] = f.options[n % len(f.options)]
    return values


def load_records(db_url, *, records, persons, unit_id, unit_name, demo_person_id, seed):
    import psycopg

    from services.achievements import catalogue
    from services.achievements.logic.search import search_text, title_of

    rng = random.Random(seed)
    types = list(catalogue.TYPES.values())
    weights = [w for _, w in STATUSES]
    person_ids = [demo_person_id] + [BENCH_PERSON_BASE + i for i in range(1, persons)]
    now = dt.datetime.now(dt.UTC)
    columns = ("type_code, category, person_id, person_name, status, source, fields, title, "
               "search_text, evidence_file_ids, unit_id, unit_name, lock_count, child_count, "
               "version, created_at, updated_at, submitted_at, decided_at")
    start = time.perf_counter()
    with psycopg.connect(db_url) as conn, conn.cursor() as cur:
        with cur.copy(f"COPY achievements.records ({columns}) FROM STDIN") as copy:
            for n in range(records):
                person_id = person_ids[n % len(person_ids)]
                rtype = types[n % len(types)]
                status = rng.choices([s for s, _ in STATUSES], weights)[0]
                values = _values(rtype, rng, n)
                when = now - dt.timedelta(minutes=records - n)
                submitted = status != "draft"
                copy.write_row((
                    rtype.code, rtype.category, person_id,
                    "吴康金" if person_id == demo_person_id else f"压测人员{person_id % 100000}",
                    status, "user", json.dumps(values, ensure_ascii=False),
                    title_of(rtype, values), search_text(rtype, values), "[]",
                    unit_id if submitted else None, unit_name if submitted else None,
                    0, 0, 2, when, when, when if submitted else None,
                    when if status in ("approved", "returned", "terminated") else None,
                ))
        conn.execute("ANALYZE achievements.records")
    print(f"  loaded {records} records over {persons} persons with COPY in "
          f"{time.perf_counter() - start:.1f} s")


def cleanup(db_url):
    import psycopg

    with psycopg.connect(db_url) as conn:
        deleted = conn.execute(
            "DELETE FROM achievements.records WHERE fields ? 'bench' "
            "OR fields->>'admission_no' LIKE 'BENCH%'").rowcount
        conn.execute("DELETE FROM achievements.imports "
                     "WHERE rows->0->'values'->>'admission_no' LIKE 'BENCH%'")
        conn.execute("DELETE FROM achievements.record_actions a WHERE NOT EXISTS "
                     "(SELECT 1 FROM achievements.records r WHERE r.id = a.record_id)")
        conn.execute("ANALYZE achievements.records")
    print(f"  removed {deleted} bench records")


# --------------------------------------------------------------------------- workbook

def _workbook(gateway, token, template, rows):
    import openpyxl

    link = gateway.call("GET", f"/api/v1/templates/{template}", token)
    book = openpyxl.load_workbook(io.BytesIO(requests.get(link["url"], timeout=60).content))
    sheet = book.worksheets[0]
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=3 + offset, column=column, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(gateway, token, name, data):
    ticket = gateway.call("POST", "/api/v1/files/uploads", token, expect=(201,),
                          json={"slot": "import_workbook", "file_name": name})
    form = ticket["form"]
    answer = requests.post(form["url"], data=form["fields"], files={"file": (name, data)},
                           timeout=120)
    answer.raise_for_status()
    gateway.call("POST", f"/api/v1/files/{ticket['file_id']}/complete", token)
    return ticket["file_id"]


def import_bench(gateway, token, rows_count, run):
    today = dt.date.today()

    def day(n):
        return today - dt.timedelta(days=30 + n % 1500)

    # 卫生-病案 records
    rows = [[n, f"BENCH{run}{n:06d}", f"病人{n}", day(n), day(n) + dt.timedelta(days=7),
             "急性胸痛", "冠心病", "好转", "治疗"] for n in range(1, rows_count + 1)]
    data = _workbook(gateway, token, "medical_records", rows)
    _import(gateway, token, "health_case", None, data, rows_count, "卫生-病案")

    # the 病案列表 of a 卫生-专题
    topic = gateway.call("POST", "/api/v1/records", token, expect=(201,), json={
        "type": "health_topic", "fields": {"topic_type": "三新专题", "template_entry": True,
                                           "name": f"压测专题{run}"}})
    rows = [[n, f"BENCH{run}{n:06d}", f"病人{n}", day(n), day(n) + dt.timedelta(days=7),
             40 + n % 40, "男" if n % 2 else "女", "急性胸痛", "冠心病"]
            for n in range(1, rows_count + 1)]
    data = _workbook(gateway, token, "cases", rows)
    _import(gateway, token, "cases", topic["id"], data, rows_count, "卫生-专题的病案列表")
    gateway.call("DELETE", f"/api/v1/records/{topic['id']}", token, expect=(204,))


def _import(gateway, token, target, record_id, data, rows_count, label):
    start = time.perf_counter()
    file_id = _upload(gateway, token, f"bench-{target}.xlsx", data)
    uploaded = time.perf_counter() - start
    start = time.perf_counter()
    preview = gateway.call("POST", "/api/v1/imports", token, expect=(201,), json={
        "target": target, "file_id": file_id, "record_id": record_id})
    previewed = time.perf_counter() - start
    start = time.perf_counter()
    result = gateway.call("POST", f"/api/v1/imports/{preview['import_id']}/commit", token)
    committed = time.perf_counter() - start
    assert preview["allowed"] == rows_count, (preview["allowed"], preview["refused"])
    assert result["imported"] == rows_count
    print(f"  import {rows_count} rows as {label}: xlsx {len(data) / 1024:.0f} KiB, "
          f"upload {uploaded * 1000:.0f} ms, preview {previewed * 1000:.0f} ms, "
          f"commit {committed * 1000:.0f} ms")


# --------------------------------------------------------------------------- main

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--persons", type=int, default=5_000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--workbook-rows", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the loaded records")
    parser.add_argument("--cleanup", action="store_true",
                        help="only delete the records an earlier run kept")
    args = parser.parse_args(argv)
    db_url = args.database_url.replace("postgresql+psycopg://", "postgresql://")

    if args.cleanup:
        cleanup(db_url)
        return

    from deploy import demo

    gateway = Gateway(args.url)
    person = gateway.login(demo.PERSONS[0][3], demo.PASSWORD)
    admin = gateway.login("demo_slyy", demo.PASSWORD)
    me = gateway.call("GET", "/api/v1/auth/me", person)
    unit = gateway.call("GET", "/api/v1/auth/me", admin)["unit"]
    print(f"records bench: {args.records} records, {args.persons} persons, unit "
          f"{unit['name']} ({unit['unit_id']}), {args.samples} requests per query")
    load_records(db_url, records=args.records, persons=args.persons,
                 unit_id=unit["unit_id"], unit_name=unit["name"],
                 demo_person_id=me["person_id"], seed=args.seed)
    try:
        rng = random.Random(args.seed)
        types = ["work_history", "paper", "health_case", "continuing_education"]
        tabs = ["all", "submitted", "approved", "returned"]
        per_unit_pages = max(1, args.records // 20 // 5)

        measure("person's list (type, status tab, page 1)", args.samples,
                lambda i: gateway.call("GET", "/api/v1/records", person, params={
                    "type": types[i % len(types)], "status": tabs[i % len(tabs)]}))
        measure("person's list (all types)", args.samples,
                lambda i: gateway.call("GET", "/api/v1/records", person))
        measure("unit's status-tab list (业绩档案, random page)", args.samples,
                lambda i: gateway.call("GET", "/api/v1/unit/records", admin, params={
                    "status": tabs[i % len(tabs)],
                    "page": rng.randint(1, per_unit_pages)}))
        measure("unit's status-tab list, one type", args.samples,
                lambda i: gateway.call("GET", "/api/v1/unit/records", admin, params={
                    "type": types[i % len(types)], "status": tabs[i % len(tabs)]}))
        measure("unit keyword search (two words)", args.samples,
                lambda i: gateway.call("GET", "/api/v1/unit/records", admin, params={
                    "q": " ".join(rng.sample(WORDS, 2))}))
        measure("unit keyword search (title with number)", args.samples,
                lambda i: gateway.call("GET", "/api/v1/unit/records", admin, params={
                    "q": f"{rng.choice(WORDS)} {rng.randint(1, args.records)}"}))
        measure("person keyword search", args.samples,
                lambda i: gateway.call("GET", "/api/v1/records", person, params={
                    "q": rng.choice(WORDS)}))
        if args.workbook_rows:
            import_bench(gateway, person, args.workbook_rows, run=int(time.time()) % 100000)
    finally:
        if not args.keep:
            cleanup(db_url)


if __name__ == "__main__":
    main()
