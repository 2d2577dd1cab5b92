"""Person ↔ unit bindings: the request, its review request event, the unit's decision
arriving as ``review_decided``, change of unit, and ``may_submit``."""
from .conftest import FakeWorkflow, wait_for


def binding_rows(idp):
    return idp.rows("SELECT subject, data FROM identity.outbox "
                    "WHERE type = 'review_requested' AND data->>'kind' = 'binding' "
                    "ORDER BY sequence")


def profile(idp, person):
    return idp.get("/api/v1/me/profile", person["token"]).json()


def test_binding_request_emits_review_requested_and_approval_binds_once(idp, hefei):
    unit = hefei["unit"]
    person = idp.register_person(real_name="孙迪")
    with idp.rpc() as identity:
        refused = identity.may_submit(person["person_id"])
        unbound = identity.declarant(person["person_id"])
    assert refused["allowed"] is False and "尚未绑定工作单位" in refused["reason"]
    assert unbound["binding"] == refused and unbound["unit_path"] == []
    assert unbound["brief"]["name"] == "孙迪" and unbound["brief"]["unit_id"] is None

    answer = idp.post("/api/v1/me/bindings", person["token"],
                      json={"unit_id": unit["unit_id"], "note": "本人为该单位在职职工"})
    assert answer.status_code == 201, answer.text
    binding = answer.json()
    assert binding["status"] == "pending" and binding["status_label"] == "审核中"
    assert binding["unit_name"] == "合肥宏景软件有限公司"

    [row] = binding_rows(idp)
    assert row["subject"] == f"binding:{binding['binding_id']}"
    data = row["data"]
    assert data["kind"] == "binding" and data["subject_service"] == "identity"
    assert data["subject_type"] == "binding" and data["subject_id"] == binding["binding_id"]
    assert data["chain"] == [{"unit_id": unit["unit_id"], "unit_name": "合肥宏景软件有限公司",
                              "unit_kind": "employer"}]
    assert data["applicant_person_id"] == person["person_id"]
    assert data["applicant_name"] == "孙迪" and data["applicant_unit_id"] is None
    assert data["summary"]["note"] == "本人为该单位在职职工"
    number = person["form"]["id_number"]
    assert data["summary"]["id_number"] == number[:6] + "********" + number[-4:]
    assert person["form"]["mobile"] not in str(data)
    wait_for(lambda: [e for e in FakeWorkflow.received if e["data"]["kind"] == "binding"])

    mine = profile(idp, person)
    assert mine["binding_status"] == "pending" and mine["binding_status_label"] == "待审核"
    assert mine["unit"] is None
    with idp.rpc() as identity:
        waiting = identity.may_submit(person["person_id"])
    assert waiting["allowed"] is False and "待审核" in waiting["reason"]

    second = idp.post("/api/v1/me/bindings", person["token"], json={"unit_id": unit["unit_id"]})
    assert second.status_code == 409
    assert second.json()["error"]["code"] == "binding.pending_exists"

    envelope = idp.decide("binding", binding["binding_id"], unit["unit_id"], "approved",
                          opinion="同意绑定")
    wait_for(lambda: idp.processed(envelope["event_id"]))
    bound = profile(idp, person)
    assert bound["unit"]["unit_id"] == unit["unit_id"] and bound["binding_status"] == "approved"
    assert bound["bindings"][0]["status"] == "approved"
    assert bound["bindings"][0]["opinion"] == "同意绑定"
    assert bound["bindings"][0]["decided_by_name"] == "审核员"
    bound_at = bound["bound_at"]
    with idp.rpc() as identity:
        assert identity.may_submit(person["person_id"]) == {
            "allowed": True, "unit_id": unit["unit_id"], "unit_name": "合肥宏景软件有限公司",
            "reason": None}
        brief = identity.get_person_brief(person["person_id"])
        # declaring asks the three at once
        declarant = identity.declarant(person["person_id"])
        path = identity.unit_path(unit["unit_id"])
    assert declarant == {"binding": {"allowed": True, "unit_id": unit["unit_id"],
                                     "unit_name": "合肥宏景软件有限公司", "reason": None},
                         "unit_path": path, "brief": brief}
    assert path[0]["unit_id"] == unit["unit_id"]
    assert brief["name"] == "孙迪" and brief["unit_name"] == "合肥宏景软件有限公司"
    assert brief["title_series"] == "health" and brief["id_number"] != number
    assert idp.get("/api/v1/auth/me", person["token"]).json()["unit_id"] == unit["unit_id"]

    # the same event again changes nothing
    idp.decide("binding", binding["binding_id"], unit["unit_id"], "approved",
               event_id=envelope["event_id"])
    marker = idp.decide("binding", 999999, unit["unit_id"], "approved")
    wait_for(lambda: idp.processed(marker["event_id"]))
    assert profile(idp, person)["bound_at"] == bound_at
    assert idp.scalar("SELECT count(*) FROM identity.audit_log "
                      "WHERE action = 'binding.approved'") == 1
    assert idp.processed(envelope["event_id"]) == 1

    again = idp.post("/api/v1/me/bindings", person["token"], json={"unit_id": unit["unit_id"]})
    assert again.status_code == 409 and again.json()["error"]["code"] == "binding.already_bound"


