// Figures for docs/console.md and the README screenshots, against a running platform
// (bin/run): the JavaScript the first screen loads (gzipped), the time until the login
// screen is interactive, the time to render a page of the record list of a person with
// 500 records, and screenshots of the 任务中心 and the 个人业绩库 (docs/img/).
//   BASE_URL=http://127.0.0.1:8000 PERF_PERSON=<ID number of a person with 500 records> \
//   node e2e/measure.mjs
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { launch, login, persistent } from './lib.mjs'

const BASE = process.env.BASE_URL || 'http://127.0.0.1:8000'
const PASSWORD = process.env.PASSWORD || 'Demo@2026'
const IMG = process.env.IMG_DIR || path.resolve('..', 'docs', 'img')
const out = {}

const s = await persistent('/tmp', 'measure')
const p = s.page
// 1. the first screen: every script it loads, gzipped as served compressed
const scripts = new Map()
const runs = []
const browser = await launch()
for (let i = 0; i < 5; i++) {
  // a new context each time: an empty cache, as a first visit
  const ctx = await browser.newContext({ viewport: { width: 1366, height: 800 } })
  const q = await ctx.newPage()
  if (i === 0) q.on('response', async (r) => { if (r.request().resourceType() === 'script') scripts.set(r.url(), await r.body().catch(() => Buffer.alloc(0))) })
  await q.goto(`${BASE}/login`, { waitUntil: 'commit' })
  await q.getByRole('button', { name: '登录' }).waitFor()
  await q.getByPlaceholder('请输入密码').click() // it answers input: interactive
  runs.push({ perf_ms: Math.round(await q.evaluate(() => performance.now())) })
  await ctx.close()
}
await browser.close()
let raw = 0
let gz = 0
for (const body of scripts.values()) { raw += body.length; gz += zlib.gzipSync(body, { level: 9 }).length }
out.first_screen_scripts = scripts.size
out.first_screen_js_kb = Math.round(raw / 1024)
out.first_screen_js_gzip_kb = Math.round(gz / 1024)
out.first_screen_interactive_ms = runs.map((r) => r.perf_ms)
out.first_screen_interactive_median_ms = runs.map((r) => r.perf_ms).sort((a, b) => a - b)[2]

// 2. 个人业绩库 of a person with 500 records: a page of 200 rows (the API's largest page)
if (process.env.PERF_PERSON) {
  await login(p, BASE, process.env.PERF_PERSON, PASSWORD)
  await p.goto(`${BASE}/library?type=work_history`)
  await p.locator('[data-test=records] tbody tr').first().waitFor()
  const timings = []
  for (let i = 0; i < 3; i++) {
    await p.locator('.el-pagination .el-select').click()
    const t = await p.evaluate(() => performance.now())
    await p.locator('.el-select-dropdown__item:visible', { hasText: i % 2 ? '100条/页' : '200条/页' }).click()
    await p.locator(`[data-test=records][data-rows="${i % 2 ? 100 : 200}"]`).waitFor()
    await p.locator('[data-test=records] .el-loading-mask').waitFor({ state: 'hidden' }).catch(() => undefined)
    const done = await p.evaluate(() => performance.now())
    const rendered = Number(await p.locator('[data-test=render-ms]').textContent())
    timings.push({ rows: i % 2 ? 100 : 200, click_to_rows_ms: Math.round(done - t), render_ms: rendered })
  }
  out.records_total = Number((await p.locator('.el-pagination__total').textContent()).replace(/\D/g, ''))
  out.record_list = timings
  // the list component given 500 rows at once: the answer of page_size=200 widened in
  // the browser to 500 items (the API pages at most 200), so this is render time
  await p.route('**/api/v1/records?*', async (route) => {
    const response = await route.fetch()
    const body = await response.json()
    if (route.request().url().includes('page_size=50')) {
      const items = []
      for (let i = 0; items.length < 500; i++) items.push(...body.items.map((it) => ({ ...it, id: it.id * 1000 + i })))
      body.items = items.slice(0, 500)
    }
    await route.fulfill({ response, json: body })
  })
  await p.locator('.el-pagination .el-select').click()
  const t = await p.evaluate(() => performance.now())
  await p.locator('.el-select-dropdown__item:visible', { hasText: '50条/页' }).click()
  await p.locator('[data-test=records][data-rows="500"]').waitFor()
  await p.locator('[data-test=records] .el-loading-mask').waitFor({ state: 'hidden' }).catch(() => undefined)
  out.list_500_rows = { click_to_rows_ms: Math.round((await p.evaluate(() => performance.now())) - t), render_ms: Number(await p.locator('[data-test=render-ms]').textContent()) }
  await p.unroute('**/api/v1/records?*')
}

// 3. screenshots for the README
fs.mkdirSync(IMG, { recursive: true })
await p.setViewportSize({ width: 1366, height: 800 })
await login(p, BASE, process.env.LIBRARY_USER || '340104198503120035', PASSWORD)
await p.goto(`${BASE}/library?type=health_case`)
await p.locator('[data-test=records] tbody tr').first().waitFor()
await p.locator('[data-test=records] .el-loading-mask').waitFor({ state: 'hidden' }).catch(() => undefined)
await p.screenshot({ path: path.join(IMG, 'library.png') })
await login(p, BASE, process.env.TASKS_USER || 'demo_slyy', PASSWORD)
await p.goto(`${BASE}/tasks`)
await p.locator('[data-test=tasks] .el-table__body tr').first().waitFor()
await p.locator('[data-test=tasks] .el-loading-mask').waitFor({ state: 'hidden' }).catch(() => undefined)
await p.screenshot({ path: path.join(IMG, 'task-center.png') })

await s.context.close()
fs.rmSync(s.dir, { recursive: true, force: true })
console.log(JSON.stringify(out, null, 2))
