import { createPinia } from 'pinia'
import { createApp } from 'vue'
import { onAuthLost } from './api/http'
import App from './App.vue'
import { router } from './router'
import { useAuth } from './stores/auth'
import './style.css'

const app = createApp(App).use(createPinia()).use(router)
// A session that ends (logout elsewhere, frozen account, a new binding) leads back to 登录.
onAuthLost(() => {
  useAuth().forget()
  const here = router.currentRoute.value
  if (!here.meta.public) router.push({ path: '/login', query: { next: here.fullPath } })
})
app.mount('#app')
