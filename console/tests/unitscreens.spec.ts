import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setToken } from '@/api/http'
import { rosterBody } from '@/api/printouts'
import { postFormData, storageRefusal, uploadFile } from '@/api/upload'
import RecommendationPanel from '@/components/RecommendationPanel.vue'
import { useExports } from '@/stores/exports'
import { slotDef, useSlots } from '@/stores/slots'

type Handler = (url: string, init: RequestInit) => unknown
function api(routes: Record<string, Handler>) {
  const calls: { method: string; url: string; body: any }[] = []
  vi.stubGlobal('fetch', vi.fn((url: string, init: RequestInit = {}) => {
    const method = init.method || 'GET'
    calls.push({ method, url, body: init.body ? JSON.parse(String(init.body)) : undefined })
    const key = `${method} ${url.split('?')[0]}`
    const fn = routes[key]
    const out = fn ? fn(url, init) : { __status: 404, body: { error: { code: 'route.not_found', message: '接口不存在' } } }
    const status = (out as any)?.__status ?? 200
    const body = (out as any)?.__status ? (out as any).body : out
    return Promise.resolve(new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }))
  }))
  return calls
}

const SLOTS = [
  { key: 'rec_opinion', label: '单位推荐意见', extensions: ['jpg', 'bmp', 'pdf', 'png'], max_size_mb: 10, max_files: 2, rule: '只能上传jpg/bmp/pdf/png文件，且不超过10MB，且最多只能上传2个文件' },
  { key: 'post_quota_form', label: '相关附件', extensions: ['docx', 'doc', 'jpg', 'pdf'], max_size_mb: 10, max_files: 1 },
]

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => {
  vi.unstubAllGlobals()
  vi.useRealTimers()
  setToken(null)
  document.body.innerHTML = ''
})

describe('the slots store', () => {
  it('loads /file-slots once and gives the upload widget each slot’s rule', async () => {
    const calls = api({ 'GET /api/v1/file-slots': () => SLOTS })
    const slots = useSlots()
    await Promise.all([slots.load(), slots.load()])
    expect(calls).toHaveLength(1)
    expect(slots.def('rec_opinion')).toMatchObject({ code: 'rec_opinion', rule: { extensions: ['jpg', 'bmp', 'pdf', 'png'], max_mb: 10, max_files: 2 }, rule_text: SLOTS[0].rule })
    expect(slots.def('nope')).toBeNull()
    // a slot without its worded rule gets the manuals' sentence
    expect(slotDef(SLOTS[1] as any).rule_text).toBe('只能上传docx/doc/jpg/pdf文件，且不超过10MB，且最多只能上传1个文件')
  })
})

describe('the jobs store (long work with progress)', () => {
  it('shows a job while it runs, advances it and ends it with the answer', async () => {
    vi.useFakeTimers()
    let clock = 0
    const jobs = useExports()
    let finish!: (v: string) => void
    const running = jobs.run('导出花名册', () => new Promise<string>((r) => { finish = r }), 10, () => clock)
    expect(jobs.running.map((j) => j.label)).toEqual(['导出花名册'])
    clock = 5000
    vi.advanceTimersByTime(500)
    expect(jobs.jobs[0].elapsed).toBe(5)
    expect(jobs.jobs[0].pct).toBeGreaterThan(30)
    expect(jobs.jobs[0].pct).toBeLessThan(95)
    finish('ok')
    expect(await running).toBe('ok')
    expect(jobs.jobs[0]).toMatchObject({ state: 'done', pct: 100 })
    vi.advanceTimersByTime(3000)
    expect(jobs.jobs).toHaveLength(0)
  })

  it('keeps the API’s message of a failed job', async () => {
    api({ 'POST /api/v1/rosters': () => ({ __status: 413, body: { error: { code: 'roster.too_many_rows', message: '花名册超过Excel工作表的最大行数' } } }) })
    const jobs = useExports()
    const { roster } = await import('@/api/printouts')
    expect(await roster({ scope: 'unit' })).toBeUndefined()
    expect(jobs.jobs[0]).toMatchObject({ state: 'failed', message: '花名册超过Excel工作表的最大行数' })
  })
})

describe('花名册 conditions', () => {
  it('leaves out the empty conditions (absent = any) and trims text', () => {
    expect(rosterBody({ scope: 'level', status: '', level: 'deputy_senior', specialty: ' 内科 ', name: '', plan_id: null })).toEqual({ scope: 'level', level: 'deputy_senior', specialty: '内科' })
  })
})

