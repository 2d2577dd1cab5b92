import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import RecordForm from '@/components/RecordForm.vue'
import RingChart from '@/components/RingChart.vue'
import { PAPER, WORK_HISTORY } from './fixtures'

describe('RecordForm', () => {
  it('renders every field of the type with its label, required mark, help and the slot rule', async () => {
    const wrapper = mount(RecordForm, { props: { modelValue: true, type: WORK_HISTORY }, attachTo: document.body })
    await wrapper.vm.$nextTick()
    const text = document.body.textContent || ''
    for (const f of WORK_HISTORY.fields) expect(text).toContain(f.label)
    expect(text).toContain('请填写全称')
    expect(text).toContain('只能上传png/jpg/pdf文件，且不超过2MB，且最多只能上传5个文件')
    const required = [...document.querySelectorAll('.el-form-item.is-required .el-form-item__label')].map((e) => e.textContent)
    expect(required).toEqual(['工作单位名称', '开始日期', '结束日期', '从事专业'])
    wrapper.unmount()
  })

  it('shows the required problems at once when 保存并提交 is pressed on an empty form', async () => {
    const wrapper = mount(RecordForm, { props: { modelValue: true, type: PAPER }, attachTo: document.body })
    await wrapper.vm.$nextTick()
    ;(document.querySelector('[data-test=save-submit]') as HTMLButtonElement).click()
    await new Promise((r) => setTimeout(r, 0))
    await wrapper.vm.$nextTick()
    const errors = [...document.querySelectorAll('.el-form-item__error')].map((e) => e.textContent?.trim())
    expect(errors).toEqual(['请输入论文名称', '请选择发表级别', '请输入个人排名', '请上传佐证材料'])
    wrapper.unmount()
  })
})

describe('RingChart', () => {
  it('draws one arc per non-empty part and the total', () => {
    const wrapper = mount(RingChart, { props: { parts: [{ label: '审核通过', value: 3, color: '#0f0' }, { label: '退回', value: 0, color: '#f00' }, { label: '审核中', value: 1, color: '#fa0' }] } })
    expect(wrapper.findAll('circle')).toHaveLength(3) // the track and two arcs
    expect(wrapper.text()).toContain('4')
    expect(wrapper.text()).toContain('退回 0')
  })
})
