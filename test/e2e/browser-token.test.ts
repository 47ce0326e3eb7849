/**
 * End to end: a browser-mode page opened with a token that is not this server's (an old
 * tab of an earlier `odra serve`, a mistyped address) says so and stops retrying, instead
 * of "lost the connection". Needs the built app (`npm run build`) and Debian's Chromium.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endSession, shot, startSession, type E2eSession, type Server } from './helpers';

describe('browser mode with a wrong token', () => {
  let server: Server;
  let session: E2eSession | undefined;
  let page: Page;

  beforeAll(async () => {
    session = await startSession('e2e-token');
    ({ page, server } = session);
  });
  afterAll(() => endSession(session));

  it('says the address token is not valid and points to the address odra serve printed', async () => {
    const wrong = new URL(server.url);
    wrong.searchParams.set('token', 'a-token-of-another-odra-serve');
    await page.goto(wrong.toString());
    const notice = page.getByTestId('connection-notice');
    await expect.poll(() => notice.textContent(), { timeout: 15_000 }).toContain("This address's token is not valid");
    expect(await notice.textContent()).toContain('use the address `odra serve` printed');
    expect(await notice.textContent()).not.toMatch(/Lost the connection/);
    await shot(page, 'token-not-valid');
  });
});
