// The screens the journey does not walk (申报情况, 岗位核准, 上报, 单位信息, 事件订阅, 单位注册,
// the 申报材料 of a 卫生 declaration with 现有职称 and the 重庆卫生系列评审表 sections; the
// reviewer's 删除标记 / 修改基本信息 / 格式设置 in the task detail, 撤回 and 专家查看 from
// 所有已处理, 撤销审核不通过; the applicant's 修改专业 and the 退回告知 of a returned
// declaration and record), opened in Chromium from the build with scripted API answers
// (e2e/mock.mjs): each must show its content — after the clicks a screen lists, each
// followed by what it must show — without a page error or a console error/warning.
// Screenshots of a failing screen go to OUT_DIR.
//   cd console && npx vite build && node e2e/screens.mjs   (SHOTS=1: a screenshot of every screen)
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
// the declaration under review (卫生, so the 评审表 rows can be marked too)
const reviewed = { ...decl, id: 7, plan: { id: 4, name: '重庆卫生高级' }, may_review: true, personal: { ethnicity: '汉族', work_years: 12 },
  sections: [{ code: 'papers', label: '论文', count: 1, items: [{ id: 3, record_type_label: '论文发表情况', title: '心衰的治疗进展', marked_deleted: true, mark: { reason: '与申报专业无关', unit_name: '一中' } }] }] }
const health = { declaration_id: 7, frozen: true, form_category: '临床', sections: { study: { rows: [{ id: 1, period: '2007.09-2012.07', content: '临床医学', deleted: false, evidence_file_id: 11 }] }, workload: { years: [2025], rows: [{ id: 2, item: '门诊人次', values: ['1200'] }] } } }
const task = (over) => ({ id: 40, kind: 'declaration', kind_label: '职称申报', title: '林晓东 副主任医师', applicant_name: '林晓东', subject_type: 'declaration', subject_id: 7, step_label: '单位审核', status: 'claimed', status_label: '审核中', process_status: 'open', submitted_at: '2026-12-01T00:00:00Z', history: [], summary: {}, ...over })
const tasks = (t) => [
  ['GET', /^\/tasks$/, () => ({ items: [t], total: 1, counts: { todo: 1, unclaimed: 0, done_by_me: 1, done: 1 } })],
  ['GET', /^\/tasks\/40$/, () => t],
  ['GET', /^\/declarations\/7\/history$/, () => ({ entries: [{ action_label: '修改基本信息', changes: { ethnicity: ['汉', '汉族'] }, at: '2026-12-02T00:00:00Z' }] })],
  ['GET', /^\/declarations\/7\/recommendation$/, () => ({ declaration_id: 7, recommendation: null, quota: null, publicity: null, objections: [], report: { gated: false }, may_recommend: true, may_publicize: true })],
  ['GET', /^\/declarations\/7\/health$/, () => health],
]
const file = ['GET', /^\/files\/11\/download$/, () => ({ url: 'data:application/pdf;base64,JVBERi0xLjQK', file_name: '毕业证.pdf' })]
const expert = ['GET', /^\/declarations\/7\/expert-view$/, () => ({ declaration_id: 7, read_only: true, status_label: '审核中', plan: { name: '重庆卫生高级' }, applicant: { name: '林晓东', id_number: '340104********5224', unit_name: '一中', specialty: '内科', title: '副主任医师', level_label: '副高级' }, health_form: { study: health.sections.study.rows }, items: [], files: [{ file_id: 11, file_name: '毕业证.pdf', label: '学习培训经历' }], opinions: [{ level: '基层单位意见', unit_name: '一中', opinion: '同意推荐' }] })]
const base = { options: [], max_length: null, min: null, max: null, unit: '', help: '', places: null, format: '', required: false }
const WORK = { code: 'work_history', label: '工作经历', category: 'basic', category_label: '基本信息', title_field: 'unit_name', fields: [{ ...base, key: 'unit_name', label: '工作单位名称', kind: 'text', required: true }, { ...base, key: 'duties', label: '职务职责说明', kind: 'textarea' }],
  columns: [{ label: '工作单位名称', fields: ['unit_name'] }, { label: '审核状态', system: 'status', fields: [] }], query_fields: ['unit_name'], query_hint: '请输入单位名称进行查询', evidence_slot: 'work_history', evidence_required: false, evidence: [], rules: [], health_only: false, features: {} }
