import { ElMessageBox } from 'element-plus'

/** The reason of a 删除标记, asked before marking (the applicant reads it in the 退回告知);
 * null when the reviewer cancels. */
export async function askMarkReason(what: string): Promise<string | null> {
  try {
    const r = await ElMessageBox.prompt(`对“${what}”做删除标记：审核过程中灰色显示，打印评审表和专家查看时不出现。请填写原因，申报人在退回告知中可以看到。`, '删除标记', {
      inputPlaceholder: '删除原因',
      inputValidator: (v: string) => (v || '').trim().length > 0 || '请填写删除原因',
      confirmButtonText: '确定',
      cancelButtonText: '取消',
    })
    return r.value.trim()
  } catch { return null }
}
