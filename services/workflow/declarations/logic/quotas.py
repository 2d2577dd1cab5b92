"""Post quotas (岗位核准信息) of 事业单位, as plain functions over the caller's session.

Anhui unit FAQ 7: a 事业单位 sets, per 核准年度, the vacancies (空缺数) of 正高级, 副高级,
中级 and 初级 posts (a number, or 不限) and uploads the stamped approval form (盖章后的岗位
核准表); once confirmed (确认) the entry cannot be changed. Only then does it review
declarations, deciding for each whether the person occupies a post (占用职数). FAQ
2021.9.24-2: a unit whose applicants are all 编外 sets the vacancies to 0 and recommends
them as 不占用 with a reason.

已推荐 of a level counts the unit's recommendations that occupy a post (占用) for
declarations of that year and level which are still alive: submitted (审核中, wherever
they are) or approved (审核通过); returned, rejected, terminated and deleted ones do not
count. Every recommendation that would occupy a post locks the quota row first, so of two
racing for the last vacancy exactly one wins.

The unit facts (its nature, name) come from identity over RPC through the caller.
"""

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.common.errors import Conflict, Invalid, NotFound
from services.common.messaging import emit
from services.common.time import iso, utcnow
from services.contracts.workflow.declarations import LEVELS
from services.contracts.workflow.recommendations import QUOTA_STATUSES

from ..models import Declaration, PostQuota, Recommendation

# The unit natures (identity's dictionary) that keep post quotas: 事业单位, 事业单位（中直）.
INSTITUTION_NATURES = ("institution", "central_institution")
OCCUPY = "occupy"
# Declarations whose 占用 recommendation counts as 已推荐.
LIVE_STATUSES = ("submitted", "approved")
UNLIMITED = "不限"


def is_institution(unit):
    return (unit or {}).get("nature") in INSTITUTION_NATURES


def require_institution(unit):
    if not is_institution(unit):
        raise Conflict("post_quota.not_institution",
                       "只有事业单位需要设置岗位核准信息")


def vacancy_label(value):
    return UNLIMITED if value is None else str(value)


# --------------------------------------------------------------------------- reading

