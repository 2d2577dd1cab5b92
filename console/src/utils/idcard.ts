// 公民身份号码 (GB 11643-1999): 17 digits (address, birth date, sequence) and a check
// character computed with ISO 7064 MOD 11-2.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'

export function checkDigit(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]
  return CHECK[sum % 11]
}

function validDate(y: number, m: number, d: number, today: Date): boolean {
  const date = new Date(Date.UTC(y, m - 1, d))
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return false
  return y >= 1900 && date.getTime() <= today.getTime()
}

/**
 * The problem with an ID number as typed so far, in the words the user reads, or null
 * when it is complete and valid. `partial` tolerates a number still being typed.
 */
export function idNumberProblem(raw: string, opts: { partial?: boolean; today?: Date } = {}): string | null {
  const value = (raw || '').trim().toUpperCase()
  const today = opts.today ?? new Date()
  if (!value) return opts.partial ? null : '请输入身份证号码'
  if (!/^\d{0,17}[\dX]?$/.test(value) || (value.includes('X') && value.indexOf('X') !== 17)) {
    return '身份证号码只能由数字和末位的X组成'
  }
  if (value.length < 18) return opts.partial ? null : '身份证号码应为18位'
  const y = Number(value.slice(6, 10))
  const m = Number(value.slice(10, 12))
  const d = Number(value.slice(12, 14))
  if (!validDate(y, m, d, today)) return '身份证号码中的出生日期无效'
  if (checkDigit(value.slice(0, 17)) !== value[17]) return '证件号码校验位错误'
  return null
}

/** Birth date (YYYY-MM-DD) and gender code ('1' 男, '2' 女) of a valid resident ID. */
export function idNumberFacts(value: string): { birth_date: string; gender: '1' | '2' } | null {
  const v = (value || '').trim().toUpperCase()
  if (idNumberProblem(v) !== null) return null
  return {
    birth_date: `${v.slice(6, 10)}-${v.slice(10, 12)}-${v.slice(12, 14)}`,
    gender: Number(v[16]) % 2 === 1 ? '1' : '2',
  }
}
