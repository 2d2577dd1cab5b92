"""The caller travels from the gateway through every RPC hop in Nameko context data, and
errors arrive at the caller as the same class with their code and Chinese message."""
import pytest
from nameko.rpc import RpcProxy
from nameko.standalone.rpc import ServiceRpcProxy

from services.common.errors import Forbidden, Invalid, Unauthenticated
from services.common.principal import OPERATOR, PERSON, Principal, PrincipalProvider
from services.common.rpc import rpc
from services.common.testing import signed


class Inner:
    name = "probe_inner"
    principal = PrincipalProvider()

    @rpc
    def whoami(self):
        caller = self.principal.require()
        return {"account_id": caller.account_id, "roles": list(caller.roles),
                "unit_id": caller.unit_id}

    @rpc
    def operators_only(self):
        self.principal.require(OPERATOR)
        return "ok"

    @rpc
    def services_only(self):
        return self.principal.require_service()

    @rpc
    def refuse(self):
        raise Invalid("probe.invalid", "证件号码校验位有误", {"field": "id_number"})


class Outer:
    """Stands in for the gateway: sets the principal, then calls another service."""
    name = "probe_outer"
    principal = PrincipalProvider()
    inner_rpc = RpcProxy("probe_inner")

    @rpc
    def relay_as(self, principal_json):
        self.principal.set(Principal.from_json(principal_json))
        return self.inner_rpc.whoami()

    @rpc
    def relay_service_only(self, principal_json=None):
        if principal_json:
            self.principal.set(Principal.from_json(principal_json))
        return self.inner_rpc.services_only()


PERSON_P = Principal(account_id=7, roles=(PERSON,), unit_id=3, person_id=70, name="张三")


def test_principal_reaches_the_service_and_the_next_hop(service_config, runner_factory):
    runner = runner_factory(service_config, Inner, Outer)
    runner.start()
    with ServiceRpcProxy("probe_inner", service_config,
                         context_data=signed(PERSON_P)) as inner:
        assert inner.whoami() == {"account_id": 7, "roles": ["person"], "unit_id": 3}
        with pytest.raises(Forbidden) as refused:
            inner.operators_only()
        assert refused.value.code == "auth.forbidden"
    with ServiceRpcProxy("probe_outer", service_config) as outer:
        assert outer.relay_as(PERSON_P.to_json())["account_id"] == 7


def test_anonymous_caller_is_refused(service_config, runner_factory):
    runner = runner_factory(service_config, Inner)
    runner.start()
    with ServiceRpcProxy("probe_inner", service_config) as inner, \
            pytest.raises(Unauthenticated):
        inner.whoami()


def test_errors_keep_class_code_message_and_details(service_config, runner_factory):
    runner = runner_factory(service_config, Inner)
    runner.start()
    with ServiceRpcProxy("probe_inner", service_config) as inner, \
            pytest.raises(Invalid) as err:
        inner.refuse()
    assert err.value.code == "probe.invalid"
    assert err.value.message == "证件号码校验位有误"
    assert err.value.details == {"field": "id_number"}


def test_principal_round_trips_through_json():
    assert Principal.from_json(PERSON_P.to_json()) == PERSON_P
    assert PERSON_P.has(PERSON) and not PERSON_P.has(OPERATOR)


def test_an_unsigned_or_badly_signed_principal_is_anonymous(service_config, runner_factory):
    runner = runner_factory(service_config, Inner)
    runner.start()
    forged = {"principal": Principal(account_id=1, roles=(OPERATOR,)).to_json()}
    bad = {**signed(PERSON_P), "principal": Principal(account_id=1, roles=(OPERATOR,))
           .to_json()}                                 # a valid signature of another principal
    other_key = signed(PERSON_P, key="x" * 40)
    for context in (forged, bad, other_key):
        with ServiceRpcProxy("probe_inner", service_config, context_data=context) as inner, \
                pytest.raises(Unauthenticated):
            inner.whoami()


def test_service_only_calls_need_a_signed_calling_service(service_config, runner_factory):
    runner = runner_factory(service_config, Inner, Outer)
    runner.start()
    refused = [signed(PERSON_P),                                   # a user, signed
               {**signed(PERSON_P), "caller_service": "probe_outer"},   # unsigned service
               signed(PERSON_P, service="gateway"),                # the gateway acts for users
               signed(service="probe_outer", key="y" * 40)]        # another key
    for context in refused:
        with ServiceRpcProxy("probe_inner", service_config, context_data=context) as inner, \
                pytest.raises(Forbidden):
            inner.services_only()
    with ServiceRpcProxy("probe_outer", service_config) as outer:
        assert outer.relay_service_only(PERSON_P.to_json()) == "probe_outer"
        assert outer.relay_service_only() == "probe_outer"


@pytest.mark.parametrize("key", ["", "dev-only-principal-key-change-me", "short"])
def test_production_needs_a_private_principal_key(key):
    from services.common.config import ConfigError
    from services.common.principal import principal_key

    with pytest.raises(ConfigError):
        principal_key({"APP_ENV": "production", "PRINCIPAL_KEY": key})
    assert principal_key({"APP_ENV": "production", "PRINCIPAL_KEY": "k" * 40}) == "k" * 40
