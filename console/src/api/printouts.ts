// Printouts (评审表, 公示表, 工作量) and the 花名册: the platform renders the file and answers a
// download link, which is opened at once. Both can take a while: each runs as a visible
// job with its progress (stores/exports).
import { api } from './http'
import { openUrl } from './upload'
import { useExports } from '@/stores/exports'

export interface Link { file_id: number; file_name: string; url: string; expires_at?: string; rows?: number }

const PRINTOUTS: Record<string, { path: string; label: string }> = {
  review: { path: 'review-form', label: '评审表' },
  publicity: { path: 'publicity-table', label: '公示表' },
  workload: { path: 'workload-table', label: '工作量' },
}

export async function printout(declarationId: number, kind: 'review' | 'publicity' | 'workload', name = '') {
  const p = PRINTOUTS[kind]
  const link = await useExports().run(`生成${p.label}${name ? '：' + name : ''}`, () => api.post<Link>(`/declarations/${declarationId}/printouts/${p.path}`, {}), 8)
  if (link) openUrl(link.url, link.file_name)
  return link
}

export interface RosterFilter { scope: 'unit' | 'level'; status?: string; level?: string; plan_id?: number | null; specialty?: string; name?: string }

/** The filter as the API takes it: empty conditions left out (absent = any). */
export function rosterBody(f: RosterFilter): Record<string, unknown> {
  const body: Record<string, unknown> = { scope: f.scope }
  for (const k of ['status', 'level', 'plan_id', 'specialty', 'name'] as const) {
    const v = f[k]
    if (v !== undefined && v !== null && v !== '') body[k] = typeof v === 'string' ? v.trim() : v
  }
  return body
}

export async function roster(f: RosterFilter) {
  const link = await useExports().run('导出花名册', () => api.post<Link>('/rosters', rosterBody(f)), 15)
  if (link) openUrl(link.url, link.file_name)
  return link
}
