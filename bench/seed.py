"""A province-sized data set loaded straight into PostgreSQL with COPY (a load generator,
not an API user), for ``bench/load_bench.py``.

What :func:`seed` loads, each service's rows into its own schema:

* identity: ``units`` units — one HR department (人社部门), one committee organiser
  (评委会组建单位), a few competent departments (主管部门) and the employers (用人单位)
  under them, all active with a complete region and one admin account each; ``persons``
  persons with valid 18-digit ID numbers (GB 11643) and unique mobile numbers, each with
  a person account and an approved binding to an employer. Every account has the same
  password (:data:`PASSWORD`), hashed once with the identity service's argon2 cost.
* achievements: ``records`` records over all types and statuses; record ``i`` of the
  first ``persons`` is person ``i``'s approved 工作经历 (what a declaration imports).
* workflow: for every 审核中 record, the open review (process, step, submission entry,
  task) at the person's unit, as ``review_requested`` would have started it — the
  tasks the units approve in batches during the benchmark.

Every loaded row lives in a fixed id range (:data:`UNIT_BASE`, :data:`PERSON_BASE`, …)
and carries the name prefix 压测; :func:`cleanup` deletes them and whatever the
benchmark created through the API for these persons and units. The identity audit log
is append-only (a trigger refuses deletes): its login entries stay.
"""
import datetime as dt
import json
import os
import random
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

PASSWORD = "Demo@2026"
PREFIX = "压测"
# Id ranges of the loaded rows (far above what the services' sequences hand out).
UNIT_BASE = 5_000_000            # identity.units
PERSON_BASE = 50_000_000         # identity.persons, person accounts, binding requests
ADMIN_BASE = 51_000_000          # identity.accounts of the unit admins
RECORD_BASE = 1_000_000_000      # achievements.records (ids stay below 2**31: the API)
PROCESS_BASE = 50_000_000        # workflow processes, tasks, history entries
RANGE = 1_000_000                # width of every range

COMPETENT = 8                    # competent departments; unit 0 is HR, unit 1 the organiser
ID_REGION = "340111"             # 合肥市包河区: no demo person has it
REGION = {"province_code": "340000", "province_name": "安徽省", "city_code": "340100",
          "city_name": "合肥市", "county_code": "340111", "county_name": "包河区"}
# status mix of the loaded records (weights); 审核中 ones get an open task at their unit
STATUSES = (("approved", 70), ("draft", 10), ("submitted", 10), ("returned", 8),
            ("terminated", 2))


def plain_url(url):
    return url.replace("postgresql+psycopg://", "postgresql://")


def unit_id(index):
    return UNIT_BASE + 1 + index


def employer_index(units, person_index):
    """The employer (index into the units) person ``person_index`` is bound to."""
    first = 2 + COMPETENT
    return first + person_index % (units - first)


def person_id(index):
    return PERSON_BASE + 1 + index


def admin_username(index):
    return f"load_admin_{index:04d}"


def work_record_id(person_index):
    """The approved 工作经历 of a person (record ``i`` of the load is person ``i``'s)."""
    return RECORD_BASE + 1 + person_index


