"""The promise of issue 8, as SQL on the database once the system has settled: no
approval, decision or file is lost or applied twice.

- every committed decision has exactly one outbox row;
- every outbox row is published;
- every consumer applied each event exactly once (or parked it as dead, and only the
  events a test injected on purpose may be parked); another government system's queue
  (bound to every event) received each published event at least once;
- every subject's status matches the engine's last decision (bindings in identity,
  records in achievements, declarations in workflow), and each decision was applied
  once (one audit entry per decided binding, one status change per decision event in a
  record's trail, one approval event per approved declaration, records released when a
  declaration's review ends).

:func:`violations` answers a list of sentences, empty when every invariant holds.
"""
from sqlalchemy import text

from .harness import DOMAIN, concerned_sql, consumer_handlers

# The binding request status each process status leads identity to.
BINDING_STATUS_OF = {"open": "pending", "approved": "approved", "returned": "rejected",
                     "terminated": "rejected", "rejected": "rejected"}


def _rows(conn, sql, **params):
    return [dict(r) for r in conn.execute(text(sql), params).mappings().all()]


def _table_exists(conn, schema, table):
    return conn.execute(text("SELECT to_regclass(:name) IS NOT NULL"),
                        {"name": f"{schema}.{table}"}).scalar()


def decisions_have_one_outbox_row(conn):
    """Each decided task ↔ exactly one ``review_decided`` row (matched on process, step
    and the decision's time), and no such row without its decision."""
    found = []
    for row in _rows(conn, """
        SELECT t.id AS task_id, t.process_id, t.step_index, count(o.sequence) AS rows
        FROM workflow.tasks t
        LEFT JOIN workflow.outbox o
          ON o.type = 'review_decided'
         AND (o.data->>'process_id')::int = t.process_id
         AND (o.data->>'step_index')::int = t.step_index
         AND (o.data->>'decided_at')::timestamptz = t.decided_at
        WHERE t.state = 'decided'
        GROUP BY t.id, t.process_id, t.step_index
        HAVING count(o.sequence) <> 1
        ORDER BY t.id LIMIT 20"""):
        found.append(f"decided task {row['task_id']} (process {row['process_id']}) has "
                     f"{row['rows']} review_decided outbox rows")
    decided = conn.execute(text(
        "SELECT count(*) FROM workflow.tasks WHERE state = 'decided'")).scalar()
    events = conn.execute(text(
        "SELECT count(*) FROM workflow.outbox WHERE type = 'review_decided'")).scalar()
    if decided != events:
        found.append(f"{decided} decided tasks but {events} review_decided outbox rows")
    return found


def outbox_published(conn):
    found = []
    for schema in DOMAIN:
        row = conn.execute(text(
            f"SELECT count(*) FILTER (WHERE published_at IS NULL) AS pending, "
            f"count(*) FILTER (WHERE published_at IS NOT NULL AND feed_position IS NULL) "
            f"AS unpositioned FROM {schema}.outbox")).mappings().one()
        if row["pending"]:
            found.append(f"{schema}: {row['pending']} outbox rows never published")
        if row["unpositioned"]:
            found.append(f"{schema}: {row['unpositioned']} published rows lack a feed position")
    return found


def consumers_applied_once(conn, allowed_dead=()):
    """For every consumer: each published event of its type is recorded exactly once as
    processed, or parked dead; never both; and dead only when a test allowed it."""
    allowed = {str(e) for e in allowed_dead}
    found = []
    for h in consumer_handlers():
        source, service = h["source"], h["service"]
        params = {"type": h["event_type"], "handler": h["handler"]}
        name = f"{service}.{h['handler']} ({source} {h['event_type']})"
        missing = conn.execute(text(f"""
            SELECT count(*) FROM {source}.outbox o
            WHERE o.type = :type AND o.published_at IS NOT NULL {concerned_sql(h)}
              AND NOT EXISTS (SELECT 1 FROM {service}.processed_events p
                              WHERE p.handler = :handler AND p.event_id = o.event_id)
              AND NOT EXISTS (SELECT 1 FROM {service}.failed_events f
                              WHERE f.handler = :handler AND f.event_id = o.event_id
                                AND f.status = 'dead')"""), params).scalar()
        if missing:
            found.append(f"{name}: {missing} published events never applied nor parked")
        both = conn.execute(text(f"""
            SELECT count(*) FROM {service}.processed_events p
            JOIN {service}.failed_events f
              ON f.handler = p.handler AND f.event_id = p.event_id AND f.status = 'dead'
            WHERE p.handler = :handler"""), {"handler": h["handler"]}).scalar()
        if both:
            found.append(f"{name}: {both} events both applied and parked dead")
        for row in _rows(conn, f"""
                SELECT event_id::text AS event_id, status, attempts, last_error
                FROM {service}.failed_events
                WHERE handler = :handler AND status <> 'resolved'""",
                         handler=h["handler"]):
            if row["event_id"] not in allowed:
                found.append(f"{name}: event {row['event_id']} is {row['status']} after "
                             f"{row['attempts']} attempts: {row['last_error'][:200]}")
    return found


