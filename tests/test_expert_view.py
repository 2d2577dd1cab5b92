"""专家查看 (issue 16.14; Chongqing manual 2.4.2 and 3.4.2), every service real, through the
gateway, on the demo's 卫生系列 declaration (吴康金: approved by the hospital, before the
competent department).

The unit that approved it and the level above holding it see the declaration as the
experts will: read-only, what the reviewers marked deleted left out exactly as in the
评审表 printout, every file listed and downloadable by them; the applicant, a unit the
declaration has not reached, a stranger unit and a unit that has not approved it yet do
not; a returned declaration is nobody's 专家查看."""
import requests

from deploy import demo
from services.documents.tests.test_printing_pdf import Pdf, squash


def test_expert_view_of_a_health_declaration(platform, web_config_port, db_engine, tmp_path):
    demo.bootstrap_admins(platform.config["DATABASE_URL"])
    url = f"http://127.0.0.1:{web_config_port}"
    demo.load(url)
    client = demo.Client(url)
    tokens, _unit_ids, _ = demo.load_identity(client)
    wu = client.login(demo.PERSONS[0][3])
    hospital, wjw, hr, school = (tokens["hospital"], tokens["competent"], tokens["hr"],
                                 tokens["school"])
    [declaration] = client.call("GET", "/api/v1/declarations", wu)["items"]
    did = declaration["id"]
    path = f"/api/v1/declarations/{did}/expert-view"

    # The department marks the imported 病案 and the 论文 row deleted.
    detail = client.call("GET", f"/api/v1/declarations/{did}", wjw)
    items = [i for s in detail["sections"] for i in s["items"]]
    [case] = [i for i in items if i["record_type"] == "health_case"]
    kept = [i for i in items if i["record_type"] != "health_case"]
    assert kept
    client.call("POST", f"/api/v1/declarations/{did}/items/{case['id']}/mark", wjw,
                json={"deleted": True, "reason": "与申报专业无关"})
    health = client.call("GET", f"/api/v1/declarations/{did}/health", wjw)
    [paper] = health["sections"]["papers"]["rows"]
    [achievement] = health["sections"]["achievements"]["rows"]
    client.call("POST", f"/api/v1/declarations/{did}/health/papers/rows/{paper['id']}/mark",
                wjw, json={"deleted": True, "reason": "论文未正式发表"})

    # The hospital (approved it) and the department (holding it) see the same view.
    view = client.call("GET", path, hospital)
    assert client.call("GET", path, wjw) == view
    assert view["read_only"] is True and view["declaration_id"] == did
    assert view["status"] == "submitted" and view["applicant"]["name"] == "吴康金"
    assert "********" in view["applicant"]["id_number"]
    titles = [i["title"] for i in view["items"]]
    assert case["title"] not in titles
    assert sorted(titles) == sorted(i["title"] for i in kept)
    form = view["health_form"]
    assert form["papers"] == []  # the marked row is left out
    assert [r["name"] for r in form["achievements"]] == [achievement["name"]]
    assert form["achievements"][0]["evidence_file_id"] == achievement["evidence_file_id"]
    assert "print_settings" not in form and "items" not in form
    assert "********" in form["person"]["id_number"]
    assert [o["level"] for o in view["opinions"]] == ["基层单位意见"]

    # Exactly what the 评审表 prints: the marked 病案 and 论文 are in neither.
    link = client.call("POST", f"/api/v1/declarations/{did}/printouts/review-form", wjw,
                       expect=(201,), json={})
    printed = Pdf(requests.get(link["url"], timeout=30).content, tmp_path, "form").text
    assert squash(case["title"]) not in printed and squash(paper["title"]) not in printed
    assert squash(achievement["name"]) in printed

    # Every file the experts see opens for the viewing units; the deleted row's does not
    # appear.
    files = {f["file_id"]: f for f in view["files"]}
    assert achievement["evidence_file_id"] in files
    assert paper["evidence_file_id"] not in files
    assert {f["file_name"] for f in view["files"]} >= {"业绩印证材料.pdf", "工作量.pdf",
                                                        "工作总结.pdf", "进修结业证书.pdf"}
    for token in (hospital, wjw):
        for entry in view["files"]:
            assert entry["download_path"] == f"/api/v1/files/{entry['file_id']}/download"
            link = client.call("GET", entry["download_path"], token)
            assert requests.get(link["url"], timeout=30).status_code == 200, entry

    # Nobody else: the applicant (a person), HR (not reached yet), a stranger unit.
    client.call("GET", path, wu, expect=(403,))
    for token in (hr, school):
        answer = client.call("GET", path, token, expect=(404,))
        assert answer["error"]["code"] == "declaration.not_found"
    # 陈立新's declaration is still before the hospital: not approved by anybody yet.
    chen = client.call("GET", "/api/v1/declarations", demo.Client(url).login(
        demo.DECLARANT[2]))["items"][0]["id"]
    client.call("GET", f"/api/v1/declarations/{chen}/expert-view", hospital, expect=(404,))

    # The department approves: HR, holding it now, sees it with both opinions.
    task = demo._task(client, wjw, "declaration", "吴康金")
    client.call("POST", f"/api/v1/tasks/{task['id']}/decision", wjw,
                json={"action": "approve", "opinion": "同意"})
    upper = client.call("GET", path, hr)
    assert [o["level"] for o in upper["opinions"]] == ["基层单位意见", "主管部门意见"]
    assert case["title"] not in [i["title"] for i in upper["items"]]

    # Returned to the applicant: nobody's 专家查看 any more.
    task = demo._task(client, hr, "declaration", "吴康金")
    client.call("POST", f"/api/v1/tasks/{task['id']}/decision", hr,
                json={"action": "return", "opinion": "请补充材料"})
    for token in (hospital, wjw, hr):
        client.call("GET", path, token, expect=(404,))
