"""The identity service's contract: what the gateway and other services may know.

- code tables (registration dictionaries: code → label, GB/T codes where there is one)
  and the formats of mobile numbers, landlines and admin account names;
- RPC request schemas (the gateway validates with them, identity loads them again at its
  RPC boundary) and answer schemas (identity dumps every answer with them once; the
  gateway passes the answer through and documents it with the same schema);
- the data of the events identity publishes (``review_requested``) and of its session
  revocation feed.

Dates and times travel as ISO strings, so answer schemas declare them as strings with a
format.
"""
import re

import jwt
from marshmallow import ValidationError, validates_schema

from services.common.errors import Invalid
from services.common.schemas import BaseSchema, PageQuery, fields, validate

# --------------------------------------------------------------------------- code tables

GENDERS = (("1", "男"), ("2", "女"))

ETHNICITIES = (
    ("01", "汉族"), ("02", "蒙古族"), ("03", "回族"), ("04", "藏族"), ("05", "维吾尔族"),
    ("06", "苗族"), ("07", "彝族"), ("08", "壮族"), ("09", "布依族"), ("10", "朝鲜族"),
    ("11", "满族"), ("12", "侗族"), ("13", "瑶族"), ("14", "白族"), ("15", "土家族"),
    ("16", "哈尼族"), ("17", "哈萨克族"), ("18", "傣族"), ("19", "黎族"), ("20", "傈僳族"),
    ("21", "佤族"), ("22", "畲族"), ("23", "高山族"), ("24", "拉祜族"), ("25", "水族"),
    ("26", "东乡族"), ("27", "纳西族"), ("28", "景颇族"), ("29", "柯尔克孜族"), ("30", "土族"),
    ("31", "达斡尔族"), ("32", "仫佬族"), ("33", "羌族"), ("34", "布朗族"), ("35", "撒拉族"),
    ("36", "毛南族"), ("37", "仡佬族"), ("38", "锡伯族"), ("39", "阿昌族"), ("40", "普米族"),
    ("41", "塔吉克族"), ("42", "怒族"), ("43", "乌孜别克族"), ("44", "俄罗斯族"),
    ("45", "鄂温克族"), ("46", "德昂族"), ("47", "保安族"), ("48", "裕固族"), ("49", "京族"),
    ("50", "塔塔尔族"), ("51", "独龙族"), ("52", "鄂伦春族"), ("53", "赫哲族"), ("54", "门巴族"),
    ("55", "珞巴族"), ("56", "基诺族"),
)

POLITICAL_STATUSES = (
    ("01", "中共党员"), ("02", "中共预备党员"), ("03", "共青团员"), ("04", "民革党员"),
    ("05", "民盟盟员"), ("06", "民建会员"), ("07", "民进会员"), ("08", "农工党党员"),
    ("09", "致公党党员"), ("10", "九三学社社员"), ("11", "台盟盟员"), ("12", "无党派人士"),
    ("13", "群众"),
)

EDUCATIONS = (
    ("11", "博士研究生"), ("14", "硕士研究生"), ("21", "大学本科"), ("31", "大学专科"),
    ("41", "中等专科"), ("44", "职业高中"), ("47", "技工学校"), ("61", "普通高中"),
    ("71", "初中"), ("81", "小学"), ("90", "其他"),
)

DEGREES = (("2", "博士"), ("3", "硕士"), ("4", "学士"), ("9", "无"))

# 所在职称系列 as the Anhui FAQ lists them (个人中心 → 完善信息).
TITLE_SERIES = (
    ("primary_secondary_teacher", "中小学教师"),
    ("vocational_school_teacher", "中等职业学校教师"),
    ("technical_school_teacher", "技工院校教师"),
    ("health", "卫生技术人员"),
    ("engineering", "工程技术人员"),
    ("university_teacher", "高等学校教师"),
    ("party_school_teacher", "党校（行政学院）系统教师"),
    ("social_science_research", "哲学社会科学研究人员"),
)

ID_TYPES = (
    ("resident_id", "居民身份证"),
    ("hmt_residence", "港澳台居民居住证"),
    ("officer", "军官证"),
    ("passport", "护照"),
    ("hk_macao_pass", "港澳居民来往内地通行证"),
    ("taiwan_pass", "台湾居民来往大陆通行证"),
    ("foreign_permanent", "外国人永久居留身份证"),
)
# ID types whose numbers follow GB 11643 (check digit, birth date, gender).
GB11643_ID_TYPES = {"resident_id", "hmt_residence"}

# 申报人员身份 (Chongqing manual 4.2).
APPLICANT_IDENTITIES = (("staff", "事业编制人员"), ("other", "其他人员"))

UNIT_KINDS = (
    ("employer", "用人单位"),
    ("competent", "主管部门"),
    ("hr", "人社部门"),
    ("organiser", "评委会组建单位"),
    ("talent_center", "人才服务中心"),
)

UNIT_NATURES = (
    ("organ", "机关"),
    ("institution", "事业单位"),
    ("central_institution", "事业单位（中直）"),
    ("state_enterprise", "国有企业"),
    ("private_enterprise", "非公有制企业"),
    ("social_organisation", "社会组织"),
    ("other", "其他"),
)

