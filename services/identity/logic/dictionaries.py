"""The dictionaries of the registration forms (code → label), served to front ends by
``GET /api/v1/dictionaries``. The tables are part of identity's contract and live in
``services/contracts/identity.py``; this module is identity's name for them."""
from services.contracts.identity import (  # noqa: F401 - identity's names for the tables
    ACCOUNT_ROLES,
    ACCOUNT_STATUSES,
    APPLICANT_IDENTITIES,
    BINDING_STATUSES,
    DEGREES,
    DICTIONARIES,
    EDUCATIONS,
    ETHNICITIES,
    GB11643_ID_TYPES,
    GENDERS,
    ID_TYPES,
    POLITICAL_STATUSES,
    PROVINCES,
    TITLE_SERIES,
    UNIT_KINDS,
    UNIT_NATURES,
    UNIT_STATUSES,
    as_lists,
    codes,
    label,
)
