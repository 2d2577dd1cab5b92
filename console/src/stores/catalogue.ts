import { defineStore } from 'pinia'
import { api } from '@/api/http'
import type { TypeDef } from '@/utils/formgen'

export interface Category { code: string; label: string; types: string[] }

export const useCatalogue = defineStore('catalogue', {
  state: () => ({
    categories: [] as Category[],
    types: [] as TypeDef[],
    /** the child-row definitions (病案列表, 参考文献) the types use */
    children: [] as { code: string; label: string; fields: any[] }[],
    dictionaries: null as Record<string, { code: string; label: string }[]> | null,
    loading: null as Promise<void> | null,
  }),
  getters: {
    byCode: (s) => Object.fromEntries(s.types.map((t) => [t.code, t])) as Record<string, TypeDef>,
  },
  actions: {
    load() {
      if (!this.loading) {
        this.loading = api.get('/achievement-types').then((d) => {
          this.categories = d.categories
          this.types = d.types
          this.children = d.children || []
        }).catch((e) => {
          this.loading = null
          throw e
        })
      }
      return this.loading
    },
    async dicts() {
      if (!this.dictionaries) this.dictionaries = await api.get('/dictionaries')
      return this.dictionaries!
    },
  },
})
