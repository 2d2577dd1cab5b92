"""RPC entrypoints and event consumers of the review engine, mixed into WorkflowService:
intake of other services' review requests, the task center (任务中心) and history.

Thin: load with a contract schema, call the rules in ``logic/``, dump with a contract
schema. The service provides ``db``, ``principal`` and ``review_rules`` (the rules of
every kind, given to :func:`engine.decide`).
"""
from services.common.messaging import consumer
from services.common.principal import UNIT_ADMIN
from services.common.rpc import rpc
from services.common.schemas import dump, load, require_id
from services.contracts.workflow.review import (
    BatchDecisionSchema,
    BatchResultSchema,
    DecisionResultSchema,
    DecisionSchema,
    HistoryEntrySchema,
    ProcessHistorySchema,
    SubjectTaskSchema,
    SubjectTasksQuerySchema,
    TaskDetailSchema,
    TaskItemSchema,
    TaskListQuerySchema,
    TaskPageSchema,
)

from .logic import engine, intake, taskcenter


class TaskCenterRpc:

    # ------------------------------------------------------------------ events in

    # grouped: on a deadline day submissions arrive together (messaging.EventGroup)
    @consumer("identity", "review_requested", grouped=True)
    def review_requested_identity(self, session, envelope):
        return intake.review_requested(session, envelope)

    @consumer("achievements", "review_requested", grouped=True)
    def review_requested_achievements(self, session, envelope):
        return intake.review_requested(session, envelope)

    @consumer("achievements", "review_withdrawn")
    def review_withdrawn_achievements(self, session, envelope):
        return intake.review_withdrawn(session, envelope)

    @consumer("identity", "review_withdrawn")
    def review_withdrawn_identity(self, session, envelope):
        """A binding request ended with the applicant's account: its review ends too."""
        return intake.review_withdrawn(session, envelope)

    # ------------------------------------------------------------------ task center

    def _admin(self):
        return self.principal.require(UNIT_ADMIN)

    @rpc
    def list_tasks(self, query=None):
        actor = self._admin()
        params = load(TaskListQuerySchema, query or {})
        with self.db.read() as session:
            page = taskcenter.list_tasks(session, actor, **params)
        return dump(TaskPageSchema, page)

    @rpc
    def get_task(self, task_id):
        actor = self._admin()
        with self.db.read() as session:
            task = taskcenter.get_task(session, actor, require_id(task_id))
        return dump(TaskDetailSchema, task)

    @rpc
    def subject_tasks(self, subject_service=None, subject_type=None, subject_ids=None):
        """The caller's unit's open tasks of the given subjects (业绩档案 rows → 审核)."""
        actor = self._admin()
        body = load(SubjectTasksQuerySchema, {"subject_service": subject_service,
                                              "subject_type": subject_type,
                                              "subject_ids": subject_ids})
        with self.db.read() as session:
            found = taskcenter.subject_tasks(session, actor, **body)
        return SubjectTaskSchema(many=True).dump(found)

    @rpc
    def claim_task(self, task_id):
        actor = self._admin()
        with self.db.transaction() as session:
            item = taskcenter.task_item(engine.claim(session, require_id(task_id), actor))
        return dump(TaskItemSchema, item)

    @rpc
    def release_task(self, task_id):
        actor = self._admin()
        with self.db.transaction() as session:
            item = taskcenter.task_item(engine.release(session, require_id(task_id), actor))
        return dump(TaskItemSchema, item)

    @rpc
    def decide_task(self, task_id, action=None, opinion=None):
        actor = self._admin()
        body = load(DecisionSchema, {"action": action, "opinion": opinion})
        with self.db.transaction() as session:
            result = engine.decide(session, require_id(task_id), actor, body["action"],
                                   body["opinion"], rules=self.review_rules)
        return dump(DecisionResultSchema, result)

    @rpc
    def decide_tasks(self, task_ids=None, action=None, opinion=None):
        """Batch decision (engine.decide_batch): one answer per task; a refused task
        changes nothing, the others commit together, their events with them."""
        actor = self._admin()
        body = load(BatchDecisionSchema,
                    {"task_ids": task_ids, "action": action, "opinion": opinion})
        # The opinion rule holds for every task: refuse the whole batch at once. Whether
        # an action suits a task's kind (不通过) is answered per task.
        engine.check_decision("declaration", body["action"], body["opinion"])
        with self.db.transaction() as session:
            answers = engine.decide_batch(session, body["task_ids"], actor, body["action"],
                                          body["opinion"], rules=self.review_rules)
        results = [{"task_id": task_id, "ok": ok, "result": answer if ok else None,
                    "error": None if ok else answer.to_dict()}
                   for task_id, (ok, answer) in zip(body["task_ids"], answers, strict=True)]
        succeeded = sum(1 for r in results if r["ok"])
        return dump(BatchResultSchema, {"results": results, "succeeded": succeeded,
                                         "failed": len(results) - succeeded})

    # ------------------------------------------------------------------ history

    @rpc
    def process_history(self, process_id):
        actor = self.principal.require()
        with self.db.read() as session:
            view = taskcenter.process_history(session, actor, require_id(process_id))
        return dump(ProcessHistorySchema, view)

    @rpc
    def history(self, subject_service, subject_type, subject_id):
        """All entries of every process of a subject, oldest first (contract)."""
        with self.db.read() as session:
            entries = taskcenter.subject_history(session, subject_service, subject_type,
                                                 subject_id, actor=self.principal.current)
        return HistoryEntrySchema(many=True).dump(entries)

    @rpc
    def can_unit_review(self, unit_id, person_id):
        with self.db.read() as session:
            return engine.can_unit_review(session, unit_id, person_id)
