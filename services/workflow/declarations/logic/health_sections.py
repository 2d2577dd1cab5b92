"""The Chongqing health-series declaration sections (重庆市职称申报评审表, manual seed 004
sections 4.3.1–4.3.11), as plain functions over the caller's session.

A declaration of the 卫生技术人员 series carries, besides the plan's imported records, the
sections its printed forms show. The applicant chooses the 填报表格类别 first (manual
4.3.1: "填报表格类别一定不能选择错误"); the 工作量 items follow from it. Then, while the
declaration is editable (编辑中 or 退回), they fill in:

- ``basic`` 基本信息 (医德医风满意度, 卫生支农年限, 学历学位, 现有职称, 执业, 一线医务人员 …),
- ``assessments`` 现职以来年度考核 (by year),
- ``study`` 学习培训经历 and ``work`` 工作经历 (at most 8 rows each, in order),
- ``achievements_before`` 任现职前 / ``achievements`` 任现职以来主要专业技术工作业绩 (≤ 10),
- ``workload`` 任现职以来的工作量（近5年）, rows generated from the form category,
- ``papers`` 论文及学术报告 (≤ 6), ``exam`` 专业考试成绩 (副高 only),
- ``summary`` 工作总结及考核鉴定材料, ``others`` 其他附件, ``archive`` 查档情况 (required for
  其他人员), ``integrity`` 申报诚信情况.

List sections keep rows with a stable ``id``; a row carries ``publicity`` (shown on the
公示表) and ``deleted`` with the reviewer's ``mark`` (删除标记: greyed for the applicant,
left out of printouts). Row limits count rows marked deleted (as the manual's form does).
At submission the sections are frozen (:func:`freeze`); reviewers and printouts read the
frozen copy until the declaration is editable again.

Facts from other services (identity's brief, achievements' records, documents' file
metadata) are gathered by the caller and passed in.
"""
import copy

from sqlalchemy import select
from sqlalchemy.orm import object_session

from services.common.errors import Conflict, Invalid, NotFound
from services.common.logs import mask_phone
from services.common.time import utcnow
from services.contracts.printing import (
    DECLARATION_TYPES,
    EXAM_MODES,
    FORM_CATEGORIES,
    GRASSROOTS_CATEGORIES,
    INTEGRITY_ITEMS,
    workload_items,
)
from services.contracts.workflow.health import BASIC_EVIDENCE, ROW_LIMITS, SECTIONS

from ..models import DeclarationHealth
from . import eligibility, plans
from .status import EDITABLE, status_label

# The series whose declarations carry the sections (identity's 卫生技术人员; plans may
# name the series 卫生系列).
HEALTH_SERIES = ("卫生技术人员", "卫生系列")

# The fields of each row section a reviewer's mark is about (a change clears the mark).
ROW_CONTENT = {
    "assessments": ("year", "result"),
    "study": ("period", "content", "place", "certificate_no", "evidence_file_id"),
    "work": ("period", "unit", "work", "title"),
    "achievements_before": ("period", "name", "role", "result"),
    "achievements": ("period", "name", "role", "result", "evidence_file_id"),
    "workload": ("item", "values"),
    "papers": ("date", "title", "content", "venue", "rank", "evidence_file_id"),
    "others": ("label", "file_id"),
}
# Rows shown on the 公示表 carry a publicity flag the applicant ticks (manual 4.3.5/4.3.6).
PUBLICITY_SECTIONS = ("study", "work", "achievements", "workload", "papers")

