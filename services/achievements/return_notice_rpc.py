"""The 一次性告知 RPC of returned records (mixed into AchievementsService): the unit's
opinion and every rule the record's 提交 would fail now, in one list
(services.contracts.return_notice; the documents service prints it)."""
from services.common.errors import Conflict, Invalid
from services.common.rpc import rpc
from services.common.schemas import dump
from services.contracts.return_notice import RecordReturnNoticeSchema

from .logic import records
from .logic import return_notice as rn


class ReturnNoticeRpc:
    """Needs ``db`` and the service's ``_person``, ``_described``, ``_binding``,
    ``_require_binding``, ``_bound_unit_name`` and ``_submission_values``."""

    @rpc
    def record_return_notice(self, record_id):
        """退回告知 of the caller's own returned record; 404 for anyone else's, 409
        record.not_returned while it is not 退回."""
        principal = self._person()
        with self.db.read() as session:
            owned = records.get_owned(session, record_id, principal.person_id)
            rn.require_returned(owned)
            evidence = list(owned.evidence_file_ids or [])
        files = self._described(evidence)    # each file's upload place, as 提交 checks it
        binding = self._binding(principal.person_id)
        try:
            self._require_binding(binding)
            unbound = None
        except Conflict as exc:
            unbound = exc.message
        with self.db.read() as session:
            record = records.get_owned(session, record_id, principal.person_id)
            rtype = records.record_type(record.type_code)
            problems = {}
            try:
                self._submission_values(session, record, rtype, record.fields,
                                        list(record.evidence_file_ids or []),
                                        self._bound_unit_name(principal, rtype, binding),
                                        files)
            except Invalid as exc:
                problems = (exc.details or {}).get("fields") or {"fields": exc.message}
            result = rn.notice(record, rtype, problems, unbound)
        return dump(RecordReturnNoticeSchema, result)
