"""Records, declarations and files through kills: nothing lost, nothing applied twice.

The whole chain of the platform: an HR department, a committee organiser, a competent
department and a school; teachers bound to the school; achievement records (业绩)
reviewed by the school; a published plan; declarations with a certificate file,
imported records, the school's recommendation, climbing school → department → HR →
organiser. On the way:

- achievements is killed (-9) in the middle of applying a record's approval (held on
  the record's row lock): redelivered after the restart, applied once;
- documents is killed while it checks an uploaded certificate (held on the owner's
  advisory lock): the user's confirmation is answered after the restart (or retried),
  the file is completed once and stays in object storage;
- the organiser's final approval is committed while workflow's relay is held back,
  workflow is killed before publishing it, and achievements is down too when the
  restarted workflow asks it to release the declaration's records: once achievements
  is back the records are released, the approval is published and applied once.

Then the invariants, with records and declarations against the engine's decisions.
"""
import datetime as dt
import io

import eventlet
import pytest
import requests

from .invariants import assert_invariants
from .locks import (
    HeldLock,
    relay_lock_key,
    wait_backend_gone,
    wait_for_waiter,
)
from .traffic import expect

SCHOOL_RECORDS = 2


def pdf_bytes():
    from reportlab.pdfgen import canvas
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(100, 700, "certificate")
    page.showPage()
    page.save()
    return out.getvalue()


def record_body(n, person_name):
    start = dt.date(2010 + 3 * n, 8, 1)
    return {"type": "work_history", "submit": True, "fields": {
        "unit_name": f"合肥市第{n + 1}中学（{person_name}）", "start_date": start.isoformat(),
        "end_date": (start.replace(year=start.year + 3) - dt.timedelta(days=1)).isoformat(),
        "specialty": "中学语文", "position": "语文教师"}}


