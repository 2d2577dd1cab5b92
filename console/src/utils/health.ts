// The sections of the 重庆卫生系列评审表 (manual seed 004, 4.3) as the console edits them:
// each list section's columns in the form's words, the slot of a row's 印证材料, and the
// body of PUT /declarations/{id}/health/{section}.

export interface HealthColumn { key: string; label: string; kind?: 'text' | 'year' | 'select' | 'bool'; options?: string[]; width?: number; required?: boolean; placeholder?: string }
export interface ListSection { code: string; label: string; columns: HealthColumn[]; fileKey?: string; fileSlot?: string; publicity?: boolean; importable?: boolean }

const PERIOD: HealthColumn = { key: 'period', label: '起止时间', required: true, placeholder: '2004.09-2007.09', width: 150 }

export const LIST_SECTIONS: ListSection[] = [
  { code: 'assessments', label: '年度考核情况', importable: true, columns: [{ key: 'year', label: '年度', kind: 'year', required: true, width: 100 }, { key: 'result', label: '考核结果', kind: 'select', options: ['优秀', '合格', '基本合格', '不合格'], required: true, width: 130 }] },
  { code: 'study', label: '学习培训经历', importable: true, publicity: true, fileKey: 'evidence_file_id', fileSlot: 'cq_training', columns: [PERIOD, { key: 'content', label: '专业或主要内容', required: true }, { key: 'place', label: '学习地点' }, { key: 'certificate_no', label: '证书号', width: 140 }] },
  { code: 'work', label: '工作经历', importable: true, publicity: true, columns: [PERIOD, { key: 'unit', label: '工作单位', required: true }, { key: 'work', label: '从事何专业技术工作' }, { key: 'title', label: '职称（职务）', width: 130 }] },
  { code: 'achievements_before', label: '任现职前主要专业技术工作业绩', columns: [PERIOD, { key: 'name', label: '专业技术工作名称（项目、课题成果等）', required: true }, { key: 'role', label: '工作内容、本人起何作用' }, { key: 'result', label: '完成情况及效果' }] },
  { code: 'achievements', label: '任现职以来主要专业技术工作业绩', publicity: true, fileKey: 'evidence_file_id', fileSlot: 'cq_current_work', columns: [PERIOD, { key: 'name', label: '专业技术工作名称（项目、课题成果等）', required: true }, { key: 'role', label: '工作内容、本人起何作用' }, { key: 'result', label: '完成情况及效果' }] },
  { code: 'papers', label: '论文、著作情况', importable: true, publicity: true, fileKey: 'evidence_file_id', fileSlot: 'cq_paper', columns: [{ key: 'date', label: '时间', required: true, placeholder: '2021.05', width: 100 }, { key: 'title', label: '名称（名称及内容提要）', required: true }, { key: 'content', label: '主要内容' }, { key: 'venue', label: '出版、登载、获奖或交流情况' }, { key: 'rank', label: '排名', width: 70 }] },
  { code: 'others', label: '其他材料', fileKey: 'file_id', fileSlot: 'cq_other', columns: [{ key: 'label', label: '材料名称', required: true }] },
]

export const BASIC_FIELDS: HealthColumn[] = [
  { key: 'ethics_satisfaction', label: '医德医风满意度（%）' }, { key: 'rural_support_years', label: '卫生支农时间（年）' },
  { key: 'continuing_education', label: '继续教育情况' }, { key: 'research_direction', label: '具体从事研究方向' },
  { key: 'phone', label: '联系电话' }, { key: 'current_title', label: '现有职称' },
  { key: 'current_title_detail', label: '现有专业技术资格、取得时间及审批机关' }, { key: 'employed_title', label: '何时聘用何职称' },
  { key: 'years_in_title', label: '任现职年限' }, { key: 'practice_qualification', label: '执业医师资格取得时间及类别' },
  { key: 'practice_certificate', label: '医师执业证书取得时间及执业范围' }, { key: 'specialty_work', label: '从事何专业技术工作' },
  { key: 'admin_post', label: '现（兼）任行政职务及任职时间' }, { key: 'societies', label: '参加何学术团体、任何职务，有何社会兼职' },
  { key: 'frontline', label: '是否为一线医务人员', kind: 'bool' }, { key: 'aided_hubei', label: '是否援鄂', kind: 'bool' },
]
export const EDUCATION_FIELDS: HealthColumn[] = [
  { key: 'name', label: '学历（学位）' }, { key: 'school', label: '就读院校' }, { key: 'major', label: '专业' },
  { key: 'duration', label: '学制' }, { key: 'graduated_on', label: '毕业时间', placeholder: '2012-07' }, { key: 'certificate_no', label: '证书号' },
]

const SERVER_ONLY = new Set(['deleted', 'mark', 'source_record_id', 'position'])

/** The rows of a list section as PUT takes them: saved rows keep their id, numbers stay
 * numbers, what the server adds (marks, positions) is left out. */
export function listBody(section: ListSection, rows: Record<string, any>[]) {
  return {
    rows: rows.map((r) => {
      const out: Record<string, any> = {}
      if (r.id) out.id = r.id
      for (const c of section.columns) {
        const v = r[c.key]
        out[c.key] = c.kind === 'year' ? (v === '' || v === null || v === undefined ? null : Number(v)) : (v ?? '')
      }
      if (section.fileKey) out[section.fileKey] = r[section.fileKey] ?? null
      if (section.publicity) out.publicity = r.publicity !== false
      for (const k of Object.keys(r)) if (!(k in out) && !SERVER_ONLY.has(k) && k !== 'id' && !k.startsWith('_')) out[k] = r[k]
      return out
    }),
  }
}

/** The basic section's body: only the fields given (a partial update), numbers as numbers. */
export function basicBody(values: Record<string, any>) {
  const out: Record<string, any> = {}
  for (const f of BASIC_FIELDS) {
    const v = values[f.key]
    if (v === undefined || v === '') continue
    out[f.key] = ['ethics_satisfaction', 'rural_support_years'].includes(f.key) && v !== null ? Number(v) : v
  }
  for (const k of ['education', 'degree']) {
    const e = values[k]
    if (e && Object.values(e).some((x) => x !== '' && x !== null && x !== undefined)) {
      out[k] = Object.fromEntries(EDUCATION_FIELDS.map((f) => [f.key, e[f.key] ?? '']).filter(([, v]) => v !== ''))
    }
  }
  return out
}
