"""LOG_FORMAT=json: one JSON object per line with the request id, the account id and the
service, ID and mobile numbers masked as in the text format; the gateway's request id
travels with its RPCs into the domain services' log lines."""
import json
import logging

from services.common import logs
from tests.support import Api

FORMAT = "%(asctime)s %(levelname)s identity %(name)s: %(message)s"
ID_NUMBER = "340104198503120033"


def record(message, *args, exc_info=None):
    return logging.getLogRecordFactory()("identity.logic", logging.WARNING, __file__, 1,
                                         message, args, exc_info)


def test_json_lines_carry_context_and_stay_masked(monkeypatch):
    monkeypatch.setenv("LOG_FORMAT", "json")
    formatter = logs.MaskingFormatter(FORMAT)
    logs.bind(request_id="r123", account_id=42)
    try:
        raise ValueError(f"bad {ID_NUMBER}")
    except ValueError:
        import sys
        line = formatter.format(record("login of %s from 13812341234", ID_NUMBER,
                                       exc_info=sys.exc_info()))
    logs.clear()
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["service"] == "identity" and entry["level"] == "WARNING"
    assert entry["logger"] == "identity.logic"
    assert entry["request_id"] == "r123" and entry["account_id"] == 42
    assert entry["message"] == "login of 340104********0033 from 138****1234"
    assert ID_NUMBER not in line and "340104********0033" in entry["exception"]
    assert entry["time"].endswith("+00:00")

    entry = json.loads(formatter.format(record("no request")))
    assert entry["request_id"] is None and entry["account_id"] is None

    monkeypatch.delenv("LOG_FORMAT")
    text = logs.MaskingFormatter(FORMAT).format(record("x %s", ID_NUMBER))
    assert "identity identity.logic: x 340104********0033" in text  # the text format


class Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.setFormatter(logs.MaskingFormatter("%(levelname)s gateway %(name)s",
                                                json_lines=True))
        self.lines = []

    def emit(self, record):
        self.lines.append(json.loads(self.format(record)))


def test_the_request_id_reaches_the_services_log_lines(platform, db_engine):
    api = Api(platform, db_engine)
    person = api.register_person(real_name="韩梅梅")
    account_id = api.call("GET", "/api/v1/auth/me", person["token"], expect=200) \
        .json()["account_id"]
    handler = Lines()
    root, engine_log = logging.getLogger(), logging.getLogger("sqlalchemy.engine.Engine")
    levels = root.level, engine_log.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)  # the gateway logs each request at INFO
    engine_log.setLevel(logging.INFO)  # statements run inside the domain services' workers
    try:
        answer = api.call("GET", "/api/v1/records/999999", person["token"], expect=404)
    finally:
        root.removeHandler(handler)
        root.setLevel(levels[0])
        engine_log.setLevel(levels[1])
    request_id = answer.headers["X-Request-Id"]
    mine = [line for line in handler.lines if line["request_id"] == request_id]
    gateway = [line for line in mine if line["logger"] == "gateway"]
    assert gateway and "-> 404" in gateway[-1]["message"]
    assert gateway[-1]["account_id"] == account_id
    # a domain service's worker (its SQL) logged under the same request id and account
    sql = [line for line in mine if line["logger"].startswith("sqlalchemy")]
    assert sql and all(line["account_id"] == account_id for line in sql)
    number = person["form"]["id_number"]
    assert all(number not in json.dumps(line, ensure_ascii=False) for line in handler.lines)
