"""专家查看 of a declaration outside the health series (issue 16.14), through the gateway:
who may open it as the review goes, the imported records the printouts would show (marked
ones left out) and every file of theirs with its download route."""
from .declaration_support import World, dw  # noqa: F401 (fixture)


def _view(dw, token, did, status=200):
    answer = dw.get(f"/api/v1/declarations/{did}/expert-view", token)
    assert answer.status_code == status, answer.text
    return answer.json()


def test_expert_view_follows_the_approvals(dw):
    plan = dw.published_plan()
    World.add_record(1, 77, "annual_assessment", "2023年度考核")
    World.records[1]["evidence_file_ids"] = [61]
    World.add_record(2, 77, "paper", "论文甲")
    World.records[2].update(evidence_file_ids=[62], rows=[{"id": 9, "file_id": 63}])
    World.add_record(3, 77, "research_project", "课题乙")
    World.records[3]["evidence_file_ids"] = [64]
    declaration = dw.submitted(plan["id"], records=((1, "annual_assessment"), (2, "paper"),
                                                    (3, "research_project")))
    did = declaration["id"]

    # Before anybody approved it: nobody's 专家查看.
    for token in ("a1", "edu", "hr"):
        assert _view(dw, token, did, 404)["error"]["code"] == "declaration.not_found"

    dw.decide("a1", did)
    view = _view(dw, "a1", did)
    assert _view(dw, "a2", did) == view  # any admin of the approving unit
    assert _view(dw, "edu", did) == view  # the level above, holding it now
    assert view["read_only"] is True and view["health_form"] is None
    assert view["applicant"]["name"] == "孙迪"
    assert view["applicant"]["id_number"] == "340104********0021"
    assert [i["title"] for i in view["items"]] == ["2023年度考核", "论文甲", "课题乙"]
    assert [i["evidence_file_ids"] for i in view["items"]] == [[61], [62, 63], [64]]
    assert [(f["file_id"], f["label"], f["download_path"]) for f in view["files"]] == [
        (61, "2023年度考核", "/api/v1/files/61/download"),
        (62, "论文甲", "/api/v1/files/62/download"),
        (63, "论文甲", "/api/v1/files/63/download"),
        (64, "课题乙", "/api/v1/files/64/download")]
    assert [o["level"] for o in view["opinions"]] == ["基层单位意见"]

    # The department marks 课题乙 deleted: left out, with its file.
    detail = dw.ok(dw.get(f"/api/v1/declarations/{did}", "edu"))
    [item] = [i for s in detail["sections"] for i in s["items"] if i["title"] == "课题乙"]
    dw.ok(dw.post(f"/api/v1/declarations/{did}/items/{item['id']}/mark", "edu",
                  {"deleted": True, "reason": "与申报专业无关"}))
    view = _view(dw, "a1", did)
    assert [i["title"] for i in view["items"]] == ["2023年度考核", "论文甲"]
    assert 64 not in [f["file_id"] for f in view["files"]]

    # Not reached, not in the chain, the applicant.
    for token in ("hr", "org", "b1", "health"):
        _view(dw, token, did, 404)
    assert _view(dw, "p1", did, 403)["error"]["code"]

    # The school recalls its approval (the department has not claimed it): gone again.
    dw.ok(dw.post(f"/api/v1/declarations/{did}/recall", "a1"))
    for token in ("a1", "edu"):
        _view(dw, token, did, 404)