def test_change_of_unit_keeps_the_old_binding_until_approved(idp, hefei):
    first = hefei["unit"]
    second = idp.register_unit("合肥市第二人民医院")
    idp.approve_unit(second, hefei["hr"]["unit_id"])
    person = idp.register_person(unit_id=first["unit_id"], application_note="新入职")
    [request] = profile(idp, person)["bindings"]
    assert request["note"] == "新入职"
    done = idp.decide("binding", request["binding_id"], first["unit_id"], "approved")
    wait_for(lambda: idp.processed(done["event_id"]))

    change = idp.post("/api/v1/me/bindings", person["token"],
                      json={"unit_id": second["unit_id"], "note": "调动"})
    assert change.status_code == 201
    data = binding_rows(idp)[-1]["data"]
    assert data["applicant_unit_id"] == first["unit_id"]
    assert data["summary"]["previous_unit_name"] == "合肥宏景软件有限公司"
    mine = profile(idp, person)
    assert mine["unit"]["unit_id"] == first["unit_id"] and mine["binding_status"] == "approved"
    with idp.rpc() as identity:
        assert identity.may_submit(person["person_id"])["unit_id"] == first["unit_id"]

    returned = idp.decide("binding", change.json()["binding_id"], second["unit_id"], "returned",
                          opinion="查无此人")
    wait_for(lambda: idp.processed(returned["event_id"]))
    mine = profile(idp, person)
    assert mine["unit"]["unit_id"] == first["unit_id"]
    assert mine["bindings"][0]["status"] == "rejected"
    assert mine["bindings"][0]["status_label"] == "审核未通过"
    assert mine["bindings"][0]["opinion"] == "查无此人"
    listed = idp.get("/api/v1/me/bindings?status=rejected", person["token"]).json()
    assert listed["total"] == 1 and listed["counts"] == {
        "all": 2, "pending": 0, "approved": 1, "rejected": 1, "cancelled": 0}

    retry = idp.post("/api/v1/me/bindings", person["token"], json={"unit_id": second["unit_id"]})
    assert retry.status_code == 201
    approved = idp.decide("binding", retry.json()["binding_id"], second["unit_id"], "approved")
    wait_for(lambda: idp.processed(approved["event_id"]))
    mine = profile(idp, person)
    assert mine["unit"]["unit_id"] == second["unit_id"]
    with idp.rpc() as identity:
        assert identity.may_submit(person["person_id"])["unit_name"] == "合肥市第二人民医院"


def test_terminated_first_binding_leaves_the_person_unbound(idp, hefei):
    person = idp.register_person(unit_id=hefei["unit"]["unit_id"])
    [request] = profile(idp, person)["bindings"]
    ended = idp.decide("binding", request["binding_id"], hefei["unit"]["unit_id"], "terminated",
                       opinion="非本单位人员")
    wait_for(lambda: idp.processed(ended["event_id"]))
    mine = profile(idp, person)
    assert mine["binding_status"] == "none" and mine["unit"] is None
    assert mine["bindings"][0]["decision_action"] == "terminate"
    with idp.rpc() as identity:
        assert identity.may_submit(person["person_id"])["allowed"] is False


def test_binding_to_a_unit_that_is_not_active_is_refused(idp, hefei):
    pending = idp.register_unit("合肥未审核单位")
    person = idp.register_person()
    answer = idp.post("/api/v1/me/bindings", person["token"], json={"unit_id": pending["unit_id"]})
    assert answer.status_code == 422
    assert answer.json()["error"]["message"] == "所选单位不存在或尚未审核通过"
    admin = idp.post("/api/v1/me/bindings", hefei["unit"]["admin_token"],
                     json={"unit_id": hefei["unit"]["unit_id"]})
    assert admin.status_code == 403
    assert binding_rows(idp) == []