PROVINCES = (
    ("110000", "北京市"), ("120000", "天津市"), ("130000", "河北省"), ("140000", "山西省"),
    ("150000", "内蒙古自治区"), ("210000", "辽宁省"), ("220000", "吉林省"),
    ("230000", "黑龙江省"), ("310000", "上海市"), ("320000", "江苏省"), ("330000", "浙江省"),
    ("340000", "安徽省"), ("350000", "福建省"), ("360000", "江西省"), ("370000", "山东省"),
    ("410000", "河南省"), ("420000", "湖北省"), ("430000", "湖南省"), ("440000", "广东省"),
    ("450000", "广西壮族自治区"), ("460000", "海南省"), ("500000", "重庆市"),
    ("510000", "四川省"), ("520000", "贵州省"), ("530000", "云南省"), ("540000", "西藏自治区"),
    ("610000", "陕西省"), ("620000", "甘肃省"), ("630000", "青海省"),
    ("640000", "宁夏回族自治区"), ("650000", "新疆维吾尔自治区"), ("710000", "台湾省"),
    ("810000", "香港特别行政区"), ("820000", "澳门特别行政区"),
)

ACCOUNT_ROLES = (("person", "申报人员"), ("unit_admin", "单位管理员"),
                 ("operator", "运维人员"), ("security", "安全管理员"), ("auditor", "审计人员"),
                 ("system", "外部系统"))
ACCOUNT_STATUSES = (("active", "正常"), ("frozen", "已冻结"))
UNIT_STATUSES = (("pending", "待审核"), ("active", "审核通过"), ("rejected", "审核未通过"))
BINDING_STATUSES = (("pending", "审核中"), ("approved", "审核通过"),
                    ("rejected", "审核未通过"), ("cancelled", "已取消"))

DICTIONARIES = {
    "gender": GENDERS,
    "ethnicity": ETHNICITIES,
    "political_status": POLITICAL_STATUSES,
    "education": EDUCATIONS,
    "degree": DEGREES,
    "title_series": TITLE_SERIES,
    "id_type": ID_TYPES,
    "applicant_identity": APPLICANT_IDENTITIES,
    "unit_kind": UNIT_KINDS,
    "unit_nature": UNIT_NATURES,
    "province": PROVINCES,
    "account_role": ACCOUNT_ROLES,
    "account_status": ACCOUNT_STATUSES,
    "unit_status": UNIT_STATUSES,
    "binding_status": BINDING_STATUSES,
}

_LABELS = {name: dict(items) for name, items in DICTIONARIES.items()}


def codes(name):
    return [code for code, _ in DICTIONARIES[name]]


def label(name, code):
    """The label of ``code`` in dictionary ``name``; None for None or unknown codes."""
    if code is None:
        return None
    return _LABELS[name].get(code)


def as_lists():
    """Every dictionary as ``{name: [{code, label}, ...]}``, in display order."""
    return {name: [{"code": code, "label": text} for code, text in items]
            for name, items in DICTIONARIES.items()}


# --------------------------------------------------------------------------- formats

MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
LANDLINE = re.compile(r"^[0-9]{3,4}-?[0-9]{7,8}(-[0-9]{1,6})?$")
ADMIN_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]{3,31}$")


# --------------------------------------------------------------------------- schemas

_mobile = validate.Regexp(MOBILE, error="手机号码格式有误，应为 11 位手机号")
_landline = validate.Regexp(LANDLINE, error="固定电话格式有误，例：0551-88888888")
_postal = validate.Regexp(r"^[0-9]{6}$", error="邮政编码应为 6 位数字")
_username = validate.Regexp(
    ADMIN_USERNAME, error="用户名须以字母开头，由 4 至 32 位字母、数字、下划线、点或减号组成")


def _one_of(name):
    return validate.OneOf(codes(name), error="取值必须是以下之一：{choices}")


def _text(label, max_len, required=False, **kw):
    return fields.String(required=required, validate=validate.Length(min=1 if required else 0,
                                                                      max=max_len),
                         metadata={"label": label}, **kw)


def _date_out(description):
    return fields.String(metadata={"format": "date", "description": description})


def _time_out(description):
    return fields.String(metadata={"format": "date-time", "description": description})


# --------------------------------------------------------------------------- inputs

class RegionSchema(BaseSchema):
    """属地: province / city / county (GB/T 2260 codes with names)."""
    province_code = fields.String(required=True, metadata={"label": "省份代码",
                                                            "example": "340000"})
    province_name = fields.String(load_default=None, allow_none=True,
                                  metadata={"label": "省份", "example": "安徽省"})
    city_code = fields.String(load_default=None, allow_none=True,
                              metadata={"label": "地市代码", "example": "340100"})
    city_name = fields.String(load_default=None, allow_none=True,
                              validate=validate.Length(max=50),
                              metadata={"label": "地市", "example": "合肥市"})
    county_code = fields.String(load_default=None, allow_none=True,
                                metadata={"label": "区县代码", "example": "340123"})
    county_name = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=50),
                                metadata={"label": "区县", "example": "肥西县"})


