"""AchievementsService: thin entrypoints over the rules in ``logic``.

Every dependency and RPC proxy is declared here once; entrypoints load their arguments
with the schemas of ``services.contracts.achievements``, call ``logic`` with a session,
and dump their answers with the same contract. No RPC is made while a transaction is
open: what a call needs is read first, the other service is called, then one
transaction re-checks what was read and writes.
"""
import contextlib
import logging

from services.common.config import Settings
from services.common.db import Database
from services.common.errors import Conflict, Forbidden, Invalid, NotFound
from services.common.messaging import consumer
from services.common.principal import PERSON, UNIT_ADMIN, PrincipalProvider
from services.common.rpc import OperationsRpc, ServiceRpc, rpc
from services.common.schemas import dump, load
from services.contracts import achievements as sc

from . import catalogue
from . import schemas as views
from .catalogue_rpc import CatalogueRpc
from .hours_rpc import PublicHoursRpc
from .imports_rpc import ImportsRpc
from .logic import children, duplicates, evidence, records
from .logic import status as st
from .models import Base
from .return_notice_rpc import ReturnNoticeRpc
from .rows_rpc import RowsRpc

log = logging.getLogger(__name__)

UNBOUND_MESSAGE = "您尚未绑定工作单位或绑定尚未通过审核，业绩只能保存，无法提交"
evidence_slots = evidence.allowed_slots


