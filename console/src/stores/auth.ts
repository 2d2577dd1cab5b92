import { defineStore } from 'pinia'
import { api, ApiError, setToken } from '@/api/http'

export interface Me {
  account_id: number
  username: string
  name: string
  role: string
  roles: string[]
  person_id: number | null
  unit_id: number | null
  unit: { unit_id: number; name: string; kind: string; kind_label: string } | null
}

const KEY = 'zc.token'
let restoring: Promise<void> | null = null

export const useAuth = defineStore('auth', {
  state: () => ({ token: null as string | null, me: null as Me | null, loaded: false }),
  getters: {
    role: (s) => s.me?.role ?? '',
    isPerson: (s) => s.me?.role === 'person',
    isUnitAdmin: (s) => s.me?.role === 'unit_admin',
    isOperator: (s) => s.me?.role === 'operator',
    isSecurity: (s) => s.me?.role === 'security',
    isAuditor: (s) => s.me?.role === 'auditor',
    unitKind: (s) => s.me?.unit?.kind ?? '',
  },
  actions: {
    /** Restore the session kept in this tab (sessionStorage) and load /auth/me. */
    restore(): Promise<void> {
      // one restoration for every navigation that waits on it
      if (!restoring) restoring = this.restoreNow()
      return restoring
    },
    async restoreNow() {
      this.loaded = true
      const saved = sessionStorage.getItem(KEY)
      if (!saved) return
      this.token = saved
      setToken(saved)
      try {
        this.me = await api.get<Me>('/auth/me')
      } catch (exc) {
        // only an answer that the session is over ends it; a page being left (the
        // request aborted) or a network failure keeps it for the next load
        if (exc instanceof ApiError && exc.status === 401) this.forget()
      }
    },
    async login(username: string, password: string) {
      const answer = await api.post<{ token: string; account: Me }>('/auth/login', { username, password })
      this.token = answer.token
      setToken(answer.token)
      sessionStorage.setItem(KEY, answer.token)
      this.me = answer.account
      return answer.account
    },
    async refresh() {
      this.me = await api.get<Me>('/auth/me')
    },
    async logout() {
      try {
        await api.post('/auth/logout')
      } catch {
        /* the session may be gone already */
      }
      this.forget()
    },
    forget() {
      this.token = null
      this.me = null
      setToken(null)
      sessionStorage.removeItem(KEY)
    },
  },
})

/** The first screen of a role. */
export function homeOf(me: Me | null): string {
  if (!me) return '/login'
  if (me.role === 'person') return '/library'
  if (me.role === 'unit_admin') return '/tasks'
  if (me.role === 'auditor') return '/ops/audit'
  if (me.role === 'operator') return '/ops/units'
  if (me.role === 'security') return '/ops/accounts'
  return '/login'
}
