// Shared helpers of the browser tests: Debian's Chromium through playwright-core, and
// small steps on Element Plus widgets. Every wait is on something observable.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'
export const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']

export async function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS })
}

/** A fresh browser profile (user-data dir) per role, as a real person's own browser. */
export async function persistent(outDir, name, viewport = { width: 1366, height: 860 }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `zc-${name}-`))
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport, locale: 'zh-CN', acceptDownloads: true,
  })
  context.setDefaultTimeout(Number(process.env.STEP_TIMEOUT || 30000))
  const page = context.pages()[0] || (await context.newPage())
  page.on('pageerror', (e) => console.log(`[${name}] page error: ${e.message}`))
  page.on('console', (m) => { if (m.type() === 'error') console.log(`[${name}] console: ${m.text()}`) })
  return { context, page, dir, name }
}

/** GB 11643 check character. */
export function idNumber(first17) {
  const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  let s = 0
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * W[i]
  return first17 + '10X98765432'[s % 11]
}

export function minimalPdf() {
  const body = '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n'
  return Buffer.from(body, 'latin1')
}

export async function login(page, base, username, password) {
  await page.goto(`${base}/login`)
  const form = page.getByRole('button', { name: '登录' })
  await form.or(page.locator('[data-test=who]')).first().waitFor({ state: 'attached' })
  if (!(await form.isVisible())) await logout(page) // still signed in: start a new session
  await page.getByPlaceholder('身份证号码 / 手机号码 / 用户名').fill(username)
  await page.getByPlaceholder('请输入密码').fill(password)
  await page.getByRole('button', { name: '登录' }).click()
  await page.locator('[data-test=who]').waitFor({ state: 'attached' })
}

export async function logout(page) {
  await page.getByRole('button', { name: '退出' }).click()
  await page.getByRole('button', { name: '登录' }).waitFor()
}

/** Pick an option of an el-select (the dropdown is teleported to the body). */
export async function choose(page, select, option) {
  await select.click()
  const item = page.locator('.el-select-dropdown__item:visible', { hasText: option }).first()
  await item.click()
  await item.waitFor({ state: 'hidden' }).catch(() => undefined)
}

export async function fillDate(locator, value) {
  await locator.click()
  await locator.fill(value)
  await locator.press('Enter')
  // the panel closes; make sure it does not cover the next widget
  await locator.evaluate((e) => e.blur())
  await locator.page().locator('.el-picker-panel:visible').first().waitFor({ state: 'hidden' }).catch(() => undefined)
  if ((await locator.inputValue()) !== value) throw new Error(`the date ${value} was not taken (${await locator.inputValue()})`)
}

export async function expectMessage(page, text) {
  await page.locator('.el-message', { hasText: text }).first().waitFor()
}

export async function confirmBox(page) {
  await page.locator('.el-message-box').getByRole('button', { name: '确定' }).click()
}

export function expect(condition, message) {
  if (!condition) throw new Error(message)
}

/** The input (or textarea) of a widget, whether the attribute landed on it or around it. */
export function inp(locator) {
  return locator.locator('xpath=descendant-or-self::*[self::input or self::textarea]').first()
}
