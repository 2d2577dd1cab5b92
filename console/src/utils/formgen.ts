// The 新增/编辑 form of a record type, generated from its definition in
// GET /api/v1/achievement-types: fields in order with their kinds, required marks,
// counters (max_length), options, number bounds, date rules and help texts, plus the
// type's relation rules (至今, 长期有效, 学位 → 学位获得日期, date ranges).

export interface FieldDef {
  key: string
  label: string
  kind: string
  required: boolean
  options: string[]
  max_length: number | null
  min: number | string | null
  max: number | string | null
  unit: string
  help: string
  places: number | null
  format: string
}

export interface EvidenceDef {
  code: string
  label: string
  required: boolean
  required_when: { field: string; equals: unknown } | null
  rule_text: string
  rule: { extensions: string[]; max_mb: number; max_files: number }
  note: string
}

export interface TypeRule {
  rule: string
  [k: string]: any
}

export interface TypeDef {
  code: string
  label: string
  category: string
  category_label: string
  title_field: string
  fields: FieldDef[]
  columns: { label: string; fields: string[]; system: string | null }[]
  query_fields: string[]
  query_hint: string
  evidence_slot: string | null
  evidence_required: boolean
  evidence: EvidenceDef[]
  rules: TypeRule[]
  health_only: boolean
  features: Record<string, boolean>
}

export type Model = Record<string, any>

export function emptyValue(f: FieldDef): any {
  if (f.kind === 'bool') return false
  if (f.kind === 'rank') return { rank: null, total: null }
  if (f.kind === 'multiselect') return []
  return null
}

/** The form model of a type, filled from stored values when editing. */
export function initialModel(t: TypeDef, values: Model = {}): Model {
  const m: Model = {}
  for (const f of t.fields) {
    const v = values[f.key]
    if (v === undefined || v === null) m[f.key] = emptyValue(f)
    else if (f.kind === 'rank') m[f.key] = typeof v === 'string' ? parseRank(v) : { rank: v.rank ?? null, total: v.total ?? null }
    else if (f.kind === 'year') m[f.key] = String(v)
    else m[f.key] = v
  }
  return m
}

function parseRank(s: string) {
  const [a, b] = s.split('/')
  return { rank: a ? Number(a) : null, total: b ? Number(b) : null }
}

/** Fields that a flag (至今, 长期有效) or an empty trigger (学位) makes not apply now. */
export function inactiveFields(t: TypeDef, m: Model): Set<string> {
  const out = new Set<string>()
  for (const r of t.rules) {
    if (r.rule === 'required_unless' && m[r.flag] === true) out.add(r.field)
    if (r.rule === 'required_if' && isEmpty(t.fields.find((f) => f.key === r.when), m[r.when])) out.add(r.field)
  }
  return out
}

/** Whether the field is required right now (its mark, or a rule that makes it so). */
export function isRequired(t: TypeDef, f: FieldDef, m: Model): boolean {
  if (inactiveFields(t, m).has(f.key)) return false
  if (f.kind === 'unit') return false
  if (f.required) return true
  return t.rules.some((r) => r.rule === 'required_if' && r.field === f.key && !isEmpty(t.fields.find((x) => x.key === r.when), m[r.when]))
}

export function isEmpty(f: FieldDef | undefined, v: any): boolean {
  if (v === null || v === undefined || v === '') return true
  if (f?.kind === 'rank') return v.rank === null || v.rank === undefined || v.rank === '' || v.total === null || v.total === undefined || v.total === ''
  if (f?.kind === 'multiselect') return !v.length
  return false
}

