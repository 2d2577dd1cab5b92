"""Issue 16.7: the plan's ``can_declare`` and 马上申报 follow one rule, in one order, so
the detail says beforehand exactly what 马上申报 answers (code and Chinese message)."""
import datetime as dt

from services.workflow.declarations.logic.plans import today

from .declaration_support import World, dw  # noqa: F401


def test_plan_detail_answers_what_declaring_answers_when_a_declaration_exists_and_the_window_closed(dw):  # noqa: E501
    plan = dw.published_plan()
    did = dw.ok(dw.declare(plan["id"]), 201)["id"]
    dw.ok(dw.patch(f"/api/v1/plans/{plan['id']}", "hr",
                   {"starts_on": (today() - dt.timedelta(days=20)).isoformat(),
                    "ends_on": (today() - dt.timedelta(days=1)).isoformat()}))

    seen = dw.ok(dw.get(f"/api/v1/plans/{plan['id']}", "p1"))
    refused = dw.error(dw.declare(plan["id"]), 409)
    assert seen["can_declare"] is False and seen["my_declaration"]["id"] == did
    assert (seen["declare_code"], seen["declare_message"]) == (
        refused["code"], refused["message"]) == (
        "declaration.exists", "用户已申报此计划，请从申报记录中进入")

    # Without a declaration of the year the window is what both say.
    seen = dw.ok(dw.get(f"/api/v1/plans/{plan['id']}", "p2"))
    refused = dw.error(dw.declare(plan["id"], "p2"), 409)
    assert seen["can_declare"] is False
    assert (seen["declare_code"], seen["declare_message"]) == (
        refused["code"], refused["message"])
    assert refused["code"] == "declaration.window_closed"


def test_an_unbound_person_is_told_before_declaring(dw):
    plan = dw.published_plan()
    World.bindings[77] = None
    seen = dw.ok(dw.get(f"/api/v1/plans/{plan['id']}", "p1"))
    refused = dw.error(dw.declare(plan["id"]), 409)
    assert (seen["can_declare"], seen["declare_code"], seen["declare_message"]) == (
        False, refused["code"], refused["message"])
    assert refused["code"] == "declaration.unbound"
