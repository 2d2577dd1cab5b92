import pytest

from services.common import config as cfg


def test_missing_value_names_the_key():
    with pytest.raises(cfg.ConfigError, match="DATABASE_URL"):
        cfg.require({"DATABASE_URL": ""}, "DATABASE_URL")
    with pytest.raises(cfg.ConfigError, match="AMQP_URI"):
        cfg.require({}, "AMQP_URI")
    assert cfg.require({"AMQP_URI": "amqp://x"}, "AMQP_URI") == "amqp://x"


def test_development_may_use_the_default_token_secret():
    assert cfg.token_secret({"APP_ENV": "development"}) == cfg.DEV_TOKEN_SECRET
    assert cfg.token_secret({"APP_ENV": "test", "TOKEN_SECRET": "abc"}) == "abc"


@pytest.mark.parametrize("secret", [None, "", cfg.DEV_TOKEN_SECRET, "short-secret"])
def test_production_refuses_a_default_or_weak_token_secret(secret):
    with pytest.raises(cfg.ConfigError, match="TOKEN_SECRET"):
        cfg.token_secret({"APP_ENV": "production", "TOKEN_SECRET": secret})


def test_production_is_assumed_when_app_env_is_unset(monkeypatch):
    monkeypatch.delenv("APP_ENV", raising=False)
    with pytest.raises(cfg.ConfigError):
        cfg.token_secret({})
    good = "p" * 40
    assert cfg.token_secret({"TOKEN_SECRET": good}) == good


def test_numbers_are_checked():
    assert cfg.as_float({"X": "0.5"}, "X", 1.0) == 0.5
    assert cfg.as_int({}, "X", 3) == 3
    with pytest.raises(cfg.ConfigError, match="X"):
        cfg.as_int({"X": "many"}, "X", 3)


def test_a_service_without_its_database_url_does_not_start(rabbit_config, container_factory):
    from services.workflow.service import WorkflowService

    container = container_factory(WorkflowService, {**rabbit_config, "DATABASE_URL": ""})
    with pytest.raises(cfg.ConfigError, match="DATABASE_URL"):
        container.start()


def test_identity_refuses_the_default_secret_in_production(rabbit_config, database_url,
                                                          container_factory):
    from services.identity.service import IdentityService

    container = container_factory(IdentityService, {
        **rabbit_config, "DATABASE_URL": database_url, "APP_ENV": "production",
        "TOKEN_SECRET": cfg.DEV_TOKEN_SECRET, "PRINCIPAL_KEY": "k" * 40})
    with pytest.raises(cfg.ConfigError, match="TOKEN_SECRET"):
        container.start()


def test_every_schema_refuses_oversized_integers_and_nul_characters():
    from services.common.errors import Invalid
    from services.common.schemas import BaseSchema, fields, load

    class Probe(BaseSchema):
        id = fields.Integer()
        name = fields.String()

    assert load(Probe, {"id": 2_147_483_647, "name": "张三"}) == {"id": 2_147_483_647,
                                                                  "name": "张三"}
    for bad, field in (({"id": 2_147_483_648}, "id"), ({"id": -10 ** 20}, "id"),
                       ({"name": "张\x00三"}, "name")):
        try:
            load(Probe, bad)
        except Invalid as exc:
            assert exc.code == "request.invalid"
            assert set(exc.details["fields"]) == {field}
            assert exc.details["fields"][field] in (["数值过大"], ["文本中不能含有空字符"])
        else:
            raise AssertionError(f"{bad} was accepted")


def test_settings_are_typed_with_the_tables_defaults():
    assert cfg.value({}, "OUTBOX_UNROUTABLE_GRACE") == 300.0
    assert cfg.value({"OUTBOX_UNROUTABLE_GRACE": "12"}, "OUTBOX_UNROUTABLE_GRACE") == 12.0
    assert cfg.value({"S3_SECURE": "true"}, "S3_SECURE") is True
    assert cfg.value({"S3_SECURE": None}, "S3_SECURE") is False
    assert cfg.as_int({}, "SESSION_TTL_MINUTES") == 720
    assert cfg.as_float({}, "SESSION_TTL_MINUTES", 1.5) == 1.5  # an explicit default wins
    with pytest.raises(cfg.ConfigError, match="S3_SECURE"):
        cfg.value({"S3_SECURE": "maybe"}, "S3_SECURE")
    with pytest.raises(cfg.ConfigError, match="OUTBOX_POLL_INTERVAL must be greater than 0"):
        cfg.value({"OUTBOX_POLL_INTERVAL": 0}, "OUTBOX_POLL_INTERVAL")
    with pytest.raises(cfg.ConfigError, match="DOWNLOAD_URL_TTL must be at most 300"):
        cfg.value({"DOWNLOAD_URL_TTL": 301}, "DOWNLOAD_URL_TTL")
    with pytest.raises(cfg.ConfigError, match="max_workers must be an integer"):
        cfg.value({"max_workers": True}, "max_workers")
    with pytest.raises(cfg.ConfigError, match="S3_ENDPOINT is missing"):
        cfg.value({"S3_ENDPOINT": " "}, "S3_ENDPOINT")
    with pytest.raises(KeyError, match="NOT_A_SETTING"):
        cfg.value({}, "NOT_A_SETTING")


def test_every_declared_setting_has_a_valid_default():
    for key, setting in cfg.SETTINGS.items():
        assert key == setting.key
        if setting.default not in (cfg.REQUIRED, None):
            assert cfg.value({key: setting.default}, key) == setting.default, key
    for service, keys in cfg.SERVICE_SETTINGS.items():
        assert len(set(keys)) == len(keys), service
        assert set(keys) <= set(cfg.SETTINGS), service
        assert {"AMQP_URI", "APP_ENV", "max_workers"} <= set(keys), service


def test_a_bad_number_stops_the_service_naming_the_key(rabbit_config, database_url,
                                                        container_factory):
    from services.workflow.service import WorkflowService

    container = container_factory(WorkflowService, {
        **rabbit_config, "DATABASE_URL": database_url, "OUTBOX_UNROUTABLE_GRACE": "soon"})
    with pytest.raises(cfg.ConfigError, match="OUTBOX_UNROUTABLE_GRACE must be a number"):
        container.start()


def test_every_bad_setting_is_named_at_once():
    with pytest.raises(cfg.ConfigError) as caught:
        cfg.service_settings("gateway", {"RPC_TIMEOUT": "soon", "READY_TIMEOUT": -1})
    message = str(caught.value)
    assert "AMQP_URI is missing" in message
    assert "RPC_TIMEOUT must be a number" in message
    assert "READY_TIMEOUT must be greater than 0" in message
