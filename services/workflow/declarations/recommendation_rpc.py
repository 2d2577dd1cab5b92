"""RPC entrypoints of employer recommendation, post quotas, publicity and 上报, mixed into
WorkflowService.

Thin: load with a schema, gather facts from identity (the unit and its nature) and
documents (attachments) over RPC (never inside a transaction), call the rules in
``logic/recommendations.py``, ``logic/quotas.py``, ``logic/publicity.py``, dump with a
contract schema. The service provides ``db``, ``principal`` and the proxies
``identity_rpc`` and ``documents_rpc``.
"""
import logging

from services.common.errors import Invalid, NotFound
from services.common.principal import OPERATOR, UNIT_ADMIN
from services.common.rpc import rpc
from services.common.schemas import dump, load, require_id
from services.contracts.workflow import recommendations as rs

from .logic import declarations as decl
from .logic import plans, quotas
from .logic import publicity as publicities
from .logic import recommendations as recs

log = logging.getLogger(__name__)

QUOTA_SLOT = "post_quota_form"
QUOTA_SUBJECT = "post_quota"


class RecommendationRpc:

    # ------------------------------------------------------------------ helpers

    def _rec_unit(self, unit_id):
        """identity's unit as the caller may see it (404 ``unit.not_found`` otherwise)."""
        return self.identity_rpc.get_unit(unit_id) or {}

    def _rec_attach(self, file_ids, subject_type, subject_id):
        if not file_ids:
            return []
        return self.documents_rpc.attach(sorted(set(file_ids)), "workflow",
                            subject_type, subject_id) or []

    def _rec_detach(self, file_ids, subject_type, subject_id):
        """Best effort: a file left attached only counts against the slot's limit."""
        if not file_ids:
            return
        try:
            self.documents_rpc.detach(sorted(set(file_ids)), "workflow", subject_type,
                                      subject_id)
        except Exception:
            log.exception("could not detach files %s from %s %s", file_ids, subject_type,
                          subject_id)

    # ------------------------------------------------------------------ recommendation

    @rpc
    def get_recommendation(self, declaration_id):
        """单位推荐意见 of a declaration, for whoever may see the declaration."""
        actor = self.principal.require()
        with self.db.read() as session:
            declaration, _ = decl.get_visible(session, actor, require_id(declaration_id))
            return dump(rs.RecommendationScreenOut,
                recs.screen(session, actor, declaration))

    @rpc
    def save_recommendation(self, declaration_id, data=None):
        """保存单位推荐意见 by an admin of the employer while it reviews the declaration."""
        actor = self.principal.require(UNIT_ADMIN)
        values = load(rs.RecommendationSchema, data or {}, code="recommendation.invalid")
        with self.db.read() as session:
            declaration, held = recs.prepare(session, actor, require_id(declaration_id))
            unit_id = declaration.unit_id
        unit = self._rec_unit(unit_id)
        wanted = values["material_file_ids"]
        added = [fid for fid in wanted if fid not in held]
        removed = [fid for fid in held if fid not in wanted]
        # Removed files go first so that replacing a file fits the slot's count.
        self._rec_detach(removed, recs.SUBJECT_TYPE, declaration_id)
        try:
            files = self._rec_attach(added, recs.SUBJECT_TYPE, declaration_id)
            wrong = recs.wrong_slots(files)
            if wrong:
                raise Invalid("recommendation.material_invalid",
                              "所选文件不是单位推荐意见的材料，请在对应位置上传",
                              {"fields": {"material_file_ids": ["所选文件不是单位推荐意见的材料"]},
                               "file_ids": wrong})
            slots = {f["id"]: f["slot"] for f in files}
            with self.db.read() as session:
                found = recs.get_recommendation(session, declaration_id)
                for entry in (found.materials if found else ()):
                    slots.setdefault(entry["file_id"], entry["slot"])
            materials = [{"file_id": fid, "slot": slots[fid]} for fid in wanted]
            with self.db.transaction() as session:
                recs.save(session, actor, declaration_id, values, unit=unit,
                          materials=materials)
        except Exception:
            self._rec_detach(added, recs.SUBJECT_TYPE, declaration_id)
            if removed:
                try:
                    self._rec_attach(removed, recs.SUBJECT_TYPE, declaration_id)
                except Exception:
                    log.exception("could not attach files %s again", removed)
            raise
        return self.get_recommendation(declaration_id)

    @rpc
    def may_read_attachments(self, subjects):
        """Whether the calling unit admin may read a unit's files attached to these
        subjects (documents asks before it refuses another unit's file): the materials
        of a recommendation for the units its declaration is or was before; the form of
        a post quota for whoever may read the quota (its HR department) and for the units
        a declaration recommended under it is or was before."""
        actor = self.principal.current
        if actor is None or not actor.has(UNIT_ADMIN) or actor.unit_id is None:
            return False
        wanted = [(str(kind), str(key)) for kind, key in subjects or ()]

        def ids(kind):
            return sorted({int(key) for k, key in wanted if k == kind and key.isdigit()})

        quota_units = []
        with self.db.read() as session:
            declaration_ids = ids(recs.SUBJECT_TYPE)
            quota_ids = ids(QUOTA_SUBJECT)
            declaration_ids += quotas.declarations_under(session, quota_ids)
            if any(decl.unit_had_task(session, did, actor.unit_id)
                   for did in declaration_ids):
                return True
            for quota_id in quota_ids:
                try:
                    quota_units.append(quotas.get(session, quota_id).unit_id)
                except NotFound:
                    continue
        for unit_id in quota_units:
            try:
                self._rec_may_read_unit_quotas(actor, unit_id)
                return True
            except NotFound:
                continue
        return False

    # ------------------------------------------------------------------ post quotas

    def _rec_quota_answer(self, quota_id):
        with self.db.read() as session:
            quota = quotas.get(session, quota_id)
            return dump(rs.PostQuotaOut, quotas.view(session, quota))

    def _rec_may_read_unit_quotas(self, actor, unit_id):
        """The unit's own admins; an HR department whose region holds the unit (identity
        answers its unit to it); operators. Others: 404."""
        if actor.has(OPERATOR) or (actor.has(UNIT_ADMIN) and actor.unit_id == unit_id):
            return
        if actor.has(UNIT_ADMIN) and (actor.extra or {}).get("unit_kind") == "hr":
            self._rec_unit(unit_id)
            return
        raise NotFound("post_quota.not_found", "岗位核准信息不存在")

    @rpc
    def list_post_quotas(self, query=None):
        """岗位核准信息 of the caller's unit (or, for the HR department of its region and
        operators, of ``unit_id``), newest year first, with 已推荐 per level."""
        actor = self.principal.require(UNIT_ADMIN, OPERATOR)
        params = load(rs.PostQuotaQuery, query or {})
        unit_id = params.get("unit_id") or actor.unit_id
        if unit_id is None:
            raise Invalid("request.invalid", "请选择单位", {"fields": {"unit_id": ["请选择单位"]}})
        self._rec_may_read_unit_quotas(actor, unit_id)
        with self.db.read() as session:
            items = [quotas.view(session, q)
                     for q in quotas.unit_quotas(session, unit_id, params.get("year"))]
        return dump(rs.PostQuotaListOut, {"unit_id": unit_id, "items": items,
                                           "total": len(items)})

    @rpc
    def get_post_quota(self, quota_id):
        actor = self.principal.require(UNIT_ADMIN, OPERATOR)
        with self.db.read() as session:
            unit_id = quotas.get(session, require_id(quota_id)).unit_id
        self._rec_may_read_unit_quotas(actor, unit_id)
        return self._rec_quota_answer(quota_id)

    def _rec_check_form(self, files):
        wrong = [f["id"] for f in files if f.get("slot") != QUOTA_SLOT]
        if wrong:
            raise Invalid("post_quota.form_invalid", "请在“相关附件”中上传盖章后的岗位核准表",
                          {"fields": {"form_file_id": ["所选文件不是岗位核准表"]},
                           "file_ids": wrong})

    @rpc
    def create_post_quota(self, data=None):
        """新增岗位核准信息 (保存, or 保存并确认 with ``confirm``) of the caller's unit, a
        事业单位."""
        actor = self.principal.require(UNIT_ADMIN)
        values = load(rs.PostQuotaSchema, data or {}, code="post_quota.invalid")
        unit = self._rec_unit(actor.unit_id)
        quotas.require_institution(unit)
        with self.db.transaction() as session:
            quota_id = quotas.create(session, actor, unit, values).id
        form = values.get("form_file_id")
        try:
            if form:
                self._rec_check_form(self._rec_attach([form], QUOTA_SUBJECT, quota_id))
            if values["confirm"]:
                with self.db.transaction() as session:
                    quotas.confirm(session, actor, quotas.get(session, quota_id,
                                                              for_update=True))
        except Exception:
            # The entry was refused: nothing is left behind.
            self._rec_detach([form] if form else [], QUOTA_SUBJECT, quota_id)
            with self.db.transaction() as session:
                session.delete(quotas.get(session, quota_id, for_update=True))
            raise
        return self._rec_quota_answer(quota_id)

    @rpc
    def update_post_quota(self, quota_id, data=None):
        """修改 (保存) while not confirmed; ``confirm`` confirms after saving. 409 once
        confirmed: the entry cannot be changed any more."""
        actor = self.principal.require(UNIT_ADMIN)
        values = load(rs.PostQuotaUpdateSchema, data or {}, code="post_quota.invalid")
        confirm = values.pop("confirm", False)
        with self.db.read() as session:
            quota = quotas.get(session, require_id(quota_id))
            quotas.require_own(actor, quota)
            quotas.require_unconfirmed(quota)
            old_form = quota.form_file_id
        new_form = values.get("form_file_id")
        attached = new_form is not None and new_form != old_form
        if attached:
            self._rec_check_form(self._rec_attach([new_form], QUOTA_SUBJECT, quota_id))
        try:
            with self.db.transaction() as session:
                quota = quotas.get(session, quota_id, for_update=True)
                quotas.update(session, actor, quota, values)
                if confirm:
                    quotas.confirm(session, actor, quota)
        except Exception:
            if attached:
                self._rec_detach([new_form], QUOTA_SUBJECT, quota_id)
            raise
        if "form_file_id" in values and old_form and old_form != new_form:
            self._rec_detach([old_form], QUOTA_SUBJECT, quota_id)
        return self._rec_quota_answer(quota_id)

    @rpc
    def confirm_post_quota(self, quota_id):
        """确认: from now on the entry is fixed (409 on any change)."""
        actor = self.principal.require(UNIT_ADMIN)
        with self.db.transaction() as session:
            quota = quotas.get(session, require_id(quota_id), for_update=True)
            quotas.confirm(session, actor, quota)
        return self._rec_quota_answer(quota_id)

    # ------------------------------------------------------------------ publicity

    def _rec_screen(self, declaration_id):
        return self.get_recommendation(declaration_id)

    @rpc
    def record_publicity(self, declaration_id, data=None):
        """公示结果录入 for one declaration by its employer."""
        actor = self.principal.require(UNIT_ADMIN)
        values = load(rs.PublicitySchema, data or {}, code="publicity.invalid")
        with self.db.transaction() as session:
            declaration = recs.employer_declaration(session, actor, require_id(declaration_id),
                                                    "公示信息")
            publicities.record(session, actor, declaration, values)
        return self._rec_screen(declaration_id)

    @rpc
    def record_unit_publicity(self, data=None):
        """批量添加: the same publicity for the selected declarations of the caller's unit
        or for all of them (at or past the unit's step)."""
        actor = self.principal.require(UNIT_ADMIN)
        values = load(rs.PublicityBatchSchema, data or {}, code="publicity.invalid")
        selection = {key: values.pop(key, None) for key in ("declaration_ids", "plan_id",
                                                            "year")}
        with self.db.transaction() as session:
            result = publicities.record_batch(session, actor, values, **selection)
        return dump(rs.PublicityBatchResultOut, result)

    @rpc
    def add_publicity_objection(self, declaration_id, data=None):
        """登记公示期间的异议 (with its handling if known)."""
        actor = self.principal.require(UNIT_ADMIN)
        values = load(rs.ObjectionSchema, data or {}, code="objection.invalid")
        with self.db.transaction() as session:
            declaration = recs.employer_declaration(session, actor, require_id(declaration_id),
                                                    "公示信息")
            publicities.add_objection(session, actor, declaration, values)
        return self._rec_screen(declaration_id)

    @rpc
    def handle_publicity_objection(self, declaration_id, objection_id, data=None):
        """异议处理情况."""
        actor = self.principal.require(UNIT_ADMIN)
        values = load(rs.ObjectionHandlingSchema, data or {}, code="objection.invalid")
        with self.db.transaction() as session:
            declaration = recs.employer_declaration(session, actor, require_id(declaration_id),
                                                    "公示信息")
            publicities.handle_objection(session, actor, declaration,
                                         require_id(objection_id, "objection_id"), values)
        return self._rec_screen(declaration_id)

    # ------------------------------------------------------------------ 上报

    @rpc
    def unit_report_status(self, plan_id):
        """上报 of the caller's unit for a plan: what waits (待上报), what is pending."""
        actor = self.principal.require(UNIT_ADMIN)
        recs.require_employer_admin(actor)
        with self.db.read() as session:
            plan = plans.get_visible(session, actor, require_id(plan_id))
            return dump(rs.ReportViewOut, recs.report_view(session, actor, plan))

    @rpc
    def report_unit_declarations(self, plan_id):
        """上报: forward every held declaration of the unit and plan at once."""
        actor = self.principal.require(UNIT_ADMIN)
        with self.db.transaction() as session:
            plan = plans.get_visible(session, actor, require_id(plan_id))
            result = recs.report(session, actor, plan)
        return dump(rs.ReportResultOut, result)
