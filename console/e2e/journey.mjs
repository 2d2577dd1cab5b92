// The browser journey of issue 18 against a running platform (BASE_URL), with the unit
// hierarchy of SETUP (a JSON file written by tests/console/test_console_browser.py):
//   the applicant registers (ID number checked as typed) and asks to bind in 个人中心;
//   the school approves the binding in the 任务中心; the applicant adds a 工作经历 with
//   evidence (uploaded straight to storage) and a 论文发表情况 and submits both; the school
//   approves both with 批量审核; a third record is returned with an opinion, which the
//   applicant sees, corrects and submits again; the HR department creates and publishes a
//   plan; the applicant declares (承诺书, imported records, check, 提交); the school writes
//   its recommendation and approves, the competent department, HR and the organiser
//   approve; the applicant downloads the 评审表.
// Failures leave screenshots of every open page in OUT_DIR.
import fs from 'node:fs'
import path from 'node:path'
import { choose, confirmBox, expect, expectMessage, fillDate, idNumber, inp, login, logout, minimalPdf, persistent } from './lib.mjs'

const BASE = process.env.BASE_URL || 'http://127.0.0.1:8000'
const OUT = process.env.OUT_DIR || fs.mkdtempSync('/tmp/zc-e2e-')
const setup = JSON.parse(fs.readFileSync(process.env.SETUP, 'utf8'))
const PASSWORD = setup.password
const TAG = Math.random().toString(36).slice(2, 7) // names this run's plan
fs.mkdirSync(OUT, { recursive: true })