class _ProfileFields(BaseSchema):
    """The profile fields a person fills in (完善信息), all optional here."""
    former_name = fields.String(allow_none=True, validate=validate.Length(max=50),
                                metadata={"label": "曾用名"})
    gender = fields.String(validate=_one_of("gender"), metadata={"label": "性别"})
    birth_date = fields.Date(metadata={"label": "出生日期"})
    political_status = fields.String(validate=_one_of("political_status"),
                                     metadata={"label": "政治面貌"})
    ethnicity = fields.String(validate=_one_of("ethnicity"), metadata={"label": "民族"})
    native_place = fields.String(allow_none=True, validate=validate.Length(max=100),
                                 metadata={"label": "籍贯"})
    email = fields.Email(validate=validate.Length(max=100), metadata={"label": "电子邮箱"})
    address = fields.String(validate=validate.Length(min=1, max=200),
                            metadata={"label": "通讯地址"})
    work_start_date = fields.Date(metadata={"label": "工作时间"})
    education = fields.String(validate=_one_of("education"), metadata={"label": "最高学历"})
    degree = fields.String(allow_none=True, validate=_one_of("degree"),
                           metadata={"label": "获得学位"})
    title_name = fields.String(allow_none=True, validate=validate.Length(max=50),
                               metadata={"label": "职称名称"})
    skill_level = fields.String(allow_none=True, validate=validate.Length(max=50),
                                metadata={"label": "技能等级"})
    landline = fields.String(allow_none=True, validate=_landline,
                             metadata={"label": "固定电话", "example": "0551-88888888"})
    title_series = fields.String(allow_none=True, validate=_one_of("title_series"),
                                 metadata={"label": "所在职称系列"})
    is_freelancer = fields.Boolean(metadata={"label": "是否自由职业者"})
    applicant_identity = fields.String(allow_none=True, validate=_one_of("applicant_identity"),
                                       metadata={"label": "申报人员身份"})


class PersonRegisterSchema(_ProfileFields):
    """个人注册: 基础信息 and 完善信息 of the Anhui FAQ, with Chongqing's 曾用名, 籍贯 and
    申报人员身份; optionally the unit chosen at once (选择所在单位) with 申请说明."""
    real_name = _text("真实姓名", 50, required=True)
    id_type = fields.String(load_default="resident_id", validate=_one_of("id_type"),
                            metadata={"label": "证件类型"})
    id_number = fields.String(required=True, validate=validate.Length(min=1, max=30),
                              metadata={"label": "证件号码", "example": "11010519491231002X"})
    mobile = fields.String(required=True, validate=_mobile,
                           metadata={"label": "手机号码", "example": "13812341234"})
    password = fields.String(required=True, validate=validate.Length(max=128),
                             metadata={"label": "密码"})
    # Required at registration (marked * in the Anhui form); gender and birth date may be
    # left out for a resident ID, whose number carries them.
    political_status = fields.String(required=True, validate=_one_of("political_status"),
                                     metadata={"label": "政治面貌"})
    ethnicity = fields.String(required=True, validate=_one_of("ethnicity"),
                              metadata={"label": "民族"})
    email = fields.Email(required=True, validate=validate.Length(max=100),
                         metadata={"label": "电子邮箱"})
    address = _text("通讯地址", 200, required=True)
    work_start_date = fields.Date(required=True, metadata={"label": "工作时间"})
    education = fields.String(required=True, validate=_one_of("education"),
                              metadata={"label": "最高学历"})
    is_freelancer = fields.Boolean(load_default=False, metadata={"label": "是否自由职业者"})
    unit_id = fields.Integer(load_default=None, allow_none=True,
                             metadata={"label": "所在单位",
                                       "description":
                                           "选择所在单位（可不选，稍后在个人中心变更单位）"})
    application_note = fields.String(load_default=None, allow_none=True,
                                     validate=validate.Length(max=500),
                                     metadata={"label": "申请说明"})


class ProfileUpdateSchema(_ProfileFields):
    """完善信息: the person edits the profile; the name and ID stay as registered."""
    mobile = fields.String(validate=_mobile, metadata={"label": "手机号码"})


class UnitUserUpdateSchema(ProfileUpdateSchema):
    """A unit admin edits one of the unit's users (修改基本信息): for a person the profile
    fields and the name; for an admin the name, mobile number and e-mail."""
    name = fields.String(validate=validate.Length(min=1, max=50),
                         metadata={"label": "姓名"})


class LoginSchema(BaseSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64),
                             metadata={"label": "用户名",
                                       "description": "个人：证件号码或手机号码；单位管理员：账号"})
    password = fields.String(required=True, validate=validate.Length(min=1, max=128),
                             metadata={"label": "密码"})


class PasswordChangeSchema(BaseSchema):
    old_password = fields.String(required=True, validate=validate.Length(min=1, max=128),
                                 metadata={"label": "原密码"})
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=128),
                                 metadata={"label": "新密码"})


class PasswordResetSchema(BaseSchema):
    new_password = fields.String(load_default=None, allow_none=True,
                                 validate=validate.Length(min=1, max=128),
                                 metadata={"label": "新密码",
                                           "description": "不填则生成临时密码"})


class AdminAccountSchema(BaseSchema):
    """A unit admin account (用户名 and 密码 of the registration form)."""
    username = fields.String(required=True, validate=_username, metadata={"label": "用户名"})
    password = fields.String(required=True, validate=validate.Length(max=128),
                             metadata={"label": "密码"})
    name = _text("姓名", 50, required=True)
    mobile = fields.String(load_default=None, allow_none=True, validate=_mobile,
                           metadata={"label": "手机号码"})
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=100),
                         metadata={"label": "电子邮箱"})


class StaffAccountSchema(AdminAccountSchema):
    """An operator, security administrator, auditor or system account (another
    government system reading the event feed), created by a security administrator."""
    role = fields.String(required=True,
                         validate=validate.OneOf(["operator", "security", "auditor", "system"]),
                         metadata={"label": "角色",
                                   "description": "operator 运维人员 | security 安全管理员 | "
                                                  "auditor 审计人员 | "
                                                  "system 外部系统（读取事件回放）"})


