// The screens the journey does not walk (申报情况, 岗位核准, 上报, 单位信息, 事件订阅, 单位注册,
// the 申报材料 of a 卫生 declaration with 现有职称 and the 重庆卫生系列评审表 sections),
// opened in Chromium from the build with scripted API answers (e2e/mock.mjs): each must
// show its content without a page error or a console error/warning. Screenshots of a
// failing screen go to OUT_DIR.
//   cd console && npx vite build && node e2e/screens.mjs
import fs from 'node:fs'
import path from 'node:path'
import { launch } from './lib.mjs'
import { mockApp, signedIn, ORIGIN } from './mock.mjs'
const OUT = process.env.OUT_DIR || fs.mkdtempSync('/tmp/zc-screens-')
fs.mkdirSync(OUT, { recursive: true })
const b = await launch()
const unit = { account_id: 1, username: 'a', name: '管理员', role: 'unit_admin', roles: ['unit_admin'], unit_id: 3, unit: { unit_id: 3, name: '一中', kind: 'employer', kind_label: '用人单位' } }
const ops = { account_id: 2, username: 'ops', name: '运维', role: 'operator', roles: ['operator'], unit_id: null, unit: null }
const person = { account_id: 3, username: 'p', name: '林晓东', role: 'person', roles: ['person'], person_id: 1, unit_id: null, unit: null }
const SLOTS = ['photo', 'qualification', 'cq_training', 'cq_current_work', 'cq_paper', 'cq_other', 'cq_workload', 'cq_exam_score', 'cq_work_summary', 'cq_clinical_assessment', 'cq_frontline_assessment', 'cq_archive_check', 'post_quota_form', 'rec_opinion', 'rec_publicity', 'rec_other', 'health_reference'].map((key) => ({ key, label: key, extensions: ['pdf'], max_size_mb: 10, max_files: 5 }))
const common = [
  ['GET', /^\/file-slots$/, () => SLOTS],
  ['GET', /^\/dictionaries$/, () => ({ unit_kind: [{ code: 'employer', label: '用人单位' }, { code: 'hr', label: '人社部门' }], unit_nature: [{ code: 'institution', label: '事业单位' }], province: [{ code: '340000', label: '安徽省' }] })],
]
const decl = { id: 7, person_name: '林晓东', gender_label: '女', id_number: '340104********5224', unit_name: '一中', series: '卫生技术人员', specialty: '内科', title: '副主任医师', level_label: '副高级', status: 'submitted', status_label: '审核中', current_step_label: '单位审核', current_unit_name: '一中', submitted_at: '2026-12-01T00:00:00Z' }
const screens = [
  [unit, '/unit-declarations', [['GET', /^\/unit\/declarations$/, () => ({ items: [decl], total: 1, counts: { all: 1, pending: 1 } })]], '林晓东'],
  [unit, '/post-quotas', [['GET', /^\/unit\/post-quotas$/, () => ({ items: [{ id: 1, year: 2026, senior: null, deputy_senior: 2, intermediate: 3, junior: 0, status: 'saved', status_label: '未确认', confirmed: false, recommended: 1, created_at: '2026-12-01' }] })]], '未确认'],
  [unit, '/report', [['GET', /^\/plans$/, () => ({ items: [{ id: 4, year: 2026, name: '重庆卫生高级', unit_gate: true }] })], ['GET', /^\/unit\/plans\/4\/report$/, () => ({ held: [{ declaration_id: 7, person_name: '林晓东', specialty: '内科', title: '副主任医师', level_label: '副高级', state_label: '待上报' }], pending: [{ declaration_id: 8, person_name: '秦程', state_label: '审核中' }], done: [], counts: { held: 1, pending: 1, done: 0 }, may_report: false, message: '本单位还有未审核完成的申报' })]], '本单位还有未审核完成的申报'],
  [unit, '/unit-info', [['GET', /^\/units\/3$/, () => ({ unit_id: 3, name: '合肥市第一中学', credit_code: '91350100M000100Y43', kind_label: '用人单位', nature: 'institution', contact_name: '王', region: { province_name: '安徽省', city_name: '合肥市' } })]], '合肥市第一中学'],
  [ops, '/ops/subscriptions', [['GET', /^\/ops\/subscriptions$/, () => [{ id: 1, url: 'https://x.gov.cn/hook', event_types: ['*'], status: 'paused', paused_reason: 'failing', owner_name: '人社系统', created_at: '2026-12-01T00:00:00Z' }]]], '持续投递失败'],
  [null, '/unit-register', [], '统一社会信用代码'],
  [person, '/declarations/7', [
    ['GET', /^\/declarations\/7$/, () => ({ ...decl, status: 'draft', status_label: '编辑中', editable: true, deletable: true, plan: { name: '重庆卫生高级', titles_required: true }, personal: {}, titles: [{ cert_no: 'A1', work_unit: '一中', series: '卫生', specialty: '内科', qualification: '主治医师', obtain_method: '考试', evidence_file_ids: [5] }], sections: [] })],
    ['GET', /^\/declarations\/7\/health$/, () => ({ declaration_id: 7, editable: true, form_category: '临床', level_label: '副高级', exam_applicable: true, row_limits: { study: 8 }, files: [], sections: { basic: { education: {} }, study: { rows: [{ id: 1, period: '2007.09-2012.07', content: '临床医学', publicity: true }] }, workload: { years: [2022, 2023], rows: [{ id: 1, item: '门诊人次', values: ['1', '2'], publicity: true }] }, summary: {}, archive: {}, integrity: {} } })],
    ['GET', /^\/declarations\/7\/health\/form-categories$/, () => ({ selected: '临床', hint: '请先选择填报表格类别', items: [{ value: '临床', label: '临床', description: '临床医师' }], declaration_types: ['正常晋升'], exam_modes: ['参加考试'], integrity_items: ['无'] })],
    ['GET', /^\/declarations\/7\/history$/, () => ({ entries: [] })],
  ], '学习培训经历'],
]
let bad = 0
for (const [me, path, handlers, expect] of screens) {
  const p = await b.newPage({ viewport: { width: 1366, height: 860 } })
  const errors = []
  p.on('pageerror', (e) => errors.push(e.message))
  p.on('console', (m) => { if (m.type() === 'error' || (m.type() === 'warning' && !/is about to be deprecated/.test(m.text()))) errors.push(m.text().slice(0, 200)) })
  await mockApp(p, [...(me ? [await signedIn(p, me)] : []), ...common, ...handlers])
  await p.goto(ORIGIN + path)
  const ok = await p.getByText(expect).first().waitFor({ timeout: 15000 }).then(() => true, () => false)
  await p.waitForTimeout(500)
  const name = path.replace(/\W+/g, '_')
  if (!ok || errors.length) await p.screenshot({ path: path.join(OUT, `screen${name}.png`), fullPage: true })
  if (!ok || errors.length) bad++
  console.log(ok ? 'OK ' : 'MISSING', path, errors.slice(0, 4).join(' | '))
  await p.close()
}
await b.close()
console.log(bad ? `${bad} screens failed (screenshots in ${OUT})` : 'screens passed')
process.exit(bad ? 1 : 0)
