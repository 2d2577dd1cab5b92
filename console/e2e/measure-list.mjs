// The 个人业绩库 list of a person with 500 records, measured in Chromium against the built
// console (DIST, default console/dist) with the API answered in the browser (e2e/mock.mjs):
// the render alone, without the platform's own time. For each page size: the time from
// the click to the rows in the DOM (request answered at once) and the page's own render
// figure (answer → the frame after the rows are in the DOM), median of RUNS.
//   cd console && npx vite build && node e2e/measure-list.mjs
import { launch } from './lib.mjs'
import { mockApp, ORIGIN, signedIn } from './mock.mjs'

const RUNS = Number(process.env.RUNS || 7)
const TOTAL = 500
const me = { account_id: 1, username: '340104198503120035', name: '王敏', role: 'person', roles: ['person'], person_id: 1, unit_id: 1, unit: null }
const base = { options: [], max_length: null, min: null, max: null, unit: '', help: '', places: null, format: '', required: false }
const TYPE = {
  code: 'work_history', label: '工作经历', category: 'basic', category_label: '基本信息', title_field: 'unit_name',
  fields: [{ ...base, key: 'unit_name', label: '工作单位名称', kind: 'text' }, { ...base, key: 'start_date', label: '开始日期', kind: 'date' },
    { ...base, key: 'end_date', label: '结束日期', kind: 'date' }, { ...base, key: 'until_now', label: '至今', kind: 'bool' }, { ...base, key: 'specialty', label: '从事专业', kind: 'text' }],
  columns: [{ label: '工作单位名称', fields: ['unit_name'] }, { label: '起止时间', fields: ['start_date', 'end_date', 'until_now'] }, { label: '从事专业', fields: ['specialty'] },
    { label: '审核状态', system: 'status', fields: [] }, { label: '申报日期', system: 'submitted_at', fields: [] }],
  query_fields: ['unit_name'], query_hint: '请输入单位名称进行查询', evidence_slot: 'work_history', evidence_required: false, evidence: [], rules: [], health_only: false, features: {},
}
const STATUSES = [['draft', '编辑中', ['edit', 'delete', 'submit']], ['submitted', '审核中', ['withdraw']], ['approved', '审核通过', ['withdraw']], ['returned', '退回', ['edit', 'delete', 'submit']]]
const records = Array.from({ length: TOTAL }, (_, i) => {
  const [status, label, actions] = STATUSES[i % 4]
  return { id: i + 1, type: 'work_history', type_label: '工作经历', title: `合肥市第${i + 1}中学`, status, status_label: label, actions, opinion: status === 'returned' ? '请补充佐证材料' : null,
    columns: { unit_name: `合肥市第${i + 1}中学`, start_date: '2012-08-01', end_date: i % 3 ? '2018-07-31' : null, until_now: !(i % 3), specialty: '中学数学教学' },
    source: 'user', source_label: '用户申报', submitted_at: '2026-11-20T08:00:00Z', created_at: '2026-11-01T08:00:00Z' }
})
const handlers = [
  ['GET', /^\/achievement-types$/, () => ({ categories: [{ code: 'basic', label: '基本信息', types: ['work_history'] }], types: [TYPE] })],
  ['GET', /^\/records\/stats$/, () => ({ counts: { all: TOTAL, draft: 125, submitted: 125, approved: 125, returned: 125, terminated: 0 }, categories: [], types: [{ code: 'work_history', label: '工作经历', category: 'basic', total: TOTAL, approved: 125 }] })],
  ['GET', /^\/me\/profile$/, () => ({ binding_status: 'approved', unit: { name: '合肥市第一中学' } })],
  ['GET', /^\/records$/, (m, req, url) => {
    const size = Number(url.searchParams.get('page_size') || 20)
    const page = Number(url.searchParams.get('page') || 1)
    // WIDE=1: the answer widened to all 500 rows (the API pages at most 200)
    const items = process.env.WIDE && size === 200 ? records : records.slice((page - 1) * size, page * size)
    return { items, total: TOTAL, counts: { all: TOTAL, draft: 125, submitted: 125, approved: 125, returned: 125, terminated: 0 }, page, page_size: size }
  }],
]

const browser = await launch()
const results = {}
for (const size of [20, 50, 100, 200]) {
  const clicks = []
  const renders = []
  const patches = []
  for (let r = 0; r < RUNS; r++) {
    const page = await browser.newPage({ viewport: { width: 1366, height: 860 } })
    await mockApp(page, [await signedIn(page, me), ...handlers])
    await page.goto(`${ORIGIN}/library?type=work_history`)
    await page.locator('[data-test=records] tbody tr').nth(19).waitFor()
    await page.locator('.el-pagination .el-select').click()
    const t = await page.evaluate(() => performance.now())
    await page.locator('.el-select-dropdown__item:visible', { hasText: `${size}条/页` }).click()
    const rows = process.env.WIDE && size === 200 ? TOTAL : size
    await page.locator(`[data-test=records][data-rows="${rows}"] tbody tr`).first().waitFor()
    await page.waitForFunction(() => document.querySelector('[data-test=render-ms]'))
    await page.locator('[data-test=records] .el-loading-mask').waitFor({ state: 'hidden' }).catch(() => undefined)
    clicks.push(Math.round((await page.evaluate(() => performance.now())) - t))
    renders.push(Number(await page.locator('[data-test=render-ms]').textContent()))
    patches.push(Number(await page.locator('[data-test=render-ms]').getAttribute('data-patch')))
    await page.close()
  }
  const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]
  const rows = process.env.WIDE && size === 200 ? TOTAL : size
  results[`${rows} rows`] = { click_to_rows_ms: med(clicks), render_ms: med(renders), vue_patch_ms: med(patches), runs: renders }
}
await browser.close()
console.log(JSON.stringify(results, null, 2))
