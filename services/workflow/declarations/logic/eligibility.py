"""The eligibility check of a declaration before submission (申报条件检查), as a plain
function over facts gathered by the caller: every rule of the plan with pass or fail.

A rule is ``{code, label, passed, message}``; ``message`` says in Chinese what is wrong
(None when it passes). Submission is refused while any rule fails.
"""
import datetime as dt

# The person-entered fields of 个人信息 that are required (marked * in the Anhui form).
REQUIRED_PERSONAL = (
    ("former_name", "曾用名"),
    ("ethnicity", "民族"),
    ("birthplace", "出生地"),
    ("work_start_date", "工作时间"),
    ("work_years", "工作年限"),
    ("specialty_years", "专业年限"),
    ("political_status", "政治面貌"),
)
TITLE_FIELDS = (
    ("cert_no", "证书编号"),
    ("work_unit", "工作单位"),
    ("series", "系列名称"),
    ("specialty", "专业名称"),
    ("qualification", "资格名称"),
    ("obtain_method", "职称取得方式"),
)


def rule(code, label, passed, message=None):
    return {"code": code, "label": label, "passed": bool(passed),
            "message": None if passed else message}


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def count_bounds(section):
    """``(min, max)`` of a section: a required section needs at least one item."""
    low = section.get("min") or 0
    if section.get("required"):
        low = max(low, 1)
    return low, section.get("max")


def bounds_text(section):
    low, high = count_bounds(section)
    if high is None:
        return "导入数量不限" if low == 0 else f"至少导入 {low} 项"
    if low == high:
        return f"须导入 {low} 项"
    return f"导入 {low}–{high} 项"


def window_rule(starts_on, ends_on, today, resubmission=False):
    """Within the plan's 申报起止日期. A declaration returned for correction may be
    submitted again after the closing date (the seeds warn not to delete one then)."""
    label = f"在申报时间内（{starts_on.isoformat()} 至 {ends_on.isoformat()}）"
    if today < starts_on:
        return rule("window", label, False, f"申报尚未开始，开始日期为 {starts_on.isoformat()}")
    if today > ends_on and not resubmission:
        return rule("window", label, False, f"申报已截止，截止日期为 {ends_on.isoformat()}")
    return rule("window", label, True)


def evaluate(*, plan, declaration, items, binding, unit_path, today=None,
             resubmission=False):
    """Every rule of the plan for ``declaration``.

    - ``plan``: dict with ``starts_on``, ``ends_on`` (dates), ``status``, ``sections``,
      ``titles_required``;
    - ``declaration``: dict with ``personal`` and ``titles``;
    - ``items``: ``{section_code: number of items not marked deleted}``;
    - ``binding``: identity's ``may_submit`` answer;
    - ``unit_path``: identity's ``unit_path`` of the bound unit (may be empty).
    """
    today = today or dt.date.today()
    rules = []
    if plan.get("status") != "published":
        rules.append(rule("plan", "评审计划已发布", False, "评审计划未发布或已撤销"))
    rules.append(window_rule(plan["starts_on"], plan["ends_on"], today, resubmission))

    allowed = bool(binding and binding.get("allowed") and binding.get("unit_id"))
    rules.append(rule("binding", "已绑定工作单位且单位审核通过", allowed,
                      (binding or {}).get("reason") or "您尚未绑定工作单位或绑定尚未通过审核"))
    unit = unit_path[0] if unit_path else None
    region_ok = bool(allowed and unit and unit.get("region_complete"))
    rules.append(rule("region", "所在单位属地信息已完善", region_ok,
                      "系统检测到您所在单位属地信息未完善，无法申报！请联系单位管理员完善单位信息"))

    personal = declaration.get("personal") or {}
    missing = [label for key, label in REQUIRED_PERSONAL if _blank(personal.get(key))]
    rules.append(rule("personal", "个人信息填写完整", not missing,
                      "个人信息未填写：" + "、".join(missing)))

    if plan.get("titles_required", True):
        titles = declaration.get("titles") or []
        problems = []
        if not titles:
            problems.append("请录入现有职称情况")
        for index, title in enumerate(titles, start=1):
            blank = [label for key, label in TITLE_FIELDS if _blank(title.get(key))]
            if blank:
                problems.append(f"第 {index} 条未填写" + "、".join(blank))
            if not title.get("evidence_file_ids"):
                problems.append(f"第 {index} 条未上传附件")
        rules.append(rule("titles", "现有职称情况已录入（含附件）", not problems,
                          "；".join(problems)))

    for section in plan.get("sections") or ():
        count = items.get(section["code"], 0)
        low, high = count_bounds(section)
        label = f"{section['label']}（{'必填项，' if section.get('required') else ''}" \
                f"{bounds_text(section)}）"
        if count < low:
            message = (f"{section['label']}为必填项，请导入" if count == 0 and
                       section.get("required") else
                       f"{section['label']}至少需导入 {low} 项，当前 {count} 项")
            rules.append(rule(f"section:{section['code']}", label, False, message))
        elif high is not None and count > high:
            rules.append(rule(f"section:{section['code']}", label, False,
                              f"{section['label']}最多可导入 {high} 项，当前 {count} 项"))
        else:
            rules.append(rule(f"section:{section['code']}", label, True))
    return rules


def passed(rules):
    return all(r["passed"] for r in rules)
