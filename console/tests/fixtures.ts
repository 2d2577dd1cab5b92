import type { TypeDef } from '@/utils/formgen'

const base = { options: [], max_length: null, min: null, max: null, unit: '', help: '', places: null, format: '' }

// Two types as GET /api/v1/achievement-types describes them (abridged).
export const WORK_HISTORY: TypeDef = {
  code: 'work_history', label: '工作经历', category: 'basic', category_label: '基本信息', title_field: 'unit_name',
  fields: [
    { ...base, key: 'unit_name', label: '工作单位名称', kind: 'text', required: true, max_length: 100, help: '请填写全称' },
    { ...base, key: 'start_date', label: '开始日期', kind: 'date', required: true, max: 'today' },
    { ...base, key: 'end_date', label: '结束日期', kind: 'date', required: true, max: 'today' },
    { ...base, key: 'until_now', label: '至今', kind: 'bool', required: false },
    { ...base, key: 'specialty', label: '从事专业', kind: 'text', required: true, max_length: 100 },
    { ...base, key: 'duties', label: '职务职责说明', kind: 'textarea', required: false, max_length: 200 },
  ],
  columns: [], query_fields: ['unit_name'], query_hint: '请输入单位名称进行查询', evidence_slot: 'work_history',
  evidence_required: false,
  evidence: [{ code: 'work_history', label: '佐证材料', required: false, required_when: null, rule_text: '只能上传png/jpg/pdf文件，且不超过2MB，且最多只能上传5个文件', rule: { extensions: ['png', 'jpg', 'pdf'], max_mb: 2, max_files: 5 }, note: '' }],
  rules: [
    { rule: 'date_range', start: 'start_date', end: 'end_date' },
    { rule: 'required_unless', field: 'end_date', flag: 'until_now', message: '请选择结束日期，或勾选至今' },
  ],
  health_only: false, features: {},
}

export const PAPER: TypeDef = {
  code: 'paper', label: '论文发表情况', category: 'research', category_label: '论文著作科研', title_field: 'title',
  fields: [
    { ...base, key: 'title', label: '论文名称', kind: 'text', required: true, max_length: 600 },
    { ...base, key: 'level', label: '发表级别', kind: 'select', required: true, options: ['国内期刊', '国外期刊', '国内会议', '国际会议', '其他'] },
    { ...base, key: 'issn', label: '国际标准刊号（ISSN）', kind: 'text', required: false, format: 'issn', help: '如 1234-5679，校验位为 0-9 或 X' },
    { ...base, key: 'ranking', label: '个人排名', kind: 'rank', required: true, min: 1, max: 999 },
    { ...base, key: 'impact_factor', label: '影响因子', kind: 'decimal', required: false, min: 0, max: 1000, places: 3 },
    { ...base, key: 'year', label: '年度', kind: 'year', required: false, min: 1900, max: 'today' },
    { ...base, key: 'degree', label: '获得学位', kind: 'select', required: false, options: ['学士', '硕士'] },
    { ...base, key: 'degree_date', label: '学位获得日期', kind: 'date', required: false },
  ],
  columns: [], query_fields: ['title'], query_hint: '', evidence_slot: 'paper', evidence_required: true,
  evidence: [{ code: 'paper', label: '佐证材料', required: true, required_when: null, rule_text: '只能上传pdf文件', rule: { extensions: ['pdf'], max_mb: 10, max_files: 5 }, note: '' }],
  rules: [{ rule: 'required_if', field: 'degree_date', when: 'degree', message: '选择获得学位后，学位获得日期为必填项' }],
  health_only: false, features: {},
}