const sessions = []
const metrics = {}
let step = 'start'
function log(message) {
  step = message
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`)
}

async function until(page, predicate, what, timeout = 30000) {
  const deadline = Date.now() + timeout
  for (;;) {
    if (await predicate()) return
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await page.waitForLoadState('networkidle').catch(() => undefined)
  }
}

/** Open the 任务中心 box and wait until a task whose title contains `text` is listed. */
async function findTask(page, text, box = 'unclaimed') {
  await page.goto(`${BASE}/tasks`)
  const row = page.locator('[data-test=tasks] .el-table__body tr', { hasText: text }).first()
  await until(page, async () => {
    await page.locator(`[data-box=${box}]`).click()
    await page.locator('[data-test=tasks] .el-loading-mask').waitFor({ state: 'hidden' }).catch(() => undefined)
    return row.isVisible()
  }, `the task “${text}” in ${box}`)
  return row
}

async function decideTask(page, text, action, opinion, before) {
  const row = await findTask(page, text)
  await row.getByRole('button', { name: '审核' }).click()
  const drawer = page.locator('.el-drawer')
  await drawer.locator('[data-test=decision]').waitFor()
  if (before) await before(drawer)
  await drawer.locator('[data-test=decision]').getByText(action, { exact: true }).click()
  if (opinion) await inp(drawer.locator('[data-test=opinion]')).fill(opinion)
  await drawer.locator('[data-test=decide]').click()
  await drawer.waitFor({ state: 'hidden' }) // closed once decided; an error keeps it open
  await expectMessage(page, action === '通过' ? '已通过' : `已${action}`)
}

async function recordForm(page, typeLabel, category) {
  await page.goto(`${BASE}/library`)
  const item = page.locator('[data-test=type-menu] .el-menu-item', { hasText: typeLabel })
  await page.locator('[data-test=type-menu]').getByText(category, { exact: true }).waitFor()
  if (!(await item.isVisible())) await page.locator('[data-test=type-menu]').getByText(category, { exact: true }).click()
  await item.click()
  await page.locator('[data-test=type-title]', { hasText: typeLabel }).waitFor()
  await page.locator('[data-test=add]').click()
  const dialog = page.locator('.el-dialog', { hasText: `添加${typeLabel}` })
  await dialog.waitFor()
  return dialog
}


/** The sections of the 卫生系列 评审表 (重庆), as deploy/demo.py fills them, with the
 * applicant's own session: the console does not edit them yet. */
async function fillHealthSections(page, did) {
  const token = await page.evaluate(() => sessionStorage.getItem('zc.token'))
  const headers = { Authorization: `Bearer ${token}` }
  const call = async (method, url, data) => {
    const r = await page.request.fetch(`${BASE}/api/v1${url}`, { method, headers, data })
    if (!r.ok()) throw new Error(`${method} ${url} answered ${r.status()}: ${await r.text()}`)
    return r.status() === 204 ? null : r.json()
  }
  const upload = async (slot, name) => {
    const pdf = minimalPdf()
    const t = await call('POST', '/files/uploads', { slot, file_name: name, size: pdf.length, bundle: `declaration:${did}` })
    // the ticket's presigned POST form: the policy fields, the file last
    const post = await page.request.post(t.form.url, { multipart: { ...t.form.fields, file: { name, mimeType: 'application/pdf', buffer: pdf } } })
    if (!post.ok()) throw new Error(`storage answered ${post.status()}: ${await post.text()}`)
    return (await call('POST', `/files/${t.file_id}/complete`)).id
  }
  const base = `/declarations/${did}/health`
  const put = (code, body) => call('PUT', `${base}/${code}`, body)
  const year = new Date().getFullYear()
  await put('cover', { form_category: '临床', declaration_type: '正常晋升' })
  const school = { school: '安徽医科大学', major: '临床医学', duration: '5年', graduated_on: '2012-07', certificate_no: '103661201205000123' }
  await put('basic', {
    ethics_satisfaction: 98, rural_support_years: 1, continuing_education: '合格', research_direction: '冠心病介入治疗',
    frontline: false, aided_hubei: false, phone: '13900000000', current_title: '住院医师', current_title_detail: '住院医师，2015年取得',
    employed_title: '2015年12月聘用为住院医师', years_in_title: '8', practice_qualification: '2013年取得执业医师资格，临床类别',
    practice_certificate: '2013年取得医师执业证书，执业范围：内科专业', specialty_work: '内科临床医疗工作', admin_post: '无', societies: '无',
    education: { ...school, name: '大学本科' }, degree: { ...school, name: '医学学士' },
  })
  await put('assessments', { rows: [year - 3, year - 2, year - 1].map((y) => ({ year: y, result: '合格' })) })
  await put('study', { rows: [{ period: '2007.09-2012.07', content: '安徽医科大学临床医学专业学习', place: '合肥市', certificate_no: '103661201205000123' }] })
  await put('work', { rows: [{ period: '2012.08-至今', unit: setup.school.name, work: '内科临床医疗工作', title: '住院医师' }] })
  await put('achievements_before', { rows: [{ period: '2013.01-2015.12', name: '心内科规范化培训', role: '参与', result: '结业' }] })
  await put('achievements', { rows: [{ period: '2019.01-2021.12', name: '胸痛中心建设', role: '主要参与', result: '救治时间缩短30%', evidence_file_id: await upload('cq_current_work', '业绩印证材料.pdf') }] })
  const view = await call('GET', base)
  const workload = view.sections.workload
  await put('workload', {
    years: workload.years, file_id: await upload('cq_workload', '工作量.pdf'),
    rows: workload.rows.map((row, i) => ({ id: row.id, item: row.item, publicity: i % 2 === 0, values: workload.years.map(() => '120') })),
  })
  await put('papers', { rows: [{ date: '2021.05', title: '胸痛中心建设实践', content: '总结经验', venue: '安徽医学，2021年第5期', rank: '1', evidence_file_id: await upload('cq_paper', '论文.pdf') }] })
  if (view.exam_applicable) {
    await put('exam', { mode: '参加考试', date: `${year}-05-18`, name: '卫生专业技术资格考试', specialty: '内科学', score: '82', organiser: '国家卫生健康委员会', evidence_file_id: await upload('cq_exam_score', '成绩证明.pdf') })
  }
  await put('summary', { work_summary_file_id: await upload('cq_work_summary', '工作总结.pdf'), clinical_assessment_file_id: await upload('cq_clinical_assessment', '临床能力考核鉴定.pdf') })
  await put('others', { rows: [{ label: '进修结业证书', file_id: await upload('cq_other', '进修结业证书.pdf') }] })
  await put('archive', { content: view.archive_template, file_id: await upload('cq_archive_check', '查档情况.pdf') })
  const day = (n) => new Date(Date.now() - n * 86400000).toISOString().slice(0, 10)
  await put('integrity', { publicity_from: day(12), publicity_to: day(6), checked: [], other: '无', explanation: '无' })
}

async function main() {
  // ------------------------------------------------------------------ 注册, 选择单位
  log('applicant registers')
  const person = await persistent(OUT, 'applicant', { width: 390, height: 844 }) // a phone
  sessions.push(person)
  const p = person.page
  const started = Date.now()
  await p.goto(`${BASE}/login`)
  await p.getByRole('button', { name: '登录' }).waitFor()
  metrics.first_screen_ms = Date.now() - started
  metrics.first_screen_perf = await p.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0]
    return { dom_content_loaded_ms: Math.round(nav.domContentLoadedEventEnd), load_ms: Math.round(nav.loadEventEnd), now_ms: Math.round(performance.now()) }
  })
  await p.getByRole('link', { name: '个人注册' }).click()
  const first17 = `340104199001${String(10 + Math.floor(Math.random() * 18)).padStart(2, '0')}${String(100 + Math.floor(Math.random() * 800))}`
  const goodId = idNumber(first17)
  const badId = first17 + (goodId[17] === '1' ? '2' : '1')
  await p.locator('input[name=id_number]').fill(badId)
  await p.getByText('证件号码校验位错误').waitFor() // checked as typed
  await p.locator('input[name=id_number]').fill(goodId)
  await p.getByText('证件号码校验位错误').waitFor({ state: 'detached' })
  await p.locator('input[name=real_name]').fill('林晓东')
  const mobile = `139${String(Date.now()).slice(-8)}`
  await p.locator('input[name=mobile]').fill(mobile)
  await p.locator('input[name=password]').fill(PASSWORD)
  await p.locator('input[name=password2]').fill(PASSWORD)
  await choose(p, p.locator('[data-test=political_status]'), '群众')
  await choose(p, p.locator('[data-test=ethnicity]'), '汉族')
  await p.locator('input[name=email]').fill('lin@example.com')
  await p.locator('input[name=address]').fill('安徽省合肥市蜀山区')
  await fillDate(p.locator('.el-form-item', { hasText: '工作时间' }).locator('input'), '2012-08-01')
  await choose(p, p.locator('[data-test=education]'), '大学本科')
  await p.getByRole('button', { name: '提交' }).click()
  await expectMessage(p, '注册成功')

  log('applicant asks to bind in 个人中心')
  await login(p, BASE, goodId, PASSWORD)
  await p.goto(`${BASE}/profile`)
  await p.locator('[data-test=binding-state]', { hasText: '尚未绑定' }).waitFor()
  await p.locator('[data-test=change-unit]').click()
  await inp(p.locator('[data-test=unit-search]')).fill(setup.school.name)
  await p.locator('.el-dialog', { hasText: '选择单位' }).getByRole('button', { name: '查询' }).click()
  await p.locator('.el-dialog', { hasText: '选择单位' }).locator('tr', { hasText: setup.school.name }).getByRole('button', { name: '选择' }).click()
  await p.locator('.el-dialog', { hasText: '申请绑定单位' }).locator('textarea').fill('本人为该校在职教师')
  await p.locator('.el-dialog', { hasText: '申请绑定单位' }).getByRole('button', { name: '提交' }).click()
  await p.locator('[data-test=binding-state]', { hasText: '等待单位审核' }).waitFor()

  // ------------------------------------------------------------------ 单位审核绑定
  log('school approves the binding in the task center')
  const school = await persistent(OUT, 'school')
  sessions.push(school)
  const s = school.page
  await login(s, BASE, setup.school.admin, PASSWORD)
  await decideTask(s, '林晓东 申请绑定单位', '通过')

  log('applicant sees the binding approved')
  await login(p, BASE, goodId, PASSWORD) // the approval ends the sessions; a new one carries the unit
  await p.goto(`${BASE}/profile`)
  await until(p, async () => {
    await p.reload()
    return p.locator('[data-test=binding-state]', { hasText: `已绑定：${setup.school.name}` }).waitFor({ timeout: 5000 }).then(() => true, () => false)
  }, 'the approved binding')

  // ------------------------------------------------------------------ 业绩: 工作经历 with evidence
  log('applicant adds a 工作经历 with evidence and submits it')
  let d = await recordForm(p, '工作经历', '基本信息')
  await inp(d.locator('[data-field=unit_name]')).fill(setup.school.name)
  await fillDate(inp(d.locator('[data-field=start_date]')), '2012-08-01')
  await d.locator('[data-field=until_now] .el-checkbox').click()
  await inp(d.locator('[data-field=specialty]')).fill('中学语文')
  await inp(d.locator('[data-field=position]')).fill('语文教师')
  await d.getByText('只能上传png/jpg/pdf文件，且不超过2MB，且最多只能上传5个文件').waitFor() // the slot's rule
  await d.locator('[data-test=evidence-input]').setInputFiles({ name: '聘用合同.pdf', mimeType: 'application/pdf', buffer: minimalPdf() })
  await d.getByText('聘用合同.pdf').waitFor()
  await d.locator('[data-test=save-submit]').click()
  await d.waitFor({ state: 'hidden' })
  await p.locator('[data-test=records] tbody tr', { hasText: '审核中' }).first().waitFor()

  log('applicant adds a 论文发表情况 and submits it')
  d = await recordForm(p, '论文发表情况', '论文著作科研')
  await d.locator('[data-test=save-submit]').click()
  await d.locator('[data-field=title]', { hasText: '请输入论文名称' }).waitFor() // required marks
  await inp(d.locator('[data-field=title]')).fill('核心素养导向的中学语文阅读教学研究')
  await fillDate(inp(d.locator('[data-field=publish_date]')), '2021-05-10')
  await inp(d.locator('[data-field=journal]')).fill('语文建设')
  await choose(p, d.locator('[data-field=level] .el-select'), '国内期刊')
  const rank = d.locator('[data-field=ranking]').locator('input')
  await rank.nth(0).fill('1')
  await rank.nth(1).fill('2')
  await d.locator('[data-test=evidence-input]').setInputFiles({ name: '论文_林晓东_20210510.pdf', mimeType: 'application/pdf', buffer: minimalPdf() })
  await d.getByText('论文_林晓东_20210510.pdf').waitFor()
  await d.locator('[data-test=save-submit]').click()
  await d.waitFor({ state: 'hidden' })
  await p.locator('[data-test=records] tbody tr', { hasText: '核心素养' }).getByText('审核中').waitFor()

  log('applicant adds a second 工作经历 (to be returned)')
  d = await recordForm(p, '工作经历', '基本信息')
  await inp(d.locator('[data-field=unit_name]')).fill('合肥市第四十五中学')
  await fillDate(inp(d.locator('[data-field=start_date]')), '2008-08-01')
  await fillDate(inp(d.locator('[data-field=end_date]')), '2012-07-31')
  await inp(d.locator('[data-field=specialty]')).fill('中学语文')
  await inp(d.locator('[data-field=position]')).fill('语文教师')
  await d.locator('[data-test=save-submit]').click()
  await d.waitFor({ state: 'hidden' })

  // ------------------------------------------------------------------ 批量审核, 退回
  log('school returns one record with an opinion')
  await decideTask(s, '合肥市第四十五中学', '退回', '请填写职务职责说明')

  log('school approves the other two with 批量审核')
  await findTask(s, '核心素养')
  await s.locator('[data-test=tasks] .el-table__body tr', { hasText: `工作经历·${setup.school.name}` }).locator('.el-checkbox').click()
  await s.locator('[data-test=tasks] .el-table__body tr', { hasText: '核心素养' }).locator('.el-checkbox').click()
  await s.locator('[data-test=batch]', { hasText: '2' }).click()
  await inp(s.locator('.el-dialog', { hasText: '批量审核' }).locator('[data-test=batch-opinion]')).fill('材料属实，同意')
  await s.locator('[data-test=batch-confirm]').click()
  await expectMessage(s, '批量审核完成：成功 2 条')
  await s.locator('[data-box=done_by_me]').click()
  await s.locator('[data-test=tasks] tr', { hasText: '核心素养' }).waitFor()

  log('applicant sees the opinion, corrects and submits again')
  await p.goto(`${BASE}/library?type=work_history`)
  await p.locator('[data-test=type-title]', { hasText: '工作经历' }).waitFor()
  const returned = p.locator('[data-test=records] tbody tr', { hasText: '合肥市第四十五中学' })
  await until(p, async () => {
    await p.getByRole('button', { name: '查询' }).click()
    return returned.getByText('退回').first().isVisible()
  }, 'the returned record')
  await returned.getByText('请填写职务职责说明').waitFor()
  await returned.getByRole('button', { name: '编辑' }).click()
  d = p.locator('.el-dialog', { hasText: '编辑工作经历' })
  // the 退回告知 (一次性告知) where the record is corrected: the opinion among the items
  await d.locator('[data-test=return-notice]', { hasText: '请填写职务职责说明' }).waitFor()
  await inp(d.locator('[data-field=duties]')).fill('担任高一年级语文教学工作')
  await d.locator('[data-test=save-submit]').click()
  await d.waitFor({ state: 'hidden' })
  await returned.getByText('审核中').waitFor()
  await decideTask(s, '合肥市第四十五中学', '通过')

  // ------------------------------------------------------------------ 评审计划
  log('HR department creates and publishes a plan')
  const hr = await persistent(OUT, 'hr')
  sessions.push(hr)
  const h = hr.page
  await login(h, BASE, setup.hr.admin, PASSWORD)
  await h.goto(`${BASE}/plans`)
  await h.locator('[data-test=new-plan]').click()
  const pd = h.locator('.el-dialog', { hasText: '新建评审计划' })
  const year = new Date().getFullYear()
  await inp(pd.locator('[data-field=name]')).fill(`${year}年度合肥市卫生系列中级职称评审（${TAG}）`)
  await inp(pd.locator('[data-field=committee]')).fill('合肥市卫生系列中级职称评审委员会')
  await pd.getByText('中级', { exact: true }).click()
  await inp(pd.locator('[data-field=series]')).fill('卫生技术人员')
  await inp(pd.locator('[data-field=specialties]')).fill('心血管内科，呼吸内科')
  await inp(pd.locator('[data-field=titles]')).fill('主治医师')
  await choose(h, pd.locator('[data-test=organiser]'), setup.organiser.name)
  await pd.locator('[data-test=add-section]').click()
  const sec = pd.locator('.sec').nth(1)
  await sec.locator('input').first().fill('论文')
  await choose(h, pd.locator('[data-test=section-types-1]'), '论文发表情况')
  await h.keyboard.press('Escape').catch(() => undefined)
  await pd.locator('[data-test=save-plan]').click()
  await expectMessage(h, '评审计划已保存')
  const planRow = h.locator('[data-test=plans-admin] tr', { hasText: `（${TAG}）` })
  await planRow.getByRole('button', { name: '发布' }).click()
  await planRow.getByText('已发布').waitFor()

  // ------------------------------------------------------------------ 职称申报
  log('applicant declares with the pledge and imported records')
  await p.goto(`${BASE}/declarations`)
  const planLine = p.locator('[data-test=plans] tr', { hasText: `（${TAG}）` })
  await planLine.getByRole('button', { name: '马上申报' }).click()
  const dd = p.locator('.el-dialog', { hasText: '马上申报' })
  await dd.locator('[data-test=pledge]', { hasText: '本人' }).waitFor()
  await choose(p, dd.locator('[data-test=specialty]'), '心血管内科')
  await choose(p, dd.locator('[data-test=title]'), '主治医师')
  await dd.locator('[data-test=declare-confirm]').click()
  await expectMessage(p, '请阅读并同意诚信承诺书') // the pledge is required
  await dd.locator('[data-test=pledge-accept]').click()
  await dd.locator('[data-test=declare-confirm]').click()
  await p.locator('[data-test=declaration-status]', { hasText: '编辑中' }).waitFor()

  await p.locator('[data-test=check]').click()
  await p.locator('[data-test=check-result]', { hasText: '工作经历为必填项' }).waitFor() // every problem listed
  const problems = await p.locator('[data-test=check-result] li').count()
  expect(problems >= 2, `the check should list every problem, saw ${problems}`)

  await inp(p.locator('[data-field=former_name]')).fill('无')
  await inp(p.locator('[data-field=birthplace]')).fill('安徽省合肥市')
  await p.locator('.personal .el-form-item', { hasText: '工作年限' }).locator('input').fill('14')
  await p.locator('.personal .el-form-item', { hasText: '专业年限' }).locator('input').fill('14')
  for (const label of ['民族', '政治面貌']) {
    const input = p.locator('.personal .el-form-item', { hasText: label }).locator('input')
    if (!(await input.inputValue())) await input.fill(label === '民族' ? '汉族' : '群众')
  }
  const started2 = p.locator('.personal .el-form-item', { hasText: '参加工作时间' }).locator('input')
  if (!(await started2.inputValue())) await fillDate(started2, '2012-08-01')
  await p.locator('[data-test=save-personal]').click()
  await expectMessage(p, '个人信息已保存')

  for (const [code, count, typeLabel] of [['work', 2, '工作经历'], ['s2', 1, '论文发表情况']]) {
    await p.locator(`[data-test=import-${code}]`).click()
    const imp = p.locator('.el-dialog', { hasText: '导入：' })
    await imp.locator('[data-test=import-candidates] .el-table__body tr', { hasText: typeLabel }).first().waitFor()
    await expect((await imp.locator('[data-test=import-candidates] .el-table__body tr').count()) === count, `${count} records to import into ${code}`)
    await imp.locator('[data-test=import-candidates] .el-table__header .el-checkbox').click()
    await imp.locator('[data-test=import-confirm]').click()
    await imp.waitFor({ state: 'hidden' })
    await p.locator(`[data-section=${code}]`).getByText(`已导入 ${count} 项`).waitFor()
  }
  log('applicant chooses the 填报表格类别 in the 重庆卫生系列评审表 editor')
  const healthCover = p.locator('[data-section=health-cover]')
  await choose(p, healthCover.locator('.el-select').first(), '临床')
  await healthCover.locator('[data-test=health-save-cover]').click()
  await expectMessage(p, '填报表格类别已保存')
  await p.locator('[data-test=health]').getByText('学习培训经历（0').waitFor()
  log('the other review-form sections through the API (the browser test does not drive every section)')
  await fillHealthSections(p, Number(new URL(p.url()).pathname.split('/').pop()))
  await p.locator('[data-test=check]').click()
  await p.locator('[data-test=check-result]', { hasText: '申报条件检查通过' }).waitFor()
  await p.locator('[data-test=submit-declaration]').click()
  await confirmBox(p)
  await expectMessage(p, '已提交')
  await p.locator('[data-test=declaration-status]', { hasText: '审核中' }).waitFor()

  // ------------------------------------------------------------------ the chain
  log('school writes its recommendation and approves the declaration')
  await decideTask(s, '林晓东', '通过', '同意推荐', async (drawer) => {
    await inp(drawer.locator('[data-test=rec-opinion]')).fill('该同志师德高尚，教学成绩突出，同意推荐。')
    await drawer.locator('[data-test=recommendation]').getByText('不占用', { exact: true }).click()
    await drawer.locator('[data-test=recommendation] .el-form-item', { hasText: '说明' }).locator('input').fill('本单位非事业单位')
    await drawer.locator('[data-test=rec-save]').click()
    await expectMessage(s, '单位推荐意见已保存')
  })
  log('school enters the publicity result in 申报情况 and exports the 花名册')
  await s.goto(`${BASE}/unit-declarations`)
  const drow = s.locator('[data-test=declarations] .el-table__body tr', { hasText: '林晓东' }).first()
  await drow.waitFor()
  await drow.locator('.el-checkbox').first().click()
  await s.locator('[data-test=publicity-selected]').click()
  const pubDialog = s.locator('.el-dialog', { hasText: '公示信息添加' })
  await pubDialog.waitFor()
  const day = (n) => new Date(Date.now() - n * 86400000).toISOString().slice(0, 10)
  await fillDate(pubDialog.getByPlaceholder('开始日期'), day(7))
  await fillDate(pubDialog.getByPlaceholder('结束日期'), day(1))
  await pubDialog.getByText('无异议', { exact: true }).click()
  await pubDialog.locator('[data-test=publicity-confirm]').click()
  await expectMessage(s, '已录入 1 人的公示信息')
  await s.locator('[data-test=roster]').click()
  const rosterDialog = s.locator('.el-dialog', { hasText: '导出花名册' })
  const [rosterAnswer] = await Promise.all([
    s.waitForResponse((r) => r.url().endsWith('/api/v1/rosters') && r.request().method() === 'POST'),
    rosterDialog.locator('[data-test=roster-confirm]').click(),
  ])
  expect(rosterAnswer.status() === 201, `the 花名册 answered ${rosterAnswer.status()}: ${await rosterAnswer.text()}`)
  const roster = await rosterAnswer.json()
  expect(roster.rows >= 1 && /\.xlsx$/.test(roster.file_name), `the 花名册 has ${roster.rows} rows (${roster.file_name})`)
  await s.locator('[data-test=jobs] [data-state=done]', { hasText: '导出花名册' }).waitFor()
  for (const [who, label] of [['edu', '主管部门'], ['hr', '人社部门'], ['organiser', '组建单位']]) {
    log(`${label} approves`)
    const unit = who === 'hr' ? hr : await persistent(OUT, who)
    if (who !== 'hr') sessions.push(unit)
    if (who !== 'hr') await login(unit.page, BASE, setup[who].admin, PASSWORD)
    await decideTask(unit.page, '林晓东', '通过', '同意')
  }

  log('HR reads the publicity result in 申报情况')
  await hr.page.goto(`${BASE}/unit-declarations`)
  await hr.page.locator('[data-test=declarations] .el-table__body tr', { hasText: '林晓东' }).first().getByRole('button', { name: '查看' }).click()
  await hr.page.locator('[data-test=publicity-result]', { hasText: '无异议' }).waitFor()

  // ------------------------------------------------------------------ 评审表
  log('applicant sees the approval and downloads the 评审表')
  await p.goto(`${BASE}/declarations`)
  await p.getByRole('tab', { name: /我的申报/ }).click()
  await p.locator('[data-test=my-declarations] tr', { hasText: '审核通过' }).getByRole('button', { name: '查看' }).click()
  await p.locator('[data-test=declaration-status]', { hasText: '审核通过' }).waitFor()
  const [answer] = await Promise.all([
    p.waitForResponse((r) => r.url().includes('/printouts/review-form') && r.request().method() === 'POST'),
    p.locator('[data-test=print-review-form]').click(),
  ])
  expect(answer.status() === 201, `the 评审表 answered ${answer.status()}: ${await answer.text()}`)
  const link = await answer.json()
  const pdf = await p.request.get(link.url)
  const bytes = await pdf.body()
  expect(pdf.ok() && bytes.subarray(0, 5).toString() === '%PDF-', 'the 评审表 download is not a PDF')
  fs.writeFileSync(path.join(OUT, link.file_name || 'review-form.pdf'), bytes)
  log(`downloaded ${link.file_name} (${bytes.length} bytes)`)
}

let failed = false
try {
  await main()
} catch (exc) {
  failed = true
  console.log(`FAILED at step “${step}”: ${exc && exc.stack ? exc.stack : exc}`)
  for (const sess of sessions) {
    for (const [i, pg] of sess.context.pages().entries()) {
      const file = path.join(OUT, `failure-${sess.name}-${i}.png`)
      await pg.screenshot({ path: file, fullPage: true }).catch(() => undefined)
      console.log(`screenshot: ${file} (${pg.url()})`)
    }
  }
} finally {
  fs.writeFileSync(path.join(OUT, 'metrics.json'), JSON.stringify(metrics, null, 2))
  for (const sess of sessions) {
    await sess.context.close().catch(() => undefined)
    fs.rmSync(sess.dir, { recursive: true, force: true })
  }
}
console.log(failed ? 'journey failed' : `journey passed; metrics ${JSON.stringify(metrics)}`)
process.exit(failed ? 1 : 0)
