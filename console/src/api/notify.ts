import { ElMessage } from 'element-plus'
import { ApiError } from './http'

/** Show the API's Chinese message (and the field problems) of a failed call. */
export function showError(exc: unknown) {
  if (exc instanceof ApiError) {
    const lines = exc.messages
    ElMessage({ type: 'error', message: lines.join('；'), duration: 6000, showClose: true, grouping: true })
  } else if ((exc as Error)?.name !== 'AbortError') {
    ElMessage({ type: 'error', message: '操作失败，请稍后重试', showClose: true })
    console.error(exc)
  }
}

/** Run an API call; on failure show its message and answer undefined. */
export async function attempt<T>(fn: () => Promise<T>, success?: string): Promise<T | undefined> {
  try {
    const result = await fn()
    if (success) ElMessage({ type: 'success', message: success })
    return result
  } catch (exc) {
    showError(exc)
    return undefined
  }
}
