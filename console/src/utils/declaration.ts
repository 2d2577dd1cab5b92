// Bodies of the declaration's own lists as the API takes them.

export interface Title { cert_no: string; work_unit: string; series: string; specialty: string; qualification: string; obtain_method: string; files: { id: number; file_name: string }[] }

/** 现有职称情况 for PUT /declarations/{id}/titles: the files become `evidence_file_ids`. */
export function titlesBody(list: Title[]) {
  return { titles: list.map(({ files, ...t }) => ({ ...t, evidence_file_ids: files.map((f) => f.id) })) }
}

/** A list with the item at `index` moved one place up (-1) or down (+1); unchanged at the ends. */
export function moved<T>(list: T[], index: number, direction: -1 | 1): T[] {
  const to = index + direction
  if (index < 0 || index >= list.length || to < 0 || to >= list.length) return [...list]
  const out = [...list]
  ;[out[index], out[to]] = [out[to], out[index]]
  return out
}

/** 个人信息 of a declaration: [key, label, required]. */
export const PERSONAL_FIELDS: [string, string, boolean][] = [
  ['former_name', '曾用名', true], ['ethnicity', '民族', true], ['birthplace', '出生地', true],
  ['work_start_date', '参加工作时间', true], ['work_years', '工作年限', true], ['specialty_years', '专业年限', true],
  ['political_status', '政治面貌', true], ['party_post', '党政职务', false], ['health', '健康状况', false],
  ['salary_grade', '薪级', false], ['academic_posts', '学术团体任职', false],
]
const NUMBERS = new Set(['work_years', 'specialty_years'])

/** 修改基本信息 (a reviewer's correction, PATCH …/basic-info): only the fields changed,
 * numbers as numbers, a cleared field as null, and the 修改说明; null when nothing changed. */
export function correctionBody(before: Record<string, any>, after: Record<string, any>, note = ''): Record<string, unknown> | null {
  const out: Record<string, unknown> = {}
  const norm = (k: string, v: any) => (v === undefined || v === '' ? null : NUMBERS.has(k) && v !== null ? Number(v) : v)
  for (const [k] of PERSONAL_FIELDS) {
    const a = norm(k, before?.[k])
    const b = norm(k, after?.[k])
    if (a !== b) out[k] = b
  }
  if (!Object.keys(out).length) return null
  if (note.trim()) out.note = note.trim()
  return out
}
