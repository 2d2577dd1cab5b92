"""RPC entrypoints of evaluation plans and declarations, mixed into WorkflowService.

Thin: load with a contract schema, gather facts from identity and achievements over RPC
(never inside a transaction), call the rules in ``logic/plans.py`` and
``logic/declarations.py``, dump with a contract schema. The service provides ``db``,
``principal``, ``review_rules`` and the proxies ``identity_rpc``, ``achievements_rpc``,
``documents_rpc`` (503 when the service is not running).

A declaration's record locks in achievements are taken here (import, submission) and
given back here for an item removed or an import that failed; achievements releases
them itself when a declaration's review ends for good or the declaration is deleted
(it consumes ``review_decided`` and ``declaration_deleted``).
"""
import base64
import logging

from services.common.errors import Conflict, Invalid, NotFound
from services.common.principal import OPERATOR, PERSON, UNIT_ADMIN
from services.common.rpc import rpc
from services.common.schemas import dump, load, require_id
from services.contracts.workflow import declarations as ps
from services.contracts.workflow.expert import ExpertViewSchema

from .logic import chain as chains
from .logic import declarations as decl
from .logic import expert_view, plans, pledge

log = logging.getLogger(__name__)


class DeclarationsRpc:

    # ------------------------------------------------------------------ helpers

    def _person(self):
        return decl.require_person(self.principal.require(PERSON))

    def _declarant(self, person_id):
        """identity's ``declarant``, one call: ``may_submit``'s answer, the ``unit_path``
        of the bound unit (when it may submit) and the person's brief."""
        answer = self.identity_rpc.declarant(person_id) or {}
        return answer.get("binding") or {}, answer.get("unit_path") or [], \
            answer.get("brief") or {}

    def _binding(self, person_id):
        binding, path, _brief = self._declarant(person_id)
        return binding, path

    def _attach(self, file_ids, subject_type, subject_id):
        if file_ids:
            self.documents_rpc.attach(sorted(set(file_ids)), "workflow",
                       subject_type, subject_id)

    def _detach(self, file_ids, subject_type, subject_id):
        """Files no longer used by the subject (a replaced photo, removed evidence) stop
        counting against its slot limits; after the change committed."""
        if file_ids:
            self.documents_rpc.detach(sorted(set(file_ids)), "workflow",
                       subject_type, subject_id)

    def _detail(self, declaration_id):
        actor = self.principal.require()
        with self.db.read() as session:
            declaration, viewer = decl.get_visible(session, actor, declaration_id)
            return dump(ps.DeclarationDetailSchema,
                decl.detail(session, actor, declaration, viewer))

    # ------------------------------------------------------------------ plans

    def _plan_units(self, actor, data, plan=None):
        wanted = plans.unit_ids_needed(actor, data, plan)
        return {kind: plans.check_unit(kind, self.identity_rpc.unit_path(unit_id))
                for kind, unit_id in wanted.items()}

    @rpc
    def create_plan(self, data=None):
        """A new evaluation plan (草稿) of the caller's HR department or organiser."""
        actor = self.principal.require(UNIT_ADMIN, OPERATOR)
        plans.publisher_kind(actor)
        values = load(ps.PlanSchema, data or {}, code="plan.invalid")
        units = self._plan_units(actor, values)
        fields = {k: v for k, v in values.items() if k in plans.FIELDS}
        with self.db.transaction() as session:
            plan = plans.create(session, actor, fields, units)
            plan_id = plan.id
        try:
            self._attach(values.get("attachments"), "plan", plan_id)
        except Exception:
            # The attachments were refused: the new draft goes, nothing is left behind.
            with self.db.transaction() as session:
                plans.discard_draft(session, plan_id)
            raise
        return self.get_plan(plan_id)

    @rpc
    def update_plan(self, plan_id, data=None):
        actor = self.principal.require(UNIT_ADMIN, OPERATOR)
        values = load(ps.PlanUpdateSchema, data or {}, code="plan.invalid")
        with self.db.read() as session:
            plan = plans.get_visible(session, actor, require_id(plan_id))
            if not plans.manages(actor, plan):
                raise NotFound("plan.not_found", "评审计划不存在")
            units = None
            if "hr_unit_id" in values or "organiser_unit_id" in values:
                wanted = plans.unit_ids_needed(actor, values, plan)
            else:
                wanted = None
        if wanted is not None:
            units = {kind: plans.check_unit(kind, self.identity_rpc.unit_path(uid))
                     for kind, uid in wanted.items()}
        fields = {k: v for k, v in values.items() if k in plans.FIELDS}
        self._attach(values.get("attachments"), "plan", plan_id)
        with self.db.transaction() as session:
            plans.update(session, actor, plan_id, fields, units)
        return self.get_plan(plan_id)

    @rpc
    def publish_plan(self, plan_id):
        actor = self.principal.require(UNIT_ADMIN, OPERATOR)
        with self.db.transaction() as session:
            plans.publish(session, actor, require_id(plan_id))
        return self.get_plan(plan_id)

    @rpc
    def list_plans(self, query=None):
        actor = self.principal.require()
        params = load(ps.PlanListQuery, query or {})
        with self.db.read() as session:
            page = plans.list_plans(session, actor, **params)
        return dump(ps.PlanPageSchema, page)

    @rpc
    def get_plan(self, plan_id):
        """A plan; for a person also whether 马上申报 is open to them this year, with the
        refusal 马上申报 would answer (code and message) when it is not."""
        actor = self.principal.require()
        person = actor.has(PERSON) and actor.person_id is not None
        with self.db.read() as session:
            plan = plans.get_visible(session, actor, require_id(plan_id))
            view = plans.detail(plan, actor)
            if person:
                mine, refused = self._person_view(session, actor, plan)
        if person:
            if refused is None:
                # What 马上申报 checks next (outside the transaction: identity's RPC).
                try:
                    decl.require_bound(*self._binding(actor.person_id))
                except Conflict as error:
                    refused = error
            view.update({
                "my_declaration": mine, "can_declare": refused is None,
                "declare_code": refused.code if refused is not None else None,
                "declare_message": refused.message if refused is not None else None})
        return dump(ps.PlanDetailSchema, view)

    @staticmethod
    def _person_view(session, actor, plan):
        """The person's declaration of the plan's year and the refusal 马上申报 would
        answer before the binding (the one rule of both: ``decl.declare_refusal``)."""
        existing, refused = decl.declare_refusal(session, actor.person_id, plan)
        mine = None
        if existing is not None:
            mine = {"id": existing.id, "plan_id": existing.plan_id, "year": existing.year,
                    "status": existing.status,
                    "status_label": decl.status_label(existing.status)}
        return mine, refused

    @rpc
    def plan_specialties(self, plan_id, query=None):
        actor = self.principal.require()
        params = load(ps.PlanSpecialtyQuery, query or {})
        with self.db.read() as session:
            plan = plans.get_visible(session, actor, require_id(plan_id))
            found = plans.specialties(plan, params.get("series"), params.get("q"))
        return ps.PlanSpecialty(many=True).dump(found)

    @rpc
    def plan_pledge(self, plan_id, query=None):
        """The integrity pledge for what the person is about to declare, with their unit:
        the text (``format`` json) or the template to download (text, html, pdf)."""
        actor = self._person()
        params = load(ps.DeclarationPledgeQuery, query or {})
        with self.db.read() as session:
            plans.get_visible(session, actor, require_id(plan_id))
        binding, _ = self._binding(actor.person_id)
        unit_name = binding.get("unit_name") if binding.get("allowed") else None
        text = pledge.pledge_text(unit_name, params.get("specialty"), params.get("title"))
        return self._pledge_answer(text, unit_name, params, f"plan-{plan_id}")

    @staticmethod
    def _pledge_answer(text, unit_name, params, name):
        fmt = params.get("format") or "json"
        declared = pledge.declared_title(params.get("specialty"), params.get("title"))
        if fmt == "json":
            return {"text": text, "unit_name": unit_name, "declared": declared or None}
        data, content_type, extension = pledge.render(text, fmt)
        return {"content_base64": base64.b64encode(data).decode("ascii"),
                "content_type": content_type, "filename": f"诚信承诺书-{name}.{extension}"}

    # ------------------------------------------------------------------ declaring

    @rpc
    def create_declaration(self, data=None):
        """马上申报: plan, 申报形式, 系列, 专业, 职称 and the accepted pledge."""
        actor = self._person()
        values = load(ps.DeclarationCreateSchema, data or {})
        with self.db.read() as session:
            plan = plans.get_visible(session, actor, values["plan_id"])
            _, refused = decl.declare_refusal(session, actor.person_id, plan)
            if refused is not None:
                raise refused
        binding, path, brief = self._declarant(actor.person_id)
        decl.require_bound(binding, path)
        text = pledge.pledge_text(binding.get("unit_name"), values["specialty"],
                                  values["title"])
        with self.db.transaction() as session:
            plan = plans.get_visible(session, actor, values["plan_id"])
            declaration = decl.create(session, actor, plan, values, brief=brief,
                                      binding=binding, unit_path=path, pledge_text=text)
            declaration_id = declaration.id
        return self._detail(declaration_id)

    @rpc
    def list_my_declarations(self, query=None):
        actor = self._person()
        params = load(ps.DeclarationListQuery, query or {})
        params.pop("q", None)
        with self.db.read() as session:
            page = decl.my_list(session, actor, **params)
        return dump(ps.DeclarationPageSchema, page)

    @rpc
    def get_declaration(self, declaration_id, reason=None):
        """An operator states a reason, recorded in the audit log (record_staff_view)."""
        declaration_id = require_id(declaration_id)
        actor = self.principal.require()
        if not actor.has(OPERATOR):
            return self._detail(declaration_id)
        with self.db.transaction() as session:
            declaration, viewer = decl.get_visible(session, actor, declaration_id)
            decl.record_staff_view(session, declaration, viewer, reason)
            return dump(ps.DeclarationDetailSchema,
                decl.detail(session, actor, declaration, viewer))

    @rpc
    def declaration_pledge(self, declaration_id, fmt="json"):
        actor = self._person()
        params = load(ps.DeclarationPledgeQuery, {"format": fmt})
        with self.db.read() as session:
            declaration = decl.get_owned(session, actor, require_id(declaration_id))
            text, unit_name = declaration.pledge_text, declaration.unit_name
            params.update(specialty=declaration.specialty, title=declaration.title)
        return self._pledge_answer(text, unit_name, params, f"declaration-{declaration_id}")

    @rpc
    def update_declaration_personal(self, declaration_id, data=None):
        """保存个人信息."""
        actor = self._person()
        values = load(ps.DeclarationPersonalUpdateSchema, data or {})
        declaration_id = require_id(declaration_id)
        with self.db.read() as session:
            before = decl.get_owned(session, actor, declaration_id)
            decl.require_editable(before)
            old_photo = (before.personal or {}).get("photo_file_id")
        new_photo = values.get("photo_file_id")
        if new_photo:
            self._attach([new_photo], "declaration", declaration_id)
        with self.db.transaction() as session:
            declaration = decl.get_owned(session, actor, declaration_id, for_update=True)
            decl.update_personal(session, declaration, values)
        if new_photo and old_photo and old_photo != new_photo:
            self._detach([old_photo], "declaration", declaration_id)
        return self._detail(declaration_id)

    @rpc
    def update_declaration_titles(self, declaration_id, data=None):
        """现有职称情况 (the whole list, in order)."""
        actor = self._person()
        values = load(ps.DeclarationTitlesSchema, data or {})
        with self.db.read() as session:
            before = decl.get_owned(session, actor, require_id(declaration_id))
            decl.require_editable(before)
            old_files = {fid for title in before.titles or []
                         for fid in title.get("evidence_file_ids") or []}
        files = [fid for title in values["titles"] for fid in title["evidence_file_ids"]]
        self._attach(files, "declaration", declaration_id)
        with self.db.transaction() as session:
            declaration = decl.get_owned(session, actor, declaration_id, for_update=True)
            decl.update_titles(session, declaration, values["titles"])
        self._detach(old_files - set(files), "declaration", declaration_id)
        return self._detail(declaration_id)

    @rpc
    def change_declaration_specialty(self, declaration_id, data=None):
        """修改专业 within the same plan."""
        actor = self._person()
        values = load(ps.SpecialtyChangeSchema, data or {})
        with self.db.transaction() as session:
            declaration = decl.get_owned(session, actor, require_id(declaration_id),
                                         for_update=True)
            decl.change_specialty(session, actor, declaration, values)
        return self._detail(declaration_id)

    @rpc
    def delete_declaration(self, declaration_id, confirm=False):
        actor = self._person()
        params = load(ps.DeclarationDeleteQuery, {"confirm": confirm})
        with self.db.transaction() as session:
            declaration = decl.get_owned(session, actor, require_id(declaration_id),
                                         for_update=True)
            decl.delete(session, actor, declaration, params["confirm"])
        return {"id": declaration_id, "deleted": True}

    # ------------------------------------------------------------------ items

    @rpc
    def import_declaration_items(self, declaration_id, section, record_ids=None):
        """导入: approved records of the section's types, locked in achievements against
        withdrawal while the declaration holds them."""
        actor = self._person()
        values = load(ps.DeclarationImportSchema, {"record_ids": record_ids})
        ids = values["record_ids"]
        with self.db.read() as session:
            declaration = decl.get_owned(session, actor, require_id(declaration_id))
            decl.prepare_import(declaration, str(section), ids)
        details = self.achievements_rpc.lock_records(ids, declaration_id,
                             actor.person_id)
        try:
            with self.db.transaction() as session:
                declaration = decl.get_owned(session, actor, declaration_id, for_update=True)
                decl.add_items(session, declaration, str(section), details)
        except Exception:
            self._release_unheld(ids, declaration_id)
            raise
        return self._section(actor, declaration_id, str(section))

    def _release_unheld(self, record_ids, declaration_id):
        """Give back the locks taken for an import that failed, except those of records
        the declaration holds (e.g. imported meanwhile by another request)."""
        try:
            with self.db.read() as session:
                held = set(decl.held_record_ids(session, declaration_id))
            release = [rid for rid in record_ids if rid not in held]
            if release:
                self.achievements_rpc.unlock_records(release, declaration_id)
        except Exception:
            log.exception("could not release records %s of declaration %s", record_ids,
                          declaration_id)

    def _section(self, actor, declaration_id, code):
        with self.db.read() as session:
            declaration = decl.get_owned(session, actor, declaration_id)
            view = decl.section_view(declaration, plans.section(declaration.plan, code))
        return dump(ps.DeclarationImportResultSchema,
            {"declaration_id": declaration_id, "section": view})

    @rpc
    def remove_declaration_item(self, declaration_id, item_id):
        """移除: the record's lock is released first, then the item goes."""
        actor = self._person()
        with self.db.read() as session:
            declaration = decl.get_owned(session, actor, require_id(declaration_id))
            decl.require_editable(declaration)
            item = decl.get_item(declaration, require_id(item_id, "item_id"))
            record_id, code = item.record_id, item.section
        self.achievements_rpc.unlock_records([record_id], declaration_id)
        with self.db.transaction() as session:
            declaration = decl.get_owned(session, actor, declaration_id, for_update=True)
            decl.remove_item(session, declaration, item_id)
        return self._section(actor, declaration_id, code)

    @rpc
    def move_declaration_item(self, declaration_id, item_id, direction=None):
        """上移 / 下移."""
        actor = self._person()
        values = load(ps.DeclarationItemMoveSchema, {"direction": direction})
        with self.db.transaction() as session:
            declaration = decl.get_owned(session, actor, require_id(declaration_id),
                                         for_update=True)
            item = decl.move_item(session, declaration, require_id(item_id, "item_id"),
                                  values["direction"])
            code = item.section
        return self._section(actor, declaration_id, code)

    # ------------------------------------------------------------------ check, submit

    @rpc
    def check_declaration(self, declaration_id):
        """申报条件检查: every rule with pass or fail."""
        actor = self._person()
        with self.db.read() as session:
            decl.get_owned(session, actor, require_id(declaration_id))
        binding, path = self._binding(actor.person_id)
        with self.db.read() as session:
            declaration = decl.get_owned(session, actor, declaration_id)
            result = decl.check(declaration, binding=binding, unit_path=path)
        return dump(ps.EligibilitySchema, result)

    @rpc
    def declaration_return_notice(self, declaration_id):
        """一次性告知: everything to correct in a returned declaration, in one list."""
        actor = self._person()
        with self.db.read() as session:
            decl.get_owned(session, actor, require_id(declaration_id))
        binding, path = self._binding(actor.person_id)
        with self.db.read() as session:
            declaration = decl.get_owned(session, actor, declaration_id)
            rules = decl.check(declaration, binding=binding, unit_path=path)["rules"]
            notice = decl.return_notice(session, declaration, rules)
        return dump(ps.ReturnNoticeSchema, notice)

    @rpc
    def submit_declaration(self, declaration_id):
        """提交: refused while any rule of the check fails; freezes the records and
        starts the review up the chain derived from the unit hierarchy."""
        actor = self._person()
        declaration_id = require_id(declaration_id)
        binding, path, brief = self._declarant(actor.person_id)
        with self.db.read() as session:
            declaration = decl.get_owned(session, actor, declaration_id)
            decl.require_editable(declaration)
            version = declaration.version
            record_ids = [item.record_id for item in declaration.items]
            result = decl.check(declaration, binding=binding, unit_path=path)
            plan = declaration.plan
            hr = {"unit_id": plan.hr_unit_id, "unit_name": plan.hr_unit_name}
            organiser = {"unit_id": plan.organiser_unit_id,
                         "unit_name": plan.organiser_unit_name}
        if not result["passed"]:
            failed = [r for r in result["rules"] if not r["passed"]]
            raise Conflict("declaration.ineligible",
                           "申报条件检查未通过，无法提交："
                           + "；".join(r["message"] for r in failed),
                           {"rules": failed})
        chain = chains.derive_chain(path, hr, organiser)
        frozen = {}
        if record_ids:
            details = self.achievements_rpc.lock_records(record_ids,
                                 declaration_id, actor.person_id)
            frozen = {d["id"]: d for d in details}
        with self.db.transaction() as session:
            declaration = decl.get_owned(session, actor, declaration_id, for_update=True)
            if declaration.version != version:
                raise Conflict("declaration.changed", "申报信息已变更，请重新检查后提交")
            decl.submit(session, actor, declaration, chain=chain, frozen=frozen, brief=brief,
                        binding=binding)
        return self._detail(declaration_id)

    @rpc
    def declaration_expert_view(self, declaration_id):
        """专家查看: the declaration as the review experts will see it (read-only, items
        marked deleted left out as in the printouts, every file with its id), for the
        units that approved it and the levels above them holding it; 404 otherwise."""
        actor = self.principal.require()
        with self.db.read() as session:
            declaration = expert_view.viewable(session, actor, require_id(declaration_id))
            return dump(ExpertViewSchema, expert_view.build(session, declaration))

    @rpc
    def declaration_progress(self, declaration_id):
        actor = self.principal.require()
        with self.db.read() as session:
            declaration, _ = decl.get_visible(session, actor, require_id(declaration_id))
            return dump(ps.DeclarationProgressSchema, decl.progress(declaration))

    @rpc
    def declaration_history(self, declaration_id):
        actor = self.principal.require()
        with self.db.read() as session:
            declaration, _ = decl.get_visible(session, actor, require_id(declaration_id))
            return ps.DeclarationHistoryEntrySchema(many=True).dump(
                decl.history(session, declaration))

    # ------------------------------------------------------------------ units

    @rpc
    def list_unit_declarations(self, query=None):
        """申报情况 of the caller's unit with the tabs and their counts."""
        actor = self.principal.require(UNIT_ADMIN, OPERATOR)
        params = load(ps.UnitDeclarationQuery, query or {})
        with self.db.read() as session:
            page = decl.unit_list(session, actor, **params)
        return dump(ps.DeclarationPageSchema, page)

    @rpc
    def mark_declaration_item(self, declaration_id, item_id, data=None):
        """删除标记 by the reviewing unit."""
        actor = self.principal.require(UNIT_ADMIN)
        values = load(ps.DeclarationItemMarkSchema, data or {})
        with self.db.transaction() as session:
            declaration, _ = decl.get_visible(session, actor, require_id(declaration_id))
            decl.mark_item(session, actor, declaration, require_id(item_id, "item_id"),
                           values["deleted"], values.get("reason"))
        return self._detail(declaration_id)

    @rpc
    def correct_declaration(self, declaration_id, data=None):
        """修改基本信息 (small errors) by the reviewing unit, logged."""
        actor = self.principal.require(UNIT_ADMIN)
        values = load(ps.DeclarationCorrectionSchema, data or {})
        note = values.pop("note", None)
        if not values:
            raise Invalid("declaration.nothing_changed", "没有需要修改的内容")
        with self.db.transaction() as session:
            declaration, _ = decl.get_visible(session, actor, require_id(declaration_id))
            decl.correct(session, actor, declaration, values, note)
        return self._detail(declaration_id)

    @rpc
    def recall_declaration(self, declaration_id):
        """撤回: take back what the caller's unit passed up while the next level has not
        claimed it."""
        actor = self.principal.require(UNIT_ADMIN)
        with self.db.transaction() as session:
            declaration, _ = decl.get_visible(session, actor, require_id(declaration_id))
            result = decl.recall(session, actor, declaration, rules=self.review_rules)
        return dump(ps.RecallResultSchema, result)

    @rpc
    def undo_reject_declaration(self, declaration_id):
        """撤销审核不通过: the caller's unit takes back its own 不通过, where the plan
        allows it (Chongqing 2.4.3)."""
        actor = self.principal.require(UNIT_ADMIN)
        with self.db.read() as session:
            declaration, _ = decl.get_visible(session, actor, require_id(declaration_id))
            decl.undoable_task(session, actor, declaration)
            record_ids = [item.record_id for item in declaration.items]
            person_id = declaration.person_id
        # Achievements released the records when the 不通过 ended the review: the
        # declaration holds them again before it is under review again.
        if record_ids:
            self.achievements_rpc.lock_records(record_ids, declaration_id, person_id)
        with self.db.transaction() as session:
            declaration, _ = decl.get_visible(session, actor, declaration_id)
            result = decl.undo_reject(session, actor, declaration, rules=self.review_rules)
        return dump(ps.UndoRejectResultSchema, result)

    @rpc
    def recall_task(self, task_id):
        """撤回 from the task center (我已处理): a task the caller's unit passed up."""
        actor = self.principal.require(UNIT_ADMIN)
        with self.db.transaction() as session:
            result = decl.recall_task(session, actor, require_id(task_id),
                                      rules=self.review_rules)
        return dump(ps.RecallResultSchema, result)
