// The reviewer's and the applicant's corrections of a declaration (docs/api.md,
// "Declarations"): 删除标记 of an imported item or of a health-form row, 修改基本信息,
// 评审表/公示表格式设置, 专家查看, 撤回, 撤销审核不通过, 修改专业 and the 退回告知 (一次性告知)
// of a returned declaration or record. Every refusal is an ApiError with the API's message.
import { api } from './http'
import type { Link } from './printouts'
import { openUrl } from './upload'
import { useExports } from '@/stores/exports'

export interface Mark { deleted: boolean; reason?: string | null }

/** The body of a 删除标记: the reason only with a mark, trimmed; none when cancelling. */
export function markBody(deleted: boolean, reason?: string | null): Mark {
  const r = (reason || '').trim()
  return deleted ? { deleted: true, reason: r || null } : { deleted: false }
}

export const markItem = (declarationId: number, itemId: number, deleted: boolean, reason?: string | null) =>
  api.post(`/declarations/${declarationId}/items/${itemId}/mark`, markBody(deleted, reason))

export const markHealthRow = (declarationId: number, section: string, rowId: number, deleted: boolean, reason?: string | null) =>
  api.post(`/declarations/${declarationId}/health/${section}/rows/${rowId}/mark`, markBody(deleted, reason))

export const correctBasicInfo = (declarationId: number, body: Record<string, unknown>) =>
  api.patch(`/declarations/${declarationId}/basic-info`, body)

export const savePrintSettings = (declarationId: number, body: Record<string, unknown>) =>
  api.put(`/declarations/${declarationId}/print-settings`, body)

export const expertView = (declarationId: number) => api.get(`/declarations/${declarationId}/expert-view`)

export const recallTask = (taskId: number) => api.post(`/tasks/${taskId}/recall`)

export const undoReject = (declarationId: number) => api.post(`/declarations/${declarationId}/undo-reject`)

export const changeSpecialty = (declarationId: number, body: { series?: string | null; specialty: string; title: string }) =>
  api.post(`/declarations/${declarationId}/specialty`, body)

export type NoticeKind = 'declaration' | 'record'
const base = (kind: NoticeKind, id: number) => `/${kind === 'declaration' ? 'declarations' : 'records'}/${id}`

export const returnNotice = (kind: NoticeKind, id: number) => api.get(`${base(kind, id)}/return-notice`)

/** 打印退回告知: the PDF rendered by the platform, opened at once; runs as a visible job. */
export async function printReturnNotice(kind: NoticeKind, id: number) {
  const link = await useExports().run('生成退回告知', () => api.post<Link>(`${base(kind, id)}/printouts/return-notice`, {}), 5)
  if (link) openUrl(link.url, link.file_name)
  return link
}