class _UnitFields(BaseSchema):
    nature = fields.String(validate=_one_of("unit_nature"), metadata={"label": "单位性质"})
    region = fields.Nested(RegionSchema, allow_none=True, metadata={"label": "属地"})
    address = fields.String(allow_none=True, validate=validate.Length(max=200),
                            metadata={"label": "单位通讯地址"})
    postal_code = fields.String(allow_none=True, validate=_postal,
                                metadata={"label": "邮政编码"})
    legal_rep_name = fields.String(allow_none=True, validate=validate.Length(max=50),
                                   metadata={"label": "法定代表人姓名"})
    legal_rep_phone = fields.String(allow_none=True, validate=validate.Length(max=20),
                                    metadata={"label": "法定代表人电话"})
    contact_name = fields.String(allow_none=True, validate=validate.Length(max=50),
                                 metadata={"label": "单位联系人"})
    contact_mobile = fields.String(allow_none=True, validate=validate.Length(max=20),
                                   metadata={"label": "联系人手机号码或办公电话"})
    contact_email = fields.Email(allow_none=True, validate=validate.Length(max=100),
                                 metadata={"label": "联系人邮箱"})
    contact_fax = fields.String(allow_none=True, validate=validate.Length(max=20),
                                metadata={"label": "联系人传真"})
    central_in_province = fields.Boolean(metadata={"label": "中央驻省单位"})


class UnitRegisterSchema(_UnitFields):
    """单位注册 (anonymous): the unit, its first admin account; approved by the parent
    unit or the HR department of its region."""
    name = _text("单位名称", 200, required=True)
    credit_code = fields.String(required=True, validate=validate.Length(min=1, max=18),
                                metadata={"label": "统一社会信用代码",
                                          "example": "91350100M000100Y43"})
    nature = fields.String(required=True, validate=_one_of("unit_nature"),
                           metadata={"label": "单位性质"})
    kind = fields.String(load_default="employer", validate=_one_of("unit_kind"),
                         metadata={"label": "单位类别"})
    parent_unit_id = fields.Integer(load_default=None, allow_none=True,
                                    metadata={"label": "所属单位"})
    region = fields.Nested(RegionSchema, load_default=None, allow_none=True,
                           metadata={"label": "属地"})
    contact_name = _text("单位联系人", 50, required=True)
    contact_mobile = fields.String(required=True, validate=validate.Length(min=1, max=20),
                                   metadata={"label": "联系人手机号码或办公电话"})
    contact_email = fields.Email(required=True, validate=validate.Length(max=100),
                                 metadata={"label": "联系人邮箱"})
    admin = fields.Nested(AdminAccountSchema, required=True, metadata={"label": "管理员账号"})


class UnitCreateSchema(_UnitFields):
    """内置单位: created by an HR department (in its region) or an operator, active at
    once, with its first admin account; the credit code is optional."""
    name = _text("单位名称", 200, required=True)
    credit_code = fields.String(load_default=None, allow_none=True,
                                validate=validate.Length(max=18),
                                metadata={"label": "统一社会信用代码"})
    nature = fields.String(required=True, validate=_one_of("unit_nature"),
                           metadata={"label": "单位性质"})
    kind = fields.String(required=True, validate=_one_of("unit_kind"),
                         metadata={"label": "单位类别"})
    parent_unit_id = fields.Integer(load_default=None, allow_none=True,
                                    metadata={"label": "所属单位"})
    region = fields.Nested(RegionSchema, load_default=None, allow_none=True,
                           metadata={"label": "属地"})
    admin = fields.Nested(AdminAccountSchema, required=True, metadata={"label": "管理员账号"})


class UnitUpdateSchema(_UnitFields):
    """完善单位信息: the unit's admin completes the unit (属地, contacts …)."""


class BindingCreateSchema(BaseSchema):
    unit_id = fields.Integer(required=True, metadata={"label": "单位"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500),
                         metadata={"label": "申请说明"})


class StatusPageQuery(PageQuery):
    status = fields.String(load_default=None, validate=validate.Length(max=20),
                           metadata={"label": "状态"})


class UnitSearchQuery(PageQuery):
    kind = fields.String(load_default=None, validate=_one_of("unit_kind"),
                         metadata={"label": "单位类别"})


class UnitListQuery(UnitSearchQuery):
    status = fields.String(load_default=None, validate=_one_of("unit_status"),
                           metadata={"label": "状态"})


class UnitUserQuery(PageQuery):
    role = fields.String(load_default=None, validate=validate.OneOf(["person", "unit_admin"]),
                         metadata={"label": "类别"})
    status = fields.String(load_default=None,
                           validate=validate.OneOf(["pending", "approved", "frozen"]),
                           metadata={"label": "状态",
                                     "description": "pending 申请绑定待审核；approved 已绑定；"
                                                    "frozen 已冻结"})


class BindingListQuery(PageQuery):
    status = fields.String(load_default=None, validate=_one_of("binding_status"),
                           metadata={"label": "状态"})


