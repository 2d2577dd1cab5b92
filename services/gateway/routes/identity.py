"""Gateway operations of the identity area (see docs/api.md, "Identity").

Each operation validates with identity's contract schemas (which the service loads
again at its RPC boundary) and calls ``identity_rpc``; the caller travels in the context.
Identity dumps its answers with the contract's answer schemas, so these routes pass them
through (as every route does); the schemas document them in the OpenAPI document.
"""
import datetime as dt

from werkzeug.wrappers import Response

from services.common import errors
from services.common.principal import AUDITOR, OPERATOR, PERSON, SECURITY, UNIT_ADMIN
from services.contracts import identity as s

from .. import http

route = http.route

T_AUTH = "登录与账号"
T_PERSON = "个人中心"
T_UNIT = "单位"
T_USERS = "单位用户管理"
T_OPS = "运维与审计"
T_DICT = "字典"

ADMINS = (UNIT_ADMIN, OPERATOR)
# A unit's accounts: its own admins, and the security administrator for every unit (the
# operator, a system administrator, manages no account: docs/api.md, roles' rights).
ACCOUNT_ADMINS = (UNIT_ADMIN, SECURITY)


def jsonable(value):
    """Loaded data back to JSON types for RPC: dates and times as ISO strings."""
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def client_of(ctx, service=None):
    address = (service.client_address(ctx.request) if service is not None
               else ctx.request.remote_addr)
    return {"ip": address,
            "user_agent": (ctx.request.headers.get("User-Agent") or "")[:300]}


def no_content():
    return Response(status=204)