def get(session, quota_id, *, for_update=False):
    query = select(PostQuota).where(PostQuota.id == quota_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    quota = session.execute(query).scalar_one_or_none()
    if quota is None:
        raise NotFound("post_quota.not_found", "岗位核准信息不存在")
    return quota


def of_unit(session, unit_id, year, *, for_update=False):
    """The unit's quota of ``year`` (saved or confirmed), or None."""
    query = select(PostQuota).where(PostQuota.unit_id == unit_id, PostQuota.year == year)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.execute(query).scalar_one_or_none()


def occupied(session, unit_id, year, level=None, *, exclude_declaration_id=None):
    """已推荐: ``{level: count}`` (or the count of ``level``) of the unit's live
    declarations of ``year`` recommended as occupying a post."""
    conditions = [Recommendation.unit_id == unit_id, Recommendation.year == year,
                  Recommendation.occupies_post == OCCUPY,
                  Declaration.status.in_(LIVE_STATUSES), Declaration.deleted_at.is_(None),
                  Declaration.unit_id == unit_id]
    if exclude_declaration_id is not None:
        conditions.append(Recommendation.declaration_id != exclude_declaration_id)
    if level is not None:
        conditions.append(Recommendation.level == level)
    rows = session.execute(
        select(Recommendation.level, func.count())
        .join(Declaration, Declaration.id == Recommendation.declaration_id)
        .where(*conditions).group_by(Recommendation.level)
    ).all()
    counts = {code: 0 for code in LEVELS}
    counts.update({code: count for code, count in rows})
    return counts[level] if level is not None else counts


def declarations_under(session, quota_ids):
    """The declarations whose recommendation counts against one of these quotas."""
    if not quota_ids:
        return []
    return session.execute(select(Recommendation.declaration_id).where(
        Recommendation.quota_id.in_(list(quota_ids)))).scalars().all()


def unit_quotas(session, unit_id, year=None):
    query = select(PostQuota).where(PostQuota.unit_id == unit_id)
    if year:
        query = query.where(PostQuota.year == year)
    return session.execute(query.order_by(PostQuota.year.desc())).scalars().all()


# --------------------------------------------------------------------------- changes

def _apply(quota, values):
    for key in ("year", *LEVELS, "form_file_id"):
        if key in values:
            setattr(quota, key, values[key])


def create(session, actor, unit, values, now=None):
    """新增 (保存): the unit's quota of a year, not yet confirmed."""
    require_institution(unit)
    if of_unit(session, actor.unit_id, values["year"]) is not None:
        raise _exists(values["year"])
    now = now or utcnow()
    quota = PostQuota(unit_id=actor.unit_id, unit_name=unit.get("name") or "",
                      status="saved", created_by_account_id=actor.account_id,
                      created_by_name=actor.name, created_at=now, updated_at=now, version=1)
    _apply(quota, values)
    session.add(quota)
    try:
        session.flush()
    except IntegrityError:
        raise _exists(values["year"]) from None
    return quota


def _exists(year):
    return Conflict("post_quota.exists", f"{year}年度的岗位核准信息已存在，请勿重复新增",
                    {"year": year})


def require_own(actor, quota):
    """Only the unit's own admins change its quotas (others: 404)."""
    if actor.unit_id is None or quota.unit_id != actor.unit_id:
        raise NotFound("post_quota.not_found", "岗位核准信息不存在")


def require_unconfirmed(quota):
    if quota.status == "confirmed":
        raise Conflict("post_quota.confirmed", "岗位核准信息已确认，不可再更改",
                       {"quota_id": quota.id})


def update(session, actor, quota, values):
    """保存 again while not confirmed."""
    require_own(actor, quota)
    require_unconfirmed(quota)
    if "year" in values and values["year"] != quota.year \
            and of_unit(session, quota.unit_id, values["year"]) is not None:
        raise _exists(values["year"])
    _apply(quota, values)
    quota.updated_at = utcnow()
    quota.version += 1
    try:
        session.flush()
    except IntegrityError:
        raise _exists(values["year"]) from None
    return quota


QUOTA_CONFIRMED = "post_quota_confirmed"  # recorded in the audit log by identity


def confirm(session, actor, quota, now=None):
    """确认: from now on the quota is what recommendations are checked against and it
    cannot be changed. The stamped form is required."""
    require_own(actor, quota)
    require_unconfirmed(quota)
    if quota.form_file_id is None:
        raise Invalid("post_quota.form_required", "请上传盖章后的岗位核准表后再确认",
                      {"fields": {"form_file_id": ["请上传盖章后的岗位核准表"]}})
    now = now or utcnow()
    quota.status = "confirmed"
    quota.confirmed_at = now
    quota.confirmed_by_account_id = actor.account_id
    quota.confirmed_by_name = actor.name
    quota.updated_at = now
    quota.version += 1
    session.flush()
    emit(session, QUOTA_CONFIRMED, f"post_quota:{quota.id}", {
        "quota_id": quota.id, "unit_id": quota.unit_id, "year": quota.year,
        **{level: getattr(quota, level) for level in LEVELS},
        "form_file_id": quota.form_file_id, "confirmed_at": iso(now)})
    return quota


def check_vacancy(session, quota, level, declaration_id):
    """A recommendation of ``declaration_id`` occupying a ``level`` post fits in the
    (locked) quota, counting the other live 占用 recommendations; 409 otherwise."""
    vacancy = getattr(quota, level)
    if vacancy is None:
        return
    others = occupied(session, quota.unit_id, quota.year, level,
                      exclude_declaration_id=declaration_id)
    if others + 1 > vacancy:
        label = LEVELS.get(level, level)
        raise Conflict(
            "recommendation.quota_exceeded",
            f"{quota.year}年度{label}岗位空缺 {vacancy} 个，已推荐 {others} 个，"
            "不能再占用职数；请选择“不占用”并填写说明",
            {"year": quota.year, "level": level, "vacancy": vacancy, "recommended": others})


# --------------------------------------------------------------------------- views

def levels_view(quota, counts):
    """推荐人员情况: per level the vacancy (空缺) and 已推荐."""
    return [{"level": code, "level_label": label,
             "vacancy": getattr(quota, code) if quota is not None else None,
             "vacancy_label": vacancy_label(getattr(quota, code)) if quota is not None
             else None,
             "recommended": counts.get(code, 0)}
            for code, label in LEVELS.items()]


def view(session, quota, counts=None):
    counts = counts if counts is not None else occupied(session, quota.unit_id, quota.year)
    return {
        "id": quota.id,
        "unit_id": quota.unit_id,
        "unit_name": quota.unit_name,
        "year": quota.year,
        "senior": quota.senior,
        "deputy_senior": quota.deputy_senior,
        "intermediate": quota.intermediate,
        "junior": quota.junior,
        "levels": levels_view(quota, counts),
        "recommended": sum(counts.values()),
        "form_file_id": quota.form_file_id,
        "status": quota.status,
        "status_label": QUOTA_STATUSES.get(quota.status, quota.status),
        "confirmed": quota.status == "confirmed",
        "created_by_name": quota.created_by_name,
        "created_at": iso(quota.created_at),
        "updated_at": iso(quota.updated_at),
        "confirmed_by_name": quota.confirmed_by_name,
        "confirmed_at": iso(quota.confirmed_at),
        "version": quota.version,
    }
