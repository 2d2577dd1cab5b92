import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { setToken } from '@/api/http'
import { changeSpecialty, markBody, markHealthRow, markItem, recallTask, returnNotice, undoReject } from '@/api/review'
import BasicInfoDialog from '@/components/BasicInfoDialog.vue'
import DeclarationSummary from '@/components/DeclarationSummary.vue'
import ExpertView from '@/components/ExpertView.vue'
import PrintSettings from '@/components/PrintSettings.vue'
import ReturnNotice from '@/components/ReturnNotice.vue'
import SpecialtyDialog from '@/components/SpecialtyDialog.vue'
import { correctionBody } from '@/utils/declaration'
import { emptyForm, fieldMessages, formFrom, printSettingsBody } from '@/utils/printsettings'

// the reason prompt of a 删除标记 (an ElMessageBox) answers at once
vi.mock('@/components/markPrompt', () => ({ askMarkReason: vi.fn(async () => '论文与申报专业无关') }))

type Route = (body: any, url: string) => unknown
function api(routes: Record<string, Route>) {
  const calls: { method: string; url: string; body: any }[] = []
  vi.stubGlobal('fetch', vi.fn((url: string, init: RequestInit = {}) => {
    const method = init.method || 'GET'
    const body = init.body ? JSON.parse(String(init.body)) : undefined
    calls.push({ method, url, body })
    const fn = routes[`${method} ${url.split('?')[0]}`]
    const out: any = fn ? fn(body, url) : { __status: 404, body: { error: { code: 'route.not_found', message: '接口不存在' } } }
    const status = out?.__status ?? 200
    return Promise.resolve(new Response(JSON.stringify(out?.__status ? out.body : out), { status, headers: { 'Content-Type': 'application/json' } }))
  }))
  return calls
}
const refuse = (status: number, code: string, message: string, details: Record<string, unknown> = {}) => ({ __status: status, body: { error: { code, message, details } } })
const bodyText = () => document.body.textContent || ''

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => { vi.unstubAllGlobals(); setToken(null); document.body.innerHTML = '' })

describe('the requests of review and correction', () => {
  it('sends each to its route with the API’s body', async () => {
    const calls = api({
      'POST /api/v1/declarations/7/items/3/mark': () => ({ id: 7 }),
      'POST /api/v1/declarations/7/health/study/rows/2/mark': () => ({ declaration_id: 7 }),
      'POST /api/v1/tasks/40/recall': () => ({ task_id: 41 }),
      'POST /api/v1/declarations/7/undo-reject': () => ({ task_id: 42 }),
      'POST /api/v1/declarations/7/specialty': () => ({ id: 7 }),
      'GET /api/v1/records/9/return-notice': () => ({ record_id: 9, items: [] }),
    })
    await markItem(7, 3, true, '  重复材料 ')
    await markHealthRow(7, 'study', 2, false, 'ignored')
    await recallTask(40)
    await undoReject(7)
    await changeSpecialty(7, { series: '卫生技术人员', specialty: '心血管内科', title: '副主任医师' })
    await returnNotice('record', 9)
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST /api/v1/declarations/7/items/3/mark', 'POST /api/v1/declarations/7/health/study/rows/2/mark',
      'POST /api/v1/tasks/40/recall', 'POST /api/v1/declarations/7/undo-reject', 'POST /api/v1/declarations/7/specialty',
      'GET /api/v1/records/9/return-notice',
    ])
    expect(calls[0].body).toEqual({ deleted: true, reason: '重复材料' })
    expect(calls[1].body).toEqual({ deleted: false })
    expect(calls[4].body).toEqual({ series: '卫生技术人员', specialty: '心血管内科', title: '副主任医师' })
  })

  it('carries the API’s Chinese refusal', async () => {
    api({ 'POST /api/v1/tasks/40/recall': () => refuse(409, 'task.not_recallable', '指定流程的当前状态不允许撤回') })
    await expect(recallTask(40)).rejects.toMatchObject({ code: 'task.not_recallable', message: '指定流程的当前状态不允许撤回' })
  })

  it('marks without a reason as null and cancels without one', () => {
    expect(markBody(true, '')).toEqual({ deleted: true, reason: null })
    expect(markBody(false, 'x')).toEqual({ deleted: false })
  })
})