def bindings_match_engine(conn):
    """Each binding request: one process in the engine; its status is what the
    process's last decision says; decided ones carry that decision; identity applied
    each decision once (one binding.approved / binding.rejected audit entry)."""
    found = []
    for row in _rows(conn, """
        SELECT b.id, b.status, b.decision_action, b.process_id, b.person_id, b.unit_id,
               count(p.id) AS processes,
               max(p.id) AS engine_process,
               max(p.status) AS process_status
        FROM identity.binding_requests b
        LEFT JOIN workflow.processes p
          ON p.kind = 'binding' AND p.subject_service = 'identity'
         AND p.subject_type = 'binding' AND p.subject_id = b.id::text
        WHERE b.status <> 'cancelled'
        GROUP BY b.id ORDER BY b.id"""):
        if row["processes"] != 1:
            found.append(f"binding {row['id']}: {row['processes']} review processes")
            continue
        want = BINDING_STATUS_OF.get(row["process_status"])
        if row["status"] != want:
            found.append(f"binding {row['id']} is {row['status']} but its process "
                         f"{row['engine_process']} is {row['process_status']}")
        if row["status"] != "pending" and row["process_id"] != row["engine_process"]:
            found.append(f"binding {row['id']} records process {row['process_id']}, "
                         f"the engine's is {row['engine_process']}")
    for row in _rows(conn, """
        SELECT b.id, b.decision_action, t.action AS engine_action
        FROM identity.binding_requests b
        JOIN workflow.processes p
          ON p.kind = 'binding' AND p.subject_type = 'binding' AND p.subject_id = b.id::text
        JOIN LATERAL (SELECT action FROM workflow.tasks
                      WHERE process_id = p.id AND state = 'decided'
                      ORDER BY decided_at DESC, id DESC LIMIT 1) t ON true
        WHERE b.status IN ('approved', 'rejected')
          AND b.decision_action IS DISTINCT FROM t.action"""):
        found.append(f"binding {row['id']} applied action {row['decision_action']}, "
                     f"the engine decided {row['engine_action']}")
    for row in _rows(conn, """
        SELECT b.id, b.status, count(a.id) AS entries
        FROM identity.binding_requests b
        LEFT JOIN identity.audit_log a
          ON a.target_type = 'binding' AND a.target_id = b.id::text
         AND a.action IN ('binding.approved', 'binding.rejected')
        GROUP BY b.id, b.status
        HAVING count(a.id) <> CASE WHEN b.status IN ('approved', 'rejected') THEN 1 ELSE 0 END
        ORDER BY b.id LIMIT 20"""):
        found.append(f"binding {row['id']} ({row['status']}) has {row['entries']} "
                     "decision audit entries: applied more or less than once")
    # An approved binding's person is bound to that unit, unless a later one moved them.
    for row in _rows(conn, """
        SELECT b.id, b.person_id, b.unit_id, pe.bound_unit_id
        FROM identity.binding_requests b JOIN identity.persons pe ON pe.id = b.person_id
        WHERE b.status = 'approved' AND pe.bound_unit_id IS DISTINCT FROM b.unit_id
          AND NOT EXISTS (SELECT 1 FROM identity.binding_requests later
                          WHERE later.person_id = b.person_id AND later.status = 'approved'
                            AND later.decided_at > b.decided_at)"""):
        found.append(f"binding {row['id']} approved but person {row['person_id']} is bound "
                     f"to {row['bound_unit_id']}")
    return found


RECORD_STATUS_OF = {"open": "submitted", "approved": "approved", "returned": "returned",
                    "terminated": "terminated"}