class AuditQuery(PageQuery):
    action = fields.String(load_default=None, validate=validate.Length(max=50),
                           metadata={"label": "操作"})
    outcome = fields.String(load_default=None, validate=validate.OneOf(["success", "failure"]),
                            metadata={"label": "结果"})
    actor_account_id = fields.Integer(load_default=None, metadata={"label": "操作账号"})
    target_type = fields.String(load_default=None, validate=validate.Length(max=30),
                                metadata={"label": "对象类型"})
    target_id = fields.String(load_default=None, validate=validate.Length(max=50),
                              metadata={"label": "对象编号"})
    unit_id = fields.Integer(load_default=None, metadata={"label": "单位"})
    since = fields.DateTime(load_default=None, metadata={"label": "起始时间"})
    until = fields.DateTime(load_default=None, metadata={"label": "截止时间"})
    order = fields.String(load_default="newest", validate=validate.OneOf(["newest", "oldest"]),
                          metadata={"label": "排序",
                                    "description": "newest 最新在前（默认）/ oldest 按发生顺序，"
                                                   "便于追溯一个申报的全过程"})


MIN_VIEW_REASON = 5  # characters of the reason staff outside the review chain state


class ViewReasonQuery(BaseSchema):
    """The reason an operator states to see a person's personal content (a person's
    profile, a declaration's personal fields); recorded in the audit log."""
    reason = fields.String(load_default=None, validate=validate.Length(max=200),
                           metadata={"label": "查看原因",
                                     "description": f"运维人员查看个人信息时必填（至少 "
                                                    f"{MIN_VIEW_REASON} 个字），记入审计日志"})


def require_view_reason(reason, code):
    """The stated reason, stripped, or 422 ``code`` (Chinese message) when it is shorter
    than MIN_VIEW_REASON characters."""
    text_ = (reason or "").strip()
    if len(text_) < MIN_VIEW_REASON:
        raise Invalid(code, f"运维人员查看个人信息须说明查看原因（至少 {MIN_VIEW_REASON} 个字）",
                      {"fields": {"reason": [f"请填写查看原因，至少 {MIN_VIEW_REASON} 个字"]}})
    return text_


# --------------------------------------------------------------------------- outputs

class DictItemSchema(BaseSchema):
    code = fields.String(required=True)
    label = fields.String(required=True)


class DictionariesSchema(BaseSchema):
    gender = fields.List(fields.Nested(DictItemSchema), metadata={"description": "性别"})
    ethnicity = fields.List(fields.Nested(DictItemSchema), metadata={"description": "民族"})
    political_status = fields.List(fields.Nested(DictItemSchema),
                                   metadata={"description": "政治面貌"})
    education = fields.List(fields.Nested(DictItemSchema), metadata={"description": "最高学历"})
    degree = fields.List(fields.Nested(DictItemSchema), metadata={"description": "获得学位"})
    title_series = fields.List(fields.Nested(DictItemSchema),
                               metadata={"description": "所在职称系列"})
    id_type = fields.List(fields.Nested(DictItemSchema), metadata={"description": "证件类型"})
    applicant_identity = fields.List(fields.Nested(DictItemSchema),
                                     metadata={"description": "申报人员身份"})
    unit_kind = fields.List(fields.Nested(DictItemSchema), metadata={"description": "单位类别"})
    unit_nature = fields.List(fields.Nested(DictItemSchema),
                              metadata={"description": "单位性质"})
    province = fields.List(fields.Nested(DictItemSchema), metadata={"description": "省份"})
    account_role = fields.List(fields.Nested(DictItemSchema))
    account_status = fields.List(fields.Nested(DictItemSchema))
    unit_status = fields.List(fields.Nested(DictItemSchema))
    binding_status = fields.List(fields.Nested(DictItemSchema))


class UnitRefSchema(BaseSchema):
    unit_id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    kind_label = fields.String()