describe('修改基本信息', () => {
  it('sends only the fields changed, numbers as numbers, a cleared field as null, with the note', () => {
    const before = { ethnicity: '汉族', work_years: 10, party_post: '支部书记', birthplace: '合肥' }
    expect(correctionBody(before, { ...before, ethnicity: '回族', work_years: '12', party_post: '' }, ' 民族填写错误 ')).toEqual({ ethnicity: '回族', work_years: 12, party_post: null, note: '民族填写错误' })
    expect(correctionBody(before, { ...before }, 'x')).toBeNull()
  })

  it('saves through PATCH …/basic-info and shows a field’s message under it', async () => {
    const calls = api({ 'PATCH /api/v1/declarations/7/basic-info': () => refuse(422, 'request.invalid', '请求参数有误', { fields: { ethnicity: '民族最多50个字' } }) })
    const wrapper = mount(BasicInfoDialog, { props: { modelValue: true, declaration: { id: 7, personal: { ethnicity: '汉族' } } }, attachTo: document.body })
    await flushPromises()
    const input = document.querySelector('[data-field=ethnicity] input, input[data-field=ethnicity]') as HTMLInputElement
    input.value = '回族'
    input.dispatchEvent(new Event('input'))
    await flushPromises()
    ;(document.querySelector('[data-test=basic-info-save]') as HTMLElement).click()
    await flushPromises()
    expect(calls[0]).toMatchObject({ method: 'PATCH', body: { ethnicity: '回族' } })
    expect(bodyText()).toContain('民族最多50个字')
    wrapper.unmount()
  })
})

describe('评审表/公示表格式设置', () => {
  it('sends only the values entered, per part', () => {
    const f = emptyForm()
    f.review_form.basic.font_size = 10.5
    f.review_form.basic.blank_rows = 0
    f.review_form.items.row_height = 24
    expect(printSettingsBody('review_form', f)).toEqual({ review_form: { basic: { font_size: 10.5, blank_rows: 0 }, items: { row_height: 24 } } })
    f.publicity.font_size = 8
    f.publicity.sections.achievements.blank_rows = 3
    expect(printSettingsBody('publicity', f)).toEqual({ publicity: { font_size: 8, sections: { achievements: { blank_rows: 3 } } } })
    expect(printSettingsBody('publicity', emptyForm())).toEqual({ publicity: { sections: {} } })
  })

  it('flattens the API’s nested field messages', () => {
    expect(fieldMessages({ review_form: { basic: { font_size: ['字体大小应在6到20之间'] } }, publicity: '不支持的字段' })).toEqual(['字体大小应在6到20之间', '不支持的字段'])
  })

  it('reads the saved settings back', () => {
    const f = formFrom({ review_form: { cover: { font_size: 14 } }, publicity: { font_size: 9, sections: { work: { blank_rows: 2 } } } })
    expect(f.review_form.cover.font_size).toBe(14)
    expect(f.review_form.basic.font_size).toBeNull()
    expect(f.publicity).toMatchObject({ font_size: 9, sections: { work: { blank_rows: 2 } } })
  })

  it('saves the part shown and lists the API’s field problems', async () => {
    let answer: unknown = { declaration_id: 7, print_settings: { review_form: {}, publicity: { font_size: null, sections: {} } } }
    const calls = api({ 'PUT /api/v1/declarations/7/print-settings': () => answer })
    const wrapper = mount(PrintSettings, { props: { modelValue: true, declarationId: 7 }, attachTo: document.body })
    await flushPromises()
    expect(bodyText()).toContain('申报人基本情况')
    ;(document.querySelector('[data-test=print-settings-save]') as HTMLElement).click()
    await flushPromises()
    expect(calls[0]).toMatchObject({ method: 'PUT', url: '/api/v1/declarations/7/print-settings', body: { review_form: {} } })
    expect(bodyText()).toContain('评审表格式设置已保存')
    expect(bodyText()).toContain('浏览评审表')
    answer = refuse(422, 'request.invalid', '请求参数有误', { fields: { 'review_form.basic.font_size': '字体大小应在6到20之间' } })
    ;(document.querySelector('[data-test=print-settings-save]') as HTMLElement).click()
    await flushPromises()
    expect(document.querySelector('.problems')?.textContent).toContain('字体大小应在6到20之间')
    wrapper.unmount()
  })
})

