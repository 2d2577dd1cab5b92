"""Two instances of each domain service: requests spread over both, nothing is handled
twice, and killing one loses no request that was acknowledged.

Every domain service runs as two processes on the same queues (one gateway).

1. The traffic is spread: the broker's per-channel statistics show both identity
   instances taking registrations, both workflow instances taking decisions and review
   requests, both identity instances applying decisions.
2. A request in flight on the instance that dies: a decision (held on its task's row
   lock) and a binding request (held on the person's row lock) wait in whichever
   instance took them; that instance is killed with ``kill -9``; the survivor gets the
   request again and the user gets the normal answer, first time, applied once.
3. Persons keep registering and admins keep deciding while one instance of each domain
   service is killed; clients retry what got no answer, as users do. Every request the
   gateway acknowledged has its effect, exactly once.
"""
import random

import eventlet
import pytest

from .invariants import assert_invariants
from .locks import HeldLock, wait_for_waiter
from .traffic import env_int

FIRST = env_int("FAULTS_SPREAD_PERSONS", 40)
SECOND = env_int("FAULTS_SPREAD_MORE_PERSONS", 80)
ACTIONS = ["approve", "approve", "return"]


@pytest.mark.cluster(instances=2)
@pytest.mark.timeout(900)
def test_two_instances_share_the_work_and_a_killed_one_loses_nothing(cluster, users):
    unit = users.create_unit("安徽医科大学第一附属医院", admins=2)
    admins = list(zip(unit["admins"], unit["admin_ids"], strict=True))

    # ---------------------------------------------------------------- spread
    users.register_many(unit["unit_id"], FIRST, concurrency=8)
    first_tasks = users.wait_tasks(admins[0][0], FIRST)
    decisions = {}  # task id -> (action, admin account id, answer)

    def decide(task):
        admin, admin_id = random.choice(admins)
        action = random.choice(ACTIONS)
        answer = users.decide(admin, task["id"], action, retry_for=90)
        decisions[task["id"]] = (action, admin_id, answer)
        return answer

    list(eventlet.GreenPool(8).imap(decide, first_tasks[: FIRST // 2]))
    cluster.settle()
    spread = {
        queue: cluster.wait_for(lambda queue=queue: _both(cluster.deliveries(queue), queue),
                                what=f"deliveries of {queue} on both instances")
        for queue in ("rpc-identity", "rpc-workflow",
                      "evt-identity-review_requested--workflow.review_requested_identity",
                      "evt-workflow-review_decided--identity.review_decided")}
    print(f"\ndeliveries per instance: {spread}")

    # ------------------------------------------- a request in flight on the killed one
    # A decision held on its task's row lock in whichever workflow instance took it:
    # that instance is killed, the survivor gets the request and answers it.
    held_task = first_tasks[FIRST // 2]
    lock = HeldLock(cluster.engine)
    try:
        lock.rows("SELECT id FROM workflow.tasks WHERE id = :t FOR UPDATE", t=held_task["id"])
        pending = eventlet.spawn(decide, held_task)
        [waiter] = wait_for_waiter(cluster.engine, "%workflow.tasks%FOR UPDATE%",
                                   blocked_by=lock.pid)
        busy = cluster.owner_of_backend(waiter["pid"])
        assert busy.service == "workflow"
        busy.kill9()
    finally:
        lock.release()
    answer = pending.wait()
    assert answer.status == 200 and answer.tries == 1, answer
    assert cluster.scalar("SELECT decided_by_account_id FROM workflow.tasks WHERE id = :t",
                          t=held_task["id"]) == decisions[held_task["id"]][1]
    # The same for a binding request held on the person's row lock in identity.
    registered, form = users.register(None)
    assert registered.status == 201, registered
    person = users.login(form["id_number"])
    lock = HeldLock(cluster.engine)
    try:
        lock.rows("SELECT id FROM identity.persons WHERE id = :p FOR UPDATE",
                  p=registered.json()["person_id"])
        pending = eventlet.spawn(person.post, "/api/v1/me/bindings",
                                 json={"unit_id": unit["unit_id"]})
        [waiter] = wait_for_waiter(cluster.engine, "%identity.persons%FOR UPDATE%",
                                   blocked_by=lock.pid)
        busy_identity = cluster.owner_of_backend(waiter["pid"])
        assert busy_identity.service == "identity"
        busy_identity.kill9()
    finally:
        lock.release()
    answer = pending.wait()
    assert answer.status == 201 and answer.tries == 1, answer
    assert cluster.scalar("SELECT count(*) FROM identity.binding_requests "
                          "WHERE person_id = :p", p=registered.json()["person_id"]) == 1
    cluster.restart(busy.service, busy.index, wait=False)
    cluster.restart(busy_identity.service, busy_identity.index)
    registrations = [(registered, form)]
    extra_tasks = 1

    # ---------------------------------------------------------------- kill one of each
    def register(_):
        answer, form = users.register(unit["unit_id"], retry_for=90)
        registrations.append((answer, form))
        return answer

    def killer():
        while len(registrations) < 1 + SECOND // 3:
            eventlet.sleep(0.05)
        for service, index in (("identity", 0), ("workflow", 1), ("achievements", 0),
                               ("documents", 1)):
            cluster.kill9(service, index)

    killing = eventlet.spawn(killer)
    pool = eventlet.GreenPool(10)
    for task in first_tasks[FIRST // 2 + 1:]:
        pool.spawn(decide, task)
    for n in range(SECOND):
        pool.spawn(register, n)
    pool.waitall()
    killing.wait()
    assert [p.name for group in cluster.processes.values() for p in group
            if not p.alive] == ["identity#0", "achievements#0", "workflow#1", "documents#1"]

    # The survivors carry the rest: the new tasks are decided too.
    acknowledged = [form for answer, form in registrations if answer.status == 201]
    refused = [(answer, form) for answer, form in registrations if answer.status != 201]
    # A registration may only be refused as a duplicate of itself (422
    # person.id_number_taken, the answer to any second registration of an ID number):
    # its first delivery committed on the killed instance, which died before answering.
    for answer, form in refused:
        assert (answer.status, answer.code) == (422, "person.id_number_taken"), answer
        assert cluster.scalar("SELECT count(*) FROM identity.persons WHERE id_number = :n",
                              n=form["id_number"]) == 1, (answer, form)
    second_tasks = users.wait_tasks(admins[0][0], SECOND + extra_tasks, box="unclaimed")
    list(eventlet.GreenPool(8).imap(decide, second_tasks))

    assert_invariants(cluster)

    # Every registration: one person, one account, one binding request, one review.
    for form in [f for _, f in registrations]:
        row = cluster.rows(
            "SELECT (SELECT count(*) FROM identity.persons WHERE id_number = :n) AS persons,"
            " (SELECT count(*) FROM identity.binding_requests b JOIN identity.persons p "
            "  ON p.id = b.person_id WHERE p.id_number = :n) AS bindings", n=form["id_number"])
        assert row == [{"persons": 1, "bindings": 1}], form
    total = FIRST + SECOND + extra_tasks
    assert cluster.scalar("SELECT count(*) FROM workflow.processes") == total
    # Every decision: acknowledged ones as asked; one decision per task, none lost.
    engine = {r["id"]: (r["action"], r["decided_by_account_id"]) for r in cluster.rows(
        "SELECT id, action, decided_by_account_id FROM workflow.tasks")}
    assert len(engine) == total
    for task_id, (action, admin_id, answer) in decisions.items():
        if answer.status == 200:
            assert engine[task_id] == (action, admin_id), (task_id, answer)
        else:
            # Its answer was lost with the killed instance; the retry found it decided.
            assert answer.status == 409 and answer.code == "task.decided", answer
            assert engine[task_id] == (action, admin_id), (task_id, answer)
    print(f"registrations: {len(acknowledged)} acknowledged, {len(refused)} refused as "
          f"their own duplicate; decisions answered 409 after a lost answer: "
          f"{sum(1 for *_, a in decisions.values() if a.status != 200)}")


def _both(counts, queue):
    """The deliveries of ``queue`` to the two instances of the service consuming it,
    when both got some."""
    # rpc-<service>, or evt-<source>-<type>--<service>.<handler>
    service = (queue[4:] if queue.startswith("rpc-")
               else queue.split("--", 1)[1].split(".", 1)[0])
    mine = {name: n for name, n in counts.items() if name.startswith(service + "#")}
    return mine if len(mine) == 2 and all(mine.values()) else None
