"""IdentityService: thin entrypoints over the rules in ``logic``.

Every entrypoint loads its input with a contract schema, checks the caller, runs the rule
in one transaction and dumps its answer once with the contract's answer schema
(``services/contracts/identity.py``); the gateway passes it through. RPCs other services
call: ``authenticate``, ``may_submit``, ``get_person_brief``, ``unit_path``,
``declarant``.
"""
import contextlib
import logging

import eventlet
from kombu import Exchange, Queue
from nameko.amqp.publish import Publisher
from nameko.constants import NON_PERSISTENT
from nameko.extensions import DependencyProvider
from nameko.messaging import consume
from sqlalchemy.exc import IntegrityError

from services.common import config as cfg
from services.common.config import Settings
from services.common.db import Database, make_engine
from services.common.errors import Conflict, NotFound, Unauthenticated
from services.common.logs import mask_id_number, mask_phone
from services.common.messaging import consumer
from services.common.principal import (
    AUDITOR,
    OPERATOR,
    PERSON,
    SECURITY,
    UNIT_ADMIN,
    PrincipalProvider,
)
from services.common.rpc import OperationsRpc, rpc
from services.common.schemas import dump, load
from services.contracts import identity as c

from . import schemas as s
from .logic import (
    audit,
    audit_chain,
    audit_events,
    auth,
    bindings,
    dictionaries,
    feed,
    passwords,
    persons,
    units,
    users,
)
from .logic.common import iso
from .logic.dictionaries import label
from .logic.views import binding as binding_view
from .logic.views import unit_detail
from .models import Base, Person

log = logging.getLogger(__name__)

class PasswordHashing(DependencyProvider):
    """Applies the argon2id cost of the configuration (PASSWORD_HASH_TIME_COST,
    PASSWORD_HASH_MEMORY_KIB, PASSWORD_HASH_PARALLELISM) when the container starts."""

    def setup(self):
        config = self.container.config
        passwords.configure(
            time_cost=cfg.as_int(config, "PASSWORD_HASH_TIME_COST", 0) or None,
            memory_kib=cfg.as_int(config, "PASSWORD_HASH_MEMORY_KIB", 0) or None,
            parallelism=cfg.as_int(config, "PASSWORD_HASH_PARALLELISM", 0) or None,
        )

    def get_dependency(self, worker_ctx):
        return None


FEED_EXCHANGE = Exchange(c.SESSION_FEED_EXCHANGE, type="fanout", durable=False)
ACTIVITY_EXCHANGE = Exchange(c.SESSION_ACTIVITY_EXCHANGE, type="fanout", durable=False)
ACTIVITY_QUEUE = Queue(c.SESSION_ACTIVITY_QUEUE, exchange=ACTIVITY_EXCHANGE, durable=False,
                       auto_delete=False)


class SessionFeedPublisher(DependencyProvider):
    """Publishes the session feed (logic/feed.py) on its fanout exchange: transient
    messages with publisher confirms, so a change is on its way to every gateway before
    the RPC that made it answers.

    The heartbeat (the last number committed, every FEED_HEARTBEAT_SECONDS) comes from a
    thread of its own with a database connection of its own, not from a worker: when
    every worker is busy on a deadline day the heartbeat still comes on time, so the
    gateways stay in sync instead of falling back to asking identity per request."""

    def setup(self):
        self.publisher = Publisher(
            cfg.require(self.container.config, "AMQP_URI"), use_confirms=True,
            serializer="json", delivery_mode=NON_PERSISTENT, declare=[FEED_EXCHANGE],
            retry=True, retry_policy={"max_retries": 2, "interval_start": 0.1,
                                      "interval_step": 0.2})
        self.running = False

    def start(self):
        provider = next(d for d in self.container.dependencies if isinstance(d, Database))
        self.engine = make_engine(provider.engine.url, pool_size=1)
        self.running = True
        self.container.spawn_managed_thread(self._beat, identifier="session-feed-heartbeat")

    def stop(self):
        self.running = False
        self.engine.dispose()

    def kill(self):
        self.stop()

    def _beat(self):
        while self.running:
            try:
                with self.engine.connect() as connection:
                    seq = feed.current_seq(connection)
                self.publish({"seq": seq, "heartbeat": True})
            except Exception as exc:  # noqa: BLE001 - the next beat tries again
                log.warning("session feed heartbeat not sent: %s", exc)
            eventlet.sleep(c.FEED_HEARTBEAT_SECONDS)

    def publish(self, message):
        self.publisher.publish(message, exchange=FEED_EXCHANGE, routing_key="")

    def get_dependency(self, worker_ctx):
        return self


