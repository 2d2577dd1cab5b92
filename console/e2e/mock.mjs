// The built console (DIST, default console/dist) in Chromium with a scripted API: every
// file is answered from the build (history-mode fallback to index.html) and /api/v1 from
// `handlers` — for render measurements and screen checks that need no platform.
import fs from 'node:fs'
import path from 'node:path'

export const ORIGIN = 'http://console.local'
const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.ico': 'image/x-icon' }

/** handlers: [[method, RegExp of the path after /api/v1, (match, request) => body | {status, body}]] */
export async function mockApp(page, handlers, dist = process.env.DIST || path.resolve('dist')) {
  await page.route(`${ORIGIN}/**`, async (route) => {
    const req = route.request()
    const url = new URL(req.url())
    if (url.pathname.startsWith('/api/v1/')) {
      const rel = url.pathname.slice('/api/v1'.length)
      for (const [method, re, fn] of handlers) {
        const m = rel.match(re)
        if (m && method === req.method()) {
          const out = await fn(m, req, url)
          const status = out && out.__status ? out.__status : 200
          const body = out && out.__status ? out.body : out
          return route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body ?? null) })
        }
      }
      return route.fulfill({ status: 404, contentType: 'application/json', body: JSON.stringify({ error: { code: 'route.not_found', message: '接口不存在' } }) })
    }
    let file = path.join(dist, url.pathname)
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(dist, 'index.html')
    return route.fulfill({ status: 200, contentType: TYPES[path.extname(file)] || 'application/octet-stream', body: fs.readFileSync(file) })
  })
}

/** A logged-in session of `me` (the console keeps its token in sessionStorage). */
export async function signedIn(page, me) {
  await page.addInitScript(() => sessionStorage.setItem('zc.token', 'mock-token'))
  return ['GET', /^\/auth\/me$/, () => me]
}
