"""Restart RabbitMQ in the middle of 1,000 decisions.

FAULTS_DECISIONS persons (default 1000) register with a binding request to one of four
units; twelve admins' clients decide the tasks through the gateway (通过, 退回, 终止)
while the suite's RabbitMQ node is stopped and started again once a third of the
decisions are answered. A client that gets no answer tries again, as a user would; a
decision that was committed but whose answer was lost then answers 409 ``task.decided``
(even without a client retry: the broker redelivers the request of a worker that
committed and died before answering, and the second run finds the task decided).

Service processes that die meanwhile are started again, as the deployment's restart
policy does (``restart: unless-stopped`` in docker-compose.yml). A service used to die
when the broker went away while it sent an RPC answer; since services/common/rpc.py
logs the lost answer instead, the last test checks it stays up.

Afterwards: every decision the gateway acknowledged (200) is in the engine, every task
is decided exactly once with the action asked, and the invariants hold (one outbox row
per decision, all published, applied once by identity, bindings as decided).
"""
import time

import eventlet
import pytest

from .harness import HarnessError
from .invariants import assert_invariants
from .locks import HeldLock, wait_for_waiter
from .traffic import env_int

DECISIONS = env_int("FAULTS_DECISIONS", 1000)
UNITS = 4
ACTIONS = ["approve"] * 7 + ["return"] * 2 + ["terminate"]


@pytest.mark.timeout(1200)
def test_broker_restart_in_the_middle_of_the_decisions_loses_and_doubles_nothing(
        cluster, users):
    started = time.monotonic()
    units = [users.create_unit(f"安徽省第{n + 1}人民医院", admins=3) for n in range(UNITS)]
    per_unit = [DECISIONS // UNITS + (1 if n < DECISIONS % UNITS else 0)
                for n in range(UNITS)]
    pool = eventlet.GreenPool(UNITS)
    list(pool.imap(lambda pair: users.register_many(pair[0]["unit_id"], pair[1],
                                                    concurrency=4),
                   zip(units, per_unit, strict=True)))
    work = []  # (admin client, admin account id, task id, action)
    for unit, count in zip(units, per_unit, strict=True):
        tasks = users.wait_tasks(unit["admins"][0], count)
        for n, task in enumerate(tasks):
            admin = n % len(unit["admins"])
            work.append((unit["admins"][admin], unit["admin_ids"][admin], task["id"],
                         ACTIONS[(task["id"] * 7) % len(ACTIONS)]))
    cluster.settle()
    prepared = time.monotonic()

    answered = []
    restart = {}

    def decide(item):
        admin, _, task_id, action = item
        answer = users.decide(admin, task_id, action, retry_for=240)
        answered.append(time.monotonic())
        return item, answer

    def restart_broker():
        while len(answered) < DECISIONS // 3:
            eventlet.sleep(0.05)
        restart["answered_before"] = len(answered)
        restart["stopping"] = time.monotonic()
        cluster.broker.stop()
        restart["stopped"] = time.monotonic()
        cluster.broker.start()
        restart["started"] = time.monotonic()

    with cluster.supervised() as crashed:
        restarter = eventlet.spawn(restart_broker)
        clients = eventlet.GreenPool(12)
        results = list(clients.imap(decide, work))
        restarter.wait()
        cluster.wait_ready()
    decided = time.monotonic()

    # The restart was in the middle: decisions were answered before and after it.
    assert 0 < restart["answered_before"] < DECISIONS
    assert any(t > restart["started"] for t in answered)
    retried = [(item, a) for item, a in results if a.tries > 1]

    engine = {r["id"]: (r["action"], r["decided_by_account_id"]) for r in cluster.rows(
        "SELECT id, action, decided_by_account_id FROM workflow.tasks")}
    assert len(engine) == DECISIONS
    asked = {task_id: (action, admin_id) for _, admin_id, task_id, action in work}
    # Every task decided once, as its one client asked: nothing lost, nothing doubled.
    assert engine == asked
    acknowledged, own_conflicts = {}, []
    for item, answer in results:
        _, admin_id, task_id, action = item
        if answer.status == 200:
            acknowledged[task_id] = (action, admin_id)
        else:
            # Nobody else decides this task: a 409 is the request's own decision met
            # again, after the client retried or after the broker redelivered the RPC
            # whose worker had committed but could not answer (its service died).
            assert answer.status == 409 and answer.code == "task.decided", (item, answer)
            own_conflicts.append((task_id, answer.tries))
    assert all(engine[task_id] == decision for task_id, decision in acknowledged.items())

    assert_invariants(cluster)
    settled = time.monotonic()
    counts = {r["status"]: r["n"] for r in cluster.rows(
        "SELECT status, count(*) AS n FROM identity.binding_requests GROUP BY status")}
    assert counts == {
        "approved": sum(1 for a, _ in asked.values() if a == "approve"),
        "rejected": sum(1 for a, _ in asked.values() if a != "approve")}
    print(f"\n{DECISIONS} decisions: set-up {prepared - started:.0f}s, decisions "
          f"{decided - prepared:.0f}s (broker down {restart['started'] - restart['stopping']:.0f}s"
          f" after {restart['answered_before']} answers; {len(retried)} retried by the "
          f"client; answered 409 for their own committed decision (task, tries): "
          f"{own_conflicts}), "
          f"settled {settled - decided:.0f}s; service processes that died and were "
          f"started again: {crashed}")


def test_a_service_answering_while_the_broker_restarts_stays_up(cluster, users):
    unit = users.create_unit("合肥市第七人民医院")
    admin = unit["admins"][0]
    users.register_many(unit["unit_id"], 1)
    [task] = users.wait_tasks(admin, 1)
    cluster.settle()

    lock = HeldLock(cluster.engine)
    try:
        # The decision's worker waits on the task's row lock: a request in flight.
        lock.rows("SELECT id FROM workflow.tasks WHERE id = :t FOR UPDATE", t=task["id"])
        pending = eventlet.spawn(users.decide, admin, task["id"], "approve")
        wait_for_waiter(cluster.engine, "%workflow.tasks%FOR UPDATE%", blocked_by=lock.pid)
        cluster.broker.stop()
    finally:
        lock.release()
    # The worker commits the decision while the broker is down, then tries to answer.
    cluster.wait_for(lambda: cluster.scalar("SELECT state FROM workflow.tasks WHERE id = :t",
                                            t=task["id"]) == "decided",
                     what="the decision committed")
    workflow = cluster.process("workflow")
    try:
        # Longer than the answer's publish retries; the broker stays down meanwhile.
        cluster.wait_for(lambda: not workflow.alive
                         or "killing <ServiceContainer [workflow]" in workflow.log(),
                         what="workflow's container killing itself", timeout=30)
        dying = True
    except HarnessError:
        dying = False
    cluster.broker.start()
    pending.wait()

    # The service is still there and serves again once the broker is back.
    assert not dying, workflow.log()[-3000:]
    cluster.wait_ready(timeout=60)
    again = users.decide(admin, task["id"], "approve", retry_for=30)
    assert again.status == 409 and again.code == "task.decided", again
    assert_invariants(cluster)
