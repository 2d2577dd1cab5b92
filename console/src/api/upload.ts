// Evidence straight to storage: ask for a presigned PUT, send the bytes with progress,
// then ask the documents service to check (complete) the file.
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
  upload_url: string
  method: string
  headers: Record<string, string>
  max_bytes: number
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
  await putWithProgress(ticket.upload_url, file, ticket.headers, onProgress)
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
