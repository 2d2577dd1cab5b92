import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, api, buildQuery, errorFrom, onAuthLost, setToken } from '@/api/http'

function answer(status: number, body: unknown) {
  return Promise.resolve(new Response(body === null ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }))
}

afterEach(() => {
  vi.unstubAllGlobals()
  setToken(null)
})

describe('the API client', () => {
  it('turns the error shape into an ApiError with the Chinese message and field problems', async () => {
    vi.stubGlobal('fetch', vi.fn(() => answer(422, { error: { code: 'record.invalid', message: '业绩信息填写有误', details: { fields: { end_date: '结束日期不能早于开始日期' } } } })))
    const exc = await api.post('/records', {}).catch((e) => e)
    expect(exc).toBeInstanceOf(ApiError)
    expect(exc.status).toBe(422)
    expect(exc.code).toBe('record.invalid')
    expect(exc.fields).toEqual({ end_date: '结束日期不能早于开始日期' })
    expect(exc.messages).toEqual(['业绩信息填写有误', '结束日期不能早于开始日期'])
  })

  it('lists per-record problems of a batch', () => {
    const exc = errorFrom(409, { error: { code: 'record.unbound', message: '部分业绩无法提交', details: { records: { 3: { evidence_file_ids: '请上传佐证材料' } } } } })
    expect(exc.messages).toEqual(['部分业绩无法提交', '请上传佐证材料'])
  })

  it('says something useful when the answer is not the API’s', () => {
    expect(errorFrom(0, null).message).toBe('网络连接失败，请检查网络后重试')
    expect(errorFrom(502, '<html>').message).toBe('服务暂时不可用，请稍后重试')
    expect(errorFrom(418, null).message).toBe('请求失败（418）')
  })

  it('sends the bearer token and the query, and forgets the session on 401', async () => {
    const fetch = vi.fn(() => answer(401, { error: { code: 'auth.invalid_token', message: '登录已失效，请重新登录' } }))
    vi.stubGlobal('fetch', fetch)
    const lost = vi.fn()
    onAuthLost(lost)
    setToken('t0k')
    const exc = await api.get('/records', { type: 'paper', q: '', status: undefined, page: 2 }).catch((e) => e)
    expect(exc.message).toBe('登录已失效，请重新登录')
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit]
    expect(url).toBe('/api/v1/records?type=paper&page=2')
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer t0k')
    expect(lost).toHaveBeenCalledOnce()
  })

  it('answers 204 as nothing and a network failure as an ApiError', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.resolve(new Response(null, { status: 204 }))))
    expect(await api.del('/records/1')).toBeUndefined()
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))))
    expect((await api.get('/x').catch((e) => e)).code).toBe('network')
  })

  it('builds queries with lists and without empty values', () => {
    expect(buildQuery({ a: [1, 2], b: '', c: null, d: 'x y' })).toBe('?a=1&a=2&d=x+y')
  })
})