describe('uploads by the presigned POST form', () => {
  it('sends the policy fields first and the file last', () => {
    const data = postFormData({ key: 'uploads/1', 'Content-Type': 'application/pdf', policy: 'p', 'x-amz-signature': 's' }, new Blob(['%PDF']), 'a.pdf')
    expect([...data.keys()]).toEqual(['key', 'Content-Type', 'policy', 'x-amz-signature', 'file'])
  })

  it('words storage’s refusals', () => {
    expect(storageRefusal(400, '<Error><Code>EntityTooLarge</Code></Error>', 2 * 1048576).message).toBe('文件大小不能超过2MB')
    expect(storageRefusal(403, '<Error><Code>AccessDenied</Code><Message>Invalid according to Policy: Policy expired.</Message></Error>').code).toBe('file.upload_expired')
    expect(storageRefusal(500, '').message).toContain('存储服务返回 500')
  })

  it('posts the form the ticket carries instead of the PUT URL, then completes the file', async () => {
    const calls = api({
      'POST /api/v1/files/uploads': () => ({ __status: 201, body: { file_id: 7, upload_url: 'http://s3/put', method: 'PUT', headers: {}, max_bytes: 100, form: { url: 'http://s3/bucket', fields: { key: 'k', policy: 'p' } } } }),
      'POST /api/v1/files/7/complete': () => ({ id: 7, file_name: 'a.pdf', status: 'completed' }),
    })
    const sent: { method: string; url: string; body: unknown }[] = []
    class FakeXHR {
      upload: any = {}
      status = 204
      responseText = ''
      onload: any; onerror: any; method = ''; url = ''
      open(m: string, u: string) { this.method = m; this.url = u }
      setRequestHeader() {}
      send(body: unknown) {
        sent.push({ method: this.method, url: this.url, body })
        this.upload.onprogress?.({ lengthComputable: true, loaded: 5, total: 10 })
        setTimeout(() => this.onload())
      }
    }
    vi.stubGlobal('XMLHttpRequest', FakeXHR)
    const progress: number[] = []
    const file = new File(['%PDF-1.4'], 'a.pdf', { type: 'application/pdf' })
    const done = await uploadFile(file, 'work_history', (p) => progress.push(p))
    expect(sent).toHaveLength(1)
    expect(sent[0].method).toBe('POST')
    expect(sent[0].url).toBe('http://s3/bucket')
    expect([...(sent[0].body as FormData).keys()]).toEqual(['key', 'policy', 'file'])
    expect(progress).toEqual([0, 50, 100])
    expect(done.id).toBe(7)
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['POST /api/v1/files/uploads', 'POST /api/v1/files/7/complete'])
  })
})

const SCREEN = {
  declaration_id: 5, person_name: '秦程', year: 2026, level: 'deputy_senior', level_label: '副高级', status: 'submitted', status_label: '审核中',
  recommendation: null,
  quota: { id: 1, year: 2026, status_label: '已确认', levels: [{ level: 'deputy_senior', level_label: '副高级', vacancy: 1, vacancy_label: '1', recommended: 1 }] },
  publicity: { starts_on: '2026-11-01', ends_on: '2026-11-07', result: 'objection', result_label: '有异议', note: '' },
  objections: [{ id: 3, raised_on: '2026-11-02', raised_by: '匿名', content: '论文存疑', handling: null, handled: false, status_label: '待处理' }],
  report: { gated: true, held: false }, may_recommend: true, may_publicize: true,
}

describe('RecommendationPanel', () => {
  it('shows 推荐人员情况, saves the recommendation and shows the API’s refusal', async () => {
    const calls = api({
      'GET /api/v1/declarations/5/recommendation': () => SCREEN,
      'GET /api/v1/file-slots': () => SLOTS,
      'PUT /api/v1/declarations/5/recommendation': () => ({ __status: 409, body: { error: { code: 'recommendation.quota_exceeded', message: '2026年度副高级岗位空缺 1 个，已推荐 1 个，不能再占用职数' } } }),
    })
    const wrapper = mount(RecommendationPanel, { props: { declarationId: 5 }, attachTo: document.body })
    await flushPromises()
    const text = wrapper.text()
    expect(text).toContain('推荐人员情况（2026年度岗位核准：已确认）')
    expect(text).toContain('论文存疑')
    expect(text).toContain('待处理')
    await wrapper.find('textarea[data-test=rec-opinion], [data-test=rec-opinion] textarea').setValue('同意推荐')
    await wrapper.findAll('[data-test=recommendation] .el-radio').find((r) => r.text() === '占用')!.trigger('click')
    await wrapper.find('[data-test=rec-save]').trigger('click')
    await flushPromises()
    const put = calls.find((c) => c.method === 'PUT')!
    expect(put.body).toEqual({ opinion: '同意推荐', occupies_post: 'occupy', material_file_ids: [] })
    expect(document.body.textContent).toContain('不能再占用职数')
    wrapper.unmount()
  })

  it('records an objection and its handling', async () => {
    const calls = api({
      'GET /api/v1/declarations/5/recommendation': () => SCREEN,
      'GET /api/v1/file-slots': () => SLOTS,
      'PATCH /api/v1/declarations/5/publicity/objections/3': () => ({ id: 3 }),
    })
    const wrapper = mount(RecommendationPanel, { props: { declarationId: 5, section: 'publicity' }, attachTo: document.body })
    await flushPromises()
    expect(wrapper.find('[data-test=recommendation]').exists()).toBe(false)
    await wrapper.find('[data-test=objections] input').setValue('经核实，论文真实')
    await wrapper.findAll('[data-test=objections] button').find((b) => b.text() === '保存')!.trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.method === 'PATCH')!.body).toEqual({ handling: '经核实，论文真实' })
    wrapper.unmount()
  })
})