class MeSchema(BaseSchema):
    account_id = fields.Integer()
    username = fields.String()
    name = fields.String()
    role = fields.String(metadata={"description": "person | unit_admin | operator | security | "
                                                "auditor | system"})
    roles = fields.List(fields.String())
    person_id = fields.Integer(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    unit = fields.Nested(UnitRefSchema, allow_none=True)
    session_id = fields.String()
    password_changed_at = _time_out("密码修改时间")
    last_login_at = _time_out("上次登录时间")


class TokenSchema(BaseSchema):
    token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_at = _time_out("过期时间")
    account = fields.Nested(MeSchema)


class BindingSchema(BaseSchema):
    binding_id = fields.Integer()
    person_id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    previous_unit_id = fields.Integer(allow_none=True)
    previous_unit_name = fields.String(allow_none=True)
    note = fields.String(allow_none=True, metadata={"description": "申请说明"})
    status = fields.String(metadata={"description": "pending | approved | rejected | cancelled"})
    status_label = fields.String()
    decision_action = fields.String(allow_none=True)
    opinion = fields.String(allow_none=True, metadata={"description": "审核意见"})
    requested_at = _time_out("申请时间")
    decided_at = _time_out("审核时间")
    decided_by_name = fields.String(allow_none=True)


class CountsField(fields.Dict):
    def __init__(self, **kwargs):
        super().__init__(keys=fields.String(), values=fields.Integer(),
                         metadata={"description": "状态标签页的数量（all 为全部）"}, **kwargs)


class BindingPageSchema(BaseSchema):
    items = fields.List(fields.Nested(BindingSchema))
    total = fields.Integer()
    counts = CountsField()


class ProfileSchema(BaseSchema):
    """A person's profile; ID and phone numbers are full only for the person."""
    person_id = fields.Integer()
    account_id = fields.Integer(allow_none=True)
    real_name = fields.String()
    former_name = fields.String(allow_none=True)
    id_type = fields.String()
    id_type_label = fields.String()
    id_number = fields.String(metadata={"description": "本人可见完整号码，其他人可见脱敏号码"})
    mobile = fields.String()
    gender = fields.String()
    gender_label = fields.String()
    birth_date = _date_out("出生日期")
    ethnicity = fields.String(allow_none=True)
    ethnicity_label = fields.String(allow_none=True)
    political_status = fields.String(allow_none=True)
    political_status_label = fields.String(allow_none=True)
    native_place = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    work_start_date = _date_out("工作时间")
    education = fields.String(allow_none=True)
    education_label = fields.String(allow_none=True)
    degree = fields.String(allow_none=True)
    degree_label = fields.String(allow_none=True)
    title_name = fields.String(allow_none=True)
    skill_level = fields.String(allow_none=True)
    landline = fields.String(allow_none=True)
    title_series = fields.String(allow_none=True)
    title_series_label = fields.String(allow_none=True)
    is_freelancer = fields.Boolean()
    applicant_identity = fields.String(allow_none=True)
    applicant_identity_label = fields.String(allow_none=True)
    unit = fields.Nested(UnitRefSchema, allow_none=True,
                         metadata={"description": "已绑定的工作单位"})
    bound_at = _time_out("绑定时间")
    binding_status = fields.String(metadata={"description": "none 未绑定 | pending 待审核 | "
                                                            "approved 已绑定"})
    binding_status_label = fields.String()
    bindings = fields.List(fields.Nested(BindingSchema),
                           metadata={"description": "单位绑定申请，最新的在前"})
    account_status = fields.String(allow_none=True)
    registered_at = _time_out("注册时间")
    updated_at = _time_out("修改时间")


class RegionOutSchema(BaseSchema):
    province_code = fields.String(allow_none=True)
    province_name = fields.String(allow_none=True)
    city_code = fields.String(allow_none=True)
    city_name = fields.String(allow_none=True)
    county_code = fields.String(allow_none=True)
    county_name = fields.String(allow_none=True)


class UnitBriefSchema(BaseSchema):
    unit_id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    kind_label = fields.String()
    status = fields.String()
    status_label = fields.String()
    region_name = fields.String(allow_none=True)
    region_complete = fields.Boolean()
    parent_unit_id = fields.Integer(allow_none=True)
    parent_unit_name = fields.String(allow_none=True)


class UnitPageSchema(BaseSchema):
    items = fields.List(fields.Nested(UnitBriefSchema))
    total = fields.Integer()
    counts = CountsField()


class UnitDetailSchema(UnitBriefSchema):
    credit_code = fields.String(allow_none=True)
    nature = fields.String()
    nature_label = fields.String()
    region = fields.Nested(RegionOutSchema)
    address = fields.String(allow_none=True)
    postal_code = fields.String(allow_none=True)
    legal_rep_name = fields.String(allow_none=True)
    legal_rep_phone = fields.String(allow_none=True)
    contact_name = fields.String(allow_none=True)
    contact_mobile = fields.String(allow_none=True)
    contact_email = fields.String(allow_none=True)
    contact_fax = fields.String(allow_none=True)
    central_in_province = fields.Boolean()
    builtin = fields.Boolean(metadata={"description": "内置单位（由人社部门或运维人员创建）"})
    approver_unit_id = fields.Integer(allow_none=True)
    approver_unit_name = fields.String(allow_none=True)
    review_opinion = fields.String(allow_none=True)
    decided_at = _time_out("审核时间")
    created_at = _time_out("注册时间")


class UnitRegisteredSchema(UnitDetailSchema):
    admin_account_id = fields.Integer()
    admin_username = fields.String()


class UserRowSchema(BaseSchema):
    """One of a unit's users (a person bound to or requesting it, or one of its admins);
    ID and phone numbers masked."""
    account_id = fields.Integer()
    role = fields.String()
    role_label = fields.String()
    username = fields.String()
    name = fields.String()
    person_id = fields.Integer(allow_none=True)
    gender_label = fields.String(allow_none=True)
    id_number = fields.String(allow_none=True)
    mobile = fields.String(allow_none=True)
    political_status_label = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "账号状态 active | frozen"})
    status_label = fields.String()
    binding_status = fields.String(allow_none=True,
                                   metadata={"description": "pending 审核中 | approved 审核通过"})
    binding_status_label = fields.String(allow_none=True)
    binding_id = fields.Integer(allow_none=True)
    registered_at = _time_out("注册时间")


class UserPageSchema(BaseSchema):
    items = fields.List(fields.Nested(UserRowSchema))
    total = fields.Integer()
    counts = CountsField()


class UserDetailSchema(UserRowSchema):
    profile = fields.Nested(ProfileSchema, allow_none=True)


class StaffSchema(BaseSchema):
    account_id = fields.Integer()
    role = fields.String()
    username = fields.String()
    name = fields.String()
    status = fields.String()


class TemporaryPasswordSchema(BaseSchema):
    account_id = fields.Integer()
    temporary_password = fields.String(allow_none=True,
                                       metadata={"description": "生成的临时密码（仅此一次显示）"})


