"""A declaration's status: its label and which statuses the applicant may still change."""
from services.contracts.workflow.declarations import DECLARATION_STATUSES

EDITABLE = ("draft", "returned")
FINAL = ("approved", "rejected", "terminated")


def status_label(status):
    return DECLARATION_STATUSES.get(status, status)