class IdentityRoutes:

    # ------------------------------------------------------------------ dictionaries
    @route("GET", "/api/v1/dictionaries",
           summary="注册表单字典（性别、民族、政治面貌、学历、学位、职称系列等）", tag=T_DICT,
           auth=False, response=s.DictionariesSchema)
    def get_dictionaries(self, ctx):
        return self.identity_rpc.dictionaries()

    # ------------------------------------------------------------------ auth
    @route("POST", "/api/v1/auth/login", summary="登录", tag=T_AUTH, auth=False,
           body=s.LoginSchema, response=s.TokenSchema, errors=(401, 403, 429),
           description="个人用证件号码或手机号码登录，单位管理员、运维和审计人员用账号登录。"
                       "用户不存在与密码错误的回答相同；连续 5 次失败锁定 15 分钟（429）。")
    def auth_login(self, ctx):
        try:
            return self.identity_rpc.login(ctx.body["username"], ctx.body["password"],
                                           client=client_of(ctx, self))
        except errors.TooManyRequests as exc:  # locked account or address: say when
            response = http.error_response(exc)
            wait = (exc.details or {}).get("retry_after_seconds")
            if wait:
                response.headers["Retry-After"] = str(int(wait))
            return response

    @route("POST", "/api/v1/auth/logout", summary="退出登录（令牌立即失效）", tag=T_AUTH,
           status=204)
    def auth_logout(self, ctx):
        self.identity_rpc.logout(client=client_of(ctx, self))
        return no_content()

    @route("GET", "/api/v1/auth/me", summary="当前登录账号", tag=T_AUTH, response=s.MeSchema)
    def auth_me(self, ctx):
        return self.identity_rpc.me()

    @route("POST", "/api/v1/me/password", summary="修改密码", tag=T_AUTH,
           body=s.PasswordChangeSchema, status=204,
           description="其他会话随即失效，当前会话保留。")
    def change_my_password(self, ctx):
        self.identity_rpc.change_password(jsonable(ctx.body))
        return no_content()

    # ------------------------------------------------------------------ persons
    @route("POST", "/api/v1/persons/register", summary="个人注册", tag=T_PERSON, auth=False,
           body=s.PersonRegisterSchema, response=s.ProfileSchema, status=201, errors=(409,),
           description="证件号码（居民身份证按 GB 11643 校验）唯一；"
                       "可同时选择所在单位并填写申请说明。")
    def register_person_account(self, ctx):
        return self.identity_rpc.register_person(jsonable(ctx.body), client=client_of(ctx, self))

    @route("GET", "/api/v1/me/profile", summary="个人信息（含绑定单位和绑定申请）", tag=T_PERSON,
           roles=(PERSON,), response=s.ProfileSchema)
    def get_my_profile(self, ctx):
        return self.identity_rpc.get_my_profile()

    @route("PATCH", "/api/v1/me/profile", summary="完善信息", tag=T_PERSON, roles=(PERSON,),
           body=s.ProfileUpdateSchema, response=s.ProfileSchema)
    def update_my_profile(self, ctx):
        return self.identity_rpc.update_my_profile(jsonable(ctx.body))

    @route("POST", "/api/v1/me/bindings", summary="选择单位 / 变更单位（提交绑定申请）",
           tag=T_PERSON, roles=(PERSON,), body=s.BindingCreateSchema, response=s.BindingSchema,
           status=201, errors=(409,),
           description="同一时间只能有一个待审核的申请；原绑定在新申请审核通过前保持不变。")
    def request_binding(self, ctx):
        return self.identity_rpc.request_binding(jsonable(ctx.body))

    @route("GET", "/api/v1/me/bindings", summary="我的单位绑定申请", tag=T_PERSON,
           roles=(PERSON,), query=s.BindingListQuery, response=s.BindingPageSchema)
    def list_my_bindings(self, ctx):
        return self.identity_rpc.list_my_bindings(jsonable(ctx.query))

    @route("GET", "/api/v1/persons/{person_id}", summary="人员信息", tag=T_PERSON,
           roles=(PERSON, UNIT_ADMIN, OPERATOR), query=s.ViewReasonQuery,
           response=s.ProfileSchema, errors=(404, 422),
           description="本人可见完整信息；本单位（或申请绑定本单位的人员）的管理员可见脱敏信息；"
                       "运维人员须填写查看原因 reason（至少 5 个字，记入审计日志），否则 422 "
                       "person.reason_required。")
    def get_person_profile(self, ctx, person_id):
        return self.identity_rpc.get_person(person_id, ctx.query.get("reason"))

    # ------------------------------------------------------------------ units
    @route("POST", "/api/v1/units/register", summary="单位注册", tag=T_UNIT, auth=False,
           body=s.UnitRegisterSchema, response=s.UnitRegisteredSchema, status=201,
           description="统一社会信用代码按 GB 32100 校验；由所属单位或属地人社部门审核，"
                       "审核通过后管理员方可登录。")
    def register_unit_account(self, ctx):
        return self.identity_rpc.register_unit(jsonable(ctx.body), client=client_of(ctx, self))

    @route("GET", "/api/v1/units/search", summary="查询单位（选择所在单位或所属单位）", tag=T_UNIT,
           auth=False, query=s.UnitSearchQuery, response=s.UnitPageSchema,
           description="只返回审核通过的单位。")
    def search_units(self, ctx):
        return self.identity_rpc.search_units(jsonable(ctx.query))

    @route("GET", "/api/v1/units", summary="下级、待审核及属地内单位列表", tag=T_UNIT,
           roles=(*ADMINS, SECURITY),
           query=s.UnitListQuery, response=s.UnitPageSchema)
    def list_managed_units(self, ctx):
        return self.identity_rpc.list_units(jsonable(ctx.query))

    @route("POST", "/api/v1/units", summary="创建内置单位（人社部门或运维人员）", tag=T_UNIT,
           roles=ADMINS, body=s.UnitCreateSchema, response=s.UnitRegisteredSchema, status=201,
           description="人社部门只能在本属地内创建，且不能创建人社部门；运维人员可创建人社部门。")
    def create_builtin_unit(self, ctx):
        return self.identity_rpc.create_unit(jsonable(ctx.body))

    @route("GET", "/api/v1/units/{unit_id}", summary="单位信息", tag=T_UNIT, roles=ADMINS,
           response=s.UnitDetailSchema, errors=(404,))
    def get_unit_detail(self, ctx, unit_id):
        return self.identity_rpc.get_unit(unit_id)

    @route("PATCH", "/api/v1/units/{unit_id}", summary="完善单位信息（属地、联系人等）", tag=T_UNIT,
           roles=ADMINS, body=s.UnitUpdateSchema, response=s.UnitDetailSchema,
           errors=(404,))
    def complete_unit_info(self, ctx, unit_id):
        return self.identity_rpc.update_unit(unit_id, jsonable(ctx.body))

    # ------------------------------------------------------------------ unit users
    @route("GET", "/api/v1/units/{unit_id}/users", summary="本单位用户（人员注册审核 / 用户管理）",
           tag=T_USERS, roles=ACCOUNT_ADMINS, query=s.UnitUserQuery, response=s.UserPageSchema,
           errors=(404,), description="证件号码和手机号码脱敏显示。")
    def list_unit_users(self, ctx, unit_id):
        return self.identity_rpc.list_unit_users(unit_id, jsonable(ctx.query))

    @route("POST", "/api/v1/units/{unit_id}/users", summary="添加本单位管理员", tag=T_USERS,
           roles=ACCOUNT_ADMINS, body=s.AdminAccountSchema, response=s.UserDetailSchema,
           status=201, errors=(404, 409))
    def create_unit_admin(self, ctx, unit_id):
        return self.identity_rpc.create_unit_admin(unit_id, jsonable(ctx.body))

    @route("GET", "/api/v1/units/{unit_id}/users/{account_id}", summary="本单位用户详情",
           tag=T_USERS, roles=ACCOUNT_ADMINS, response=s.UserDetailSchema, errors=(404,))
    def get_unit_user(self, ctx, unit_id, account_id):
        return self.identity_rpc.get_unit_user(unit_id, account_id)

    @route("PATCH", "/api/v1/units/{unit_id}/users/{account_id}", summary="修改用户基本信息",
           tag=T_USERS, roles=(UNIT_ADMIN,), body=s.UnitUserUpdateSchema,
           response=s.UserDetailSchema, errors=(404,))
    def update_unit_user(self, ctx, unit_id, account_id):
        return self.identity_rpc.update_unit_user(unit_id, account_id, jsonable(ctx.body))

    @route("POST", "/api/v1/units/{unit_id}/users/{account_id}/freeze", summary="冻结用户",
           tag=T_USERS, roles=ACCOUNT_ADMINS, response=s.UserDetailSchema, errors=(404, 409),
           description="该用户的令牌立即失效。")
    def freeze_unit_user(self, ctx, unit_id, account_id):
        return self.identity_rpc.freeze_unit_user(unit_id, account_id)

    @route("POST", "/api/v1/units/{unit_id}/users/{account_id}/unfreeze", summary="解冻用户",
           tag=T_USERS, roles=ACCOUNT_ADMINS, response=s.UserDetailSchema, errors=(404, 409))
    def unfreeze_unit_user(self, ctx, unit_id, account_id):
        return self.identity_rpc.unfreeze_unit_user(unit_id, account_id)

    @route("POST", "/api/v1/units/{unit_id}/users/{account_id}/reset-password",
           summary="密码初始化", tag=T_USERS, roles=ACCOUNT_ADMINS, body=s.PasswordResetSchema,
           response=s.TemporaryPasswordSchema, errors=(404, 409),
           description="不填新密码则生成临时密码（只显示这一次）；该用户的令牌立即失效。")
    def reset_unit_user_password(self, ctx, unit_id, account_id):
        return self.identity_rpc.reset_unit_user_password(unit_id, account_id,
                                                          jsonable(ctx.body))

    @route("DELETE", "/api/v1/units/{unit_id}/users/{account_id}", summary="删除用户",
           tag=T_USERS, roles=ACCOUNT_ADMINS, status=204, errors=(404, 409),
           description="删除后证件号码可重新注册；该用户的令牌立即失效。")
    def delete_unit_user(self, ctx, unit_id, account_id):
        self.identity_rpc.delete_unit_user(unit_id, account_id)
        return no_content()

    # ------------------------------------------------------------------ ops, audit
    @route("POST", "/api/v1/ops/accounts", summary="创建运维、安全管理、审计或外部系统账号",
           tag=T_OPS, roles=(SECURITY,), body=s.StaffAccountSchema, response=s.StaffSchema,
           status=201, description="安全管理员创建；运维人员和审计人员不能创建或变更账号。")
    def create_staff_account(self, ctx):
        return self.identity_rpc.create_staff_account(jsonable(ctx.body))

    @route("GET", "/api/v1/audit-log", summary="审计日志", tag=T_OPS, roles=(AUDITOR,),
           query=s.AuditQuery, response=s.AuditPageSchema,
           description="审计人员查询全平台的审计日志（各服务的审核决定、推荐、下载、打印等），"
                       "可按对象（target_type/target_id）、操作人、单位和时间检索。")
    def list_audit_log(self, ctx):
        return self.identity_rpc.audit_log(jsonable(ctx.query))

    @route("GET", "/api/v1/audit-log/verify", summary="校验审计日志哈希链", tag=T_OPS,
           roles=(AUDITOR,), query=s.AuditVerifyQuery, response=s.AuditVerificationSchema,
           description="从第一条到最后一条校验哈希链：报告被修改、缺失或绕过服务写入的日志；"
                       "带上此前留存的链尾（head_seq、head_hash）时，还报告链尾之后被删除或"
                       "改写的日志。")
    def verify_audit_log(self, ctx):
        return self.identity_rpc.verify_audit_log(jsonable(ctx.query))