class AuditEntrySchema(BaseSchema):
    id = fields.Integer()
    at = _time_out("时间")
    action = fields.String()
    action_label = fields.String()
    outcome = fields.String()
    actor_account_id = fields.Integer(allow_none=True)
    actor_name = fields.String(allow_none=True)
    actor_role = fields.String(allow_none=True)
    actor_unit_id = fields.Integer(allow_none=True)
    target_type = fields.String(allow_none=True)
    target_id = fields.String(allow_none=True)
    unit_id = fields.Integer(allow_none=True)
    ip = fields.String(allow_none=True)
    summary = fields.String()
    detail = fields.Dict()
    seq = fields.Integer(allow_none=True, metadata={"description": "哈希链中的序号"})
    hash = fields.String(allow_none=True,
                         metadata={"description": "本条内容（含上一条哈希）的 SHA-256"})
    event_id = fields.String(allow_none=True,
                             metadata={"description": "来自其他服务事件时的事件编号"})


class AuditProblemSchema(BaseSchema):
    kind = fields.String(metadata={"description": "edited 被修改 / gap 有缺失 / relinked 链接"
                                                  "不符 / unchained 不在链中 / truncated 短于"
                                                  "留存的链尾 / kept_mismatch 与留存的链尾不符"})
    seq = fields.Integer(allow_none=True)
    id = fields.Integer(allow_none=True)
    message = fields.String()


class AuditHeadSchema(BaseSchema):
    seq = fields.Integer()
    hash = fields.String()


class AuditVerifyQuery(BaseSchema):
    """A head kept from an earlier check, to check that the chain still holds it."""
    head_seq = fields.Integer(load_default=None, allow_none=True,
                              validate=validate.Range(min=1),
                              metadata={"description": "留存的链尾序号"})
    head_hash = fields.String(load_default=None, allow_none=True,
                              validate=validate.Regexp(r"^[0-9a-f]{64}$"),
                              metadata={"description": "留存的链尾哈希（64 位十六进制）"})

    @validates_schema
    def _both(self, data, **kwargs):
        if bool(data.get("head_seq")) != bool(data.get("head_hash")):
            raise ValidationError("链尾序号和哈希须同时提供", "head_hash")


class AuditVerificationSchema(BaseSchema):
    """The audit log's hash chain checked from its first entry to its last."""
    ok = fields.Boolean(metadata={"description": "链完整，没有发现修改或缺失"})
    checked = fields.Integer(metadata={"description": "检查的条数"})
    head = fields.Nested(AuditHeadSchema, allow_none=True,
                         metadata={"description": "链尾：最后一条的序号和哈希，可另行留存比对"})
    problems = fields.List(fields.Nested(AuditProblemSchema))


class AuditPageSchema(BaseSchema):
    items = fields.List(fields.Nested(AuditEntrySchema))
    total = fields.Integer()
    counts = CountsField()


# --------------------------------------------------------------------------- events

class ChainStepSchema(BaseSchema):
    unit_id = fields.Integer(required=True)
    unit_name = fields.String(required=True)
    unit_kind = fields.String(required=True, metadata={"description": "单位类别代码"})


class ReviewRequestedSchema(BaseSchema):
    """Data of ``review_requested`` (the contract of the review engine)."""
    kind = fields.String(required=True, validate=validate.OneOf(["binding", "unit_registration"]))
    subject_service = fields.String(required=True)
    subject_type = fields.String(required=True)
    subject_id = fields.Integer(required=True)
    title = fields.String(required=True)
    applicant_person_id = fields.Integer(required=True, allow_none=True)
    applicant_name = fields.String(required=True)
    applicant_unit_id = fields.Integer(required=True, allow_none=True)
    chain = fields.List(fields.Nested(ChainStepSchema), required=True,
                        validate=validate.Length(min=1))
    summary = fields.Dict(required=True)


class ReviewWithdrawnSchema(BaseSchema):
    """Data of ``review_withdrawn``: a pending binding request ended without a decision
    (the person's account was deleted), so its open review must end with it. ``reason``
    is what the review's history shows (an addition to the engine's contract)."""
    kind = fields.String(required=True, validate=validate.OneOf(["binding"]))
    subject_service = fields.String(required=True)
    subject_type = fields.String(required=True)
    subject_id = fields.Integer(required=True)
    reason = fields.String(required=True)


# --------------------------------------------------------------------------- RPCs of services

class StatusSchema(BaseSchema):
    """The answer of RPCs that only act (logout, password change, deletion)."""
    status = fields.String(required=True, metadata={"example": "ok"})


class PrincipalSchema(BaseSchema):
    """``authenticate``: the caller of a valid token (see services/common/principal.py)."""
    account_id = fields.Integer(required=True)
    roles = fields.List(fields.String(), required=True)
    unit_id = fields.Integer(allow_none=True)
    person_id = fields.Integer(allow_none=True)
    name = fields.String()
    session_id = fields.String(allow_none=True)
    extra = fields.Dict()


class MaySubmitSchema(BaseSchema):
    """``may_submit``: whether a person may submit records and declarations."""
    allowed = fields.Boolean(required=True)
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class PersonBriefSchema(BaseSchema):
    """``get_person_brief``: ID and mobile numbers in full only for the person."""
    person_id = fields.Integer(required=True)
    name = fields.String()
    unit_id = fields.Integer(allow_none=True)
    unit_name = fields.String(allow_none=True)
    title_series = fields.String(allow_none=True)
    title_series_label = fields.String(allow_none=True)
    gender = fields.String(allow_none=True)
    gender_label = fields.String(allow_none=True)
    birth_date = fields.String(allow_none=True)
    id_type = fields.String(allow_none=True)
    id_type_label = fields.String(allow_none=True)
    id_number = fields.String(allow_none=True)
    mobile = fields.String(allow_none=True)
    former_name = fields.String(allow_none=True)
    ethnicity_label = fields.String(allow_none=True)
    native_place = fields.String(allow_none=True)
    political_status_label = fields.String(allow_none=True)
    work_start_date = fields.String(allow_none=True)
    education_label = fields.String(allow_none=True)
    degree_label = fields.String(allow_none=True)
    title_name = fields.String(allow_none=True)
    applicant_identity = fields.String(allow_none=True)
    applicant_identity_label = fields.String(allow_none=True)
    is_freelancer = fields.Boolean(allow_none=True)
    deleted = fields.Boolean()


