"""继续教育 提取 (public-course hours loaded by operators, extracted by the person as
approved 自动生成 records, once) and the unit's 撤销审核 of an approved record, through
the gateway with the real workflow service."""
import datetime as dt

from .support import ID_NUMBERS, continuing_education, work_history

THIS_YEAR = dt.date.today().year


def hours(person_id, year, hours_, **over):
    return {"id_number": ID_NUMBERS[person_id], "name": "孙迪" if person_id == 77 else "秦程",
            "year": year, "hours": hours_, "project": f"{year}年度专业技术人员公需课",
            "organizer": "安徽省人力资源和社会保障厅", "start_date": f"{year}-03-01",
            "end_date": f"{year}-10-31", **over}


def load(ach, items, token="op"):
    return ach.call(token, "POST", "/api/v1/continuing-education/hours", json={"items": items})


def test_operators_load_hours_and_a_person_extracts_approved_auto_records_once(ach):
    # every row is checked; one bad row loads nothing
    refused = load(ach, [hours(77, 2021, "30"), hours(77, 2020, "24"),
                         {**hours(78, 2022, "-1"), "id_number": "350102199007250041"},
                         hours(77, 2021, "30")])
    assert refused.status_code == 422
    error = refused.json()["error"]
    assert error["code"] == "hours.invalid"
    problems = {(p["row"], p["column"]): p["message"] for p in error["details"]["rows"]}
    assert problems[(2, "year")] == "仅支持2021年（含）以后的公需课学时"
    assert problems[(3, "id_number")] == "身份证号码校验位错误"
    assert problems[(3, "hours")] == "获得学时/学分不能小于0"
    assert problems[(4, "id_number")] == "与第1行重复（身份证号码、年度相同）"
    assert ach.scalar("SELECT count(*) FROM achievements.public_course_hours") == 0
    assert load(ach, [hours(77, 2021, "30")], token="p1").status_code == 403

    loaded = ach.ok(load(ach, [hours(77, 2021, "30"), hours(77, 2022, "42.5"),
                               hours(78, 2022, "36")]))
    assert loaded == {"received": 3, "inserted": 3, "updated": 0, "unchanged": 0}
    listed = ach.ok(ach.call("op", "GET", "/api/v1/continuing-education/hours",
                             params={"year": 2022}))
    assert listed["total"] == 2
    assert all("*" in i["id_number"] for i in listed["items"])  # masked
    assert ach.scalar("SELECT count(*) FROM achievements.public_course_hours "
                      "WHERE id_number_masked = :n", n=ID_NUMBERS[77]) == 0

    # a record the person entered: 来源 用户申报
    own = ach.new("p1", "continuing_education", continuing_education(ce_year=2020),
                  evidence=[801])
    assert own["source_label"] == "用户申报"

    extracted = ach.ok(ach.call("p1", "POST", "/api/v1/records/extract"))
    assert extracted["created"] == 2 and extracted["message"] == "已提取2条公需课学时"
    by_year = {i["fields"]["ce_year"]: i for i in extracted["items"]}
    assert sorted(by_year) == [2021, 2022]
    record = by_year[2022]
    assert record["status"] == "approved" and record["status_label"] == "审核通过"
    assert record["source"] == "auto" and record["source_label"] == "自动生成"
    assert record["fields"]["ce_type"] == "公需课" and record["fields"]["hours"] == "42.5"
    assert record["unit_name"] == "宏景软件公司"
    assert record["trail"][0]["action_label"] == "提取（自动生成）"
    assert "withdraw" not in record["actions"] and record["revocable"] is False
    assert ach.outbox("review_requested") == []  # no unit review

    page = ach.records("p1", type="continuing_education")
    assert page["counts"]["approved"] == 2 and page["counts"]["draft"] == 1
    assert sorted(i["source_label"] for i in page["items"]) == ["用户申报", "自动生成", "自动生成"]

    again = ach.ok(ach.call("p1", "POST", "/api/v1/records/extract"))
    assert again["created"] == 0 and again["items"] == []
    assert again["message"] == "没有可提取的公需课学时（2021年及以后）"
    assert ach.records("p1", type="continuing_education")["total"] == 3

    # the approved auto record can be imported into a declaration; not withdrawn
    refused = ach.withdraw("p1", record["id"])
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == "自动生成的记录无法撤回"
    with ach.rpc("p1") as achievements:
        assert achievements.lock_records([record["id"]], 8001)[0]["source"] == "auto"

    # loading the same export again changes nothing extracted; a new year is new
    reloaded = ach.ok(load(ach, [hours(77, 2022, "50"), hours(77, THIS_YEAR, "12")]))
    assert reloaded == {"received": 2, "inserted": 1 if THIS_YEAR != 2022 else 0,
                        "updated": 0, "unchanged": 1 if THIS_YEAR != 2022 else 2}
    later = ach.ok(ach.call("p1", "POST", "/api/v1/records/extract"))
    assert later["created"] == (1 if THIS_YEAR != 2022 else 0)
    assert ach.record("p1", record["id"])["fields"]["hours"] == "42.5"

    # someone else's hours are theirs alone
    theirs = ach.ok(ach.call("p2", "POST", "/api/v1/records/extract"))
    assert theirs["created"] == 1 and theirs["items"][0]["fields"]["hours"] == "36.0"
    assert ach.call("a1", "POST", "/api/v1/records/extract").status_code == 403