# The manual's explanations of the 填报表格类别 (4.3.1).
FORM_CATEGORY_NOTES = {
    "临床": (
        "专业为内科、外科、妇产科、儿科、口腔等，申报全市通用的副主任医师或主任医师，且执业类别"
        "为临床或口腔的卫生专业技术人员。"),
    "公卫": (
        "1.专业为公共卫生类，申报全市通用的副主任医师或主任医师，且执业类别为公共卫生的卫生专业"
        "技术人员；2.专业为卫生检验类，申报全市通用的副主任技师或主任技师的卫生专业技术人员（主"
        "要在疾病预防控制机构工作）。"),
    "中医药": (
        "1.专业为中医学类，申报全市通用的副主任中医师、主任中医师、中西医结合副主任医师或中西医"
        "结合主任医师，且执业类别为中医的卫生专业技术人员；2.专业为中药学类，申报全市通用的副主"
        "任中药师或主任中药师的卫生专业技术人员。"),
    "护理": (
        "专业为护理学类，申报全市通用的副主任护师或主任护师的卫生专业技术人员。"),
    "药学": (
        "专业为药学（西药），申报全市通用的副主任药师或主任药师的卫生专业技术人员。"),
    "医技": (
        "1.专业为影像医学、检验医学、病理学等，申报全市通用的副主任医师或主任医师，执业类别为临"
        "床的卫生专业技术人员；2.专业为影像技术、检验技术、病理学技术等，申报全市通用的副主任技"
        "师或主任技师的卫生专业技术人员。"),
    "计划生育": (
        "专业为计划生育，申报全市通用的副主任医师或主任医师，执业类别为临床的卫生专业技术人员。"),
    "基层全科": (
        "专业为全科医学、全科医学（中医类），申报仅在基层使用的副主任（中）医师或主任（中）医师"
        "，执业类别为临床，执业范围注册了全科的基层（乡镇卫生院、社区卫生服务中心、社区卫生服务"
        "站、村卫生室）卫生专业技术人员。"),
    "基层其他": (
        "专业为除全科医学、全科医学（中医类）以外的所有卫生专业，申报仅在基层使用的副主任（中）"
        "医师或主任（中）医师、副主任（中）药师或主任（中）药师、副主任护师或主任护师、副主任技"
        "师或主任技师的基层（乡镇卫生院、社区卫生服务中心、社区卫生服务站、村卫生室）卫生专业技"
        "术人员。"),
}
FORM_CATEGORY_HINT = (
        "该界面中所有信息都是必填项，其中填报表格类别一定不能选择错误，如果一旦选择错误的话"
                      "则后面填报的内容多可能对应错误。")

# 申报类别 defaulted from the plan's 申报形式.
FORM_TO_TYPE = {"regular": "正常晋升", "exceptional": "破格晋升", "transfer": "转评"}

# Plan levels as the printed forms name them.
LEVEL_SHORT = {"senior": "正高", "deputy_senior": "副高", "intermediate": "中级",
               "junior": "初级"}
EXAM_LEVEL = "deputy_senior"
EXAM_DEFAULTS = {"name": "重庆市卫生技术副高级专业能力考试", "organiser": "重庆市卫生健康委员会"}

# 工作总结及考核鉴定材料 (manual 4.3.5): kind → (field, slot, label).
SUMMARY_FILES = (
    ("work_summary", "work_summary_file_id", "cq_work_summary", "工作总结"),
    ("clinical_assessment", "clinical_assessment_file_id", "cq_clinical_assessment",
     "临床业绩和临床能力考核鉴定"),
    ("frontline_assessment", "frontline_assessment_file_id", "cq_frontline_assessment",
     "一线医务人员工作业绩鉴定"),
)
ROW_EVIDENCE_SLOTS = {"study": "cq_training", "achievements": "cq_current_work",
                      "papers": "cq_paper"}

# What the achievement library offers for import into a section (its approved records).
IMPORT_TYPES = {"study": "education", "work": "work_history",
                "assessments": "annual_assessment", "papers": "paper"}

BASIC_FIELDS = ("ethics_satisfaction", "rural_support_years", "research_direction",
                "continuing_education", "frontline", "aided_hubei", "phone", "current_title",
                "current_title_detail", "employed_title", "years_in_title",
                "practice_qualification", "practice_certificate", "specialty_work",
                "admin_post", "societies", "education", "degree", "evidence")
BASIC_REQUIRED = (
    ("ethics_satisfaction", "医德医风满意度"), ("rural_support_years", "卫生支农年限"),
    ("continuing_education", "近5年内继续教育情况"), ("phone", "联系电话"),
    ("current_title", "现有职称"),
    ("current_title_detail", "现有专业技术资格、取得时间及审批机关"),
    ("employed_title", "何时聘用何职称"), ("years_in_title", "任现职年限"),
    ("practice_qualification", "执业医师资格取得时间及类别"),
    ("practice_certificate", "医师执业证书取得时间及执业范围"),
    ("specialty_work", "从事何专业技术工作"), ("admin_post", "现（兼）任行政职务及任职时间"),
    ("societies", "参加何学术团体、任何职务，有何社会兼职"),
)
EDUCATION_REQUIRED = (("graduated_on", "毕业时间"), ("school", "就读院校"), ("major", "专业"),
                      ("duration", "学制"), ("name", "学历"), ("certificate_no", "证书号"))

ARCHIVE_TEMPLATE = (
    "经查阅{name}同志人事档案，其出生日期为____年__月__日，参加工作时间为____年__月，"
    "最高学历为________，现有专业技术资格为________（取得时间____年__月），"
    "档案记载与本人申报材料一致。\n存档机构（盖章）：\n查档人：\n查档日期：")

