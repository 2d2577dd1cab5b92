"""The run command's demo data loads through the real API, once."""
from deploy import demo
from services.identity.bootstrap import bootstrap


def test_demo_data_loads_once_with_the_promised_accounts(platform, web_config_port):
    bootstrap(platform.config["DATABASE_URL"], "ops", demo.PASSWORD, "运维管理员")
    url = f"http://127.0.0.1:{web_config_port}"
    assert demo.load(url) == len(demo.UNITS) + len(demo.PERSONS)
    assert demo.load(url) == 0

    client = demo.Client(url)
    for _role, username, password in demo.DEMO_ACCOUNTS:
        assert client.login(username, password), username
    statuses = {}
    for key, _name, _g, id_number, *_ in demo.PERSONS:
        token = client.login(id_number)
        statuses[key] = client.call("GET", "/api/v1/me/profile", token)["binding_status"]
    assert statuses == {"bound": "approved", "pending": "pending", "unbound": "none"}
    kinds = {client.call("GET", "/api/v1/auth/me", client.login(u))["unit"]["kind"]
             for *_, u in demo.UNITS}
    assert {"hr", "competent", "employer"} <= kinds
