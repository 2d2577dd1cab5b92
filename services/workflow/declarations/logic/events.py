"""The data every declaration event carries (docs/events.md), with the employer's
recommendation in brief. Below ``declarations`` and ``recommendations``: both emit with
:func:`event_data`, and it imports neither."""
from sqlalchemy import select
from sqlalchemy.orm import object_session

from services.common.logs import mask_id_number
from services.common.time import iso
from services.contracts.workflow.declarations import FORMS, LEVELS
from services.contracts.workflow.recommendations import POST_CHOICES

from ..models import Recommendation


def get_recommendation(session, declaration_id):
    return session.execute(
        select(Recommendation).where(Recommendation.declaration_id == declaration_id)
    ).scalar_one_or_none()


def current_recommendation(session, declaration):
    """The recommendation of the declaration's present employer (a person who changed
    unit and declared again from the new one has none yet)."""
    found = get_recommendation(session, declaration.id)
    return found if found is not None and found.unit_id == declaration.unit_id else None


def recommendation_summary(declaration):
    """The recommendation in brief, for the declaration events' data (or None)."""
    session = object_session(declaration)
    if session is None or declaration.id is None:
        return None
    found = current_recommendation(session, declaration)
    if found is None:
        return None
    return {
        "unit_id": found.unit_id,
        "unit_name": found.unit_name,
        "opinion": found.opinion,
        "occupies_post": found.occupies_post,
        "occupies_post_label": POST_CHOICES.get(found.occupies_post),
        "post_note": found.post_note,
        "quota_year": found.year if found.quota_id is not None else None,
        "recommended_at": iso(found.updated_at),
        "recommended_by": {"account_id": found.updated_by_account_id,
                           "name": found.updated_by_name},
    }


def event_data(declaration, **extra):
    """The data every declaration event carries (docs/events.md)."""
    plan = declaration.plan
    person = declaration.person or {}
    return {
        "declaration_id": declaration.id,
        "person": {
            "person_id": declaration.person_id,
            "name": declaration.person_name,
            "id_type": person.get("id_type"),
            "id_number": mask_id_number(person.get("id_number")),
        },
        "unit": {"unit_id": declaration.unit_id, "name": declaration.unit_name},
        "plan": {"plan_id": plan.id, "year": plan.year, "name": plan.name,
                 "committee": plan.committee},
        "form": declaration.form,
        "form_label": FORMS.get(declaration.form, declaration.form),
        "series": declaration.series,
        "specialty": declaration.specialty,
        "title": declaration.title,
        "level": declaration.level,
        "level_label": LEVELS.get(declaration.level, declaration.level),
        "status": declaration.status,
        "process_id": declaration.process_id,
        "recommendation": recommendation_summary(declaration),
        **extra,
    }
