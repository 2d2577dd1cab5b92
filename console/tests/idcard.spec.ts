import { describe, expect, it } from 'vitest'
import { checkDigit, idNumberFacts, idNumberProblem } from '@/utils/idcard'

const TODAY = new Date('2026-12-07T00:00:00Z')

describe('GB 11643 ID numbers as typed', () => {
  it('computes the check character (ISO 7064 MOD 11-2)', () => {
    expect(checkDigit('11010519491231002')).toBe('X')
    expect(checkDigit('34010419850312003')).toBe('5')
  })

  it('accepts a valid number, whatever the case of X', () => {
    expect(idNumberProblem('11010519491231002X', { today: TODAY })).toBeNull()
    expect(idNumberProblem('11010519491231002x', { today: TODAY })).toBeNull()
    expect(idNumberProblem('340104198503120035', { today: TODAY })).toBeNull()
  })

  it('names a wrong check digit in the API’s words', () => {
    expect(idNumberProblem('340104198503120036', { today: TODAY })).toBe('证件号码校验位错误')
  })

  it('says nothing while a plausible number is still being typed', () => {
    expect(idNumberProblem('3401041985', { partial: true, today: TODAY })).toBeNull()
    expect(idNumberProblem('', { partial: true })).toBeNull()
    expect(idNumberProblem('34010A', { partial: true })).toBe('身份证号码只能由数字和末位的X组成')
    expect(idNumberProblem('3401041985', { today: TODAY })).toBe('身份证号码应为18位')
  })

  it('refuses impossible and future birth dates', () => {
    const feb30 = '3401041985023000'
    expect(idNumberProblem(feb30 + '1' + checkDigit(feb30 + '1'), { today: TODAY })).toBe('身份证号码中的出生日期无效')
    const future = '3401042030010100'
    expect(idNumberProblem(future + '1' + checkDigit(future + '1'), { today: TODAY })).toBe('身份证号码中的出生日期无效')
  })

  it('reads the birth date and the gender', () => {
    expect(idNumberFacts('340104198503120035')).toEqual({ birth_date: '1985-03-12', gender: '1' })
    expect(idNumberFacts('11010519491231002X')).toEqual({ birth_date: '1949-12-31', gender: '2' })
    expect(idNumberFacts('340104198503120036')).toBeNull()
  })
})
