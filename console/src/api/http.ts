// The one way the console talks to the platform: JSON over /api/v1 with the bearer
// token, every error turned into an ApiError carrying the API's Chinese message.

export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> }
}

export class ApiError extends Error {
  status: number
  code: string
  details: Record<string, unknown>

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.details = details
  }

  /** `details.fields` of a 422: {field: 中文消息}. */
  get fields(): Record<string, string> {
    const f = this.details?.fields
    return f && typeof f === 'object' ? (f as Record<string, string>) : {}
  }

  /** Every message the API gave, the general one first (fields, per-record problems). */
  get messages(): string[] {
    const out = [this.message]
    for (const v of Object.values(this.fields)) out.push(...flatMessages(v))
    const records = this.details?.records
    if (records && typeof records === 'object') {
      for (const v of Object.values(records as Record<string, unknown>)) {
        if (v && typeof v === 'object') out.push(...Object.values(v as Record<string, string>).map(String))
        else out.push(String(v))
      }
    }
    return out
  }
}

/** Messages however nested ({basic: {font_size: ["…"]}}, lists) as one list of sentences. */
export function flatMessages(v: unknown): string[] {
  if (v === null || v === undefined) return []
  if (typeof v === 'string') return [v]
  if (Array.isArray(v)) return v.flatMap(flatMessages)
  if (typeof v === 'object') return Object.values(v as Record<string, unknown>).flatMap(flatMessages)
  return [String(v)]
}

/** The API's error from a response body; a fallback message when the body is not ours. */
export function errorFrom(status: number, body: unknown): ApiError {
  const e = (body as ErrorBody | null)?.error
  if (e && typeof e.message === 'string') {
    return new ApiError(status, e.code || 'error', e.message, (e.details as Record<string, unknown>) || {})
  }
  if (status === 0) return new ApiError(0, 'network', '网络连接失败，请检查网络后重试')
  if (status === 502 || status === 503 || status === 504) {
    return new ApiError(status, 'service.unavailable', '服务暂时不可用，请稍后重试')
  }
  return new ApiError(status, 'http', `请求失败（${status}）`)
}

let token: string | null = null
let onUnauthenticated: (() => void) | null = null

export function setToken(value: string | null) {
  token = value
}
export function getToken() {
  return token
}
export function onAuthLost(fn: () => void) {
  onUnauthenticated = fn
}

type Query = Record<string, string | number | boolean | null | undefined | (string | number)[]>

export function buildQuery(query?: Query): string {
  if (!query) return ''
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v)) v.forEach((x) => p.append(k, String(x)))
    else p.append(k, String(v))
  }
  const s = p.toString()
  return s ? `?${s}` : ''
}

export interface RequestOptions {
  query?: Query
  body?: unknown
  signal?: AbortSignal
}

export async function request<T = any>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  let body: string | undefined
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(opts.body)
  }
  const url = `/api/v1${path}${buildQuery(opts.query)}`
  let response: Response
  try {
    response = await fetch(url, { method, headers, body, signal: opts.signal })
  } catch (exc) {
    if ((exc as Error)?.name === 'AbortError') throw exc
    throw errorFrom(0, null)
  }
  if (response.status === 204) return undefined as T
  let data: unknown = null
  const text = await response.text()
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = null
    }
  }
  if (!response.ok) {
    const error = errorFrom(response.status, data)
    if (response.status === 401 && token && onUnauthenticated) onUnauthenticated()
    throw error
  }
  return data as T
}

export const api = {
  get: <T = any>(path: string, query?: Query) => request<T>('GET', path, { query }),
  post: <T = any>(path: string, body?: unknown, query?: Query) => request<T>('POST', path, { body: body ?? {}, query }),
  patch: <T = any>(path: string, body?: unknown) => request<T>('PATCH', path, { body: body ?? {} }),
  put: <T = any>(path: string, body?: unknown) => request<T>('PUT', path, { body: body ?? {} }),
  del: <T = any>(path: string) => request<T>('DELETE', path),
}

export interface Page<T> {
  items: T[]
  total: number
  counts?: Record<string, number>
  page?: number
  page_size?: number
}