const NOTICE = {
  declaration_id: 7, status: 'returned', status_label: '退回', person_name: '林晓东', returned_by_unit_name: '合肥市第一中学', step_label: '单位审核', returned_at: '2026-12-01T02:00:00Z', count: 3,
  items: [
    { kind: 'opinion', kind_label: '退回意见', title: '合肥市第一中学', message: '请补充论文检索证明' },
    { kind: 'item', kind_label: '标记删除的申报业绩', section_label: '论文', title: '核心素养的教学', message: '论文与申报专业无关' },
    { kind: 'rule', kind_label: '不满足的申报条件', title: '论文', message: '至少导入1项' },
  ],
}

describe('退回告知（一次性告知）', () => {
  it('lists every item to correct at once and prints it', async () => {
    const calls = api({
      'GET /api/v1/declarations/7/return-notice': () => NOTICE,
      'POST /api/v1/declarations/7/printouts/return-notice': () => ({ file_id: 1, file_name: '退回告知-林晓东.pdf', url: 'http://s3/x.pdf', expires_at: '' }),
    })
    const wrapper = mount(ReturnNotice, { props: { kind: 'declaration', id: 7 }, attachTo: document.body })
    await flushPromises()
    const items = wrapper.findAll('[data-test=return-notice] li')
    expect(items.map((li) => li.attributes('data-kind'))).toEqual(['opinion', 'item', 'rule'])
    expect(wrapper.text()).toContain('请补充论文检索证明')
    expect(wrapper.text()).toContain('论文与申报专业无关')
    expect(wrapper.text()).toContain('需修改 3 项')
    const opened: string[] = []
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) { opened.push(this.href) })
    await wrapper.find('[data-test=print-return-notice]').trigger('click')
    await flushPromises()
    click.mockRestore()
    expect(calls.map((c) => `${c.method} ${c.url}`)).toContain('POST /api/v1/declarations/7/printouts/return-notice')
    expect(opened).toEqual(['http://s3/x.pdf'])
    wrapper.unmount()
  })

  it('shows the API’s message when there is no notice', async () => {
    api({ 'GET /api/v1/records/9/return-notice': () => refuse(409, 'record.not_returned', '该业绩未被退回') })
    const wrapper = mount(ReturnNotice, { props: { kind: 'record', id: 9 }, attachTo: document.body })
    await flushPromises()
    expect(wrapper.find('[data-test=return-notice]').exists()).toBe(false)
    expect(bodyText()).toContain('该业绩未被退回')
    wrapper.unmount()
  })
})

const DECL = {
  id: 7, person_name: '林晓东', title: '一级教师', level_label: '中级', status: 'submitted', status_label: '审核中', series: '中小学教师', specialty: '语文',
  plan: { id: 4, name: '2026 中小学教师' }, personal: { ethnicity: '汉族', work_years: 10 }, may_review: true,
  sections: [{ code: 'papers', label: '论文', count: 1, items: [{ id: 3, record_type_label: '论文发表情况', title: '核心素养的教学', marked_deleted: false }] }],
}