class AchievementsService(OperationsRpc, CatalogueRpc, RowsRpc, ImportsRpc, PublicHoursRpc,
                          ReturnNoticeRpc):
    name = "achievements"

    settings = Settings(required=("AMQP_URI", "DATABASE_URL"))
    db = Database(Base.metadata)
    principal = PrincipalProvider()
    identity_rpc = ServiceRpc("identity")
    documents_rpc = ServiceRpc("documents")

    # ------------------------------------------------------------------ helpers
    def _person(self):
        principal = self.principal.require(PERSON)
        if principal.person_id is None:
            raise Forbidden("auth.not_a_person", "只有专业技术人员可以维护个人业绩")
        return principal

    def _unit_admin(self):
        principal = self.principal.require(UNIT_ADMIN)
        if principal.unit_id is None:
            raise Forbidden("auth.no_unit", "当前账号未关联单位")
        return principal

    @staticmethod
    def _actor(principal):
        return {"account_id": principal.account_id, "name": principal.name}

    def _binding(self, person_id):
        return self.identity_rpc.may_submit(person_id) or {}

    def _require_binding(self, binding):
        if not binding.get("allowed") or not binding.get("unit_id"):
            raise Conflict("record.unbound", binding.get("reason") or UNBOUND_MESSAGE)
        return binding

    def _bound_unit_name(self, principal, rtype, binding=None):
        """The bound unit's name for types with a unit field (年度考核的考核单位)."""
        if not records.has_unit_field(rtype):
            return None
        if binding is None:
            if principal.unit_id is None:
                return None
            binding = self._binding(principal.person_id)
        return binding.get("unit_name") if binding.get("allowed") else None

    def _check_type_allowed(self, principal, rtype):
        """行业专用 types are for persons of the 卫生技术人员 series only."""
        if not rtype.health_only:
            return
        brief = self.identity_rpc.get_person_brief(principal.person_id) or {}
        allowed = {t.code for t in catalogue.types_for(brief.get("title_series_label"))}
        if rtype.code not in allowed:
            raise Invalid("record.type_not_allowed",
                          "行业专用业绩仅供职称系列为“卫生技术人员”的人员录入",
                          {"fields": {"type": "行业专用业绩仅供卫生技术人员录入"}})

    @contextlib.contextmanager
    def _snapshot(self):
        """A read session on one snapshot (REPEATABLE READ): a view built from several
        queries (the record and its trail, a page and its counts) is consistent even
        while a decision commits in between."""
        with self.db.read() as session:
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            yield session

    def _attach(self, file_ids, record_id, subject_type="record", slots=None):
        """Marks the files as used by the subject (the documents service checks they are
        the caller's and complete, and of ``slots``: a record's type's upload places, a
        reference's own place); answers the documents service's answer."""
        if subject_type == "reference" and slots is None:
            slots = evidence.REFERENCE_SLOTS
        if file_ids:
            return self.documents_rpc.attach(list(file_ids), sc.SUBJECT_SERVICE, subject_type,
                                             record_id, slots=slots)
        return None

    def _described(self, file_ids):
        """The caller's files among ``file_ids`` with their upload places (documents)."""
        return self.documents_rpc.describe_files(list(file_ids)) if file_ids else []

    def _detach(self, file_ids, subject_id, subject_type="record"):
        if file_ids:
            self.documents_rpc.detach(sorted(file_ids), sc.SUBJECT_SERVICE, subject_type,
                                      subject_id)

    def _attached_ids(self, subject_id, subject_type="record"):
        answer = self.documents_rpc.attached_files(sc.SUBJECT_SERVICE, subject_type,
                                                   subject_id) or []
        return {f["id"] for f in answer}

    def _detach_rows(self, row_files):
        """Detach each row's file from its row (achievements/reference/<row id>)."""
        replies = [self.documents_rpc.detach.call_async([file_id], sc.SUBJECT_SERVICE,
                                                        "reference", row_id)
                   for row_id, file_id in sorted(row_files.items())]
        for reply in replies:
            reply.result()

    def _submission_values(self, session, record, rtype, raw, evidence_ids, bound_unit_name,
                           files=()):
        """The fully validated values for submission, or Invalid with every problem: the
        fields, the evidence (``files``: the documents service's description of it: each
        file of the type's places, each required place filled), and for health records
        the rows against their rule."""
        problems, values = {}, None
        try:
            values = records.clean(rtype, raw, evidence_ids, partial=False,
                                   bound_unit_name=bound_unit_name)
        except Invalid as exc:
            problems.update((exc.details or {}).get("fields") or {})
        rows = children.plain(children.rows_of(session, record.id)) \
            if (record is not None and rtype.children) else []
        for key, message in children.submission_problems(
                rtype, values or raw or {}, evidence_ids, rows, records.today()).items():
            problems.setdefault(key, message)
        for key, message in evidence.problems(rtype, values or raw or {}, evidence_ids,
                                              files).items():
            problems.setdefault(key, message)
        if problems:
            raise Invalid("record.invalid", "业绩信息填写有误", {"fields": problems})
        return values

    def _check_attached(self, rtype, values, attached):
        problem = children.nontemplate_slot_problem(rtype, values, attached)
        if problem:
            raise Invalid("record.invalid", "业绩信息填写有误",
                          {"fields": {"evidence_file_ids": problem}})

    # ------------------------------------------------------------------ records
    @rpc
    def create_record(self, type, fields=None, evidence_file_ids=None, submit=False):
        """新增: save a draft, or (``submit``) validate fully and submit at once; a
        refused submission saves nothing."""
        principal = self._person()
        data = load(sc.RecordCreateSchema, {
            "type": type, "fields": fields or {},
            "evidence_file_ids": evidence_file_ids or [], "submit": bool(submit)})
        rtype = records.record_type(data["type"])
        self._check_type_allowed(principal, rtype)
        evidence = data["evidence_file_ids"]
        actor = self._actor(principal)
        if not data["submit"]:
            values = records.clean(rtype, data["values"], evidence, partial=True,
                                   bound_unit_name=self._bound_unit_name(principal, rtype))
            with self.db.transaction() as session:
                record = records.create(session, rtype=rtype, person_id=principal.person_id,
                                        person_name=principal.name, values=values,
                                        evidence_file_ids=evidence, actor=actor)
                return dump(sc.RecordDetail, records.detail(session, record))
        binding = self._require_binding(self._binding(principal.person_id))
        files = self._described(evidence)
        with self.db.read() as session:
            values = self._submission_values(
                session, None, rtype, data["values"], evidence,
                self._bound_unit_name(principal, rtype, binding), files)
        record_id = None  # reserved only when evidence is attached to it first
        if evidence:
            with self.db.transaction() as session:
                record_id = records.next_record_id(session)
        self._check_attached(rtype, values, self._attach(evidence, record_id,
                                                         slots=evidence_slots(rtype)))
        with self.db.transaction() as session:
            record = records.create(session, rtype=rtype, person_id=principal.person_id,
                                    person_name=principal.name, values=values,
                                    evidence_file_ids=evidence, actor=actor,
                                    record_id=record_id)
            records.submit(session, record, rtype=rtype, values=values,
                           unit_id=binding["unit_id"], unit_name=binding.get("unit_name"),
                           person_name=principal.name, actor=actor)
            return dump(sc.RecordDetail, self._submitted_detail(session, record))

    @rpc
    def update_record(self, record_id, fields=None, evidence_file_ids=None):
        """修改 a draft or returned record: given fields replace the stored ones (a null
        clears one); the result is checked as a draft (formats, not required marks)."""
        principal = self._person()
        data = load(sc.RecordUpdateSchema, {"fields": fields,
                                            "evidence_file_ids": evidence_file_ids})
        with self.db.read() as session:
            record = records.get_owned(session, record_id, principal.person_id)
            st.require_editable(record.status)
            rtype = records.record_type(record.type_code)
            merged = {**(record.fields or {}), **(data["values"] or {})}
            merged = {k: v for k, v in merged.items() if v is not None}
            version = record.version
            dropped = (set(record.evidence_file_ids or []) - set(data["evidence_file_ids"])
                       if data["evidence_file_ids"] is not None else set())
        values = records.clean(rtype, merged, data["evidence_file_ids"], partial=True,
                               bound_unit_name=self._bound_unit_name(principal, rtype))
        if dropped:  # files the record no longer uses are released
            self._detach(dropped & self._attached_ids(record_id), record_id)
        with self.db.transaction() as session:
            record = records.get_owned(session, record_id, principal.person_id,
                                       for_update=True)
            if record.version != version:
                raise Conflict("record.changed", "记录已被修改，请刷新后重试")
            records.update_values(session, record, rtype=rtype, values=values,
                                  evidence_file_ids=data["evidence_file_ids"],
                                  person_name=principal.name, actor=self._actor(principal))
            return dump(sc.RecordDetail, records.detail(session, record))

    @rpc
    def delete_record(self, record_id):
        """删除 a draft or returned record; the files it used (its evidence, its
        references' files) are detached in the documents service first."""
        principal = self._person()
        with self.db.read() as session:
            record = records.get_owned(session, record_id, principal.person_id)
            st.require_deletable(record.status)
            _evidence, row_files = records.files_of(session, record)
            version = record.version
        self._detach(self._attached_ids(record_id), record_id)
        self._detach_rows(row_files)
        with self.db.transaction() as session:
            record = records.get_owned(session, record_id, principal.person_id,
                                       for_update=True)
            if record.version != version:
                raise Conflict("record.changed", "记录已被修改，请刷新后重试")
            st.require_deletable(record.status)
            records.remove(session, record)
        return dump(sc.RecordDeleted, {"id": record_id, "deleted": True})

    def _prepare_submission(self, session, principal, record_id, binding, files=()):
        """Checks one record for submission: its status, every field and the evidence
        (``files``: as the documents service described it). Returns what the
        transaction needs, without changing anything."""
        record = records.get_owned(session, record_id, principal.person_id)
        st.require_submittable(record.status)
        rtype = records.record_type(record.type_code)
        evidence = list(record.evidence_file_ids or [])
        values = self._submission_values(
            session, record, rtype, record.fields, evidence,
            self._bound_unit_name(principal, rtype, binding), files)
        return {"record_id": record.id, "rtype": rtype, "values": values,
                "evidence": evidence, "version": record.version}

    @staticmethod
    def _submitted_detail(session, record):
        """A record just submitted, with the applicant's warnings (the same achievement
        already claimed by others: the submission stands, the unit is told)."""
        out = records.detail(session, record)
        out["duplicates"] = duplicates.view(session, record, owner=True)
        out["warnings"] = duplicates.warnings(out["duplicates"])
        return out

    def _commit_submissions(self, principal, binding, prepared):
        actor = self._actor(principal)
        with self.db.transaction() as session:
            done = []
            for entry in sorted(prepared, key=lambda e: e["record_id"]):
                record = records.get_owned(session, entry["record_id"], principal.person_id,
                                           for_update=True)
                records.submit(session, record, rtype=entry["rtype"], values=entry["values"],
                               unit_id=binding["unit_id"], unit_name=binding.get("unit_name"),
                               person_name=principal.name, actor=actor,
                               expected_version=entry["version"])
                done.append(record)
            return {r.id: dump(sc.RecordDetail, self._submitted_detail(session, r))
                    for r in done}

    @rpc
    def submit_record(self, record_id):
        """提交 to the bound unit: only with an approved binding, only when every field
        and the evidence pass; the evidence is attached to the record first."""
        principal = self._person()
        with self.db.read() as session:  # 404 before asking identity
            owned = records.get_owned(session, record_id, principal.person_id)
            files = list(owned.evidence_file_ids or [])
        binding = self._require_binding(self._binding(principal.person_id))
        files = self._described(files)
        with self.db.read() as session:
            entry = self._prepare_submission(session, principal, record_id, binding, files)
        self._check_attached(entry["rtype"], entry["values"],
                             self._attach(entry["evidence"], record_id,
                                          slots=evidence_slots(entry["rtype"])))
        return self._commit_submissions(principal, binding, [entry])[record_id]

    @rpc
    def submit_records(self, record_ids):
        """批量提交 (e.g. 卫生-病案): all or nothing; every record's problems at once."""
        principal = self._person()
        ids = list(dict.fromkeys(load(sc.RecordIdsSchema, {"record_ids": record_ids})
                                 ["record_ids"]))
        files = []
        with self.db.read() as session:
            for record_id in ids:
                files += records.get_owned(session, record_id,
                                           principal.person_id).evidence_file_ids or []
        binding = self._require_binding(self._binding(principal.person_id))
        files = self._described(list(dict.fromkeys(files)))
        prepared, invalid, wrong_state = [], {}, {}
        with self.db.read() as session:
            for record_id in ids:
                try:
                    prepared.append(self._prepare_submission(session, principal, record_id,
                                                             binding, files))
                except Invalid as exc:
                    invalid[str(record_id)] = (exc.details or {}).get("fields") or exc.message
                except Conflict as exc:
                    wrong_state[str(record_id)] = exc.message
        if wrong_state:
            raise Conflict("record.not_submittable", "部分记录当前状态无法提交，未提交任何记录",
                           {"records": wrong_state})
        if invalid:
            raise Invalid("record.invalid", "部分业绩信息填写有误，未提交任何记录",
                          {"records": invalid})
        for entry in prepared:
            attached = self._attach(entry["evidence"], entry["record_id"],
                                    slots=evidence_slots(entry["rtype"]))
            problem = children.nontemplate_slot_problem(entry["rtype"], entry["values"],
                                                        attached)
            if problem:
                invalid[str(entry["record_id"])] = {"evidence_file_ids": problem}
        if invalid:
            raise Invalid("record.invalid", "部分业绩信息填写有误，未提交任何记录",
                          {"records": invalid})
        details = self._commit_submissions(principal, binding, prepared)
        return dump(sc.RecordBatchResult, {"submitted": ids,
                                            "items": [details[i] for i in ids]})

    @rpc
    def withdraw_record(self, record_id, reason=None):
        """撤回: a submitted record not yet decided, or an approved one no live
        declaration imported, goes back to 编辑中; logged in 撤回记录."""
        principal = self._person()
        data = load(sc.WithdrawSchema, {"reason": reason})
        with self.db.transaction() as session:
            record = records.get_owned(session, record_id, principal.person_id,
                                       for_update=True)
            rtype = records.record_type(record.type_code)
            records.withdraw(session, record, rtype=rtype, reason=data["reason"],
                             actor=self._actor(principal))
            return dump(sc.RecordDetail, records.detail(session, record))

    @rpc
    def get_record(self, record_id):
        """The record's details and local trail: its owner, or an admin of the unit it
        was submitted to; 404 for anyone else."""
        principal = self.principal.require(PERSON, UNIT_ADMIN)
        with self._snapshot() as session:
            record = records.get_record(session, record_id)
            own = principal.has(PERSON) and principal.person_id is not None \
                and record.person_id == principal.person_id
            unit = principal.has(UNIT_ADMIN) and records.visible_to_unit(record,
                                                                         principal.unit_id)
            if not (own or unit):
                raise NotFound("record.not_found", "业绩记录不存在")
            out = records.detail(session, record)
            out["duplicates"] = duplicates.view(
                session, record, viewer_unit_id=principal.unit_id if unit else None,
                owner=not unit)
            return dump(sc.RecordDetail, out)

    @rpc
    def record_duplicates(self, record_id):
        """重复申报提示 of a record for the unit it was submitted to (the task detail):
        the other persons claiming the same achievement, masked as the unit may see
        them; None when nobody else claims it. 404 for anyone else."""
        principal = self._unit_admin()
        with self.db.read() as session:
            record = records.get_record(session, record_id)
            if not records.visible_to_unit(record, principal.unit_id):
                raise NotFound("record.not_found", "业绩记录不存在")
            found = duplicates.view(session, record, viewer_unit_id=principal.unit_id)
        return dump(sc.DuplicateClaims, found) if found else None

    @rpc
    def revoke_approval(self, record_id, reason=None):
        """撤销审核: an admin of the unit that approved the record takes the approval
        back (not while a declaration holds it); the record is 审核中 again with a new
        review task for the unit, which may then return it (退回)."""
        principal = self._unit_admin()
        data = load(sc.ReasonSchema, {"reason": reason})
        with self.db.transaction() as session:
            record = records.get_record(session, record_id, for_update=True)
            if not records.visible_to_unit(record, principal.unit_id):
                raise NotFound("record.not_found", "业绩记录不存在")
            rtype = records.record_type(record.type_code)
            records.revoke(session, record, rtype=rtype, reason=data["reason"],
                           actor=self._actor(principal))
            return dump(sc.RecordDetail, records.detail(session, record))

    # ------------------------------------------------------------------ lists
    def _list_filters(self, query):
        if query.get("type"):
            records.record_type(query["type"])  # 422 for an unknown type
        return {"type_code": query.get("type"), "category": query.get("category"),
                "q": query.get("q"), "status": query.get("status"),
                "page": query["page"], "page_size": query["page_size"]}

    @rpc
    def list_records(self, **query):
        """The person's records of a type: keyword search, status tab, page."""
        principal = self._person()
        query = load(sc.RecordListSchema, query)
        with self.db.read(autocommit=True) as session:  # records.page: one statement
            return dump(sc.RecordPage, records.page(session, person_id=principal.person_id,
                                                     **self._list_filters(query)))

    @rpc
    def list_unit_records(self, **query):
        """业绩档案: records submitted to the caller's unit, with 申报人."""
        principal = self._unit_admin()
        query = load(sc.UnitRecordListSchema, query)
        filters = self._list_filters(query)
        filters["person"] = query.get("person")
        with self.db.read(autocommit=True) as session:  # records.page: one statement
            result = records.page(session, unit_id=principal.unit_id, **filters,
                                  with_duplicates=True,
                                  **({"person_id": query["person_id"]}
                                     if query.get("person_id") else {}))
        return dump(sc.RecordPage, result)

    @rpc
    def record_stats(self):
        """我的业绩: counts per status, per category and per type."""
        principal = self._person()
        with self._snapshot() as session:
            return dump(sc.RecordStats,
                records.statistics(session, person_id=principal.person_id))

    @rpc
    def unit_record_stats(self):
        """The unit's 业绩档案 menu counts (submitted to the unit; drafts excluded)."""
        principal = self._unit_admin()
        with self._snapshot() as session:
            return dump(sc.RecordStats, records.statistics(session, unit_id=principal.unit_id))

    @rpc
    def list_withdrawals(self, **query):
        """撤回记录 of the caller."""
        principal = self._person()
        query = load(sc.WithdrawalListSchema, query)
        with self._snapshot() as session:
            return dump(sc.WithdrawalPage, records.withdrawals_page(
                session, person_id=principal.person_id, q=query.get("q"),
                type_code=query.get("type"), category=query.get("category"),
                status=query.get("status"), page=query["page"],
                page_size=query["page_size"]))

    # ------------------------------------------------------------------ declarations
    # lock_records and unlock_records are for other services (workflow's declarations),
    # never routed by the gateway: the caller is the declarant (the principal workflow
    # passes on) or a system caller without a principal; anyone else is refused.
    def _lock_owner(self, person_id):
        """The person whose records a declaration may hold; None for a system caller
        releasing locks."""
        principal = self.principal.current
        if principal is not None:
            if not principal.has(PERSON) or principal.person_id is None:
                raise Forbidden("auth.forbidden", "无权操作业绩的申报引用")
            if person_id is not None and person_id != principal.person_id:
                raise Forbidden("auth.forbidden", "只能导入本人的业绩")
            return principal.person_id
        return person_id

    @rpc
    def lock_records(self, record_ids, declaration_id, person_id=None):
        """A declaration imports records: each must be the person's and 审核通过.
        All or nothing, idempotent per (record, declaration). Answers the records'
        details (the snapshot the declaration shows)."""
        self.principal.require_service()  # only declarations (workflow) lock records
        data = load(sc.LockSchema, {"record_ids": record_ids, "declaration_id": declaration_id,
                                    "person_id": person_id})
        owner = self._lock_owner(data["person_id"])
        if owner is None:
            raise Invalid("request.invalid", "缺少申报人",
                          {"fields": {"person_id": "此项为必填项"}})
        with self.db.transaction() as session:
            locked = records.lock(session, data["record_ids"], data["declaration_id"], owner)
            return sc.RecordDetail(many=True).dump([records.detail(session, r) for r in locked])

    @rpc
    def unlock_records(self, record_ids, declaration_id):
        """The declaration no longer holds these records (``record_ids`` None: any of
        them), e.g. an item removed or an import given back. A declarant releases only
        their own records."""
        self.principal.require_service()  # only declarations (workflow) release them
        data = load(sc.UnlockSchema, {"record_ids": record_ids,
                                      "declaration_id": declaration_id})
        owner = self._lock_owner(None)
        with self.db.transaction() as session:
            released = records.unlock(session, data["declaration_id"], data["record_ids"],
                                      person_id=owner)
        return dump(sc.UnlockResult, {"declaration_id": data["declaration_id"],
                                       "record_ids": released})

    # ------------------------------------------------------------------ events
    @consumer("workflow", "review_decided", grouped=True,  # a batch's decisions at once
              prepare=records.lock_decided)
    def review_decided(self, session, envelope):
        """A unit decided a record's review: 审核通过 / 退回 (with the opinion) / 终止.
        A declaration's review ended for good (审核通过, 不通过, 终止): the records it
        held are released (their frozen copies stay with the declaration)."""
        decision = views.load_event(views.ReviewDecidedView, envelope)
        if views.ends_declaration(decision):
            return records.unlock(session, decision["subject_id"])
        return records.apply_decision(session, envelope)

    @consumer("workflow", "declaration_deleted")
    def declaration_deleted(self, session, envelope):
        """A deleted declaration holds no records any more."""
        data = views.load_event(views.DeclarationDeletedView, envelope)
        return records.unlock(session, data["declaration_id"])
