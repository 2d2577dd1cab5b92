"""Example snapshots, photos and ID numbers for tests, benches and the demo (test data:
not used by the service).

:func:`example_snapshot` builds a realistic, complete snapshot (every section filled,
some rows marked deleted, some rows not for the publicity table).
"""
import io
import random

from services.contracts.printing import SNAPSHOT_VERSION, workload_items

# ---------------------------------------------------------------- example
_SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何林罗高"
_GIVEN = ("健", "晓梅", "建国", "丽", "志强", "红", "伟", "静", "海燕", "明", "涛", "婷")
_UNITS = ("重庆市云阳县中医院", "重庆市万州区人民医院", "重庆医科大学附属第一医院",
          "重庆市渝北区妇幼保健院", "重庆市江津区中心医院")

_ITEM_TYPES = (
    ("paper", "论文", ("论文题目", "刊物名称", "发表时间", "本人排名")),
    ("project", "科研项目", ("项目名称", "项目来源", "起止时间", "本人角色")),
    ("award", "获奖", ("奖项名称", "授奖单位", "获奖时间", "获奖等级")),
    ("topic", "专题", ("专题名称", "病例数", "起止时间", "本人作用")),
    ("patent", "专利", ("专利名称", "专利号", "授权时间", "本人排名")),
)