INTEGRITY_DEFAULT = {"publicity_from": None, "publicity_to": None, "checked": [],
                     "other": "无", "explanation": "无"}


# --------------------------------------------------------------------------- who, what

def is_health(declaration):
    """Whether the declaration carries the sections: a health series under a plan whose
    form profile is ``chongqing_health`` (Anhui FAQ 7: the organiser decides what an
    applicant fills; ``standard`` plans take only their imported records)."""
    return (declaration.series or "") in HEALTH_SERIES \
        and plans.form_profile(declaration.plan) == "chongqing_health"


def require_health(declaration):
    if not is_health(declaration):
        raise Conflict("health.not_applicable",
                       "该申报不属于卫生系列，无需填写重庆市卫生系列评审表栏目")


def require_section(code):
    if code not in SECTIONS:
        raise NotFound("health.section_unknown", "评审表栏目不存在")
    return code


def exam_applicable(declaration):
    return declaration.level == EXAM_LEVEL


def archive_required(record):
    return bool(record is not None and record.applicant_identity == "other")


def get_record(session, declaration_id, *, for_update=False):
    query = select(DeclarationHealth).where(DeclarationHealth.declaration_id == declaration_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.execute(query).scalar_one_or_none()


def default_years(plan_year):
    """近5年: the five years before the declaration year."""
    return [plan_year - 5 + i for i in range(5)]


def default_basic(brief, declaration):
    brief = brief or {}
    personal = declaration.personal or {}
    mobile = brief.get("mobile") or ""
    return {
        "ethics_satisfaction": None, "rural_support_years": None, "research_direction": "",
        "continuing_education": None, "frontline": False, "aided_hubei": False,
        "phone": "" if "*" in mobile else mobile,
        "current_title": brief.get("title_name") or "",
        "current_title_detail": "", "employed_title": "", "years_in_title": "",
        "practice_qualification": "", "practice_certificate": "", "specialty_work": "",
        "admin_post": "", "societies": personal.get("academic_posts") or "",
        "education": {"graduated_on": "", "school": "", "major": "", "duration": "",
                      "name": brief.get("education_label") or "", "certificate_no": ""},
        "degree": {"graduated_on": "", "school": "", "major": "", "duration": "",
                   "name": brief.get("degree_label") or "", "certificate_no": ""},
        "evidence": {key: None for key in BASIC_EVIDENCE},
    }


def new_sections(declaration, brief):
    return {
        "basic": default_basic(brief, declaration),
        **{code: {"rows": []} for code in ROW_LIMITS if code != "workload"},
        "workload": {"years": default_years(declaration.year), "rows": [], "file_id": None},
        "exam": None,
        "summary": {"work_summary_file_id": None, "clinical_assessment_file_id": None,
                    "frontline_assessment_file_id": None, "work_summary": "",
                    "assessment": ""},
        "archive": {"content": "", "file_id": None},
        "integrity": dict(INTEGRITY_DEFAULT),
        "files": {},
    }


def ensure_record(session, declaration, brief, now=None):
    """The declaration's health record, created on first use (locked)."""
    require_health(declaration)
    record = get_record(session, declaration.id, for_update=True)
    if record is None:
        now = now or utcnow()
        record = DeclarationHealth(
            declaration_id=declaration.id, form_category=None,
            declaration_type=FORM_TO_TYPE.get(declaration.form, "正常晋升"),
            applicant_identity=(brief or {}).get("applicant_identity"),
            sections=new_sections(declaration, brief), next_row_id=1, frozen=None,
            frozen_at=None, print_settings=None, created_at=now, updated_at=now)
        session.add(record)
        session.flush()
    elif brief and brief.get("applicant_identity") is not None:
        record.applicant_identity = brief["applicant_identity"]
    return record


# --------------------------------------------------------------------------- files

def _file_places(code, content):
    """``[(file_id, slot, field path)]`` the section's content refers to."""
    places = []
    if content is None:
        return places
    if code == "basic":
        for key, file_id in (content.get("evidence") or {}).items():
            if file_id and key in BASIC_EVIDENCE:
                places.append((file_id, BASIC_EVIDENCE[key][0], f"evidence.{key}"))
    elif code in ROW_EVIDENCE_SLOTS:
        for index, row in enumerate(content.get("rows") or ()):
            if row.get("evidence_file_id"):
                places.append((row["evidence_file_id"], ROW_EVIDENCE_SLOTS[code],
                               f"rows.{index}.evidence_file_id"))
    elif code == "workload":
        if content.get("file_id"):
            places.append((content["file_id"], "cq_workload", "file_id"))
    elif code == "summary":
        for _kind, field, slot, _label in SUMMARY_FILES:
            if content.get(field):
                places.append((content[field], slot, field))
    elif code == "others":
        for index, row in enumerate(content.get("rows") or ()):
            if row.get("file_id"):
                places.append((row["file_id"], "cq_other", f"rows.{index}.file_id"))
    elif code == "archive" and content.get("file_id"):
        places.append((content["file_id"], "cq_archive_check", "file_id"))
    elif code == "exam" and content.get("evidence_file_id"):
        places.append((content["evidence_file_id"], "cq_exam_score", "evidence_file_id"))
    return places


def file_places(code, content):
    return _file_places(code, content)


def known_files(record):
    return {int(k): v for k, v in ((record.sections or {}).get("files") or {}).items()} \
        if record is not None else {}


def new_file_ids(record, code, content):
    """The files the content refers to that the record does not know yet."""
    known = known_files(record)
    return sorted({fid for fid, _slot, _path in _file_places(code, content)
                   if fid not in known})


def check_files(declaration_id, code, content, answered):
    """The files documents attached (``answered``: its file dicts) must be in the
    declaration's bundle (its 120 MB) and in the place's slot."""
    by_id = {f["id"]: f for f in answered}
    bundle = f"declaration:{declaration_id}"
    problems = {}
    for file_id, slot, path in _file_places(code, content):
        info = by_id.get(file_id)
        if info is None:
            continue
        if info.get("bundle") != bundle:
            problems[path] = [f"印证材料须上传到本申报（{bundle}），所有材料合计不超过120MB"]
        elif info.get("slot") != slot:
            problems[path] = [f"文件不是此处的印证材料（应上传到 {slot}）"]
    if problems:
        raise Invalid("health.file_invalid",
                      "印证材料不符合要求：" + next(iter(problems.values()))[0],
                      {"fields": problems})


def referenced_files(sections):
    ids = set()
    for code in SECTIONS:
        ids |= {fid for fid, _s, _p in _file_places(code, (sections or {}).get(code))}
    return ids


# --------------------------------------------------------------------------- editing

def _touch(declaration, record, now):
    record.updated_at = now
    declaration.updated_at = now
    declaration.version += 1


def _content_of(code, row):
    return {key: row.get(key) for key in ROW_CONTENT[code]}


def _merge_rows(record, code, old_rows, new_rows):
    """The new list of rows, in the order given: a row that names an existing ``id``
    keeps it (and its reviewer's mark while its content is unchanged, and where it was
    imported from); any other row gets a new id."""
    old = {row["id"]: row for row in old_rows if row.get("id") is not None}
    result, used = [], set()
    for row in new_rows:
        row = {k: v for k, v in row.items() if k not in ("deleted", "mark")}
        previous = old.get(row.get("id")) if row.get("id") not in used else None
        if previous is not None:
            used.add(row["id"])
            kept = dict(row)
            kept["source_record_id"] = previous.get("source_record_id")
            same = _content_of(code, previous) == _content_of(code, row)
            kept["deleted"] = bool(previous.get("deleted")) and same
            kept["mark"] = previous.get("mark") if kept["deleted"] else None
        else:
            kept = dict(row, id=record.next_row_id, deleted=False, mark=None,
                        source_record_id=row.get("source_record_id"))
            record.next_row_id += 1
        if code not in PUBLICITY_SECTIONS:
            kept.pop("publicity", None)
        elif kept.get("publicity") is None:
            kept["publicity"] = True
        result.append(kept)
    return result


def _workload_rows(category, old_rows, years):
    """The rows a form category starts with (values of same-named rows kept) followed by
    the rows the declarant added."""
    width = len(years)
    by_item = {row["item"]: row for row in old_rows}
    rows = []
    defaults = list(workload_items(category))
    for item in defaults:
        row = by_item.get(item)
        rows.append(row if row is not None else
                    {"item": item, "values": [""] * width, "publicity": True})
    rows += [row for row in old_rows if row["item"] not in defaults and row.get("custom")]
    return rows


def _pad(values, width):
    values = [("" if v is None else str(v)) for v in (values or [])][:width]
    return values + [""] * (width - len(values))


def require_category(record):
    if record.form_category is None:
        raise Conflict("health.category_required", "请先选择填报表格类别")


def save_section(session, declaration, record, code, data, files=(), now=None):
    """保存: the section's content (list sections: every row, in order)."""
    now = now or utcnow()
    sections = copy.deepcopy(record.sections or {})
    if code != "cover":
        require_category(record)
    if code == "cover":
        _save_cover(record, sections, data)
    elif code == "basic":
        basic = sections.get("basic") or {}
        for key, value in data.items():
            if key == "evidence":
                evidence = dict(basic.get("evidence") or {})
                evidence.update(value or {})
                basic["evidence"] = evidence
            elif key in ("education", "degree") and value is not None:
                merged = dict(basic.get(key) or {})
                merged.update(value)
                basic[key] = merged
            else:
                basic[key] = value
        sections["basic"] = basic
    elif code == "workload":
        sections["workload"] = _save_workload(record, sections.get("workload") or {}, data)
    elif code == "exam":
        if not exam_applicable(declaration):
            raise Conflict("health.exam_not_applicable", "专业考试成绩只有申报副高的才填写",
                           {"level": declaration.level})
        sections["exam"] = _clean_exam(data)
    elif code in ROW_LIMITS:
        rows = data["rows"]
        if code == "assessments":
            rows = sorted(rows, key=lambda r: r["year"])
        sections[code] = {"rows": _merge_rows(record, code,
                                              (sections.get(code) or {}).get("rows") or [],
                                              rows)}
    else:  # summary, archive, integrity: the whole content
        sections[code] = dict(data)
    for info in files:
        sections.setdefault("files", {})[str(info["id"])] = {
            "file_name": info.get("file_name") or "", "slot": info.get("slot")}
    record.sections = sections
    _touch(declaration, record, now)
    session.flush()
    return record


def _save_cover(record, sections, data):
    category = data["form_category"]
    if data.get("declaration_type"):
        record.declaration_type = data["declaration_type"]
    if category != record.form_category:
        workload = sections.get("workload") or {"years": [], "rows": [], "file_id": None}
        years = workload.get("years") or []
        rows = _workload_rows(category, workload.get("rows") or [], years)
        fresh = [r for r in rows if r.get("id") is None]
        for row in fresh:
            row.update(id=record.next_row_id, deleted=False, mark=None,
                       source_record_id=None)
            record.next_row_id += 1
        workload["rows"] = rows
        sections["workload"] = workload
        record.form_category = category


def _save_workload(record, current, data):
    years = data.get("years") or current.get("years") or []
    if len(set(years)) != len(years):
        raise Invalid("health.invalid", "工作量年度不能重复",
                      {"fields": {"years": ["年度不能重复"]}})
    width = len(years)
    defaults = set(workload_items(record.form_category))
    rows = []
    for index, row in enumerate(data["rows"]):
        if len(row.get("values") or []) > width:
            raise Invalid("health.invalid", f"第 {index + 1} 行工作量数值的列数多于年度数",
                          {"fields": {f"rows.{index}.values": ["工作量数值的列数多于年度数"]}})
        rows.append(dict(row, values=_pad(row.get("values"), width),
                         custom=row["item"] not in defaults))
    names = [row["item"] for row in rows]
    if len(set(names)) != len(names):
        raise Invalid("health.invalid", "工作量项目不能重复", {"fields": {"rows": [
                "工作量项目不能重复"]}})
    merged = _merge_rows(record, "workload", current.get("rows") or [], rows)
    return {"years": list(years), "rows": merged,
            "file_id": data.get("file_id", current.get("file_id"))}


def _clean_exam(data):
    exam = dict(data)
    for key, value in EXAM_DEFAULTS.items():
        if not exam.get(key):
            exam[key] = value
    if exam["mode"] != "参加考试":
        # 免考: no date, specialty, score nor 成绩证明 (manual 4.3.7)
        exam.update(date=None, specialty="", score="", evidence_file_id=None)
    return exam


def move_row(session, declaration, record, code, row_id, direction, now=None):
    """上移 / 下移 (nothing happens at either end)."""
    if code not in ROW_LIMITS:
        raise NotFound("health.section_unknown", "该栏目没有可排序的行")
    require_category(record)
    sections = copy.deepcopy(record.sections)
    rows = (sections.get(code) or {}).get("rows") or []
    index = next((i for i, row in enumerate(rows) if row.get("id") == row_id), None)
    if index is None:
        raise NotFound("health.row_not_found", "该行不存在")
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
        record.sections = sections
        _touch(declaration, record, now or utcnow())
        session.flush()
    return record


# --------------------------------------------------------------------------- imports

def _month_dot(value):
    """``2004-07-01`` → ``2004.07``."""
    if not value or not isinstance(value, str) or len(value) < 7:
        return ""
    return f"{value[:4]}.{value[5:7]}"


def _period(fields):
    start = _month_dot(fields.get("start_date"))
    end = "至今" if fields.get("until_now") else _month_dot(fields.get("end_date"))
    return f"{start}-{end}" if start and end else ""


def _rank(value):
    if isinstance(value, dict):
        rank, total = value.get("rank"), value.get("total")
        if rank is None:
            return ""
        return f"{rank}/{total}" if total else str(rank)
    return str(value or "")[:20]


def row_from_record(code, record):
    """The row a record of the achievement library becomes in ``code`` (its fields as
    the record holds them: a list row's ``columns`` or a detail's ``fields``)."""
    f = record.get("fields") or record.get("columns") or {}
    if code == "work":
        return {"period": _period(f), "unit": (f.get("unit_name") or "")[:200],
                "work": (f.get("specialty") or "")[:200], "title": (f.get("position") or "")[:50],
                "publicity": True}
    if code == "study":
        parts = [f.get("school") or "", f.get("major") or ""]
        level = f.get("education_level")
        content = "".join(parts) + ("学习" if any(parts) else "")
        if level:
            content += f"（{level}）"
        return {"period": _period(f), "content": content[:300], "place": "",
                "certificate_no": (f.get("certificate_no") or "")[:50],
                "evidence_file_id": None, "publicity": True}
    if code == "assessments":
        year = f.get("year")
        return {"year": int(year) if str(year or "").isdigit() else None,
                "result": f.get("grade") or ""}
    if code == "papers":
        venue = f.get("journal") or ""
        if f.get("level"):
            venue = f"{venue}（{f['level']}）" if venue else f["level"]
        return {"date": _month_dot(f.get("publish_date")), "title": (f.get("title") or "")[:300],
                "content": (f.get("abstract") or "")[:500], "venue": venue[:300],
                "rank": _rank(f.get("ranking")), "evidence_file_id": None, "publicity": True}
    raise NotFound("health.import_unavailable", "该栏目不能从个人业绩库导入")


def import_type(code):
    if code not in IMPORT_TYPES:
        raise NotFound("health.import_unavailable", "该栏目不能从个人业绩库导入")
    return IMPORT_TYPES[code]


def imported_ids(record, code):
    rows = ((record.sections or {}).get(code) or {}).get("rows") or [] if record else []
    return {row.get("source_record_id") for row in rows if row.get("source_record_id")}


def candidates(held, code, items):
    """The approved records offered for import, with the row each would become
    (``held``: the record ids the section already holds)."""
    return [{"record_id": item["id"], "type": item["type"],
             "type_label": item.get("type_label"), "title": item.get("title"),
             "row": row_from_record(code, item), "imported": item["id"] in held}
            for item in items]


def import_rows(session, declaration, record, code, details, now=None):
    """导入: approved records of the person become rows at the end of the section."""
    require_category(record)
    wanted = import_type(code)
    wrong = [d["id"] for d in details if d.get("type") != wanted]
    if wrong:
        raise Invalid("health.import_type_invalid", f"所选业绩不能导入“{SECTIONS[code]}”",
                      {"record_ids": wrong})
    foreign = [d["id"] for d in details if d.get("person_id") != declaration.person_id
               or d.get("status") != "approved"]
    if foreign:
        raise Conflict("health.import_not_approved", "只能导入本人审核通过的业绩",
                       {"record_ids": foreign})
    again = [d["id"] for d in details if d["id"] in imported_ids(record, code)]
    if again:
        raise Conflict("health.import_exists", "所选业绩已导入本栏目，不能重复导入",
                       {"record_ids": again})
    rows = list(((record.sections or {}).get(code) or {}).get("rows") or [])
    limit = ROW_LIMITS[code]
    if len(rows) + len(details) > limit:
        raise Invalid("health.too_many_rows",
                      f"{SECTIONS[code]}最多只能填写 {limit} 行，已填写 {len(rows)} 行",
                      {"fields": {"rows": [f"{SECTIONS[code]}最多只能填写 {limit} 行"]},
                       "max": limit, "count": len(rows)})
    new_rows = []
    for detail in details:
        row = dict(row_from_record(code, detail), source_record_id=detail["id"])
        if code == "assessments":
            if row["year"] is None or row["result"] not in ("优秀", "合格", "基本合格", "不合格"):
                raise Invalid("health.import_invalid", "年度考核记录缺少考核年度或考核等次",
                              {"record_ids": [detail["id"]]})
            if any(r["year"] == row["year"] for r in rows + new_rows):
                raise Conflict("health.assessment_year_exists",
                               f"{row['year']}年度考核已填写", {"record_ids": [detail["id"]]})
        new_rows.append(row)
    combined = [dict(r) for r in rows] + new_rows
    if code == "assessments":
        combined.sort(key=lambda r: r["year"])
    return save_section(session, declaration, record, code, {"rows": combined}, now=now)


# --------------------------------------------------------------------------- marks

def mark_row(record, code, row_id, deleted, mark):
    """删除标记 of a reviewer on a row, in the frozen copy and the live sections."""
    if code not in ROW_LIMITS:
        raise NotFound("health.section_unknown", "该栏目没有可标记的行")
    found = False
    for attr in ("frozen", "sections"):
        data = copy.deepcopy(getattr(record, attr))
        if not data:
            continue
        sections = data["sections"] if attr == "frozen" else data
        for row in (sections.get(code) or {}).get("rows") or []:
            if row.get("id") == row_id:
                row["deleted"] = bool(deleted)
                row["mark"] = mark if deleted else None
                found = True
        setattr(record, attr, data)
    if not found:
        raise NotFound("health.row_not_found", "该行不存在")
    return record


# --------------------------------------------------------------------------- freezing

def freeze(session, declaration, now, brief=None):
    """提交: the sections as submitted become what reviewers and printouts read."""
    if not is_health(declaration):
        return None
    record = get_record(session, declaration.id, for_update=True)
    if record is None:
        return None
    if brief and brief.get("applicant_identity") is not None:
        record.applicant_identity = brief["applicant_identity"]
    record.frozen = {
        "form_category": record.form_category,
        "declaration_type": record.declaration_type,
        "applicant_identity": record.applicant_identity,
        "sections": copy.deepcopy(record.sections),
    }
    record.frozen_at = now
    session.flush()
    return record


def current(declaration, record):
    """``(form_category, declaration_type, sections, frozen?)`` as reviewers and
    printouts see them: the frozen copy once submitted, the live data while editable."""
    if record is None:
        return None, FORM_TO_TYPE.get(declaration.form, "正常晋升"), None, False
    if declaration.status not in EDITABLE and record.frozen:
        frozen = record.frozen
        return (frozen.get("form_category"), frozen.get("declaration_type"),
                frozen.get("sections") or {}, True)
    return record.form_category, record.declaration_type, record.sections or {}, False


# --------------------------------------------------------------------------- check

def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def rules(declaration, on=None):
    """The health sections' rules of the eligibility check (none for other series)."""
    if not is_health(declaration):
        return []
    session = object_session(declaration)
    record = get_record(session, declaration.id) if session is not None else None
    rule = eligibility.rule
    if record is None or record.form_category is None:
        return [rule("health:cover", "已选择填报表格类别", False, "请先选择填报表格类别")]
    s = record.sections or {}
    result = [rule("health:cover", "已选择填报表格类别", True)]

    basic = s.get("basic") or {}
    missing = [label for key, label in BASIC_REQUIRED if _blank(basic.get(key))]
    for key, title in (("education", "最高学历"), ("degree", "最高学位")):
        part = basic.get(key) or {}
        blank = [label for k, label in EDUCATION_REQUIRED if _blank(part.get(k))]
        if blank:
            missing.append(f"{title}（{'、'.join(blank)}）")
    if basic.get("frontline") and not (basic.get("evidence") or {}).get("frontline"):
        missing.append("一线医务人员资格证明")
    result.append(rule("health:basic", "基本信息填写完整（没有的填写“无”）", not missing,
                       "基本信息未填写：" + "、".join(missing)))

    def rows(code):
        return [r for r in (s.get(code) or {}).get("rows") or []]

    def active(code):
        return [r for r in rows(code) if not r.get("deleted")]

    def marked(code):
        return [r for r in rows(code) if r.get("deleted")]

    result.append(rule("health:assessments", "已填写现职以来年度考核", active("assessments"),
                       "请填写现职以来年度考核"))
    for code in ("study", "work"):
        result.append(rule(f"health:{code}", f"已填写{SECTIONS[code]}", active(code),
                           f"请填写{SECTIONS[code]}"))
    problems = []
    if not active("achievements"):
        problems.append("请填写任现职以来主要专业技术工作业绩")
    problems += [f"第 {i} 行未上传印证材料" for i, r in enumerate(rows("achievements"), 1)
                 if not r.get("deleted") and not r.get("evidence_file_id")]
    result.append(rule("health:achievements",
            "已填写任现职以来主要专业技术工作业绩（每行附印证材料）",
                       not problems, "；".join(problems)))

    workload = s.get("workload") or {}
    problems = [f"“{r['item']}”未填写完整" for r in active("workload")
                if any(_blank(v) for v in r.get("values") or [""])]
    if not workload.get("file_id"):
        problems.append("请上传签字盖章后的工作量")
    result.append(rule("health:workload", "已填写任现职以来的工作量并上传签字盖章的工作量表",
                       not problems, "；".join(problems)))

    missing_evidence = [f"第 {i} 行" for i, r in enumerate(rows("papers"), 1)
                        if not r.get("deleted") and not r.get("evidence_file_id")]
    result.append(rule("health:papers", "论文及学术报告已上传印证材料", not missing_evidence,
                       "论文及学术报告" + "、".join(missing_evidence) + "未上传印证材料"))

    if exam_applicable(declaration):
        exam = s.get("exam")
        problem = None
        if not exam:
            problem = "申报副高须填写专业考试成绩"
        elif exam.get("mode") == "参加考试" and not exam.get("evidence_file_id"):
            problem = "参加考试的须上传成绩证明"
        elif exam.get("mode") == "一线医务人员免考" and not basic.get("frontline"):
            problem = "选择“一线医务人员免考”的须为一线医务人员"
        result.append(rule("health:exam", "已填写专业考试成绩（副高）", problem is None, problem))

    summary = s.get("summary") or {}
    missing = [label for kind, field, _slot, label in SUMMARY_FILES
               if not summary.get(field) and (kind != "frontline_assessment"
                                              or basic.get("frontline"))]
    result.append(rule("health:summary", "已上传工作总结及考核鉴定材料", not missing,
                       "请上传" + "、".join(missing)))

    if archive_required(record):
        archive = s.get("archive") or {}
        missing = []
        if _blank(archive.get("content")):
            missing.append("查档情况内容")
        if not archive.get("file_id"):
            missing.append("查档情况印证材料")
        result.append(rule("health:archive", "已填写查档情况（其他人员）", not missing,
                           "申报人员身份为其他人员，须填写" + "、".join(missing)))

    integrity = s.get("integrity") or {}
    missing = [label for key, label in (("publicity_from", "公示开始时间"),
                                        ("publicity_to", "公示结束时间"),
                                        ("other", "其他情况"),
                                        ("explanation", "具体情形说明"))
               if _blank(integrity.get(key))]
    if integrity.get("checked") and (integrity.get("explanation") or "").strip() in ("", "无"):
        missing.append("所勾选情况的具体情形说明")
    result.append(rule("health:integrity", "已填写申报诚信情况", not missing,
                       "申报诚信情况未填写：" + "、".join(missing)))

    flagged = [f"{SECTIONS[code]}（{len(marked(code))} 行）" for code in ROW_LIMITS
               if marked(code)]
    result.append(rule("health:marks", "审核单位标记删除的行已处理", not flagged,
                       "以下内容被审核单位标记删除，请修改或删除后再提交：" + "、".join(flagged)))
    return result


# --------------------------------------------------------------------------- views

def view(declaration, record, *, owner, editable):
    """The sections as the caller sees them (the frozen copy once submitted)."""
    category, declaration_type, sections, frozen = current(declaration, record)
    sections = copy.deepcopy(sections or (new_sections(declaration, None) if record is None
                                          else {}))
    files = {int(k): v for k, v in (sections.pop("files", None) or {}).items()}
    if not owner:
        basic = sections.get("basic") or {}
        if basic.get("phone"):
            basic["phone"] = mask_phone(basic["phone"])
    return {
        "declaration_id": declaration.id,
        "status": declaration.status,
        "status_label": status_label(declaration.status),
        "editable": bool(editable),
        "frozen": frozen,
        "form_category": category,
        "form_category_note": FORM_CATEGORY_NOTES.get(category),
        "declaration_type": declaration_type,
        "level": declaration.level,
        "level_label": LEVEL_SHORT.get(declaration.level, declaration.level),
        "grassroots": category in GRASSROOTS_CATEGORIES,
        "exam_applicable": exam_applicable(declaration),
        "archive_required": archive_required(record),
        "archive_template": ARCHIVE_TEMPLATE.format(name=declaration.person_name),
        "workload_items": list(workload_items(category)) if category else [],
        "row_limits": dict(ROW_LIMITS),
        "sections": sections,
        "files": [{"id": fid, **info} for fid, info in sorted(files.items())],
        "updated_at": record.updated_at.isoformat() if record is not None else None,
        "version": declaration.version,
    }


def form_categories(selected=None):
    return {
        "selected": selected,
        "hint": FORM_CATEGORY_HINT,
        "items": [{"value": c, "label": c, "description": FORM_CATEGORY_NOTES[c],
                   "grassroots": c in GRASSROOTS_CATEGORIES,
                   "workload_items": list(workload_items(c))} for c in FORM_CATEGORIES],
        "declaration_types": list(DECLARATION_TYPES),
        "exam_modes": list(EXAM_MODES),
        "integrity_items": list(INTEGRITY_ITEMS),
    }
