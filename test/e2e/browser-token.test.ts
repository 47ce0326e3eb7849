/**
 * End to end: a browser-mode page opened with a token that is not this server's (an old
 * tab of an earlier `odra serve`, a mistyped address) says so and stops retrying, instead
 * of "lost the connection". Needs the built app (`npm run build`) and Debian's Chromium.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir } from '../helpers/broken-datasets';
import { checkPrerequisites, openBrowser, shot, startServer, stopServer, type Server } from './helpers';

describe('browser mode with a wrong token', () => {
  let tmp: string;
  let server: Server | undefined;
  let browser: Browser | undefined;
  let page: Page;

  beforeAll(async () => {
    await checkPrerequisites();
    tmp = await makeTempDir('e2e-token');
    server = await startServer(path.join(tmp, 'odra.db'));
    const session = await openBrowser();
    browser = session.browser;
    page = session.page;
  });
  afterAll(async () => {
    await browser?.close();
    await stopServer(server);
    if (tmp) await removeDir(tmp);
  });

  it('says the address token is not valid and points to the address odra serve printed', async () => {
    const wrong = new URL(server!.url);
    wrong.searchParams.set('token', 'a-token-of-another-odra-serve');
    await page.goto(wrong.toString());
    const notice = page.getByTestId('connection-notice');
    await expect.poll(() => notice.textContent(), { timeout: 15_000 }).toContain("This address's token is not valid");
    expect(await notice.textContent()).toContain('use the address `odra serve` printed');
    expect(await notice.textContent()).not.toMatch(/Lost the connection/);
    await shot(page, 'token-not-valid');
  });
});