def records_match_engine(conn):
    """Each achievement record sent to review: its status is what the last process of
    that record says, and achievements applied each decision once (one status change in
    the record's trail per decision event). Records back in 编辑中 (withdrawn, 撤回) are
    left out: a withdrawal does not end the engine's process yet (docs/events.md)."""
    if not _table_exists(conn, "achievements", "records"):
        return []
    found = []
    for row in _rows(conn, """
        SELECT r.id, r.status, p.id AS process_id, p.status AS process_status
        FROM achievements.records r
        JOIN LATERAL (SELECT id, status FROM workflow.processes
                      WHERE kind = 'record' AND subject_service = 'achievements'
                        AND subject_type = 'record' AND subject_id = r.id::text
                      ORDER BY id DESC LIMIT 1) p ON true
        WHERE r.status <> 'draft'
        ORDER BY r.id"""):
        want = RECORD_STATUS_OF.get(row["process_status"])
        if row["status"] != want:
            found.append(f"record {row['id']} is {row['status']} but its last process "
                         f"{row['process_id']} is {row['process_status']}")
    for row in _rows(conn, """
        SELECT event_id, count(*) AS n FROM achievements.record_actions
        WHERE event_id IS NOT NULL AND action IN ('approved', 'returned', 'terminated')
        GROUP BY event_id HAVING count(*) > 1"""):
        found.append(f"decision event {row['event_id']} changed a record {row['n']} times")
    return found


DECLARATION_STATUS_OF = {"open": "submitted", "approved": "approved",
                         "returned": "returned", "rejected": "rejected",
                         "terminated": "terminated"}


def declarations_match_engine(conn):
    """Each submitted declaration: its status and current step are what its process
    says; one ``declaration_approved`` event per approved declaration; a declaration
    whose review ended for good (审核通过, 不通过, 终止) holds no record any more."""
    if not _table_exists(conn, "workflow", "declarations"):
        return []
    found = []
    for row in _rows(conn, """
        SELECT d.id, d.status, d.current_step, d.process_id,
               p.id AS engine_process, p.status AS process_status,
               p.current_step AS engine_step
        FROM workflow.declarations d
        JOIN LATERAL (SELECT id, status, current_step FROM workflow.processes
                      WHERE kind = 'declaration' AND subject_type = 'declaration'
                        AND subject_id = d.id::text
                      ORDER BY id DESC LIMIT 1) p ON true
        ORDER BY d.id"""):
        want = DECLARATION_STATUS_OF.get(row["process_status"])
        if row["status"] != want:
            found.append(f"declaration {row['id']} is {row['status']} but its process "
                         f"{row['engine_process']} is {row['process_status']}")
        if row["process_id"] != row["engine_process"]:
            found.append(f"declaration {row['id']} records process {row['process_id']}, "
                         f"the engine's last is {row['engine_process']}")
        if row["process_status"] == "open" and row["current_step"] != row["engine_step"]:
            found.append(f"declaration {row['id']} is at step {row['current_step']}, its "
                         f"process at {row['engine_step']}")
    for row in _rows(conn, """
        SELECT d.id, count(o.sequence) AS events FROM workflow.declarations d
        LEFT JOIN workflow.outbox o ON o.type = 'declaration_approved'
         AND o.subject = 'declaration:' || d.id
        WHERE d.status = 'approved' GROUP BY d.id HAVING count(o.sequence) <> 1"""):
        found.append(f"approved declaration {row['id']} has {row['events']} "
                     "declaration_approved events")
    if _table_exists(conn, "achievements", "record_locks"):
        for row in _rows(conn, """
            SELECT d.id, d.status, count(l.record_id) AS locks
            FROM workflow.declarations d
            JOIN achievements.record_locks l ON l.declaration_id = d.id
            WHERE d.status IN ('approved', 'rejected', 'terminated')
            GROUP BY d.id, d.status"""):
            found.append(f"declaration {row['id']} ended ({row['status']}) but still "
                         f"locks {row['locks']} records")
    return found


def violations(engine, allowed_dead=(), subjects=True):
    with engine.connect() as conn:
        found = []
        found += decisions_have_one_outbox_row(conn)
        found += outbox_published(conn)
        found += consumers_applied_once(conn, allowed_dead)
        if subjects:
            found += bindings_match_engine(conn)
            found += records_match_engine(conn)
            found += declarations_match_engine(conn)
        return found


def external_subscriber_heard_everything(cluster):
    """Another government system's queue (bound to every service's events) received
    every published event at least once."""
    heard = cluster.drain_external()
    found = []
    with cluster.engine.connect() as conn:
        for schema in DOMAIN:
            missing = [r["event_id"] for r in _rows(
                conn, f"SELECT event_id::text AS event_id, type FROM {schema}.outbox "
                      "WHERE published_at IS NOT NULL") if r["event_id"] not in heard]
            if missing:
                found.append(f"{schema}: {len(missing)} published events never reached the "
                             f"external subscriber, e.g. {missing[:3]}")
    return found


def assert_invariants(cluster, allowed_dead=()):
    cluster.settle()
    found = violations(cluster.engine, allowed_dead)
    found += external_subscriber_heard_everything(cluster)
    assert not found, "invariants broken:\n  " + "\n  ".join(found)
