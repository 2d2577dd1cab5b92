"""The upload slots: every place in a form where a file goes, with the seed's rule.

A slot's rule is the seed's sentence "只能上传png/jpg/pdf文件，且不超过2MB，且最多只能上传
5个文件": the allowed extensions, the largest size and how many files the place holds.
Where a manual says a form needs evidence (佐证材料) but shows no rule for it, the slot
uses :data:`DEFAULT_EVIDENCE` (the continuing-education rule, the commonest one in the
Anhui FAQ) and says so in ``source``.

Operators change rules through the ``SLOT_RULES`` configuration value, a JSON object
``{"<slot>": {"extensions": [...], "max_size_mb": n, "max_files": n, "label": "..."}}``
checked when the service starts (:func:`apply_overrides`).
"""
import dataclasses
import json

from services.contracts.documents import (
    GENERATED_SLOT,
    IMAGES_SLOT,
    IMPORT_SLOT,
    PHOTO_SLOT,
    POST_QUOTA_SLOT,
)

MB = 1024 * 1024

# Extensions whose content the service can recognise (logic/sniff.py).
KNOWN_EXTENSIONS = ("pdf", "png", "jpg", "jpeg", "bmp", "doc", "docx", "xls", "xlsx")
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "bmp")

# Who may upload into a slot.
PERSON_UPLOADS = "person"   # the applicant (申报人) for their own records
UNIT_UPLOADS = "unit"       # a unit admin for their unit (推荐意见, 岗位核准表)
ANY_UPLOADS = "any"         # a person, unit admin or operator (Excel imports; operators
                            # load the continuing-education platform's export)
SYSTEM_ONLY = "system"      # only the service itself (generated files)



@dataclasses.dataclass(frozen=True)
class SlotRule:
    key: str
    form: str                 # the form (表单) in the seed's words
    label: str                # the upload field's label in the seed's words
    extensions: tuple
    max_size_mb: float
    max_files: int
    uploader: str = PERSON_UPLOADS
    region: str = "通用"
    source: str = ""
    transient: bool = False   # completed but unattached files are purged after a while

    @property
    def max_bytes(self):
        return int(self.max_size_mb * MB)

    @property
    def size_text(self):
        return f"{_number(self.max_size_mb)}MB"

    @property
    def rule_text(self):
        """The seed's own sentence for this rule."""
        return (f"只能上传{'/'.join(self.extensions)}文件，且不超过{self.size_text}，"
                f"且最多只能上传{self.max_files}个文件")

    def allows(self, extension):
        extension = extension.lower()
        if extension == "jpeg":
            extension = "jpg"
        return extension in self.extensions

    def to_dict(self):
        return {
            "key": self.key, "form": self.form, "label": self.label,
            "extensions": list(self.extensions), "max_size_mb": self.max_size_mb,
            "max_bytes": self.max_bytes, "max_files": self.max_files,
            "uploader": self.uploader, "region": self.region, "source": self.source,
            "transient": self.transient, "rule": self.rule_text,
        }


def _number(value):
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


DEFAULT_SOURCE = "手册要求上传佐证材料但未给出限制，采用默认规则（同继续教育）"


def _evidence(key, form, label="佐证材料", *, region="安徽/福建", source=DEFAULT_SOURCE,
              extensions=("png", "jpg", "pdf", "bmp"), max_size_mb=10, max_files=5,
              uploader=PERSON_UPLOADS, transient=False):
    return SlotRule(key=key, form=form, label=label, extensions=tuple(extensions),
                    max_size_mb=max_size_mb, max_files=max_files, uploader=uploader,
                    region=region, source=source, transient=transient)


FAQ = "安徽常见问题（003）"
FUJIAN = "福建操作手册（001）"
CHONGQING = "重庆卫生系列手册（004）第五章：只能是PDF，一个地方只能上传一个PDF文件，单个不超过10MB"


def _chongqing(key, form, label="印证材料"):
    return _evidence(key, form, label, region="重庆", source=CHONGQING, extensions=("pdf",),
                     max_size_mb=10, max_files=1)


