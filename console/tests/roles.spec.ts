import { createPinia, setActivePinia } from 'pinia'
import { beforeEach, describe, expect, it } from 'vitest'
import { router } from '@/router'
import { homeOf, useAuth, type Me } from '@/stores/auth'

// MLPS level 3: three separate administrators. The operator (system administrator) has
// the units and no account screen; the security administrator (安全管理员) the account
// screens; the auditor the audit log only.
function me(role: string): Me {
  return { account_id: 1, username: role, name: role, role, roles: [role], person_id: null, unit_id: null, unit: null }
}

async function landOn(role: string, path: string) {
  useAuth().me = me(role)
  await router.push(path)
  return router.currentRoute.value.path
}

describe('the three administrators', () => {
  beforeEach(async () => {
    setActivePinia(createPinia())
    await router.push('/login').catch(() => undefined)
  })

  it('start on their own screens', () => {
    expect(homeOf(me('operator'))).toBe('/ops/units')
    expect(homeOf(me('security'))).toBe('/ops/accounts')
    expect(homeOf(me('auditor'))).toBe('/ops/audit')
  })

  it('the security administrator opens accounts and any unit\'s users, not the audit log', async () => {
    expect(await landOn('security', '/ops/accounts')).toBe('/ops/accounts')
    expect(await landOn('security', '/ops/units/7/users')).toBe('/ops/units/7/users')
    expect(await landOn('security', '/ops/audit')).toBe('/ops/accounts')
    expect(await landOn('security', '/ops/failed-events')).toBe('/ops/accounts')
  })

  it('the operator no longer reaches the account screens', async () => {
    expect(await landOn('operator', '/ops/accounts')).toBe('/ops/units')
    expect(await landOn('operator', '/ops/units/7/users')).toBe('/ops/units')
    expect(await landOn('operator', '/ops/failed-events')).toBe('/ops/failed-events')
  })

  it('the auditor reads the audit log only', async () => {
    expect(await landOn('auditor', '/ops/accounts')).toBe('/ops/audit')
    expect(await landOn('auditor', '/ops/units')).toBe('/ops/audit')
  })
})
