// The README's 任务中心 screenshot (docs/img/task-center.png) from the built console with
// the demo unit's answers played in the browser (e2e/mock.mjs), when no platform runs;
// e2e/measure.mjs takes the same picture against bin/run.
//   cd console && npx vite build && node e2e/screenshots-mock.mjs
import path from 'node:path'
import { launch } from './lib.mjs'
import { mockApp, ORIGIN, signedIn } from './mock.mjs'

const IMG = process.env.IMG_DIR || path.resolve('..', 'docs', 'img')
const me = { account_id: 2, username: 'demo_slyy', name: '安徽省立医院管理员', role: 'unit_admin', roles: ['unit_admin'], person_id: null, unit_id: 3, unit: { unit_id: 3, name: '安徽省立医院', kind: 'employer', kind_label: '用人单位' } }
const at = '2026-12-07T00:09:00+08:00'
const task = (id, kind_label, title, applicant_name, status = 'unclaimed', status_label = '待领取') => ({ id, kind: 'record', kind_label, title, applicant_name, step_label: '单位审核', submitted_at: at, status, status_label })
const items = [
  task(1, '人员注册审核', '李晓梅 申请绑定单位：安徽省立医院', '李晓梅'),
  task(2, '业绩审核', '卫生-病案·ZY20230102', '吴康金'),
  task(3, '业绩审核', '卫生-论文·急性心肌梗死急诊PCI术后规范化管理', '吴康金'),
  task(4, '职称申报', '安徽省立医院 陈立新 申报卫生技术人员系列-呼吸内科专业-副主任医师职称', '陈立新'),
]
const browser = await launch()
const page = await browser.newPage({ viewport: { width: 1366, height: 800 } })
await mockApp(page, [await signedIn(page, me), ['GET', /^\/tasks$/, () => ({ items, total: 4, counts: { todo: 0, unclaimed: 4, done_by_me: 9, done: 9 } })]])
await page.goto(`${ORIGIN}/tasks`)
await page.locator('[data-test=tasks] .el-table__body tr').nth(3).waitFor()
await page.locator('[data-test=tasks] .el-loading-mask').waitFor({ state: 'hidden' }).catch(() => undefined)
await page.screenshot({ path: path.join(IMG, 'task-center.png') })
await browser.close()
console.log(`wrote ${path.join(IMG, 'task-center.png')}`)
