"""marshmallow schemas of the identity service: RPC input and output, events.

Input schemas validate what the gateway and the service receive (the service loads them
again at its RPC boundary); output schemas describe the answers for the OpenAPI
document. Dates and times travel as ISO strings, so output schemas declare them as
strings with a format.
"""
from services.common.schemas import BaseSchema, LenientSchema, PageQuery, fields, validate

from .logic import dictionaries as d
from .logic.checks import ADMIN_USERNAME, LANDLINE, MOBILE

_mobile = validate.Regexp(MOBILE, error="手机号码格式有误，应为 11 位手机号")
_landline = validate.Regexp(LANDLINE, error="固定电话格式有误，例：0551-88888888")
_postal = validate.Regexp(r"^[0-9]{6}$", error="邮政编码应为 6 位数字")
_username = validate.Regexp(
    ADMIN_USERNAME, error="用户名须以字母开头，由 4 至 32 位字母、数字、下划线、点或减号组成")


def _one_of(name):
    return validate.OneOf(d.codes(name), error=f"取值必须是以下之一：{{choices}}")


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
                                       "description": "选择所在单位（可不选，稍后在个人中心变更单位）"})
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
    """An operator, auditor or system account (another government system reading the
    event feed), created by an operator."""
    role = fields.String(required=True,
                         validate=validate.OneOf(["operator", "auditor", "system"]),
                         metadata={"label": "角色",
                                   "description": "operator 运维人员 | auditor 审计人员 | "
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
    role = fields.String(metadata={"description": "person | unit_admin | operator | auditor"})
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
    unit = fields.Nested(UnitRefSchema, allow_none=True, metadata={"description": "已绑定的工作单位"})
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


class DecidedBySchema(LenientSchema):
    account_id = fields.Integer(allow_none=True)
    name = fields.String(allow_none=True)


class ReviewDecidedSchema(LenientSchema):
    """Data of ``review_decided`` from workflow, as identity reads it (extra fields are
    ignored, so workflow may add fields within the version)."""
    process_id = fields.Integer(allow_none=True)
    kind = fields.String(required=True)
    subject_service = fields.String(required=True)
    subject_type = fields.String(load_default=None, allow_none=True)
    subject_id = fields.Integer(required=True)
    step_index = fields.Integer(load_default=None, allow_none=True)
    unit_id = fields.Integer(load_default=None, allow_none=True)
    action = fields.String(load_default=None, allow_none=True)
    opinion = fields.String(load_default=None, allow_none=True)
    outcome = fields.String(required=True)
    final = fields.Boolean(load_default=None, allow_none=True)
    decided_at = fields.String(load_default=None, allow_none=True)
    decided_by = fields.Nested(DecidedBySchema, load_default=None, allow_none=True)
