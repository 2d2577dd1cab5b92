"""Two reviewers deciding the same task at once, many times over: exactly one wins each
time, and only the winner's decision is published and applied.

Two admins of one unit each open the same task and press their button together (one
通过, the other 退回), for FAULTS_RACE_ROUNDS tasks (default 100), several races at a
time. Each race must answer one 200 and one 409; the task, the binding and the single
``review_decided`` event must carry the winner's decision.
"""
import random

import eventlet

from .invariants import assert_invariants
from .traffic import env_int

ROUNDS = env_int("FAULTS_RACE_ROUNDS", 100)


def test_two_admins_deciding_the_same_task_at_once_one_wins_each_time(cluster, users):
    unit = users.create_unit("合肥市妇幼保健院", admins=2)
    first, second = unit["admins"]
    first_id, second_id = unit["admin_ids"]
    users.register_many(unit["unit_id"], ROUNDS)
    tasks = users.wait_tasks(first, ROUNDS)

    def race(task):
        go = eventlet.event.Event()

        def press(admin, action):
            go.wait()
            return users.decide(admin, task["id"], action)

        # Which request leaves first is left to chance, not to the spawn order.
        if random.random() < 0.5:
            approving = eventlet.spawn(press, first, "approve")
            returning = eventlet.spawn(press, second, "return")
        else:
            returning = eventlet.spawn(press, second, "return")
            approving = eventlet.spawn(press, first, "approve")
        eventlet.sleep(0)
        go.send()
        return task, approving.wait(), returning.wait()

    pool = eventlet.GreenPool(5)
    results = list(pool.imap(race, tasks))

    winners = {}
    for task, approving, returning in results:
        statuses = sorted([approving.status, returning.status])
        assert statuses == [200, 409], (task["id"], approving, returning)
        loser = returning if approving.status == 200 else approving
        assert loser.code in ("task.decided", "task.claimed_by_other"), loser
        winners[task["id"]] = ("approve", first_id) if approving.status == 200 \
            else ("return", second_id)

    assert_invariants(cluster)
    decided = {r["id"]: (r["action"], r["decided_by_account_id"]) for r in cluster.rows(
        "SELECT id, action, decided_by_account_id FROM workflow.tasks")}
    assert decided == winners
    # One history entry per decision, one published event per task.
    assert cluster.scalar("SELECT count(*) FROM workflow.history_entries "
                          "WHERE action IN ('approve', 'return')") == ROUNDS
    assert cluster.scalar("SELECT count(*) FROM workflow.outbox "
                          "WHERE type = 'review_decided'") == ROUNDS
    # Identity applied the winner's decision.
    applied = {r["task_id"]: r["decision_action"] for r in cluster.rows(
        "SELECT t.id AS task_id, b.decision_action FROM identity.binding_requests b "
        "JOIN workflow.processes p ON p.kind = 'binding' AND p.subject_id = b.id::text "
        "JOIN workflow.tasks t ON t.process_id = p.id")}
    assert applied == {task_id: action for task_id, (action, _) in winners.items()}
    # Both admins won some races (the races were real), unless the rounds are few.
    if ROUNDS >= 20:
        assert {action for action, _ in winners.values()} == {"approve", "return"}
