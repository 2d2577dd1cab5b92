import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { homeOf, useAuth } from '@/stores/auth'

const routes: RouteRecordRaw[] = [
  { path: '/login', component: () => import('@/views/LoginView.vue'), meta: { public: true, title: '登录' } },
  { path: '/register', component: () => import('@/views/RegisterView.vue'), meta: { public: true, title: '个人注册' } },
  { path: '/unit-register', component: () => import('@/views/UnitRegisterView.vue'), meta: { public: true, title: '单位注册' } },
  {
    path: '/',
    component: () => import('@/layouts/MainLayout.vue'),
    children: [
      { path: '', redirect: () => homeOf(useAuth().me) },
      // 申报人
      { path: 'library', component: () => import('@/views/person/LibraryView.vue'), meta: { roles: ['person'], title: '个人业绩库' } },
      { path: 'withdrawals', component: () => import('@/views/person/WithdrawalsView.vue'), meta: { roles: ['person'], title: '撤回记录' } },
      { path: 'declarations', component: () => import('@/views/person/DeclarationsView.vue'), meta: { roles: ['person'], title: '职称申报' } },
      { path: 'declarations/:id', component: () => import('@/views/person/DeclarationEdit.vue'), meta: { roles: ['person'], title: '申报材料' } },
      { path: 'profile', component: () => import('@/views/person/ProfileView.vue'), meta: { roles: ['person'], title: '个人中心' } },
      // 单位管理员 (用人单位, 主管部门, 人社部门, 评委会组建单位)
      { path: 'tasks', component: () => import('@/views/unit/TaskCenter.vue'), meta: { roles: ['unit_admin'], title: '任务中心' } },
      { path: 'users', component: () => import('@/views/unit/UsersView.vue'), meta: { roles: ['unit_admin'], title: '用户管理' } },
      { path: 'archive', component: () => import('@/views/unit/ArchiveView.vue'), meta: { roles: ['unit_admin'], title: '业绩档案' } },
      { path: 'unit-declarations', component: () => import('@/views/unit/DeclarationsAdmin.vue'), meta: { roles: ['unit_admin', 'operator'], title: '申报情况' } },
      { path: 'report', component: () => import('@/views/unit/ReportView.vue'), meta: { roles: ['unit_admin'], title: '上报' } },
      { path: 'post-quotas', component: () => import('@/views/unit/PostQuotas.vue'), meta: { roles: ['unit_admin'], title: '岗位核准信息' } },
      { path: 'unit-info', component: () => import('@/views/unit/UnitInfo.vue'), meta: { roles: ['unit_admin'], title: '单位信息' } },
      { path: 'plans', component: () => import('@/views/unit/PlansAdmin.vue'), meta: { roles: ['unit_admin', 'operator'], title: '评审计划' } },
      // 运维 / 审计
      { path: 'ops/units', component: () => import('@/views/ops/UnitsView.vue'), meta: { roles: ['operator'], title: '单位' } },
      // the security administrator (安全管理员): staff accounts, and every unit's accounts
      { path: 'ops/accounts', component: () => import('@/views/ops/AccountsView.vue'), meta: { roles: ['security'], title: '账号管理' } },
      { path: 'ops/units/:unitId/users', component: () => import('@/views/unit/UsersView.vue'), meta: { roles: ['security'], title: '单位账号管理' } },
      { path: 'ops/failed-events', component: () => import('@/views/ops/FailedEvents.vue'), meta: { roles: ['operator'], title: '事件处理失败' } },
      { path: 'ops/subscriptions', component: () => import('@/views/ops/Subscriptions.vue'), meta: { roles: ['operator'], title: '事件订阅' } },
      { path: 'ops/audit', component: () => import('@/views/ops/AuditLog.vue'), meta: { roles: ['auditor'], title: '审计日志' } },
    ],
  },
  { path: '/:rest(.*)*', redirect: '/' },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  const auth = useAuth()
  await auth.restore()
  if (to.meta.public) return auth.me && to.path === '/login' ? homeOf(auth.me) : true
  if (!auth.me) return { path: '/login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  const roles = to.meta.roles as string[] | undefined
  if (roles && !roles.includes(auth.me.role)) return homeOf(auth.me)
  return true
})

router.afterEach((to) => {
  document.title = `${(to.meta.title as string) || ''}${to.meta.title ? ' - ' : ''}职称申报评审平台`
})
