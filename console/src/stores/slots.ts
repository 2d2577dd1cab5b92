import { defineStore } from 'pinia'
import { api } from '@/api/http'
import type { EvidenceDef } from '@/utils/formgen'

/** A slot of the documents service as `GET /api/v1/file-slots` answers it. */
export interface SlotInfo {
  key: string
  label: string
  extensions: string[]
  max_size_mb: number
  max_bytes?: number
  max_files: number
  uploader?: string
  rule?: string
}

/** The slot as the upload widget takes it: its rule in the seeds' words, checked before sending. */
export function slotDef(slot: SlotInfo, label?: string): EvidenceDef {
  return {
    code: slot.key,
    label: label || slot.label,
    required: false,
    required_when: null,
    rule_text: slot.rule || `只能上传${slot.extensions.join('/')}文件，且不超过${slot.max_size_mb}MB，且最多只能上传${slot.max_files}个文件`,
    rule: { extensions: slot.extensions, max_mb: slot.max_size_mb, max_files: slot.max_files },
    note: '',
  }
}

export const useSlots = defineStore('slots', {
  state: () => ({ slots: [] as SlotInfo[], loading: null as Promise<void> | null }),
  getters: {
    byKey: (s) => Object.fromEntries(s.slots.map((x) => [x.key, x])) as Record<string, SlotInfo>,
  },
  actions: {
    load() {
      if (!this.loading) {
        this.loading = api.get<SlotInfo[] | { items: SlotInfo[] }>('/file-slots').then((d) => {
          this.slots = Array.isArray(d) ? d : d.items || []
        }).catch((e) => {
          this.loading = null
          throw e
        })
      }
      return this.loading
    },
    /** The upload widget's definition of `key` (null until loaded or for an unknown slot). */
    def(key: string, label?: string): EvidenceDef | null {
      const s = this.byKey[key]
      return s ? slotDef(s, label) : null
    },
  },
})