function today(): string {
  const d = new Date()
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

/** Date bounds of a date field: 'today' and years as the API states them. */
export function dateBounds(f: FieldDef): { min?: string; max?: string } {
  const out: { min?: string; max?: string } = {}
  if (f.max === 'today') out.max = today()
  else if (typeof f.max === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(f.max)) out.max = f.max
  if (typeof f.min === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(f.min)) out.min = f.min
  else if (typeof f.min === 'number' && f.min > 1000) out.min = `${f.min}-01-01`
  return out
}

/** The problem of one field's value, in the API's words where it has them; null if fine. */
export function fieldProblem(t: TypeDef, f: FieldDef, m: Model, full: boolean): string | null {
  const v = m[f.key]
  if (inactiveFields(t, m).has(f.key)) return null
  if (isEmpty(f, v)) {
    if (!full || !isRequired(t, f, m)) return null
    const rule = t.rules.find((r) => (r.rule === 'required_unless' || r.rule === 'required_if') && r.field === f.key)
    if (rule?.message) return rule.message
    return ['select', 'date', 'year', 'month', 'multiselect'].includes(f.kind) ? `请选择${f.label}` : `请输入${f.label}`
  }
  if ((f.kind === 'text' || f.kind === 'textarea') && f.max_length && String(v).length > f.max_length) {
    return `${f.label}长度不能超过${f.max_length}个字符`
  }
  if (f.kind === 'text' && f.format === 'url' && !/^https?:\/\//.test(String(v))) return `${f.label}应以 http:// 或 https:// 开头`
  if (f.kind === 'text' && f.format === 'issn' && !issnValid(String(v))) return `${f.label}格式有误，如 1234-5679`
  if (f.kind === 'date') {
    const b = dateBounds(f)
    if (b.max && String(v) > b.max) return f.max === 'today' ? `${f.label}不能晚于今天` : `${f.label}不能晚于${b.max}`
    if (b.min && String(v) < b.min) return `${f.label}不能早于${b.min}`
  }
  if (f.kind === 'year') {
    const y = Number(v)
    if (!/^\d{4}$/.test(String(v))) return `${f.label}应为四位年份`
    if (typeof f.min === 'number' && y < f.min) return `${f.label}不能早于${f.min}年`
    if (f.max === 'today' && y > new Date().getFullYear()) return `${f.label}不能晚于今年`
  }
  if (f.kind === 'int' || f.kind === 'decimal') {
    const n = Number(v)
    if (Number.isNaN(n)) return `${f.label}应为数字`
    if (typeof f.min === 'number' && n < f.min) return `${f.label}不能小于${f.min}`
    if (typeof f.max === 'number' && n > f.max) return `${f.label}不能大于${f.max}`
  }
  if (f.kind === 'rank') {
    const r = Number(v.rank)
    const n = Number(v.total)
    if (!Number.isInteger(r) || !Number.isInteger(n) || r < 1 || n < 1) return `${f.label}应为正整数，如 1/7`
    if (r > n) return '个人排名不能大于参与人数'
  }
  // relations between fields
  for (const rule of t.rules) {
    if (rule.rule === 'date_range' && rule.end === f.key && m[rule.start] && String(v) < String(m[rule.start])) {
      const start = t.fields.find((x) => x.key === rule.start)
      return `${f.label}不能早于${start?.label ?? rule.start}`
    }
    if (rule.rule === 'not_future_if' && rule.field === f.key && m[rule.when] === true && String(v) > today()) {
      return rule.message
    }
  }
  return null
}

export function issnValid(s: string): boolean {
  const m = /^(\d{4})-?(\d{3})([\dXx])$/.exec(s.trim())
  if (!m) return false
  const digits = (m[1] + m[2]).split('').map(Number)
  const sum = digits.reduce((acc, d, i) => acc + d * (8 - i), 0)
  const check = (11 - (sum % 11)) % 11
  return (check === 10 ? 'X' : String(check)) === m[3].toUpperCase()
}

/** Every problem of the form: {field key: message}. `full` = 保存并提交 (required marks). */
export function validate(t: TypeDef, m: Model, full: boolean): Record<string, string> {
  const out: Record<string, string> = {}
  for (const f of t.fields) {
    const p = fieldProblem(t, f, m, full)
    if (p) out[f.key] = p
  }
  return out
}

/** What the API receives for `fields`: typed values, inactive fields cleared. */
export function toPayload(t: TypeDef, m: Model): Model {
  const out: Model = {}
  const inactive = inactiveFields(t, m)
  for (const f of t.fields) {
    if (f.kind === 'unit') continue // filled by the system from the bound unit
    let v = m[f.key]
    if (inactive.has(f.key)) v = null
    else if (isEmpty(f, v)) v = f.kind === 'bool' ? false : null
    else if (f.kind === 'year' || f.kind === 'int') v = Number(v)
    else if (f.kind === 'decimal') v = String(v)
    else if (f.kind === 'rank') v = { rank: Number(v.rank), total: Number(v.total) }
    else if (typeof v === 'string' && f.kind !== 'textarea') v = v.trim()
    out[f.key] = v
  }
  return out
}

/** Whether evidence is required now (the type's mark, or a slot's condition). */
export function evidenceRequired(t: TypeDef, m: Model): boolean {
  if (t.evidence_required) return true
  return t.evidence.some((e) => e.required || (e.required_when && m[e.required_when.field] === e.required_when.equals))
}

/** The element the form shows for a field kind. */
export function widgetOf(f: FieldDef): string {
  switch (f.kind) {
    case 'textarea': return 'textarea'
    case 'select': return f.options.length <= 3 ? 'radio' : 'select'
    case 'multiselect': return 'checkbox'
    case 'bool': return 'checkbox-bool'
    case 'date': return 'date'
    case 'month': return 'month'
    case 'year': return 'year'
    case 'int': case 'decimal': return 'number'
    case 'rank': return 'rank'
    case 'unit': return 'unit'
    default: return 'text'
  }
}

/** The slot's rule applied before uploading; the API checks again. */
export function localProblem(file: { name: string; size: number }, def: EvidenceDef, count: number): string | null {
  const ext = file.name.includes('.') ? file.name.split('.').pop()!.toLowerCase() : ''
  if (!def.rule.extensions.includes(ext)) return `只能上传${def.rule.extensions.join('/')}文件`
  if (file.size === 0) return '文件为空，请重新选择'
  if (file.size > def.rule.max_mb * 1024 * 1024) return `文件大小不能超过${def.rule.max_mb}MB`
  if (count >= def.rule.max_files) return `“${def.label}”最多只能上传${def.rule.max_files}个文件`
  return null
}

