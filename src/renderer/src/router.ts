import { createRouter, createWebHashHistory } from 'vue-router';
import CorruptionsView from './views/CorruptionsView.vue';
import DatasetsView from './views/DatasetsView.vue';
import EvaluateView from './views/EvaluateView.vue';
import ModelsView from './views/ModelsView.vue';
import AuditsView from './views/AuditsView.vue';
import AuditView from './views/AuditView.vue';
import BenchView from './views/BenchView.vue';
import WelcomeView from './views/WelcomeView.vue';
import { startPage } from './app/start-page';
import { storeIsEmpty } from './stores/welcome';

const start = startPage(storeIsEmpty);

// Hash history: the same URLs work from odra serve's `/`, Electron's odra-app:// and a file.
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    // An empty store opens on the welcome screen (its demo button); otherwise on the datasets.
    { path: '/', component: WelcomeView, beforeEnter: start.beforeEnter },
    { path: '/welcome', name: 'welcome', component: WelcomeView, meta: { title: 'Welcome' } },
    { path: '/datasets', name: 'datasets', component: DatasetsView, meta: { title: 'Datasets' } },
    { path: '/models', name: 'models', component: ModelsView, meta: { title: 'Models' } },
    { path: '/corruptions', name: 'corruptions', component: CorruptionsView, meta: { title: 'Corruptions' } },
    { path: '/evaluate', name: 'evaluate', component: EvaluateView, meta: { title: 'Evaluate' } },
    { path: '/audits', name: 'audits', component: AuditsView, meta: { title: 'Audits' } },
    { path: '/audits/:id(\\d+)', name: 'audit', component: AuditView, props: (r) => ({ id: Number(r.params.id) }), meta: { title: 'Audit' } },
    { path: '/bench', name: 'bench', component: BenchView, meta: { title: 'Speed check' } },
    { path: '/:pathMatch(.*)*', redirect: '/datasets' },
  ],
});

router.beforeEach(start.countNavigation);

// A navigation that failed (cancelled, or '/' dropped for the user's own) leaves the page and its title as they are.
router.afterEach((to, _from, failure) => {
  if (failure) return;
  const title = typeof to.meta.title === 'string' ? to.meta.title : null;
  document.title = title ? `${title} · Odra` : 'Odra';
});
