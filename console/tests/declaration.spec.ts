import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import HealthRows from '@/components/HealthRows.vue'
import ImportDialog from '@/components/ImportDialog.vue'
import { creditCheckChar, creditCodeProblem } from '@/utils/creditcode'
import { moved, titlesBody } from '@/utils/declaration'
import { basicBody, LIST_SECTIONS, listBody } from '@/utils/health'

function api(routes: Record<string, (body: any) => unknown>) {
  const calls: { method: string; url: string; body: any }[] = []
  vi.stubGlobal('fetch', vi.fn((url: string, init: RequestInit = {}) => {
    const method = init.method || 'GET'
    const body = init.body ? JSON.parse(String(init.body)) : undefined
    calls.push({ method, url, body })
    const fn = routes[`${method} ${url.split('?')[0]}`]
    const out: any = fn ? fn(body) : { __status: 404, body: { error: { code: 'route.not_found', message: '接口不存在' } } }
    const status = out?.__status ?? 200
    return Promise.resolve(new Response(JSON.stringify(out?.__status ? out.body : out), { status, headers: { 'Content-Type': 'application/json' } }))
  }))
  return calls
}

beforeEach(() => setActivePinia(createPinia()))
afterEach(() => { vi.unstubAllGlobals(); document.body.innerHTML = '' })

describe('统一社会信用代码 (GB 32100)', () => {
  it('computes the check character and words each problem', () => {
    expect(creditCheckChar('91350100M000100Y4')).toBe('3')
    expect(creditCodeProblem('91350100M000100Y43')).toBeNull()
    expect(creditCodeProblem('91350100M000100Y44')).toBe('统一社会信用代码校验位错误')
    expect(creditCodeProblem('9135')).toBe('统一社会信用代码应为18位（已输入4位）')
    expect(creditCodeProblem('91350100M000100YI3')).toContain('不含I、O、Z、S、V')
  })
})

describe('declaration lists', () => {
  it('moves an item one place and leaves the ends alone', () => {
    expect(moved(['a', 'b', 'c'], 1, -1)).toEqual(['b', 'a', 'c'])
    expect(moved(['a', 'b', 'c'], 1, 1)).toEqual(['a', 'c', 'b'])
    expect(moved(['a', 'b'], 0, -1)).toEqual(['a', 'b'])
  })

  it('sends 现有职称情况 with the files as evidence_file_ids', () => {
    const t = { cert_no: 'A1', work_unit: '一中', series: '中小学教师', specialty: '数学', qualification: '一级教师', obtain_method: '评审', files: [{ id: 4, file_name: 'x.pdf' }] }
    expect(titlesBody([t])).toEqual({ titles: [{ cert_no: 'A1', work_unit: '一中', series: '中小学教师', specialty: '数学', qualification: '一级教师', obtain_method: '评审', evidence_file_ids: [4] }] })
  })

  it('sends a health list section in order, keeping saved ids and leaving out the reviewers’ marks', () => {
    const study = LIST_SECTIONS.find((s) => s.code === 'study')!
    const body = listBody(study, [
      { id: 9, period: '2007.09-2012.07', content: '临床医学', place: '合肥', certificate_no: '1', evidence_file_id: 3, publicity: false, deleted: true, mark: { reason: 'x' }, position: 1 },
      { period: '2013.01-至今', content: '进修', place: '', certificate_no: '', evidence_file_id: null, publicity: true },
    ])
    expect(body.rows).toEqual([
      { id: 9, period: '2007.09-2012.07', content: '临床医学', place: '合肥', certificate_no: '1', evidence_file_id: 3, publicity: false },
      { period: '2013.01-至今', content: '进修', place: '', certificate_no: '', evidence_file_id: null, publicity: true },
    ])
    const assessments = LIST_SECTIONS.find((s) => s.code === 'assessments')!
    expect(listBody(assessments, [{ year: '2024', result: '合格' }]).rows).toEqual([{ year: 2024, result: '合格' }])
  })

  it('sends only the basic fields given, numbers as numbers, and a filled education', () => {
    expect(basicBody({ ethics_satisfaction: '98', phone: '', frontline: false, education: { name: '大学本科', school: '' }, degree: { name: '' } }))
      .toEqual({ ethics_satisfaction: 98, frontline: false, education: { name: '大学本科' } })
  })
})

const ROWS = {
  record_id: 5, kind: 'references', label: '参考文献', rule: '参考文献不少于20篇', problem: '参考文献还差18篇', summary: { total: 2 },
  items: [{ id: 1, position: 1, fields: { year: 2024, title: '文献甲' }, file_id: 11 }, { id: 2, position: 2, fields: { year: 2023, title: '文献乙' }, file_id: 12 }],
}

describe('HealthRows', () => {
  it('lists the rows with the rule and what is missing, and moves a row down', async () => {
    const calls = api({
      'GET /api/v1/records/5/rows': () => ROWS,
      'GET /api/v1/file-slots': () => [],
      'POST /api/v1/records/5/rows/1/move': () => ({}),
    })
    const wrapper = mount(HealthRows, { props: { recordId: 5, editable: true }, attachTo: document.body })
    await flushPromises()
    expect(wrapper.text()).toContain('参考文献（2）')
    expect(wrapper.text()).toContain('参考文献还差18篇')
    expect(wrapper.text()).toContain('文献甲')
    const down = wrapper.findAll('button').filter((b) => b.text() === '↓')
    await down[0].trigger('click')
    await flushPromises()
    expect(calls.find((c) => c.url.endsWith('/move'))!.body).toEqual({ direction: 'down' })
    wrapper.unmount()
  })

  it('shows nothing for a record not entered by template', async () => {
    api({ 'GET /api/v1/records/5/rows': () => ({ __status: 409, body: { error: { code: 'record.not_template_entry', message: '该记录不是模板录入' } } }), 'GET /api/v1/file-slots': () => [] })
    const wrapper = mount(HealthRows, { props: { recordId: 5, editable: true }, attachTo: document.body })
    await flushPromises()
    expect(wrapper.find('[data-test=health-rows]').exists()).toBe(false)
    expect(document.body.textContent).not.toContain('该记录不是模板录入')
    wrapper.unmount()
  })
})

describe('ImportDialog', () => {
  it('commits the allowed rows of a preview', async () => {
    const calls = api({ 'POST /api/v1/imports/8/commit': () => ({ import_id: 8, imported: 3, already_committed: false, record_ids: [1, 2, 3] }) })
    const wrapper = mount(ImportDialog, { props: { modelValue: true, target: 'health_case' }, attachTo: document.body })
    await flushPromises()
    ;(wrapper.vm as any).$.setupState.preview = {
      import_id: 8, total: 4, allowed: 3, refused: 1, columns: [{ key: 'admission_no', label: '住院号' }],
      rows: [{ row: 3, values: { admission_no: 'ZY1' }, status: 'ok', status_label: '允许导入', errors: [] }, { row: 4, values: { admission_no: '' }, status: 'error', status_label: '不能导入', errors: [{ column: 'admission_no', label: '住院号', message: '请输入住院号' }] }],
    }
    await flushPromises()
    expect(document.body.textContent).toContain('共 4 行：允许导入 3 行，不能导入 1 行')
    expect(document.body.textContent).toContain('请输入住院号')
    ;(document.querySelector('[data-test=import-commit]') as HTMLButtonElement).click()
    await flushPromises()
    expect(calls.map((c) => `${c.method} ${c.url}`)).toContain('POST /api/v1/imports/8/commit')
    expect(wrapper.emitted('imported')![0][0]).toMatchObject({ imported: 3 })
    wrapper.unmount()
  })
})