class UnitPathStepSchema(BaseSchema):
    """One element of ``unit_path``: the unit, then its parent, … up to the root."""
    unit_id = fields.Integer(required=True)
    name = fields.String()
    kind = fields.String()
    kind_label = fields.String(allow_none=True)
    region_complete = fields.Boolean()
    status = fields.String()
    region_code = fields.String(allow_none=True)
    region_name = fields.String(allow_none=True)


class DeclarantSchema(BaseSchema):
    """``declarant``: what declaring and submitting ask of identity, in one call."""
    binding = fields.Nested(MaySubmitSchema, required=True)
    unit_path = fields.List(fields.Nested(UnitPathStepSchema), required=True)
    brief = fields.Nested(PersonBriefSchema, required=True, allow_none=True)


# --------------------------------------------------------------------------- bearer tokens
# PyJWT, HS256 signed with TOKEN_SECRET (shared by identity, which issues, and the
# gateway, which checks). Claims: sub (account id), sid (session id), iss, iat, exp and
# the principal at login: roles, unit, person, name, extra. Tokens without the principal
# claims (issued before they existed) carry no principal: their holders log in again.

TOKEN_ALGORITHM = "HS256"
TOKEN_ISSUER = "identity"
PRINCIPAL_CLAIMS = ("roles", "unit", "person", "name", "extra")


def issue_token(secret, account_id, session_id, issued_at, expires_at, principal=None):
    claims = {"sub": str(account_id), "sid": session_id, "iss": TOKEN_ISSUER,
              "iat": int(issued_at.timestamp()), "exp": int(expires_at.timestamp())}
    if principal is not None:
        claims.update({"roles": list(principal.get("roles") or ()),
                       "unit": principal.get("unit_id"), "person": principal.get("person_id"),
                       "name": principal.get("name") or "",
                       "extra": principal.get("extra") or {}})
    return jwt.encode(claims, secret, algorithm=TOKEN_ALGORITHM)


def read_token(secret, token):
    """The claims of a valid, unexpired token signed with ``secret``; None otherwise."""
    if not token or not isinstance(token, str) or len(token) > 4096:
        return None
    try:
        claims = jwt.decode(token, secret, algorithms=[TOKEN_ALGORITHM], issuer=TOKEN_ISSUER,
                            options={"require": ["sub", "sid", "exp", "iat"]})
    except jwt.PyJWTError:
        return None
    if not isinstance(claims.get("sid"), str) or not str(claims.get("sub", "")).isdigit():
        return None
    return claims


def token_principal(claims):
    """The principal dict (see services/common/principal.py) carried by valid
    ``claims``; None when they carry none."""
    if not all(name in claims for name in PRINCIPAL_CLAIMS):
        return None
    roles, extra = claims["roles"], claims["extra"]
    if not isinstance(roles, list) or not isinstance(extra, dict):
        return None
    return {"account_id": int(claims["sub"]), "roles": roles, "unit_id": claims["unit"],
            "person_id": claims["person"], "name": claims["name"],
            "session_id": claims["sid"], "extra": extra}


# --------------------------------------------------------------------------- session feed
# How gateways learn what revokes a token (see services/identity/logic/feed.py):
# identity publishes one JSON message per committed change on the fanout exchange
# SESSION_FEED_EXCHANGE, and a heartbeat every FEED_HEARTBEAT_SECONDS; gateways publish
# the sessions they let through on SESSION_ACTIVITY_EXCHANGE (idle timeout), which
# identity records and every gateway merges.

SESSION_FEED_EXCHANGE = "identity.sessions"
SESSION_ACTIVITY_EXCHANGE = "identity.session_activity"
SESSION_ACTIVITY_QUEUE = "identity.session_activity"
FEED_HEARTBEAT_SECONDS = 1.0


class FeedMessageSchema(BaseSchema):
    """One message of the feed. ``seq`` numbers changes without gaps in commit order; a
    heartbeat (``heartbeat: true``) carries the last number committed."""
    seq = fields.Integer(required=True)
    heartbeat = fields.Boolean()
    revoked = fields.Dict(keys=fields.String(), values=fields.Float(),
                          metadata={"description": "session id → expiry (epoch seconds)"})
    accounts = fields.Dict(keys=fields.String(), values=fields.Boolean(),
                           metadata={"description": "account id → blocked"})
    units = fields.Dict(keys=fields.String(), values=fields.Boolean(),
                        metadata={"description": "unit id → blocked (admins refused)"})
    principals = fields.Dict(keys=fields.String(), values=fields.Nested(PrincipalSchema),
                             metadata={"description": "account id → current principal"})


class SessionStateSchema(FeedMessageSchema):
    """``session_state``: the whole state, complete up to ``seq``."""
    last_seen = fields.Dict(keys=fields.String(), values=fields.Float(),
                            metadata={"description": "live session id → last request"})


class SessionActivitySchema(BaseSchema):
    """What a gateway let through lately: session id → time of the last request."""
    gateway = fields.String()
    seen = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
