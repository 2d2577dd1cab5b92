// 评审表格式设置 / 公示表格式设置 (重庆手册 4.4): per page of the review form its font size,
// blank rows and row height; for the publicity table one font size and per section its
// blank rows (and font size). PUT /declarations/{id}/print-settings replaces each part
// given; an empty box is the default (left out).

export const REVIEW_FORM_PAGES: [string, string][] = [
  ['cover', '封面'], ['basic', '申报人基本情况'], ['experience', '学习培训经历、工作经历'],
  ['achievements', '主要专业技术工作业绩'], ['workload', '任现职以来的工作量（近5年）'],
  ['papers', '论文及学术报告、专业考试成绩'], ['items', '申报业绩材料'],
  ['materials', '工作总结及考核鉴定、其他附件、查档情况、申报诚信情况'], ['opinions', '审核意见'],
]
export const PUBLICITY_SECTIONS: [string, string][] = [
  ['basic', '基本情况'], ['study', '学习培训经历'], ['work', '工作经历'],
  ['workload', '任现职以来的工作量（近5年）'], ['achievements', '任现职以来主要专业技术工作业绩'],
  ['papers', '著作、论文及学术、技术报告'],
]
export const RANGES = {
  font_size: [6, 20], blank_rows: [0, 60], row_height: [10, 120], publicity_font_size: [5, 14],
} as const

export type PageSetting = { font_size?: number | null; blank_rows?: number | null; row_height?: number | null }
export interface PrintSettingsForm {
  review_form: Record<string, PageSetting>
  publicity: { font_size?: number | null; sections: Record<string, PageSetting> }
}

export function emptyForm(): PrintSettingsForm {
  return {
    review_form: Object.fromEntries(REVIEW_FORM_PAGES.map(([k]) => [k, { font_size: null, blank_rows: null, row_height: null }])),
    publicity: { font_size: null, sections: Object.fromEntries(PUBLICITY_SECTIONS.map(([k]) => [k, { font_size: null, blank_rows: null }])) },
  }
}

const given = (v: unknown) => v !== null && v !== undefined && v !== '' && !Number.isNaN(Number(v))

function page(s: PageSetting | undefined, keys: (keyof PageSetting)[]) {
  const out: Record<string, number> = {}
  for (const k of keys) if (s && given(s[k])) out[k] = Number(s[k])
  return out
}

/** The body of PUT …/print-settings for one part (`review_form` or `publicity`): only the
 * values entered; a page or section with nothing entered is left out (its defaults). */
export function printSettingsBody(part: 'review_form' | 'publicity', form: PrintSettingsForm) {
  if (part === 'review_form') {
    const pages: Record<string, Record<string, number>> = {}
    for (const [k] of REVIEW_FORM_PAGES) {
      const p = page(form.review_form[k], ['font_size', 'blank_rows', 'row_height'])
      if (Object.keys(p).length) pages[k] = p
    }
    return { review_form: pages }
  }
  const sections: Record<string, Record<string, number>> = {}
  for (const [k] of PUBLICITY_SECTIONS) {
    const p = page(form.publicity.sections[k], ['font_size', 'blank_rows'])
    if (Object.keys(p).length) sections[k] = p
  }
  const out: Record<string, unknown> = { sections }
  if (given(form.publicity.font_size)) out.font_size = Number(form.publicity.font_size)
  return { publicity: out }
}

/** The saved settings (the API's answer) back into the form. */
export function formFrom(saved: any): PrintSettingsForm {
  const f = emptyForm()
  for (const [k, v] of Object.entries(saved?.review_form || {})) if (f.review_form[k]) Object.assign(f.review_form[k], v)
  const pub = saved?.publicity || {}
  f.publicity.font_size = pub.font_size ?? null
  for (const [k, v] of Object.entries(pub.sections || {})) if (f.publicity.sections[k]) Object.assign(f.publicity.sections[k], v)
  return f
}

/** The API's field messages of a refused save, however deeply nested
 * ({review_form: {basic: {font_size: ["…"]}}}), as one list of sentences. */
export { flatMessages as fieldMessages } from '@/api/http'
