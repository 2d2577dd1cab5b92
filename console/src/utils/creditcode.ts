// 统一社会信用代码 (GB 32100-2015): 18 characters of 0-9 and A-Y without I O Z S V, the
// last a check character over the first 17.
const CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

export function creditCheckChar(first17: string): string | null {
  let sum = 0
  for (let i = 0; i < 17; i++) {
    const v = CHARS.indexOf(first17[i])
    if (v < 0) return null
    sum += v * WEIGHTS[i]
  }
  return CHARS[(31 - (sum % 31)) % 31]
}

/** What is wrong with a code as typed (Chinese), or null when it is valid. */
export function creditCodeProblem(raw: string): string | null {
  const code = (raw || '').trim().toUpperCase()
  if (!code) return '请输入统一社会信用代码'
  if (code.length !== 18) return `统一社会信用代码应为18位（已输入${code.length}位）`
  if ([...code].some((c) => !CHARS.includes(c))) return '统一社会信用代码只能包含数字和大写字母（不含I、O、Z、S、V）'
  if (creditCheckChar(code.slice(0, 17)) !== code[17]) return '统一社会信用代码校验位错误'
  return null
}