class IdentityService(OperationsRpc):
    name = "identity"

    settings = Settings(required=("AMQP_URI", "DATABASE_URL"), needs_token_secret=True)
    password_hashing = PasswordHashing()
    session_feed = SessionFeedPublisher()
    db = Database(Base.metadata)
    principal = PrincipalProvider()

    # ------------------------------------------------------------------ helpers
    @property
    def auth_config(self):
        return auth.AuthConfig(
            secret=self.settings["TOKEN_SECRET"],
            session_minutes=cfg.as_int(self.settings, "SESSION_TTL_MINUTES"),
            max_failures=cfg.as_int(self.settings, "LOGIN_MAX_FAILURES"),
            lock_minutes=cfg.as_int(self.settings, "LOGIN_LOCK_MINUTES"),
            max_per_address=cfg.as_int(self.settings, "LOGIN_MAX_PER_ADDRESS"),
            address_window_seconds=cfg.as_int(self.settings, "LOGIN_ADDRESS_WINDOW_SECONDS"),
            idle_minutes=cfg.as_float(self.settings, "SESSION_IDLE_MINUTES"),
        )

    @contextlib.contextmanager
    def transaction(self):
        """A transaction whose unique-key races answer 409 instead of failing."""
        try:
            with self.db.transaction() as session:
                feed.set_publisher(session, self.session_feed.publish)
                yield session
        except IntegrityError as exc:
            log.info("integrity conflict: %s", exc.orig)
            raise Conflict("request.duplicate", "数据已存在或已被修改，请刷新后重试") from exc

    def _me_person(self, session, for_update=False):
        principal = self.principal.require(PERSON)
        return principal, persons.live_person(session, principal.person_id, for_update)

    # ------------------------------------------------------------------ dictionaries
    @rpc
    def dictionaries(self):
        return dump(c.DictionariesSchema, dictionaries.as_lists())

    # ------------------------------------------------------------------ sessions
    @rpc
    def login(self, username, password, client=None):
        data = load(c.LoginSchema, {"username": username, "password": password})
        with self.transaction() as session:
            outcome = auth.login(session, self.auth_config, data["username"], data["password"],
                                 client or {})
        if outcome.error is not None:
            raise outcome.error
        return dump(c.TokenSchema, outcome.payload)

    @rpc
    def authenticate(self, token):
        """The principal dict of a bearer token, or None: what a gateway asks while its
        session state is not in sync (see logic/feed.py)."""
        with self.transaction() as session:
            principal = auth.authenticate(session, self.auth_config, token)
        return dump(c.PrincipalSchema, principal) if principal is not None else None

    @rpc
    def logout(self, client=None):
        principal = self.principal.require()
        with self.transaction() as session:
            auth.logout(session, principal, ip=(client or {}).get("ip"))
        return dump(c.StatusSchema, {"status": "ok"})

    @rpc
    def me(self):
        principal = self.principal.require()
        with self.db.read(autocommit=True) as session:
            account = auth.live_account(session, principal.session_id, principal.account_id)
            if account is None:
                raise Unauthenticated("auth.invalid_token", "登录已失效，请重新登录")
            return dump(c.MeSchema, auth.me(account, principal.session_id))

    @rpc
    def session_state(self):
        """The whole state of the session feed, complete up to its ``seq``
        (``SessionStateSchema``; left undumped, it can hold every live session)."""
        with self.db.read() as session:
            return feed.snapshot(session, self.auth_config.session_minutes)

    @consume(ACTIVITY_QUEUE)
    def session_activity(self, body):
        """Record the requests gateways let through (idle timeout, see logic/feed.py)."""
        seen = (body or {}).get("seen") if isinstance(body, dict) else None
        if isinstance(seen, dict) and seen:
            with self.db.transaction() as session:
                feed.record_activity(session, seen)

    @rpc
    def change_password(self, data):
        principal = self.principal.require()
        data = load(c.PasswordChangeSchema, data)
        with self.transaction() as session:
            auth.change_password(session, principal, data["old_password"], data["new_password"])
        return dump(c.StatusSchema, {"status": "ok"})

    # ------------------------------------------------------------------ persons
    @rpc
    def register_person(self, data, client=None):
        data = load(c.PersonRegisterSchema, data)
        with self.transaction() as session:
            person, account, _ = persons.register(session, data, ip=(client or {}).get("ip"))
            return dump(c.ProfileSchema, persons.profile(session, person, account, full=True))

    @rpc
    def get_my_profile(self):
        with self.db.read() as session:
            _, person = self._me_person(session)
            return dump(c.ProfileSchema, persons.profile(session, person, full=True))

    @rpc
    def update_my_profile(self, data):
        data = load(c.ProfileUpdateSchema, data)
        with self.transaction() as session:
            principal, person = self._me_person(session, for_update=True)
            account = persons.update(session, person, data, principal)
            return dump(c.ProfileSchema, persons.profile(session, person, account, full=True))

    @rpc
    def get_person(self, person_id, reason=None):
        """An operator states a reason (audited); see persons.read."""
        principal = self.principal.require(PERSON, UNIT_ADMIN, OPERATOR)
        with self.transaction() as session:
            return dump(c.ProfileSchema,
                        persons.read(session, principal, int(person_id), reason=reason))

    # ------------------------------------------------------------------ bindings
    @rpc
    def request_binding(self, data):
        data = load(c.BindingCreateSchema, data)
        with self.transaction() as session:
            principal, person = self._me_person(session, for_update=True)
            binding = bindings.request(session, person, data["unit_id"], data.get("note"),
                                       principal)
            return dump(c.BindingSchema, binding_view(binding))

    @rpc
    def list_my_bindings(self, filters=None):
        filters = load(c.BindingListQuery, filters or {})
        with self.db.read() as session:
            _, person = self._me_person(session)
            return dump(c.BindingPageSchema,
                        bindings.list_for_person(session, person.id, filters))

    @rpc
    def may_submit(self, person_id):
        """Contract: {allowed, unit_id, unit_name, reason}."""
        with self.db.read(autocommit=True) as session:
            return dump(c.MaySubmitSchema, bindings.may_submit(session, int(person_id)))

    @rpc
    def get_person_brief(self, person_id):
        """Contract: {person_id, name, unit_id, unit_name, title_series, ...}; ID and
        mobile numbers in full only when the caller is the person."""
        with self.db.read(autocommit=True) as session:
            brief = self._brief(session, int(person_id))
        if brief is None:
            raise NotFound("person.not_found", "人员不存在")
        return dump(c.PersonBriefSchema, brief)

    @rpc
    def declarant(self, person_id):
        """What declaring and submitting ask of identity, in one call: ``{binding
        (may_submit's answer), unit_path (of the bound unit when it may submit, else []),
        brief (get_person_brief's answer, null for an unknown person)}``."""
        person_id = int(person_id)
        with self.db.read() as session:
            binding = bindings.may_submit(session, person_id)
            path = units.path(session, binding["unit_id"]) \
                if binding.get("allowed") and binding.get("unit_id") else []
            return dump(c.DeclarantSchema, {"binding": binding, "unit_path": path,
                                            "brief": self._brief(session, person_id)})

    def _brief(self, session, person_id):
        """A person's brief (``PersonBriefSchema``'s fields) for the caller, or None."""
        principal = self.principal.current
        person = session.get(Person, person_id)
        if person is None:
            return None
        full = principal is not None and principal.person_id == person.id
        unit = person.bound_unit
        return {
            "person_id": person.id, "name": person.real_name,
            "unit_id": unit.id if unit else None, "unit_name": unit.name if unit else None,
            "title_series": person.title_series,
            "title_series_label": label("title_series", person.title_series),
            "gender": person.gender, "gender_label": label("gender", person.gender),
            "birth_date": iso(person.birth_date),
            "id_type": person.id_type, "id_type_label": label("id_type", person.id_type),
            "id_number": person.id_number if full else mask_id_number(person.id_number),
            "mobile": person.mobile if full else mask_phone(person.mobile),
            "former_name": person.former_name,
            "ethnicity_label": label("ethnicity", person.ethnicity),
            "native_place": person.native_place,
            "political_status_label": label("political_status", person.political_status),
            "work_start_date": iso(person.work_start_date),
            "education_label": label("education", person.education),
            "degree_label": label("degree", person.degree),
            "title_name": person.title_name,
            "applicant_identity": person.applicant_identity,
            "applicant_identity_label": label("applicant_identity",
                                              person.applicant_identity),
            "is_freelancer": person.is_freelancer,
            "deleted": person.deleted_at is not None,
        }

    # ------------------------------------------------------------------ units
    @rpc
    def register_unit(self, data, client=None):
        data = load(c.UnitRegisterSchema, data)
        with self.transaction() as session:
            unit, admin, approver = units.register(session, data, ip=(client or {}).get("ip"))
            return dump(c.UnitRegisteredSchema, {
                **unit_detail(unit, approver), "admin_account_id": admin.id,
                "admin_username": admin.username})

    @rpc
    def search_units(self, filters=None):
        filters = load(c.UnitSearchQuery, filters or {})
        with self.db.read() as session:
            return dump(c.UnitPageSchema, units.search_public(session, filters))

    @rpc
    def list_units(self, filters=None):
        principal = self.principal.require(UNIT_ADMIN, OPERATOR, SECURITY)
        filters = load(c.UnitListQuery, filters or {})
        with self.db.read() as session:
            return dump(c.UnitPageSchema, units.list_units(session, principal, filters))

    @rpc
    def create_unit(self, data):
        principal = self.principal.require(UNIT_ADMIN, OPERATOR)
        data = load(c.UnitCreateSchema, data)
        with self.transaction() as session:
            unit, admin = units.create_builtin(session, principal, data)
            return dump(c.UnitRegisteredSchema, {
                **unit_detail(unit), "admin_account_id": admin.id,
                "admin_username": admin.username})

    @rpc
    def get_unit(self, unit_id):
        principal = self.principal.require(UNIT_ADMIN, OPERATOR)
        with self.db.read() as session:
            return dump(c.UnitDetailSchema, units.get(session, principal, int(unit_id)))

    @rpc
    def update_unit(self, unit_id, data):
        principal = self.principal.require(UNIT_ADMIN, OPERATOR)
        data = load(c.UnitUpdateSchema, data)
        with self.transaction() as session:
            return dump(c.UnitDetailSchema,
                        units.update(session, principal, int(unit_id), data))

    @rpc
    def unit_path(self, unit_id):
        """Contract: [{unit_id, name, kind, region_complete, ...}, parent, ...]."""
        with self.db.read() as session:
            return dump(c.UnitPathStepSchema, units.path(session, int(unit_id)), many=True)

    # ------------------------------------------------------------------ unit users
    @rpc
    def list_unit_users(self, unit_id, filters=None):
        principal = self.principal.require(UNIT_ADMIN, SECURITY)
        filters = load(c.UnitUserQuery, filters or {})
        with self.db.read() as session:
            return dump(c.UserPageSchema,
                        users.list_users(session, principal, int(unit_id), filters))

    @rpc
    def create_unit_admin(self, unit_id, data):
        principal = self.principal.require(UNIT_ADMIN, SECURITY)
        data = load(c.AdminAccountSchema, data)
        with self.transaction() as session:
            return dump(c.UserDetailSchema,
                        users.create_admin(session, principal, int(unit_id), data))

    @rpc
    def get_unit_user(self, unit_id, account_id):
        principal = self.principal.require(UNIT_ADMIN, SECURITY)
        with self.db.read() as session:
            return dump(c.UserDetailSchema,
                        users.get_user(session, principal, int(unit_id), int(account_id)))

    @rpc
    def update_unit_user(self, unit_id, account_id, data):
        """修改基本信息: the unit's own admins (a person's profile is no account matter)."""
        principal = self.principal.require(UNIT_ADMIN)
        data = load(c.UnitUserUpdateSchema, data)
        with self.transaction() as session:
            return dump(c.UserDetailSchema, users.update_user(
                session, principal, int(unit_id), int(account_id), data))

    @rpc
    def freeze_unit_user(self, unit_id, account_id):
        principal = self.principal.require(UNIT_ADMIN, SECURITY)
        with self.transaction() as session:
            return dump(c.UserDetailSchema, users.set_frozen(
                session, principal, int(unit_id), int(account_id), True))

    @rpc
    def unfreeze_unit_user(self, unit_id, account_id):
        principal = self.principal.require(UNIT_ADMIN, SECURITY)
        with self.transaction() as session:
            return dump(c.UserDetailSchema, users.set_frozen(
                session, principal, int(unit_id), int(account_id), False))

    @rpc
    def reset_unit_user_password(self, unit_id, account_id, data=None):
        principal = self.principal.require(UNIT_ADMIN, SECURITY)
        data = load(c.PasswordResetSchema, data or {})
        with self.transaction() as session:
            return dump(c.TemporaryPasswordSchema, users.reset_password(
                session, principal, int(unit_id), int(account_id), data.get("new_password")))

    @rpc
    def delete_unit_user(self, unit_id, account_id):
        principal = self.principal.require(UNIT_ADMIN, SECURITY)
        with self.transaction() as session:
            users.delete_user(session, principal, int(unit_id), int(account_id))
        return dump(c.StatusSchema, {"status": "ok"})

    # ------------------------------------------------------------------ staff, audit
    @rpc
    def create_staff_account(self, data):
        """Staff accounts are the security administrator's (docs/api.md, roles' rights)."""
        principal = self.principal.require(SECURITY)
        data = load(c.StaffAccountSchema, data)
        with self.transaction() as session:
            staff = users.create_staff(session, principal, data)
            return dump(c.StaffSchema, users.staff_view(staff))

    @rpc
    def audit_log(self, filters=None):
        """The audit log, for the auditor only (the audit administrator: neither the
        operator nor the security administrator reads it; docs/api.md, roles' rights)."""
        self.principal.require(AUDITOR)
        filters = load(c.AuditQuery, filters or {})
        with self.db.read() as session:
            return dump(c.AuditPageSchema, audit.search(session, filters))

    @rpc
    def verify_audit_log(self, query=None):
        """Check the audit log's hash chain: gaps, edits, entries outside the chain, and
        a head kept from an earlier check (``head_seq``, ``head_hash``) lost."""
        self.principal.require(AUDITOR)
        query = load(c.AuditVerifyQuery, query or {})
        kept = ({"seq": query["head_seq"], "hash": query["head_hash"]}
                if query.get("head_seq") else None)
        with self.db.read() as session:
            return dump(c.AuditVerificationSchema, audit_chain.verify(session, kept=kept))

    # ------------------------------------------------------------------ events
    @consumer("workflow", "review_decided", when={
        "subject_service": "identity", "kind": ("binding", "unit_registration")})
    def review_decided(self, session, envelope):
        """Apply the review engine's final decisions on identity's subjects, once (the
        decisions on other services' subjects are left alone without a transaction)."""
        raw = envelope["data"]
        data = load(s.ReviewDecidedSchema, raw, code="event.invalid")
        feed.set_publisher(session, self.session_feed.publish)
        if data["kind"] == "binding":
            return bindings.apply_decision(session, data) and None
        return units.apply_decision(session, data) and None


def _audit_consumer(source, event_type):
    """An event handler that records one (source, type) in the audit log, once."""
    def handler(self, session, envelope):
        audit_events.record_event(session, envelope)

    handler.__name__ = handler.__qualname__ = f"audit_{source}_{event_type}"
    handler.__doc__ = f"Audit entry of {source}/{event_type} (logic/audit_events.py)."
    return consumer(source, event_type, grouped=True, prepare=audit_events.prepare,
                    when=audit_events.WHEN.get((source, event_type)))(handler)


# One handler per audited event type (each with its own durable queue, declared by
# services/common/topology.py like every other handler's).
for _source, _type in audit_events.AUDITED:
    setattr(IdentityService, f"audit_{_source}_{_type}", _audit_consumer(_source, _type))