describe('删除标记 in the declaration under review', () => {
  it('marks an imported item with the reason and shows it grey with the reason', async () => {
    const calls = api({
      'GET /api/v1/declarations/7': () => DECL,
      'GET /api/v1/declarations/7/history': () => ({ entries: [] }),
      'POST /api/v1/declarations/7/items/3/mark': () => ({ ...DECL, sections: [{ ...DECL.sections[0], items: [{ ...DECL.sections[0].items[0], marked_deleted: true, mark: { reason: '论文与申报专业无关', unit_name: '合肥市第一中学' } }] }] }),
    })
    const wrapper = mount(DeclarationSummary, { props: { declarationId: 7, review: true }, attachTo: document.body })
    await flushPromises()
    expect(wrapper.find('[data-test=personal]').text()).toContain('汉族')
    expect(wrapper.find('[data-test=correct-basic-info]').exists()).toBe(true)
    await wrapper.find('[data-test=mark-item]').trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({ deleted: true, reason: '论文与申报专业无关' })
    expect(wrapper.text()).toContain('删除原因：论文与申报专业无关')
    expect(wrapper.find('[data-test=mark-item]').text()).toBe('取消删除标记')
    wrapper.unmount()
  })

  it('offers no mark to a unit not reviewing it now, and none without `review`', async () => {
    api({ 'GET /api/v1/declarations/7': () => ({ ...DECL, may_review: false }), 'GET /api/v1/declarations/7/history': () => ({ entries: [] }) })
    const wrapper = mount(DeclarationSummary, { props: { declarationId: 7, review: true }, attachTo: document.body })
    await flushPromises()
    expect(wrapper.find('[data-test=mark-item]').exists()).toBe(false)
    expect(wrapper.find('[data-test=correct-basic-info]').exists()).toBe(false)
    wrapper.unmount()
  })
})

describe('专家查看', () => {
  it('shows the applicant, the items and every file to open', async () => {
    api({
      'GET /api/v1/declarations/7/expert-view': () => ({
        declaration_id: 7, read_only: true, status_label: '审核中', plan: { name: '2026 卫生高级' },
        applicant: { name: '林晓东', id_number: '340104********5224', unit_name: '一院', specialty: '内科', title: '副主任医师', level_label: '副高级' },
        health_form: { study: [{ period: '2007.09-2012.07', content: '临床医学', evidence_file_id: 11 }] },
        items: [{ section: '论文', type_label: '论文发表情况', title: '心衰的治疗', columns: [{ label: '期刊', value: '中华内科' }], evidence_file_ids: [12] }],
        files: [{ file_id: 11, file_name: '毕业证.pdf', label: '学习培训经历', section: 'health:study' }, { file_id: 12, file_name: '', label: '心衰的治疗', section: '论文' }],
        opinions: [{ level: '基层单位意见', unit_name: '一院', opinion: '同意推荐', signer: '王', signed_on: '2026-12-01' }],
      }),
    })
    const wrapper = mount(ExpertView, { props: { declarationId: 7 }, attachTo: document.body })
    await flushPromises()
    const text = bodyText()
    for (const s of ['340104********5224', '临床医学', '心衰的治疗', '期刊：中华内科', '毕业证.pdf', '心衰的治疗（12）', '同意推荐']) expect(text).toContain(s)
    wrapper.unmount()
  })

  it('shows the API’s refusal and closes', async () => {
    api({ 'GET /api/v1/declarations/7/expert-view': () => refuse(404, 'declaration.not_found', '申报不存在') })
    const wrapper = mount(ExpertView, { props: { declarationId: 7 }, attachTo: document.body })
    await flushPromises()
    expect(bodyText()).toContain('申报不存在')
    expect(wrapper.emitted('close')).toBeTruthy()
    wrapper.unmount()
  })
})

describe('修改专业', () => {
  it('shows the current specialty and asks for the new one before sending', async () => {
    const calls = api({ 'GET /api/v1/plans/4/specialties': () => [{ series: '中小学教师', specialty: '语文', titles: ['一级教师'] }, { series: '中小学教师', specialty: '数学', titles: ['一级教师'] }] })
    const wrapper = mount(SpecialtyDialog, { props: { modelValue: true, declaration: DECL }, attachTo: document.body })
    await flushPromises()
    expect(bodyText()).toContain('当前申报专业：中小学教师-语文-一级教师')
    ;(document.querySelector('[data-test=specialty-save]') as HTMLElement).click()
    await flushPromises()
    expect(bodyText()).toContain('请选择修改申报专业和申报职称')
    expect(calls.map((c) => c.method)).toEqual(['GET'])
    wrapper.unmount()
  })
})
