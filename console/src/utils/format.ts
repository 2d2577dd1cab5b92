export function fmtDate(v?: string | null): string {
  if (!v) return ''
  return String(v).slice(0, 10)
}

export function fmtTime(v?: string | null): string {
  if (!v) return ''
  const d = new Date(v)
  if (Number.isNaN(d.getTime())) return String(v)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

/** A field value as the list and detail screens show it. */
export function fmtValue(v: unknown): string {
  if (v === null || v === undefined || v === '') return ''
  if (typeof v === 'boolean') return v ? '是' : '否'
  if (Array.isArray(v)) return v.join('、')
  if (typeof v === 'object') {
    const r = v as { rank?: number; total?: number }
    if ('rank' in r) return `${r.rank ?? ''}/${r.total ?? ''}`
    return JSON.stringify(v)
  }
  return String(v)
}

export const STATUS_TAG: Record<string, 'info' | 'warning' | 'success' | 'danger' | 'primary'> = {
  draft: 'info', submitted: 'warning', approved: 'success', returned: 'danger', terminated: 'info',
  rejected: 'danger', unclaimed: 'warning', claimed: 'primary', pending: 'warning', published: 'success',
}
