"""Helpers of the printout tests: a fake workflow service that answers the printing
contract (docs/printing.md, "What workflow answers"), and the running documents service
and gateway around it (real broker, database and S3 server)."""
import copy

import pytest

from services.common.errors import Conflict, Forbidden, NotFound, Unauthenticated
from services.common.principal import UNIT_ADMIN, PrincipalProvider
from services.common.rpc import rpc
from services.documents.printing import roster_row
from services.documents.tests.examples import example_id_number, example_snapshot

from .conftest import Api, FakeIdentity

NOT_FOUND = ("declaration.not_found", "申报不存在或无权查看")
ROSTER_FORBIDDEN = ("declaration.roster_forbidden", "用人单位只能导出本单位申报人员的花名册")
ROSTER_SIZE = 1500


def declaration_snapshot(declaration_id, person_id=101, name="王丽", **kwargs):
    """A complete example snapshot (every section filled) of one declaration."""
    snapshot = example_snapshot(name=name, **kwargs)
    snapshot["declaration"]["declaration_id"] = declaration_id
    snapshot["person"]["person_id"] = person_id
    return snapshot


def roster_declarations(count=ROSTER_SIZE):
    """Declarations a unit lists: every fifth approved, the others under review."""
    base = roster_row(example_snapshot(items=0))
    result = []
    for i in range(1, count + 1):
        status = "approved" if i % 5 == 0 else "submitted"
        row = dict(base, name=f"申报人{i:04d}", phone=f"139{i:08d}",
                   id_number=example_id_number(birth=f"19{70 + i % 30}0101", seq=i % 1000),
                   status={"approved": "审核通过", "submitted": "审核中"}[status])
        result.append({"declaration_id": 10_000 + i, "status": status, "plan_id": 7,
                       "level": "deputy_senior", "row": row})
    return result


class FakePrintWorkflow:
    """workflow as the printouts use it. Class-level state: the tests set it up and read
    what was asked (the fake runs in the test process)."""
    name = "workflow"
    principal = PrincipalProvider()

    declarations = {}    # id -> {"snapshot", "person_id", "units", "photo_file_id"}
    print_settings = {}  # id -> saved settings
    saved = []           # (id, settings) given to save_print_settings
    roster = []          # roster_declarations()
    roster_calls = []    # (filters, after_id, limit)
    reviews = set()      # (unit_id, person_id) for can_unit_review
    notices = {}         # id -> (person_id, 一次性告知 or None when not returned)

    @classmethod
    def reset(cls):
        cls.declarations, cls.print_settings, cls.saved = {}, {}, []
        cls.notices = {}
        cls.roster, cls.roster_calls, cls.reviews = roster_declarations(), [], set()

    @classmethod
    def add(cls, snapshot, units=(50,), photo_file_id=None):
        declaration_id = snapshot["declaration"]["declaration_id"]
        person_id = snapshot["person"]["person_id"]
        cls.declarations[declaration_id] = {"snapshot": snapshot, "person_id": person_id,
                                            "units": set(units),
                                            "photo_file_id": photo_file_id}
        cls.reviews |= {(unit, person_id) for unit in units}
        return declaration_id

    def _declaration(self, declaration_id):
        caller = self.principal.current
        if caller is None:
            raise Unauthenticated()
        found = self.declarations.get(declaration_id)
        if found is not None and (
                (caller.person_id is not None and caller.person_id == found["person_id"])
                or (caller.has(UNIT_ADMIN) and caller.unit_id in found["units"])):
            return found
        raise NotFound(*NOT_FOUND)

    @rpc
    def print_snapshot(self, declaration_id):
        found = self._declaration(declaration_id)
        saved = self.print_settings.get(declaration_id) or {}
        return {"declaration_id": declaration_id, "person_id": found["person_id"],
                "snapshot": copy.deepcopy(found["snapshot"]),
                "photo_file_id": found["photo_file_id"],
                "print_settings": {"review_form": saved.get("review_form") or {},
                                   "publicity": saved.get("publicity")
                                   or {"font_size": None, "sections": {}}}}

    @rpc
    def save_print_settings(self, declaration_id, settings):
        self._declaration(declaration_id)
        FakePrintWorkflow.saved.append((declaration_id, settings))
        current = self.print_settings.setdefault(declaration_id, {})
        current.update(settings)
        return {"declaration_id": declaration_id,
                "print_settings": {"review_form": current.get("review_form") or {},
                                   "publicity": current.get("publicity")
                                   or {"font_size": None, "sections": {}}}}

    @rpc
    def roster_page(self, filters, after_id, limit):
        caller = self.principal.current
        FakePrintWorkflow.roster_calls.append((filters, after_id, limit))
        if caller is None or not caller.has(UNIT_ADMIN):
            raise Forbidden()
        if filters["scope"] == "level" and caller.extra.get("unit_kind") == "employer":
            raise Forbidden(*ROSTER_FORBIDDEN)
        selected = [d for d in self.roster if matches(d, filters)
                    and (after_id is None or d["declaration_id"] > after_id)]
        page = selected[:limit]
        more = len(selected) > limit
        return {"rows": [d["row"] for d in page],
                "next_after": page[-1]["declaration_id"] if more else None}

    @rpc
    def declaration_return_notice(self, declaration_id):
        caller = self.principal.current
        person_id, notice = self.notices.get(declaration_id, (None, None))
        if caller is None or person_id is None or caller.person_id != person_id:
            raise NotFound(*NOT_FOUND)
        if notice is None:
            raise Conflict("declaration.not_returned", "该申报未被退回，没有退回告知")
        return copy.deepcopy(notice)

    @rpc
    def can_unit_review(self, unit_id, person_id):
        return (unit_id, person_id) in self.reviews

    @rpc
    def health(self):
        return {"service": "workflow", "status": "ok"}


def matches(declaration, filters):
    row = declaration["row"]
    return ((filters.get("status") is None or declaration["status"] == filters["status"])
            and (filters.get("level") is None or declaration["level"] == filters["level"])
            and (filters.get("plan_id") is None or declaration["plan_id"] == filters["plan_id"])
            and (filters.get("specialty") is None or filters["specialty"] in row["specialty"])
            and (filters.get("name") is None or filters["name"] in row["name"]))


@pytest.fixture
def printing(runner_factory, service_config, web_config, web_session, db_engine):
    """The real documents service and gateway, with fake identity and workflow."""
    return start_printing(runner_factory, service_config, web_config, web_session,
                          db_engine)


def start_printing(runner_factory, service_config, web_config, web_session, db_engine,
                   **settings):
    """:func:`printing` with other settings (e.g. the gateway's timeouts)."""
    from services.documents.service import DocumentsService
    from services.gateway.service import GatewayService

    FakePrintWorkflow.reset()
    config = {**service_config, **web_config, **settings}
    runner = runner_factory(config, FakeIdentity, FakePrintWorkflow, DocumentsService,
                            GatewayService)
    runner.start()
    return Api(web_session, config, db_engine, runner)
