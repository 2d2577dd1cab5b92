import { describe, expect, it } from 'vitest'
import { evidenceRequired, initialModel, isRequired, localProblem, toPayload, validate, widgetOf } from '@/utils/formgen'
import { PAPER, WORK_HISTORY } from './fixtures'

describe('the form generated from a type definition', () => {
  it('starts empty with the right shapes and widgets', () => {
    const m = initialModel(PAPER)
    expect(m).toMatchObject({ title: null, level: null, ranking: { rank: null, total: null } })
    expect(PAPER.fields.map(widgetOf)).toEqual(['text', 'select', 'text', 'rank', 'number', 'year', 'radio', 'date'])
    expect(initialModel(WORK_HISTORY).until_now).toBe(false)
  })

  it('fills stored values when editing (rank as stored or as text)', () => {
    expect(initialModel(PAPER, { ranking: { rank: 1, total: 7 }, year: 2020 })).toMatchObject({ ranking: { rank: 1, total: 7 }, year: '2020' })
    expect(initialModel(PAPER, { ranking: '2/5' }).ranking).toEqual({ rank: 2, total: 5 })
  })

  it('marks required fields, and 至今 makes the end date not apply', () => {
    const m = initialModel(WORK_HISTORY)
    const end = WORK_HISTORY.fields[2]
    expect(isRequired(WORK_HISTORY, end, m)).toBe(true)
    m.until_now = true
    expect(isRequired(WORK_HISTORY, end, m)).toBe(false)
  })

  it('saves a draft without required marks but submits only a complete form', () => {
    const m = initialModel(WORK_HISTORY)
    expect(validate(WORK_HISTORY, m, false)).toEqual({})
    expect(validate(WORK_HISTORY, m, true)).toEqual({
      unit_name: '请输入工作单位名称', start_date: '请选择开始日期', end_date: '请选择结束日期，或勾选至今', specialty: '请输入从事专业',
    })
  })

  it('checks dates against today and against each other', () => {
    const m = { ...initialModel(WORK_HISTORY), unit_name: '合肥一中', specialty: '语文', start_date: '2015-01-01', end_date: '2014-12-31' }
    expect(validate(WORK_HISTORY, m, true)).toEqual({ end_date: '结束日期不能早于开始日期' })
    m.end_date = '2999-01-01'
    expect(validate(WORK_HISTORY, m, true).end_date).toBe('结束日期不能晚于今天')
  })

  it('checks counters, ranks, ISSN and the 学位 → 学位获得日期 rule', () => {
    const m = { ...initialModel(PAPER), title: 'x'.repeat(601), level: '国内期刊', ranking: { rank: 3, total: 2 }, issn: '1234-5678', degree: '硕士' }
    expect(validate(PAPER, m, true)).toEqual({
      title: '论文名称长度不能超过600个字符', ranking: '个人排名不能大于参与人数', issn: '国际标准刊号（ISSN）格式有误，如 1234-5679',
      degree_date: '选择获得学位后，学位获得日期为必填项',
    })
    expect(validate(PAPER, { ...m, title: 'ok', ranking: { rank: 1, total: 2 }, issn: '1234-5679', degree: null }, true)).toEqual({})
  })

  it('sends typed values and clears what does not apply', () => {
    const m = { ...initialModel(WORK_HISTORY), unit_name: ' 合肥一中 ', start_date: '2015-01-01', end_date: '2016-01-01', until_now: true, specialty: '语文' }
    expect(toPayload(WORK_HISTORY, m)).toEqual({ unit_name: '合肥一中', start_date: '2015-01-01', end_date: null, until_now: true, specialty: '语文', duties: null })
    const p = { ...initialModel(PAPER), title: 't', level: '其他', ranking: { rank: '1', total: '3' }, impact_factor: 1.5, year: '2021' }
    expect(toPayload(PAPER, p)).toMatchObject({ ranking: { rank: 1, total: 3 }, impact_factor: '1.5', year: 2021 })
  })

  it('knows when evidence is required and applies the slot’s rule before uploading', () => {
    expect(evidenceRequired(PAPER, {})).toBe(true)
    expect(evidenceRequired(WORK_HISTORY, {})).toBe(false)
    const slot = WORK_HISTORY.evidence[0]
    expect(localProblem({ name: 'a.docx', size: 10 }, slot, 0)).toBe('只能上传png/jpg/pdf文件')
    expect(localProblem({ name: 'a.PDF', size: 3 * 1024 * 1024 }, slot, 0)).toBe('文件大小不能超过2MB')
    expect(localProblem({ name: 'a.pdf', size: 10 }, slot, 5)).toBe('“佐证材料”最多只能上传5个文件')
    expect(localProblem({ name: 'a.pdf', size: 10 }, slot, 4)).toBeNull()
  })
})