def id_number(index):
    """A valid resident ID number: region 340111, a birth date and a sequence number."""
    from services.identity.logic.checks import id_check_char

    born = dt.date(1966, 1, 1) + dt.timedelta(days=index // 900)
    first17 = f"{ID_REGION}{born:%Y%m%d}{index % 900 + 100:03d}"
    return first17 + id_check_char(first17), born


def mobile(index):
    return f"1990{index:07d}"


def password_hash():
    """The one hash every loaded account shares, with the identity service's cost (so
    that a login does not re-hash it)."""
    from services.identity.logic import passwords

    def env(name):
        value = os.environ.get(name, "").strip()
        return int(value) if value else None

    passwords.configure(time_cost=env("PASSWORD_HASH_TIME_COST"),
                        memory_kib=env("PASSWORD_HASH_MEMORY_KIB"),
                        parallelism=env("PASSWORD_HASH_PARALLELISM"))
    return passwords.hash_password(PASSWORD)


def is_seeded(db_url):
    import psycopg

    with psycopg.connect(plain_url(db_url)) as conn:
        return conn.execute("SELECT count(*) FROM identity.units WHERE id > %s AND id <= %s",
                            (UNIT_BASE, UNIT_BASE + RANGE)).fetchone()[0] > 0


def _copy(conn, table, columns, rows):
    start = time.perf_counter()
    count = 0
    with conn.cursor() as cur, \
            cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    print(f"  {table}: {count} rows in {time.perf_counter() - start:.1f} s", flush=True)
    return count


# --------------------------------------------------------------------------- identity

def _unit_rows(units, now):
    kinds = ["hr", "organiser"] + ["competent"] * COMPETENT
    for index in range(units):
        kind = kinds[index] if index < len(kinds) else "employer"
        if kind == "hr":
            name, parent = f"{PREFIX}省人力资源和社会保障厅", None
        elif kind == "organiser":
            name, parent = f"{PREFIX}工程系列高级职称评审委员会办公室", None
        elif kind == "competent":
            name, parent = f"{PREFIX}主管部门{index - 1:02d}", None
        else:
            name = f"{PREFIX}用人单位{index - 1 - COMPETENT:04d}"
            parent = unit_id(2 + (index - 2 - COMPETENT) % COMPETENT)
        yield (unit_id(index), name, None, "organ" if kind != "employer" else "institution",
               kind, parent, REGION["province_code"], REGION["province_name"],
               REGION["city_code"], REGION["city_name"], REGION["county_code"],
               REGION["county_name"], "安徽省合肥市包河区", "联系人", "13800000000",
               "active", unit_id(0) if index else None, now, now, now)


def _admin_rows(units, hashed, now):
    for index in range(units):
        yield (ADMIN_BASE + 1 + index, "unit_admin", admin_username(index), hashed,
               f"{PREFIX}管理员{index:04d}", unit_id(index), "active", now, now, now)


def _person_rows(persons, units, now):
    for index in range(persons):
        number, born = id_number(index)
        gender = "1" if int(number[16]) % 2 else "2"
        yield (person_id(index), f"{PREFIX}人员{index:06d}", "resident_id", number,
               mobile(index), gender, born, "01", "01", "21", "4", "engineering",
               dt.date(born.year + 22, 7, 1), unit_id(employer_index(units, index)), now,
               now, now)


def _account_rows(persons, hashed, now):
    for index in range(persons):
        number, _born = id_number(index)
        yield (person_id(index), "person", number, hashed, f"{PREFIX}人员{index:06d}",
               mobile(index), person_id(index), "active", now, now, now)


def _binding_rows(persons, units, now):
    for index in range(persons):
        yield (person_id(index), person_id(index), unit_id(employer_index(units, index)),
               "本人为该单位在职职工", "approved", "approve", "同意", now, now)


def seed_identity(conn, *, persons, units, hashed, now):
    _copy(conn, "identity.units", (
        "id", "name", "credit_code", "nature", "kind", "parent_id", "province_code",
        "province_name", "city_code", "city_name", "county_code", "county_name", "address",
        "contact_name", "contact_mobile", "status", "approver_unit_id", "decided_at",
        "created_at", "updated_at"), _unit_rows(units, now))
    _copy(conn, "identity.persons", (
        "id", "real_name", "id_type", "id_number", "mobile", "gender", "birth_date",
        "ethnicity", "political_status", "education", "degree", "title_series",
        "work_start_date", "bound_unit_id", "bound_at", "created_at", "updated_at"),
        _person_rows(persons, units, now))
    columns = ("id", "role", "username", "password_hash", "name", "unit_id", "status",
               "password_changed_at", "created_at", "updated_at")
    _copy(conn, "identity.accounts", columns, _admin_rows(units, hashed, now))
    _copy(conn, "identity.accounts", (
        "id", "role", "username", "password_hash", "name", "mobile", "person_id", "status",
        "password_changed_at", "created_at", "updated_at"), _account_rows(persons, hashed, now))
    _copy(conn, "identity.binding_requests", (
        "id", "person_id", "unit_id", "note", "status", "decision_action", "opinion",
        "decided_at", "created_at"), _binding_rows(persons, units, now))


# --------------------------------------------------------------------------- records

def _work_values(index):
    start = dt.date(1990 + index % 25, 7, 1)
    return {"load": True, "unit_name": f"{PREFIX}用人单位{index % 990:04d}",
            "start_date": start.isoformat(), "until_now": True,
            "specialty": ("土木工程", "电气工程", "机械工程", "计算机应用")[index % 4],
            "position": "工程师"}


def record_rows(*, persons, records, units, seed, now, submitted_out):
    """The records as COPY rows; appends ``(record id, person index, type, values,
    submitted_at)`` of every 审核中 record to ``submitted_out``."""
    from records_bench import _values

    from services.achievements import catalogue
    from services.achievements.logic.search import search_text, title_of

    rng = random.Random(seed)
    types = list(catalogue.TYPES.values())
    work = catalogue.TYPES["work_history"]
    names, weights = [s for s, _ in STATUSES], [w for _, w in STATUSES]
    for n in range(records):
        person = n % persons
        if n < persons:
            rtype, status, values = work, "approved", _work_values(n)
        else:
            rtype = types[n % len(types)]
            status = rng.choices(names, weights)[0]
            values = _values(rtype, rng, n)
            values.pop("bench", None)  # records_bench's marker; these carry "load"
            values["load"] = True
        unit = unit_id(employer_index(units, person))
        when = now - dt.timedelta(seconds=records - n)
        submitted = status != "draft"
        if status == "submitted":
            submitted_out.append((RECORD_BASE + 1 + n, person, rtype, values, when))
        yield (RECORD_BASE + 1 + n, rtype.code, rtype.category, person_id(person),
               f"{PREFIX}人员{person:06d}", status, "user",
               json.dumps(values, ensure_ascii=False), title_of(rtype, values),
               search_text(rtype, values), "[]",
               unit if submitted else None,
               f"{PREFIX}用人单位{employer_index(units, person) - 2 - COMPETENT:04d}"
               if submitted else None,
               0, 0, 2, when, when, when if submitted else None,
               when if status in ("approved", "returned", "terminated") else None)


def seed_records(conn, *, persons, records, units, seed, now):
    submitted = []
    _copy(conn, "achievements.records", (
        "id", "type_code", "category", "person_id", "person_name", "status", "source",
        "fields", "title", "search_text", "evidence_file_ids", "unit_id", "unit_name",
        "lock_count", "child_count", "version", "created_at", "updated_at", "submitted_at",
        "decided_at"), record_rows(persons=persons, records=records, units=units, seed=seed,
                                   now=now, submitted_out=submitted))
    return submitted


# --------------------------------------------------------------------------- workflow

def seed_reviews(conn, submitted, units):
    """The open review of every 审核中 record: what ``review_requested`` starts."""
    from services.achievements.logic.records import _labelled_columns, category_labels
    from services.achievements.logic.search import title_of

    categories = category_labels()
    processes, steps, history, tasks = [], [], [], []
    for offset, (record_id, person, rtype, values, when) in enumerate(submitted):
        pid = PROCESS_BASE + 1 + offset
        employer = employer_index(units, person)
        uid = unit_id(employer)
        uname = f"{PREFIX}用人单位{employer - 2 - COMPETENT:04d}"
        name = f"{PREFIX}人员{person:06d}"
        title = title_of(rtype, values)
        rtitle = f"{rtype.label}·{title}" if title else rtype.label
        summary = {"record_id": record_id, "type": rtype.code, "type_label": rtype.label,
                   "category": rtype.category,
                   "category_label": categories.get(rtype.category, rtype.category),
                   "title": title, "columns": _labelled_columns(rtype, values),
                   "source": "user", "source_label": "用户申报",
                   "submitted_at": when.isoformat()}
        chain = [{"unit_id": uid, "unit_name": uname}]
        request = {"kind": "record", "subject_service": "achievements",
                   "subject_type": "record", "subject_id": record_id, "title": rtitle,
                   "applicant_person_id": person_id(person), "applicant_name": name,
                   "applicant_unit_id": uid, "chain": chain, "summary": summary}
        processes.append((pid, "record", "achievements", "record", str(record_id), rtitle,
                          person_id(person), name, uid,
                          json.dumps(summary, ensure_ascii=False),
                          json.dumps(request, ensure_ascii=False), "open", 0, 1, when))
        steps.append((pid, 0, uid, uname, None))
        history.append((pid, pid, None, uid, uname, person_id(person), name, "submit", when))
        tasks.append((pid, pid, 0, uid, uname, "open", when))
    _copy(conn, "workflow.processes", (
        "id", "kind", "subject_service", "subject_type", "subject_id", "title",
        "applicant_person_id", "applicant_name", "applicant_unit_id", "summary", "request",
        "status", "current_step", "step_count", "submitted_at"), processes)
    _copy(conn, "workflow.process_steps", (
        "process_id", "step_index", "unit_id", "unit_name", "unit_kind"), steps)
    _copy(conn, "workflow.history_entries", (
        "id", "process_id", "step_index", "unit_id", "unit_name", "account_id",
        "account_name", "action", "at"), history)
    _copy(conn, "workflow.tasks", (
        "id", "process_id", "step_index", "unit_id", "unit_name", "state", "created_at"),
        tasks)


# --------------------------------------------------------------------------- entry points

def seed(db_url, *, persons=100_000, units=1_000, records=1_000_000, seed=11):
    """Load the data set (see the module's docstring); one transaction per schema."""
    import psycopg

    if units < 3 + COMPETENT or persons < 1 or records < persons:
        raise SystemExit(f"need at least {3 + COMPETENT} units and as many records as persons")
    if persons > RANGE or units > RANGE or records > RANGE * 10:
        raise SystemExit("too large for the id ranges")
    start = time.perf_counter()
    now = dt.datetime.now(dt.UTC)
    hashed = password_hash()
    with psycopg.connect(plain_url(db_url)) as conn:
        seed_identity(conn, persons=persons, units=units, hashed=hashed, now=now)
        conn.commit()
        submitted = seed_records(conn, persons=persons, records=records, units=units,
                                 seed=seed, now=now)
        conn.commit()
        seed_reviews(conn, submitted, units)
        conn.commit()
        # What autovacuum does to a loaded table (this machine's PostgreSQL runs with
        # autovacuum off): statistics, and the visibility map that lets counts over an
        # index skip the table's pages.
        conn.autocommit = True
        for table in ("identity.units", "identity.persons", "identity.accounts",
                      "identity.binding_requests", "achievements.records",
                      "workflow.processes", "workflow.process_steps", "workflow.tasks",
                      "workflow.history_entries"):
            conn.execute(f"VACUUM (ANALYZE) {table}")
    print(f"  seeded {units} units, {persons} persons, {records} records "
          f"({len(submitted)} waiting at their units) in {time.perf_counter() - start:.0f} s",
          flush=True)


VACUUM_AFTER = ("identity.sessions", "identity.binding_requests", "identity.accounts")


def cleanup(db_url):
    """Delete every loaded row and what the benchmark created for the loaded persons and
    units through the API (records, reviews, declarations, the plan, files, sessions)."""
    import psycopg

    persons = (PERSON_BASE, PERSON_BASE + RANGE)
    accounts = (PERSON_BASE, ADMIN_BASE + RANGE)
    units = (UNIT_BASE, UNIT_BASE + RANGE)
    steps = [
        ("workflow.processes", "applicant_person_id > %s AND applicant_person_id <= %s",
         persons),
        ("workflow.declarations", "person_id > %s AND person_id <= %s", persons),
        ("workflow.plans", "hr_unit_id > %s AND hr_unit_id <= %s", units),
        ("achievements.record_actions", "record_id IN (SELECT id FROM achievements.records "
         "WHERE person_id > %s AND person_id <= %s)", persons),
        ("achievements.withdrawals", "person_id > %s AND person_id <= %s", persons),
        ("achievements.imports", "person_id > %s AND person_id <= %s", persons),
        ("achievements.records", "person_id > %s AND person_id <= %s", persons),
        ("documents.files", "owner_account_id > %s AND owner_account_id <= %s", accounts),
        ("identity.sessions", "account_id > %s AND account_id <= %s", accounts),
        ("identity.login_throttle", "CASE WHEN key ~ '^account:[0-9]+$' THEN "
         "substr(key, 9)::bigint END BETWEEN %s + 1 AND %s", accounts),
        ("identity.binding_requests", "person_id > %s AND person_id <= %s", persons),
        ("identity.accounts", "id > %s AND id <= %s", accounts),
        ("identity.persons", "id > %s AND id <= %s", persons),
        ("identity.units", "id > %s AND id <= %s AND kind = 'employer'", units),
        ("identity.units", "id > %s AND id <= %s", units),
    ]
    start = time.perf_counter()
    with psycopg.connect(plain_url(db_url), autocommit=True) as conn:
        for table, where, bounds in steps:
            deleted = conn.execute(f"DELETE FROM {table} WHERE {where}", bounds).rowcount
            if deleted:
                print(f"  {table}: {deleted} rows deleted", flush=True)
            if table in VACUUM_AFTER:
                # the foreign-key checks of the next deletions scan these tables (no index
                # on binding_requests.person_id): without their dead rows they are small
                conn.execute(f"VACUUM {table}")
        for table in ("achievements.records", "workflow.processes", "workflow.tasks",
                      "identity.accounts", "identity.persons"):
            conn.execute(f"ANALYZE {table}")
    print(f"  removed the load data set in {time.perf_counter() - start:.0f} s", flush=True)
