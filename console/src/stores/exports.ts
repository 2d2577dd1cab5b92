import { defineStore } from 'pinia'
import { ApiError } from '@/api/http'
import { showError } from '@/api/notify'

/** Long work the platform does while the browser waits (花名册, printouts, imports): each
 * job is shown with the time it has taken, so the wait is visible, and ends with its
 * answer or the API's message. */
export interface Job { id: number; label: string; startedAt: number; elapsed: number; pct: number | null; state: 'running' | 'done' | 'failed'; message?: string }

let nextId = 1

export const useExports = defineStore('exports', {
  state: () => ({ jobs: [] as Job[] }),
  getters: {
    running: (s) => s.jobs.filter((j) => j.state === 'running'),
  },
  actions: {
    /** Run `fn` as a visible job; answers its result, or undefined when it failed (the
     * message shown). `expectSeconds` makes the bar advance towards 95 % meanwhile. */
    async run<T>(label: string, fn: (progress: (pct: number) => void) => Promise<T>, expectSeconds = 10, now: () => number = () => Date.now()): Promise<T | undefined> {
      const job: Job = { id: nextId++, label, startedAt: now(), elapsed: 0, pct: 0, state: 'running' }
      this.jobs.push(job)
      const live = this.jobs[this.jobs.length - 1]
      let reported = false
      const timer = setInterval(() => {
        live.elapsed = Math.round((now() - live.startedAt) / 1000)
        if (!reported) live.pct = Math.min(95, Math.round((1 - Math.exp(-live.elapsed / expectSeconds)) * 100))
      }, 500)
      try {
        const result = await fn((pct) => { reported = true; live.pct = pct })
        live.pct = 100
        live.state = 'done'
        return result
      } catch (exc) {
        live.state = 'failed'
        live.message = exc instanceof ApiError ? exc.message : '操作失败，请稍后重试'
        showError(exc)
        return undefined
      } finally {
        clearInterval(timer)
        live.elapsed = Math.round((now() - live.startedAt) / 1000)
        setTimeout(() => this.dismiss(live.id), live.state === 'failed' ? 8000 : 2500)
      }
    },
    dismiss(id: number) {
      this.jobs = this.jobs.filter((j) => j.id !== id)
    },
  },
})