def _unit(key, label, max_files, extensions=("jpg", "bmp", "pdf", "png")):
    return _evidence(key, "单位推荐意见", label, region="安徽", extensions=extensions,
                     max_size_mb=10, max_files=max_files, uploader=UNIT_UPLOADS,
                     source=f"{FAQ}：单位审核职称申报时的“单位推荐意见”")


CATALOGUE = (
    # ---- 个人业绩库 · 基本信息
    _evidence("work_history", "工作经历", extensions=("png", "jpg", "pdf"), max_size_mb=2,
              source=f"{FAQ}：工作经历“只能上传png/jpg/pdf文件, 且不超过2MB, "
                     "且最多只能上传5个文件”"),
    _evidence("education", "教育经历",
              source=DEFAULT_SOURCE + "；需上传毕业证封面、内页"),
    _evidence("continuing_education", "继续教育",
              source=f"{FAQ}：继续教育“只能上传png/jpg/pdf/bmp文件, 且不超过10MB, "
                     "且最多只能上传5个文件”"),
    _evidence(PHOTO_SLOT, "个人信息", "照片", extensions=("jpg", "png"), region="通用",
              source=f"{FAQ}第14问：个人近期免冠正面证件照，用于评审表和电子职称证书；"
                     "大小限制同评审表打印（10MB）"),
    # ---- 表彰考核
    _evidence("project_award", "项目获奖"),
    _evidence("honor_award", "表彰奖励"),
    _evidence("annual_assessment", "年度考核"),
    # ---- 能力条件
    _evidence("patent", "专利著作权"),
    _evidence("academic_post", "学术技术兼职"),
    _evidence("qualification", "资质证书"),
    _evidence("comprehensive_ability", "综合业绩能力", region="福建"),
    # ---- 工作业绩
    _evidence("research_project", "科研（基金）项目"),
    _evidence("engineering_project", "主持参与工程技术项目", extensions=("jpg", "pdf"),
              max_size_mb=30, max_files=10,
              source=f"{FAQ}：主持参与工程技术项目“只能上传jpg/pdf文件, 且不超过30MB, "
                     "且最多只能上传10个文件”"),
    _evidence("achievement_adoption", "成果采纳运用推广"),
    _evidence("standard", "制定标准"),
    # ---- 论文著作科研
    _evidence("work_report", "工作（技术）总结报告",
              source=DEFAULT_SOURCE + "；需单位逐页盖章后方可上传"),
    _evidence("paper", "论文发表情况", "论文发表情况", extensions=("docx", "doc", "pdf"),
              max_size_mb=10, max_files=10,
              source=f"{FAQ}：论文发表情况“只能上传docx/doc/pdf文件, 且不超过10MB, "
                     "且最多只能上传10个文件”"),
    _evidence("paper_check", "论文发表情况", "论文查重附件", extensions=("docx", "doc"),
              max_size_mb=10, max_files=1,
              source=f"{FAQ}：论文查重附件“只能上传docx/doc文件, 且不超过10MB, "
                     "且最多只能上传1个文件”"),
    _evidence("book", "著（译）作（教材）"),
    # ---- 对外援助
    _evidence("aid", "援助困难地区（单位）",
              source=DEFAULT_SOURCE + "；需单位逐页盖章后方可上传"),
    # ---- 行业专用（卫生）
    _evidence("health_topic_check", "卫生-专题", "查重文档附件", extensions=("doc", "docx"),
              max_size_mb=10, max_files=1,
              source=f"{FUJIAN}：卫生-专题“只能上传doc/docx文件, 且不超过10MB, "
                     "且最多只能上传1个文件”"),
    _evidence("health_topic_attachment", "卫生-专题", "非模板录入附件"),
    _evidence("health_paper_check", "卫生-论文", "论文查重附件", extensions=("doc", "docx"),
              max_size_mb=10, max_files=1,
              source=f"{FUJIAN}：卫生-论文“只能上传doc/docx文件, 且不超过10MB, "
                     "且最多只能上传1个文件”"),
    _evidence("health_paper_scan", "卫生-论文", "纸质扫描版", extensions=("png", "jpg"),
              max_size_mb=10, max_files=10,
              source=f"{FUJIAN}：纸质扫描版“只能上传png/jpg文件, 且不超过10MB, "
                     "且最多只能上传10个文件”"),
    _evidence("health_paper_attachment", "卫生-论文", "非模板录入附件"),
    _evidence("health_review_doc", "卫生-综述", "查看文档上传"),
    _evidence("health_reference", "卫生-综述", "参考文献附件",
              source=DEFAULT_SOURCE + "；每一个参考文献都必须上传附件"),
    _evidence("health_masterpiece", "卫生-成果代表作", "成果代表作"),
    # ---- 单位：岗位核准与推荐意见
    _evidence(POST_QUOTA_SLOT, "岗位核准信息", "相关附件（盖章后的岗位核准表）",
              region="安徽", extensions=("docx", "doc", "jpg", "pdf"), max_size_mb=10,
              max_files=1, uploader=UNIT_UPLOADS,
              source=f"{FAQ}：岗位核准“只能上传docx/doc/jpg/pdf文件，且不超过10MB，且最多只能上传1个文件”"),
    _unit("rec_publicity", "申报材料公示情况及证明", 5),
    _unit("rec_opinion", "单位推荐意见", 2),
    _unit("rec_other", "单位申报其他材料（单位推荐推荐材料）", 5),
    _unit("rec_teacher_form", "中小学教师职称评审学校申报材料提交表", 2),
    _unit("rec_teacher_note", "中小学教师职称评审材料审核材料提交说明", 2),
    _unit("rec_medical_license", "医疗机构执业许可证", 1),
    # ---- 重庆卫生系列评审表：每个印证材料位置一个 PDF
    _chongqing("cq_rural_service", "基本信息", "卫生支农印证材料"),
    _chongqing("cq_title", "基本信息", "现有职称印证材料"),
    _chongqing("cq_degree", "基本信息", "最高学历学位印证材料"),
    _chongqing("cq_practice_scope", "基本信息", "执业范围印证材料"),
    _chongqing("cq_continuing_education", "基本信息", "近5年内继续教育情况印证材料"),
    _chongqing("cq_frontline", "基本信息", "一线医务人员资格证明"),
    _chongqing("cq_training", "工作学习经历", "学习培训经历印证材料"),
    _chongqing("cq_current_work", "任现职工作业绩", "印证材料"),
    _chongqing("cq_workload", "任现职工作业绩", "工作量（签字盖章后的工作量表及佐证材料）"),
    _chongqing("cq_work_summary", "工作总结及考核鉴定材料", "工作总结"),
    _chongqing("cq_clinical_assessment", "工作总结及考核鉴定材料", "临床业绩和临床能力考核鉴定"),
    _chongqing("cq_frontline_assessment", "工作总结及考核鉴定材料", "一线医务人员工作业绩鉴定"),
    _chongqing("cq_paper", "论文及学术报告", "印证材料"),
    _chongqing("cq_exam_score", "专业考试成绩", "成绩证明"),
    _chongqing("cq_other", "其他附件材料", "其他印证材料"),
    _chongqing("cq_archive_check", "查档情况", "查档情况印证材料"),
    # Images the applicant combines into one A4 PDF for a Chongqing slot.
    _evidence(IMAGES_SLOT, "重庆评审表印证材料", "待合成PDF的图片", region="重庆",
              extensions=("jpg", "png", "bmp"), max_size_mb=10, max_files=30,
              transient=True,
              source="重庆手册：印证材料有多个时需合并到一个PDF；图片在此暂存后合成"),
    # ---- Excel import and generated files
    _evidence(IMPORT_SLOT, "Excel导入", "导入文件（病案、参考文献模板）", region="通用",
              extensions=("xlsx",), max_size_mb=10, max_files=10, uploader=ANY_UPLOADS,
              transient=True, source="病案导入、文献导入“上传文件”；限制为平台规则"),
    _evidence(GENERATED_SLOT, "系统生成", "评审表、公示表、花名册等", region="通用",
              extensions=("pdf", "xlsx"), max_size_mb=50, max_files=1000,
              uploader=SYSTEM_ONLY, transient=True, source="平台生成的文件"),
)

