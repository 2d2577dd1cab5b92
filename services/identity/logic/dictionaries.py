"""The dictionaries of the registration forms (code → label), served to front ends by
``GET /api/v1/dictionaries``. Codes follow the national standards where there is one:
gender GB/T 2261.1, ethnicity GB 3304, political status GB/T 4762, education GB/T 4658,
degree GB/T 6864, regions GB/T 2260."""

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
                 ("operator", "运维人员"), ("auditor", "审计人员"), ("system", "外部系统"))
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
