import { defineComponent } from 'vue';
import { createMemoryHistory, createRouter, type Router } from 'vue-router';
import { describe, expect, it } from 'vitest';
import { startPage } from '../../../../src/renderer/src/app/start-page';

const View = defineComponent({ render: () => null });

/** A store question the test answers when it chooses, as a slow engine would. */
function pendingAnswer(): { ask: () => Promise<boolean>; answer: (empty: boolean) => void; asked: () => boolean } {
  let resolve: ((empty: boolean) => void) | null = null;
  return {
    ask: () => new Promise<boolean>((r) => (resolve = r)),
    answer: (empty) => {
      if (!resolve) throw new Error('the store was not asked');
      resolve(empty);
    },
    asked: () => resolve !== null,
  };
}

/** The app's routes that matter here, on an in-memory history, with the start page wired as router.ts wires it. */
function appRouter(storeIsEmpty: () => Promise<boolean>): Router {
  const start = startPage(storeIsEmpty);
  const router = createRouter({
    history: createMemoryHistory(),
    routes: [
      { path: '/', component: View, beforeEnter: start.beforeEnter },
      { path: '/welcome', component: View },
      { path: '/datasets', component: View },
      { path: '/evaluate', component: View },
    ],
  });
  router.beforeEach(start.countNavigation);
  return router;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 0));
  expect(check()).toBe(true);
}

describe('startPage', () => {
  it('opens an empty store on the welcome screen, keeping the query', async () => {
    const router = appRouter(async () => true);
    await router.push('/?preset=smoke');
    expect(router.currentRoute.value.fullPath).toBe('/welcome?preset=smoke');
  });

  it('opens a store with data on the datasets', async () => {
    const router = appRouter(async () => false);
    await router.push('/');
    expect(router.currentRoute.value.fullPath).toBe('/datasets');
  });

  it('keeps the view the user opened while the store was being asked, instead of the late redirect', async () => {
    const store = pendingAnswer();
    const router = appRouter(store.ask);
    const opening = router.push('/');
    await until(store.asked);
    await router.push('/evaluate');
    expect(router.currentRoute.value.fullPath).toBe('/evaluate');

    store.answer(false);
    await opening;
    expect(router.currentRoute.value.fullPath).toBe('/evaluate');
  });

  it('redirects when the answer comes before the user navigates, and then lets the user navigate', async () => {
    const store = pendingAnswer();
    const router = appRouter(store.ask);
    const opening = router.push('/');
    await until(store.asked);
    store.answer(true);
    await opening;
    expect(router.currentRoute.value.fullPath).toBe('/welcome');
    await router.push('/evaluate');
    expect(router.currentRoute.value.fullPath).toBe('/evaluate');
  });
});