OVERRIDABLE = ("label", "extensions", "max_size_mb", "max_files")


class SlotRuleError(ValueError):
    """A SLOT_RULES value that cannot be applied; the message names the problem."""


class SlotTable:
    def __init__(self, rules):
        self._rules = {rule.key: rule for rule in rules}

    def get(self, key):
        return self._rules.get(key)

    def __contains__(self, key):
        return key in self._rules

    def __iter__(self):
        return iter(self._rules.values())

    def keys(self):
        return list(self._rules)


def parse_overrides(raw):
    """SLOT_RULES as a dict: it arrives as JSON text, or already parsed from YAML."""
    if raw in (None, "", {}):
        return {}
    if isinstance(raw, (bytes, str)):
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise SlotRuleError(f"SLOT_RULES is not valid JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise SlotRuleError("SLOT_RULES must be a JSON object of slot name -> rule")
    return raw


def apply_overrides(raw, catalogue=CATALOGUE):
    """The slot table with the operator's overrides; :class:`SlotRuleError` if any is
    wrong (unknown slot or field, empty or unknown extension, size or count out of range)."""
    overrides = parse_overrides(raw)
    rules = {rule.key: rule for rule in catalogue}
    for key, change in overrides.items():
        if key not in rules:
            raise SlotRuleError(f"SLOT_RULES: unknown slot {key!r}")
        if not isinstance(change, dict) or not change:
            raise SlotRuleError(f"SLOT_RULES[{key!r}] must be a non-empty object")
        unknown = set(change) - set(OVERRIDABLE)
        if unknown:
            raise SlotRuleError(f"SLOT_RULES[{key!r}]: cannot set {sorted(unknown)}; "
                                f"only {list(OVERRIDABLE)}")
        values = {}
        if "extensions" in change:
            exts = change["extensions"]
            if (not isinstance(exts, list) or not exts
                    or not all(isinstance(e, str) for e in exts)):
                raise SlotRuleError(f"SLOT_RULES[{key!r}].extensions must be a non-empty list")
            exts = [e.lower().lstrip(".") for e in exts]
            bad = [e for e in exts if e not in KNOWN_EXTENSIONS]
            if bad:
                raise SlotRuleError(f"SLOT_RULES[{key!r}].extensions: unsupported {bad}; "
                                    f"choose from {list(KNOWN_EXTENSIONS)}")
            values["extensions"] = tuple(dict.fromkeys("jpg" if e == "jpeg" else e
                                                       for e in exts))
        if "max_size_mb" in change:
            size = change["max_size_mb"]
            if (isinstance(size, bool) or not isinstance(size, (int, float))
                    or not 0 < size <= 1024):
                raise SlotRuleError(f"SLOT_RULES[{key!r}].max_size_mb must be a number "
                                    f"in (0, 1024]")
            values["max_size_mb"] = size
        if "max_files" in change:
            count = change["max_files"]
            if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 1000:
                raise SlotRuleError(f"SLOT_RULES[{key!r}].max_files must be an integer "
                                    f"in [1, 1000]")
            values["max_files"] = count
        if "label" in change:
            label = change["label"]
            if not isinstance(label, str) or not label.strip() or len(label) > 100:
                raise SlotRuleError(f"SLOT_RULES[{key!r}].label must be a short text")
            values["label"] = label.strip()
        rules[key] = dataclasses.replace(rules[key], **values,
                                         source=rules[key].source + "（已由运维配置调整）")
    return SlotTable(rules.values())