const returnedRecord = { id: 9, type: 'work_history', type_label: '工作经历', title: '合肥市第四十五中学', status: 'returned', status_label: '退回', actions: ['edit', 'submit', 'delete'], opinion: '请填写职务职责说明', columns: { unit_name: '合肥市第四十五中学' }, fields: { unit_name: '合肥市第四十五中学' }, evidence_file_ids: [], display: [], history: [], trail: [] }
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
  // the task detail of a declaration under review: 删除标记 of an item and a 评审表 row, 修改基本信息
  [unit, '/tasks', [...tasks(task()), ['GET', /^\/declarations\/7$/, () => reviewed]], '林晓东 副主任医师', [
    [(p) => p.locator('[data-test=tasks] .el-table__body tr').first().getByRole('button', { name: '审核' }), '删除原因：与申报专业无关'], ['[data-test=health-review]', '门诊人次'],
    ['[data-test=correct-basic-info]', '修改说明'],
  ]],
  // 所有已处理: 撤回 of what the unit passed up, 专家查看, 格式设置
  [unit, '/tasks', [...tasks(task({ status: 'approve', status_label: '通过', outcome: 'forwarded' })), ['GET', /^\/declarations\/7$/, () => ({ ...reviewed, may_review: false })], expert, file], '撤回', [
    ['[data-test=expert]', '评审专家对申报人员的信息查看界面'], ['[data-test=expert-view] >> text=毕业证.pdf', '毕业证.pdf'],
  ]],
  // a declaration the unit rejected, under a plan that allows 撤销审核不通过; 格式设置
  [unit, '/tasks', [...tasks(task({ status: 'reject', status_label: '不通过', outcome: 'rejected', process_status: 'rejected' })), ['GET', /^\/declarations\/7$/, () => ({ ...reviewed, status: 'rejected', status_label: '审核不通过', may_review: false })], ['GET', /^\/plans\/4$/, () => ({ id: 4, name: '重庆卫生高级', undo_reject: true })]], '林晓东 副主任医师', [
    [(p) => p.locator('[data-test=tasks] .el-table__body tr').first().getByRole('button', { name: '查看' }), '撤销审核不通过'], ['[data-test=print-settings-open]', '公示表格式设置'],
  ]],
  // the applicant's returned declaration: 退回告知 (一次性告知), 修改专业
  [person, '/declarations/7', [
    ['GET', /^\/declarations\/7$/, () => ({ ...decl, series: '中小学教师', specialty: '语文', title: '一级教师', status: 'returned', status_label: '退回', opinion: '请补充论文检索证明', opinion_unit_name: '一中', editable: true, deletable: true, plan: { id: 4, name: '2026 中小学教师', titles_required: false }, personal: {}, titles: [], sections: [] })],
    ['GET', /^\/declarations\/7\/return-notice$/, () => ({ declaration_id: 7, returned_by_unit_name: '一中', step_label: '单位审核', returned_at: '2026-12-01T00:00:00Z', count: 2, items: [{ kind: 'opinion', kind_label: '退回意见', title: '一中', message: '请补充论文检索证明' }, { kind: 'item', kind_label: '标记删除的申报业绩', section_label: '论文', title: '核心素养', message: '与申报专业无关' }] })],
    ['GET', /^\/declarations\/7\/history$/, () => ({ entries: [] })],
    ['GET', /^\/plans\/4\/specialties$/, () => [{ series: '中小学教师', specialty: '语文', titles: ['一级教师'] }, { series: '中小学教师', specialty: '数学', titles: ['一级教师'] }]],
  ], '退回告知（一次性告知）', [['[data-test=change-specialty]', '当前申报专业：中小学教师-语文-一级教师']]],
  // the applicant's returned record: the 退回告知 in the 编辑 form
  [person, '/library?type=work_history', [
    ['GET', /^\/achievement-types$/, () => ({ categories: [{ code: 'basic', label: '基本信息', types: ['work_history'] }], types: [WORK] })],
    ['GET', /^\/records\/stats$/, () => ({ counts: { returned: 1 }, types: [{ code: 'work_history', total: 1, approved: 0 }] })],
    ['GET', /^\/me\/profile$/, () => ({ binding_status: 'approved', unit: { name: '一中' } })],
    ['GET', /^\/records$/, () => ({ items: [returnedRecord], total: 1, counts: { all: 1, returned: 1 } })],
    ['GET', /^\/records\/9$/, () => returnedRecord],
    ['GET', /^\/records\/9\/return-notice$/, () => ({ record_id: 9, returned_by_unit_name: '一中', step_label: '单位审核', count: 2, items: [{ kind: 'opinion', kind_label: '退回意见', title: '一中', message: '请填写职务职责说明' }, { kind: 'rule', kind_label: '不满足的提交要求', section_label: '职务职责说明', message: '请输入 职务职责说明' }] })],
  ], '请填写职务职责说明', [[(p) => p.locator('[data-test=records] tbody tr').first().getByRole('button', { name: '编辑' }), '退回告知（一次性告知）']]],
]
let bad = 0
let n = 0
for (const [me, route, handlers, expect, steps = []] of screens) {
  const p = await b.newPage({ viewport: { width: 1366, height: 860 } })
  const errors = []
  p.on('pageerror', (e) => errors.push(e.message))
  p.on('console', (m) => { if (m.type() === 'error' || (m.type() === 'warning' && !/is about to be deprecated/.test(m.text()))) errors.push(m.text().slice(0, 200)) })
  await mockApp(p, [...(me ? [await signedIn(p, me)] : []), ...common, ...handlers])
  await p.goto(ORIGIN + route)
  let ok = await p.getByText(expect).first().waitFor({ timeout: 15000 }).then(() => true, () => false)
  const missing = ok ? [] : [expect]
  for (const [click, want] of steps) {
    if (!ok) break
    await p.waitForTimeout(300) // a drawer or dialog settles before the next click
    const target = typeof click === 'function' ? click(p) : p.locator(click).first()
    ok = await target.click({ timeout: 10000 }).then(() => true, () => false)
    ok = ok && await p.getByText(want).first().waitFor({ timeout: 10000 }).then(() => true, () => false)
    if (!ok) missing.push(`${typeof click === 'function' ? 'click' : click} → ${want}`)
  }
  await p.waitForTimeout(500)
  const name = `${++n}${route.replace(/\W+/g, '_')}`
  if (!ok || errors.length || process.env.SHOTS) await p.screenshot({ path: path.join(OUT, `screen${name}.png`), fullPage: true })
  if (!ok || errors.length) bad++
  console.log(ok ? 'OK ' : 'MISSING', route, missing.join(' ; '), errors.slice(0, 4).join(' | '))
  await p.close()
}
await b.close()
console.log(bad ? `${bad} screens failed (screenshots in ${OUT})` : 'screens passed')
process.exit(bad ? 1 : 0)