def id_number_check_digit(first17):
    """GB 11643 check digit of the first 17 digits."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=False))
    return "10X98765432"[total % 11]


def example_id_number(birth="19781105", seq=314):
    first17 = f"500235{birth}{seq:03d}"
    return first17 + id_number_check_digit(first17)


def example_photo(width=250, height=350):
    """A small JPEG portrait placeholder (a grey silhouette on a blue background)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (60, 120, 200))
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.3, height * 0.15, width * 0.7, height * 0.5), fill=(235, 220, 200))
    draw.rectangle((width * 0.18, height * 0.55, width * 0.82, height), fill=(40, 40, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def example_snapshot(items=10, *, name="张健", level="副高", form_category="中医药",
                     final=False, seed=1):
    """A complete declaration snapshot (every section filled) for tests and benches.

    ``items`` imported achievement records; the example marks one study row, one
    achievement row, one workload row, one paper and (if any) the second imported item
    deleted, and keeps one workload row, one achievement and one paper off the publicity
    table — so that tests can check both filters.
    """
    rng = random.Random(seed)
    years = [2019, 2020, 2021, 2022, 2023]
    unit = _UNITS[0]
    applied = {"正高": "主任中医师", "副高": "副主任中医师", "中级": "主治中医师",
               "初级": "中医师"}[level]
    current = {"正高": "副主任中医师", "副高": "主治中医师", "中级": "中医师",
               "初级": "中医士"}[level]

    study_places = ("重庆市袁家岗", "四川省成都市", "北京市东城区", "上海市徐汇区", "重庆市渝中区",
                    "广州市越秀区", "重庆市沙坪坝区", "武汉市江汉区")
    study_contents = ("重庆医科大学中医学本科学习", "四川大学华西医院进修",
                      "中国中医科学院针灸培训", "上海中医药大学脾胃病进修",
                      "重庆市中医院临床规范化培训", "广州中医药大学中药学进修",
                      "全国中医临床优秀人才研修", "武汉协和医院急诊进修")
    study = [{"period": f"{1996 + 3 * i}.09-{1997 + 3 * i}.07",
              "content": study_contents[i],
              "place": study_places[i], "certificate_no": f"0200{i + 1}",
              "deleted": False, "publicity": True} for i in range(8)]
    study[5]["content"] = "广州中医药大学中药学短期班（审核标记删除）"
    study[5]["deleted"] = True

    work = [{"period": f"{2004 + 2 * i}.07-{2006 + 2 * i}.06",
             "unit": unit + ("内科", "急诊科", "中医科", "针灸科", "脾胃病科", "治未病中心",
                             "康复科", "医务科")[i],
             "work": ["住院医师规范化培训", "急诊临床", "中医内科临床", "针灸临床", "脾胃病诊疗",
                      "中医体质辨识", "中医康复", "医疗质量管理"][i],
             "title": ["中医师", "中医师", "中医师", "主治中医师", "主治中医师", "主治中医师",
                       "主治中医师", "主治中医师"][i],
             "deleted": False, "publicity": True} for i in range(8)]

    def achievement(i, before):
        topic = ["慢性萎缩性胃炎中医证候规律研究", "针药结合治疗功能性消化不良临床观察",
                 "中医体质辨识在社区慢病管理中的应用", "脾胃湿热证舌象数字化研究",
                 "经方治疗肠易激综合征的疗效评价", "中药穴位贴敷防治化疗后呕吐",
                 "基层中医适宜技术推广", "名老中医学术经验传承工作室建设",
                 "中医护理方案在脾胃病中的应用", "中药饮片处方点评与合理用药"][i]
        return {"period": f"{(2008 if before else 2019) + i // 3}.0{1 + i % 9}-"
                          f"{(2010 if before else 2021) + i // 3}.12",
                "name": f"{topic}（{'县级' if i % 3 else '市级'}课题）",
                "role": f"主持，负责方案设计、病例收集与数据分析，排名第{1 + i % 3}；"
                        f"共纳入病例{80 + 10 * i}例。",
                "result": "已结题，"
                          + ("获重庆市卫生健康委科技成果三等奖" if i % 4 == 0
                             else "成果在本院推广应用")
                          + f"，发表相关论文{1 + i % 2}篇。",
                "deleted": False, "publicity": True}

    achievements_before = [achievement(i, True) for i in range(4)]
    achievements = [achievement(i, False) for i in range(10)]
    achievements[7]["name"] = "院内中医药文化宣传活动（审核标记删除）"
    achievements[7]["deleted"] = True
    achievements[8]["name"] = "科室中医护理方案修订（不公示）"
    achievements[8]["publicity"] = False

    workload_rows = []
    for _index, item in enumerate(workload_items(form_category)):
        values = [str(rng.randint(20, 4000) if "人次" in item or "数" in item
                      else rng.randint(2, 60))
                  for _ in years]
        if item.startswith("是否"):
            values = ["否"] * len(years)
        workload_rows.append({"item": item, "values": values, "deleted": False, "publicity": True})
    workload_rows.append({"item": "中医适宜技术推广培训（次）（不公示）",
                          "values": ["3", "4", "2", "5", "6"],
                          "deleted": False, "publicity": False})
    workload_rows.append({"item": "义诊活动（次）（审核标记删除）",
                          "values": ["1", "2", "2", "1", "3"],
                          "deleted": True, "publicity": True})

    papers = [{"date": f"{2019 + i // 2}.0{3 + i}",
               "title": ["半夏泻心汤加减治疗慢性胃炎60例", "针刺联合中药治疗功能性便秘的临床研究",
                         "中医体质与代谢综合征相关性分析", "脾胃湿热证舌苔微生物特征研究",
                         "基层中医馆服务能力调查报告", "中药穴位贴敷护理干预效果观察"][i],
               "content": "观察疗效并分析证候分布，总结辨证用药经验。",
               "venue": ["《中医杂志》", "《重庆医学》", "全国中医内科学术年会交流",
                         "《中国中西医结合杂志》",
                         "重庆市中医药学会年会交流", "《护理研究》"][i],
               "rank": str(1 + i % 3), "deleted": False, "publicity": True} for i in range(6)]
    papers[4]["title"] = "基层中医馆服务能力调查报告（不公示）"
    papers[4]["publicity"] = False
    papers[5]["title"] = "中药穴位贴敷护理干预效果观察（审核标记删除）"
    papers[5]["deleted"] = True

    imported = []
    for i in range(items):
        code, label, columns = _ITEM_TYPES[i % len(_ITEM_TYPES)]
        values = (f"{label}第{i + 1}项：中医药防治脾胃病的临床与基础研究",
                  f"重庆市科学技术局（{i + 1}）",
                  f"{2019 + i % 5}-0{1 + i % 9}", f"第{1 + i % 5}")
        imported.append({"record_id": 1000 + i, "type_code": code, "type_label": label,
                         "section": "任现职以来主要专业技术工作业绩",
                         "columns": [{"label": c, "value": v}
                                     for c, v in zip(columns, values, strict=True)],
                         "deleted": False, "publicity": True})
    if items > 1:
        imported[1]["columns"][0]["value"] = "已被审核删除的导入业绩（审核标记删除）"
        imported[1]["deleted"] = True

    birth = "1978-11-05"
    return {
        "version": SNAPSHOT_VERSION,
        "frozen_at": "2024-07-30T08:00:00+00:00",
        "status": "审核通过" if final else "审核中",
        "final": final,
        "plan": {"plan_id": 7, "year": 2024, "name": "2024年度重庆市卫生系列高级职称评审",
                 "region": "重庆市", "series": "卫生系列", "level": level,
                 "committee": "重庆市卫生系列中医药高级职务评委会",
                 "organiser": "重庆市卫生健康委员会"},
        "declaration": {
            "declaration_id": 42, "declaration_type": "正常晋升", "form_category": form_category,
            "applied_title": applied, "specialty": "中药学", "research_direction": "中医脾胃病",
            "filled_on": "2024-07-14", "submitted_at": "2024-07-20T10:00:00+08:00",
            "ethics_satisfaction": "92", "rural_support_years": "2",
            "continuing_education": "合格（学分 120）", "frontline": True, "aided_hubei": False,
        },
        "person": {
            "person_id": 9, "name": name, "former_name": "无", "gender": "男", "birth_date": birth,
            "nation": "汉族", "political_status": "中共党员", "id_type": "身份证",
            "id_number": example_id_number(), "phone": "13812341234",
            "unit_id": 3, "unit_name": unit, "work_start_date": "2004-06-14",
            "education": {"graduated_on": "2004-07", "school": "重庆医科大学", "major": "中医学",
                          "duration": "5年", "name": "大学本科", "certificate_no": "00010"},
            "degree": {"graduated_on": "2004-07", "school": "重庆医科大学", "major": "中医学",
                       "duration": "5年", "name": "学士", "certificate_no": "00011"},
            "current_title": current,
            "current_title_detail": f"{current}，2014-09-20，重庆市人力资源和社会保障局",
            "employed_title": f"2014-12 聘用为{current}",
            "years_in_title": "10",
            "practice_qualification": "2005-10，中医类别",
            "practice_certificate": "2006-03，中医专业",
            "specialty_work": "中医内科（脾胃病）临床工作",
            "admin_post": "2018-01 起任中医科副主任",
            "societies": "重庆市中医药学会脾胃病专委会委员；云阳县中医药学会秘书",
            "photo_file_id": None,
        },
        "annual_assessments": [{"year": y, "result": r} for y, r in
                               zip(years, ("合格", "合格", "优秀", "合格", "优秀"), strict=False)],
        "study": study,
        "work": work,
        "achievements_before": achievements_before,
        "achievements": achievements,
        "workload": {"years": years, "rows": workload_rows},
        "papers": papers,
        "exam": ({"mode": "参加考试", "date": "2024-05-18",
                  "name": "重庆市卫生技术副高级专业能力考试",
                  "specialty": "中药学", "score": "78", "organiser": "重庆市卫生健康委员会"}
                 if level == "副高" else None),
        "work_summary": ("任现职以来，本人坚持以病人为中心，在中医内科（脾胃病）临床一线工作，"
                         "年均门诊量四千余人次，主持疑难病例讨论，带教下级医师和进修医师，"
                         "积极开展中医适宜技术推广，完成市、县级课题多项。") * 2,
        "assessment": "该同志临床业绩突出，临床能力强，在本单位同专业申报人员中排序第1。",
        "summary_materials": [
            {"kind": "workload", "label": "工作量（签字盖章）", "file_name": "工作量.pdf",
             "deleted": False},
            {"kind": "work_summary", "label": "工作总结", "file_name": "工作总结.pdf",
             "deleted": False},
            {"kind": "clinical_assessment", "label": "临床业绩和临床能力考核鉴定",
             "file_name": "考核鉴定.pdf", "deleted": False},
            {"kind": "frontline_assessment", "label": "一线医务人员工作业绩鉴定",
             "file_name": "一线业绩鉴定.pdf", "deleted": False},
        ],
        "other_attachments": [
            {"kind": "other", "label": "优秀共产党员表彰文件", "file_name": "表彰.pdf",
             "deleted": False},
            {"kind": "other", "label": "对口支援证明", "file_name": "支援证明.pdf",
             "deleted": False},
            {"kind": "other", "label": "重复上传的证明（审核标记删除）", "file_name": "重复.pdf",
             "deleted": True},
        ],
        "archive_check": {"required": True,
                          "content": "经查阅本人人事档案，其学历、资历、职称等信息与申报材料一致。",
                          "file_name": "查档情况.pdf"},
        "integrity": {"publicity_from": "2024-07-22", "publicity_to": "2024-07-28",
                      "checked": [], "other": "无", "explanation": "无"},
        "items": imported,
        "opinions": [
            {"level": "基层单位意见", "unit_name": unit, "opinion": "同意推荐。",
             "signer": "李明", "signed_on": "2024-07-30"},
            {"level": "主管部门意见", "unit_name": "重庆市云阳县卫生健康委员会",
             "opinion": "经审核，申报材料真实，符合申报条件，同意推荐。",
             "signer": "王刚", "signed_on": "2024-08-05"},
            {"level": "人社部门意见", "unit_name": "重庆市云阳县人力资源和社会保障局",
             "opinion": "同意推荐。", "signer": "赵丽", "signed_on": "2024-08-10"},
        ],
        "print_settings": {"review_form": {}, "publicity": {"font_size": None, "sections": {}}},
    }


def example_return_notice():
    """A declaration's 一次性告知 as GET /declarations/{id}/return-notice answers it."""
    return {
        "declaration_id": 42, "status": "returned", "status_label": "退回",
        "person_name": "张健", "unit_name": "重庆市云阳县中医院",
        "plan_name": "2024年度卫生系列高级职称评审", "specialty": "中药学",
        "title": "副主任医师",
        "returned_at": "2026-12-06T23:17:19.379374+00:00",
        "returned_by_unit_name": "重庆市云阳县卫生健康委员会", "step_label": "主管部门审核",
        "count": 3,
        "items": [
            {"kind": "opinion", "kind_label": "退回意见", "section": None,
             "section_label": None, "item_id": None, "title": "重庆市云阳县卫生健康委员会",
             "code": None, "message": "论文与申报专业不符，请补充继续教育证明。"},
            {"kind": "item", "kind_label": "标记删除的申报业绩", "section": "papers",
             "section_label": "论文", "item_id": 7, "title": "急性心梗PCI术后随访研究",
             "code": None, "message": "与申报专业无关"},
            {"kind": "rule", "kind_label": "不满足的申报条件", "section": None,
             "section_label": None, "item_id": None, "title": "继续教育",
             "code": "continuing_education", "message": "继续教育学时不足 90 学时"},
        ],
    }
