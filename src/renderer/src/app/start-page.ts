/**
 * The page the app opens on ('/'): the welcome screen when the store is empty (no dataset,
 * model or audit), else the datasets. Deciding needs three list calls, so the decision
 * arrives after the page is usable: when a navigation the user started (a click on the
 * nav bar) began while the store was being asked, the user's page wins and '/' is
 * dropped; it is never overridden by the late redirect.
 *
 * Why the guard counts navigations itself: vue-router cancels a superseded navigation at
 * its next guard stage, but a redirect returned by a guard is followed without that check
 * (vue-router 4.6 pushWithRedirect), so a slow beforeEnter on '/' would otherwise throw
 * the user back to /datasets after they had opened another view.
 */
import type { RouteLocationNormalized, RouteLocationRaw } from 'vue-router';

export interface StartPage {
  /** for router.beforeEach: counts each navigation as it begins */
  countNavigation(): void;
  /** the '/' route's beforeEnter: the start page, or false when a later navigation began */
  beforeEnter(to: RouteLocationNormalized): Promise<RouteLocationRaw | false>;
}

export function startPage(storeIsEmpty: () => Promise<boolean>): StartPage {
  let begun = 0;
  return {
    countNavigation: () => {
      begun += 1;
    },
    beforeEnter: async (to) => {
      const mine = begun;
      const empty = await storeIsEmpty();
      if (begun !== mine) return false;
      return empty ? { path: '/welcome', query: to.query } : { path: '/datasets' };
    },
  };
}
