// Evidence straight to storage: ask for an upload ticket, send the bytes with progress
// as the presigned POST form it carries (its signed policy binds the slot's maximum
// length, content-length-range, so storage itself refuses a larger body), then ask the
// documents service to check (complete) the file.
import { api, ApiError } from './http'

export interface FileInfo {
  id: number
  file_name: string
  size?: number
  slot?: string
  status?: string
}

export interface UploadTicket {
  file_id: number
  method: string
  /** a presigned PUT, issued only by platforms older than the POST form */
  upload_url?: string
  headers?: Record<string, string>
  max_bytes: number
  /** presigned POST: the bucket's URL and the policy fields to send before the file */
  form?: { url: string; fields: Record<string, string> }
}

/** The body of the presigned POST: the policy's fields in order, the file last (S3 ignores
 * every field after `file`). */
export function postFormData(fields: Record<string, string>, file: Blob, fileName?: string): FormData {
  const data = new FormData()
  for (const [k, v] of Object.entries(fields || {})) data.append(k, v)
  if (fileName) data.append('file', file, fileName)
  else data.append('file', file)
  return data
}

/** The storage's refusal of a POST (an S3 XML error) in the user's words. */
export function storageRefusal(status: number, body: string, maxBytes?: number): ApiError {
  const code = /<Code>([^<]+)<\/Code>/.exec(body || '')?.[1] || ''
  if (code === 'EntityTooLarge' || (status === 400 && /too large|exceeds the maximum/i.test(body || ''))) {
    const mb = maxBytes ? Math.round((maxBytes / 1048576) * 10) / 10 : null
    return new ApiError(413, 'file.too_large', mb ? `文件大小不能超过${mb}MB` : '文件过大，超过该类材料允许的大小')
  }
  if (code === 'AccessDenied' && /expired/i.test(body || '')) return new ApiError(409, 'file.upload_expired', '上传链接已过期，请重新上传')
  return new ApiError(status, 'storage.post_failed', `文件上传失败（存储服务返回 ${status}${code ? ' ' + code : ''}），请重试`)
}

export function postWithProgress(form: { url: string; fields: Record<string, string> }, file: File | Blob, onProgress: (pct: number) => void, maxBytes?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', form.url)
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.min(99, Math.round((e.loaded / e.total) * 100)))
    }
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve()
      else reject(storageRefusal(xhr.status, xhr.responseText, maxBytes))
    }
    xhr.onerror = () => reject(new ApiError(0, 'storage.unreachable', '无法连接文件存储服务，请检查网络后重试'))
    xhr.send(postFormData(form.fields, file, (file as File).name))
  })
}

export function putWithProgress(url: string, file: Blob, headers: Record<string, string>, onProgress: (pct: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('PUT', url)
    for (const [k, v] of Object.entries(headers || {})) {
      if (k.toLowerCase() !== 'content-length' && k.toLowerCase() !== 'host') xhr.setRequestHeader(k, v)
    }
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100))
    }
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve()
      else reject(new ApiError(xhr.status, 'storage.put_failed', `文件上传失败（存储服务返回 ${xhr.status}），请重试`))
    }
    xhr.onerror = () => reject(new ApiError(0, 'storage.unreachable', '无法连接文件存储服务，请检查网络后重试'))
    xhr.send(file)
  })
}

export async function uploadFile(file: File, slot: string, onProgress: (pct: number) => void, bundle?: string): Promise<FileInfo> {
  const ticket = await api.post<UploadTicket>('/files/uploads', {
    slot, file_name: file.name, size: file.size, ...(bundle ? { bundle } : {}),
  })
  onProgress(0)
  // the POST form (the size bound is storage's); a PUT URL only from a platform that
  // predates it
  if (ticket.form?.url) await postWithProgress(ticket.form, file, onProgress, ticket.max_bytes)
  else if (ticket.upload_url) await putWithProgress(ticket.upload_url, file, ticket.headers || {}, onProgress)
  else throw new ApiError(500, 'storage.no_ticket', '上传凭证无效，请重试')
  const done = await api.post<FileInfo>(`/files/${ticket.file_id}/complete`)
  onProgress(100)
  return { ...done, id: done.id ?? ticket.file_id }
}

export async function download(fileId: number) {
  const link = await api.get<{ url: string; file_name: string }>(`/files/${fileId}/download`)
  openUrl(link.url, link.file_name)
}

export function openUrl(url: string, name?: string) {
  const a = document.createElement('a')
  a.href = url
  if (name) a.download = name
  a.target = '_blank'
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
}
