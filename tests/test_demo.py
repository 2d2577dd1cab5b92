"""The run command's demo data loads through the real API, once."""
from deploy import demo


def test_demo_data_loads_once_with_the_promised_accounts(platform, web_config_port):
    demo.bootstrap_admins(platform.config["DATABASE_URL"])
    url = f"http://127.0.0.1:{web_config_port}"
    assert demo.load(url) == demo.FIRST_LOAD + demo.DECLARATIONS_LOAD
    assert demo.load(url) == 0

    client = demo.Client(url)
    for _role, username, password in demo.DEMO_ACCOUNTS:
        assert client.login(username, password), username
    # the three administrators are separate roles (MLPS level 3)
    roles = {u: client.call("GET", "/api/v1/auth/me", client.login(u))["role"]
             for u in ("ops", "sec", "audit")}
    assert roles == {"ops": "operator", "sec": "security", "audit": "auditor"}
    statuses = {}
    for key, _name, _g, id_number, *_ in demo.PERSONS:
        token = client.login(id_number)
        statuses[key] = client.call("GET", "/api/v1/me/profile", token)["binding_status"]
    assert statuses == {"bound": "approved", "pending": "pending", "unbound": "none"}
    kinds = {client.call("GET", "/api/v1/auth/me", client.login(u))["unit"]["kind"]
             for *_, u in demo.UNITS}
    assert {"hr", "competent", "employer"} <= kinds

    # the bound person's records: several types, every status, decided by the unit
    person = client.login(demo.PERSONS[0][3])
    stats = client.call("GET", "/api/v1/records/stats", person)
    assert stats["counts"] == {"all": len(demo.RECORDS) + len(demo.PUBLIC_HOURS),
                               "draft": 1, "submitted": 2, "approved": 5, "returned": 1,
                               "terminated": 1}
    types = {t["code"]: (t["total"], t["approved"]) for t in stats["types"]}
    assert types["health_case"] == (4, 1) and types["work_history"] == (2, 1)
    assert types["continuing_education"] == (2, 2)
    cases = client.call("GET", "/api/v1/records", person, params={"type": "health_case"})
    returned = next(i for i in cases["items"] if i["status"] == "returned")
    assert returned["opinion"] == "出院诊断不完整，请补充后重新提交"
    topic = client.call("GET", "/api/v1/records", person,
                        params={"type": "health_topic"})["items"][0]
    assert topic["case_count"] == 10 and "adjust" in topic["actions"]
    hours = client.call("GET", "/api/v1/records", person,
                        params={"type": "continuing_education"})["items"]
    assert {i["source_label"] for i in hours} == {"自动生成"}
    # the hospital's 业绩档案 shows what was submitted to it
    admin = client.login("demo_slyy")
    archive = client.call("GET", "/api/v1/unit/records", admin)
    assert archive["counts"]["returned"] == 1 and archive["counts"]["terminated"] == 1

    # declarations: an open plan of the HR department for the 卫生技术人员 series, the
    # hospital's confirmed quota, one declaration at the competent department and one
    # still with the hospital
    hr = client.login("demo_hr")
    [plan] = client.call("GET", "/api/v1/plans", hr, params={"mine": "true"})["items"]
    assert (plan["window_state"], plan["series"]) == ("open", ["卫生技术人员"])
    wu = client.call("GET", "/api/v1/declarations", person)["items"]
    assert [(d["current_step_label"], d["status_label"]) for d in wu] == [
        ("主管部门审核", "审核中")]
    chen = client.login(demo.DECLARANT[2])
    assert [d["current_step_label"] for d in client.call(
        "GET", "/api/v1/declarations", chen)["items"]] == ["单位审核"]
    screen = client.call("GET", f"/api/v1/declarations/{wu[0]['id']}/recommendation", admin)
    assert screen["recommendation"]["occupies_post_label"] == "占用"
    assert screen["publicity"]["result_label"] == "无异议"
    quota = client.call("GET", "/api/v1/unit/post-quotas", admin)["items"][0]
    assert quota["confirmed"] and quota["levels"][1]["recommended"] == 1
    assert client.call("GET", "/api/v1/unit/declarations", admin,
                       params={"tab": "pending"})["total"] == 1
    wjw = client.login("demo_wjw")
    assert client.call("GET", "/api/v1/unit/declarations", wjw,
                       params={"tab": "pending"})["total"] == 1