def test_a_unit_revokes_its_approval_and_returns_the_record(ach):
    record = ach.new("p1", "work_history", work_history(), submit=True)
    approved = ach.decide(record["id"], "approve", "同意")
    assert approved["revocable"] is True

    # only its own unit, only approved, not while a declaration holds it
    assert ach.call("b1", "POST", f"/api/v1/unit/records/{record['id']}/revoke",
                    json={}).status_code == 404
    assert ach.call("p1", "POST", f"/api/v1/unit/records/{record['id']}/revoke",
                    json={}).status_code == 403
    with ach.rpc("p1") as achievements:
        achievements.lock_records([record["id"]], 8101)
    locked = ach.call("a1", "POST", f"/api/v1/unit/records/{record['id']}/revoke", json={})
    assert locked.status_code == 409
    assert locked.json()["error"]["message"] == "该业绩已被职称申报引用，无法撤销审核"
    with ach.rpc("p1") as achievements:
        achievements.unlock_records([record["id"]], 8101)

    revoked = ach.ok(ach.call("a1", "POST", f"/api/v1/unit/records/{record['id']}/revoke",
                              json={"reason": "工作单位名称有误"}))
    assert revoked["status"] == "submitted" and revoked["status_label"] == "审核中"
    last = revoked["trail"][-1]
    assert (last["action"], last["action_label"], last["actor_name"]) == \
        ("revoked", "撤销审核", "王敏")
    assert last["note"] == "单位撤销审核，重新审核：工作单位名称有误"
    requests_ = ach.outbox("review_requested")
    assert len(requests_) == 2
    assert requests_[-1].data["summary"]["note"] == "单位撤销审核，重新审核：工作单位名称有误"
    assert requests_[-1].data["chain"] == [{"unit_id": 10, "unit_name": "宏景软件公司"}]
    again = ach.call("a1", "POST", f"/api/v1/unit/records/{record['id']}/revoke", json={})
    assert again.status_code == 409 and again.json()["error"]["code"] == "record.not_revocable"

    # the new review is in the revoker's 待处理 (FAQ 003, 单位常见问题 1), not in 待领取;
    # the revoker returns it with its opinion
    task = ach.task_for(record["id"], "a1", box="todo")
    assert task["claimed_by"]["name"] == "王敏"
    assert not [t for t in ach.ok(ach.call("a1", "GET", "/api/v1/tasks", params={
        "box": "unclaimed", "kind": "record"}))["items"] if t["id"] == task["id"]]
    returned = ach.decide(record["id"], "return", "请更正工作单位名称", task=task)
    assert returned["status"] == "returned" and returned["opinion"] == "请更正工作单位名称"
    assert [t["action"] for t in returned["trail"]] == [
        "created", "submitted", "approved", "revoked", "returned"]
    history = ach.record("p1", record["id"])["history"]
    assert [h["action"] for h in history if h["action"] in ("approve", "return")] == \
        ["approve", "return"]
    assert "edit" in returned["actions"]

    # a draft cannot be revoked
    draft = ach.new("p1", "work_history", work_history(unit_name="草稿单位"))
    assert ach.call("a1", "POST", f"/api/v1/unit/records/{draft['id']}/revoke",
                    json={}).status_code == 404