@pytest.mark.timeout(900)
def test_records_declarations_and_files_survive_kills(cluster, users):
    hr = users.create_unit("合肥市人力资源和社会保障局", kind="hr")
    organiser = users.create_unit("合肥市中小学教师高级职称评审委员会办公室", kind="organiser")
    edu = users.create_unit("合肥市教育局", kind="competent", parent=hr)
    school = users.create_unit("合肥市第一中学", kind="employer", parent=edu)
    [(hr_admin,), (org_admin,), (edu_admin,), (school_admin,)] = [
        tuple(u["admins"]) for u in (hr, organiser, edu, school)]

    # Teachers bound to the school.
    teachers = users.register_many(school["unit_id"], 3, concurrency=3)
    for task in users.wait_tasks(school_admin, 3, kind="binding"):
        assert users.decide(school_admin, task["id"], "approve").status == 200
    cluster.settle()
    clients = [users.login(t["form"]["id_number"]) for t in teachers]

    # Records submitted to the school.
    record_ids = {}
    for n, (teacher, client) in enumerate(zip(teachers, clients, strict=True)):
        record_ids[n] = [expect(client.post("/api/v1/records", json=record_body(
            k, teacher["form"]["real_name"])), 201)["id"] for k in range(SCHOOL_RECORDS)]
    record_tasks = users.wait_tasks(school_admin, 3 * SCHOOL_RECORDS, kind="record")
    cluster.settle()
    task_of_record = {int(r["subject_id"]): r["id"] for r in cluster.rows(
        "SELECT p.subject_id, t.id FROM workflow.tasks t JOIN workflow.processes p "
        "ON p.id = t.process_id WHERE p.kind = 'record'")}
    assert sorted(task_of_record) == sorted(i for ids in record_ids.values() for i in ids)
    assert len(record_tasks) == len(task_of_record)

    # -- achievements killed while applying a record's approval ----------------------
    held_record = record_ids[0][0]
    lock = HeldLock(cluster.engine)
    try:
        lock.rows("SELECT id FROM achievements.records WHERE id = :r FOR UPDATE",
                  r=held_record)
        assert users.decide(school_admin, task_of_record[held_record], "approve").status \
            == 200
        [waiter] = wait_for_waiter(cluster.engine, "%achievements.records%FOR UPDATE%",
                                   blocked_by=lock.pid)
        cluster.kill9("achievements")
    finally:
        lock.release()
    wait_backend_gone(cluster.engine, waiter["pid"])
    assert cluster.scalar("SELECT status FROM achievements.records WHERE id = :r",
                          r=held_record) == "submitted"
    cluster.restart("achievements")
    for record_id, task_id in task_of_record.items():
        if record_id == held_record:
            continue
        action = "return" if record_id == record_ids[2][1] else "approve"
        assert users.decide(school_admin, task_id, action).status == 200
    assert_invariants(cluster)
    assert cluster.scalar("SELECT status FROM achievements.records WHERE id = :r",
                          r=held_record) == "approved"

    # -- the plan ---------------------------------------------------------------------
    today = dt.date.today()
    plan = expect(hr_admin.post("/api/v1/plans", json={
        "year": today.year, "name": f"{today.year}年度合肥市中小学教师系列高级职称评审",
        "committee": "合肥市中小学教师系列高级职称评审委员会", "level": "deputy_senior",
        "forms": ["regular"], "starts_on": (today - dt.timedelta(days=5)).isoformat(),
        "ends_on": (today + dt.timedelta(days=30)).isoformat(),
        "scope": [{"series": "中小学教师", "specialties": ["中学语文"], "titles": ["高级教师"]}],
        "sections": [{"code": "work", "label": "工作经历", "types": ["work_history"],
                      "min": 1, "max": 2, "required": True}],
        "organiser_unit_id": organiser["unit_id"]}), 201)
    expect(hr_admin.post(f"/api/v1/plans/{plan['id']}/publish"), 200)

    # -- declarations, with a certificate; documents killed while checking one --------
    declarations = []
    certificate = pdf_bytes()
    for n, client in enumerate(clients):
        declared = expect(client.post("/api/v1/declarations", json={
            "plan_id": plan["id"], "form": "regular", "series": "中小学教师",
            "specialty": "中学语文", "title": "高级教师", "pledge_accepted": True}), 201)
        ticket = users.upload_ticket(client, "qualification", "一级教师资格证书.pdf",
                                     certificate)
        if n == 0:
            owner = cluster.scalar("SELECT owner_account_id FROM documents.files "
                                   "WHERE id = :f", f=ticket["file_id"])
            lock = HeldLock(cluster.engine).advisory(f"documents:owner:{owner}")
            try:
                confirming = eventlet.spawn(client.post,
                                            f"/api/v1/files/{ticket['file_id']}/complete",
                                            retry_for=90)
                [waiter] = wait_for_waiter(cluster.engine, "%pg_advisory_xact_lock%",
                                           blocked_by=lock.pid)
                assert cluster.owner_of_backend(waiter["pid"]).service == "documents"
                cluster.kill9("documents")
            finally:
                lock.release()
            cluster.restart("documents")
            completed = confirming.wait()
            assert completed.status == 200, completed
            held_file = ticket["file_id"]
        else:
            expect(client.post(f"/api/v1/files/{ticket['file_id']}/complete",
                               retry_for=30), 200)
        did = declared["id"]
        expect(client.call("PATCH", f"/api/v1/declarations/{did}/personal", json={
            "former_name": "无", "birthplace": "合肥市", "work_years": 14,
            "specialty_years": 14}), 200)
        expect(client.call("PUT", f"/api/v1/declarations/{did}/titles", json={"titles": [{
            "cert_no": f"皖中教一2016-{n:04d}", "work_unit": "合肥市第一中学",
            "series": "中小学教师", "specialty": "中学语文", "qualification": "一级教师",
            "obtain_method": "评审", "evidence_file_ids": [ticket["file_id"]]}]}), 200)
        expect(client.post(f"/api/v1/declarations/{did}/sections/work/items",
                           json={"record_ids": [record_ids[n][0]]}), 201)
        expect(client.post(f"/api/v1/declarations/{did}/submit"), 200)
        declarations.append(did)

    # The certificate checked while documents died: completed once, in storage.
    stored = cluster.rows("SELECT status, object_key, size FROM documents.files "
                          "WHERE id = :f", f=held_file)
    assert [r["status"] for r in stored] == ["completed"]
    link = expect(clients[0].get(f"/api/v1/files/{held_file}/download"), 200)
    assert requests.get(link["url"], timeout=30).content == certificate

    # -- up the chain ------------------------------------------------------------------
    def task_for(admin, did):
        page = expect(admin.get("/api/v1/unit/declarations", params={"tab": "pending"}), 200)
        return next(i["task_id"] for i in page["items"] if i["id"] == did)

    for did in declarations:
        expect(school_admin.call("PUT", f"/api/v1/declarations/{did}/recommendation", json={
            "opinion": "同意推荐。", "occupies_post": "not_occupy",
            "post_note": "不占用职数"}), 200)
        assert users.decide(school_admin, task_for(school_admin, did), "approve").status == 200
    first, second, third = declarations
    assert users.decide(edu_admin, task_for(edu_admin, first), "approve").status == 200
    assert users.decide(edu_admin, task_for(edu_admin, second), "return",
                        "请补充近五年的工作经历").status == 200
    assert users.decide(edu_admin, task_for(edu_admin, third), "reject",
                        "不满足申报条件").status == 200
    assert users.decide(hr_admin, task_for(hr_admin, first), "approve").status == 200
    cluster.settle()
    assert cluster.scalar("SELECT count(*) FROM achievements.record_locks "
                          "WHERE declaration_id = :d", d=first) == 1

    # -- the final approval: committed, workflow killed before publishing it, and
    #    achievements down when the restarted workflow releases the records ----------
    final_task = task_for(org_admin, first)
    relay = HeldLock(cluster.engine).advisory(relay_lock_key("workflow"))
    try:
        assert users.decide(org_admin, final_task, "approve").status == 200
        pending = cluster.rows("SELECT type FROM workflow.outbox WHERE published_at IS NULL "
                               "ORDER BY sequence")
        assert sorted(r["type"] for r in pending) == [
            "declaration_approved", "declaration_step_decided", "review_decided"]
        cluster.kill9("workflow")
        cluster.kill9("achievements")
    finally:
        relay.release()
    cluster.restart("workflow", wait=False)
    cluster.wait_for(lambda: cluster.scalar(
        "SELECT count(*) FROM workflow.outbox WHERE published_at IS NULL") == 0,
        what="the approval published by the restarted workflow")
    # Records still held while achievements is down.
    assert cluster.scalar("SELECT count(*) FROM achievements.record_locks "
                          "WHERE declaration_id = :d", d=first) == 1
    cluster.restart("achievements")
    assert_invariants(cluster)

    statuses = {r["id"]: r["status"] for r in cluster.rows(
        "SELECT id, status FROM workflow.declarations")}
    assert statuses == {first: "approved", second: "returned", third: "rejected"}
    assert cluster.scalar("SELECT count(*) FROM workflow.outbox "
                          "WHERE type = 'declaration_approved'") == 1
    locks = {r["declaration_id"]: r["n"] for r in cluster.rows(
        "SELECT declaration_id, count(*) AS n FROM achievements.record_locks "
        "GROUP BY declaration_id")}
    assert locks == {second: 1}
