"""The caller travels from the gateway through every RPC hop in Nameko context data, and
errors arrive at the caller as the same class with their code and Chinese message."""
import pytest
from nameko.rpc import RpcProxy
from nameko.standalone.rpc import ServiceRpcProxy

from services.common.errors import Forbidden, Invalid, Unauthenticated
from services.common.principal import OPERATOR, PERSON, Principal, PrincipalProvider
from services.common.rpc import rpc


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


PERSON_P = Principal(account_id=7, roles=(PERSON,), unit_id=3, person_id=70, name="张三")


def test_principal_reaches_the_service_and_the_next_hop(service_config, runner_factory):
    runner = runner_factory(service_config, Inner, Outer)
    runner.start()
    with ServiceRpcProxy("probe_inner", service_config,
                         context_data={"principal": PERSON_P.to_json()}) as inner:
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
