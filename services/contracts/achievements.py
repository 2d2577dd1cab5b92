"""What other services may know of the achievements service: record-type codes and the
category table (the catalogue itself, with fields and rules, stays in achievements;
a test there keeps this table equal to it)."""

CATEGORIES = {
    'basic': '基本信息',
    'honor': '表彰考核',
    'ability': '能力条件',
    'performance': '工作业绩',
    'research': '论文著作科研',
    'aid': '对外援助',
    'health': '行业专用',
}

# record-type code → (label, category code)
RECORD_TYPES = {
    'work_history': ('工作经历', 'basic'),
    'education': ('教育经历', 'basic'),
    'continuing_education': ('继续教育', 'basic'),
    'project_award': ('项目获奖', 'honor'),
    'honor_award': ('表彰奖励', 'honor'),
    'annual_assessment': ('年度考核', 'honor'),
    'patent': ('专利著作权', 'ability'),
    'academic_post': ('学术技术兼职', 'ability'),
    'qualification': ('资质证书', 'ability'),
    'comprehensive': ('综合业绩能力', 'ability'),
    'research_project': ('科研（基金）项目', 'performance'),
    'engineering_project': ('主持参与工程技术项目', 'performance'),
    'adoption': ('成果采纳运用推广', 'performance'),
    'standard': ('制定标准', 'performance'),
    'work_summary': ('工作（技术）总结报告', 'research'),
    'paper': ('论文发表情况', 'research'),
    'book': ('著（译）作（教材）', 'research'),
    'aid': ('援助困难地区（单位）', 'aid'),
    'health_case': ('卫生-病案', 'health'),
    'health_topic': ('卫生-专题', 'health'),
    'health_paper': ('卫生-论文', 'health'),
    'health_review': ('卫生-综述', 'health'),
    'health_masterpiece': ('卫生-成果代表作', 'health'),
}
