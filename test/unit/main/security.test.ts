import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import {
  askBeforeOpening,
  CONTENT_SECURITY_POLICY,
  hardenWebContents,
  installSessionPolicy,
  isTrustedSender,
  secureWebPreferences,
  withContentSecurityPolicy,
  type HardenableContents,
  type PolicySession,
} from '../../../src/main/security';

const appUrl = 'odra-app://app/index.html';

class FakeContents extends EventEmitter {
  openHandler: ((details: { url: string }) => { action: 'deny' }) | null = null;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler;
  }
  /** Emits like Electron does and tells whether a listener prevented the default. */
  fire(event: string, url?: string): boolean {
    let prevented = false;
    this.emit(event, { preventDefault: () => (prevented = true) }, url);
    return prevented;
  }
  /** will-frame-navigate carries its URL on the event, not as an argument. */
  fireFrame(url: string): boolean {
    let prevented = false;
    this.emit('will-frame-navigate', { url, preventDefault: () => (prevented = true) });
    return prevented;
  }
}

function hardened(): { contents: FakeContents; opened: string[] } {
  const contents = new FakeContents();
  const opened: string[] = [];
  hardenWebContents(contents as unknown as HardenableContents, { appUrl, openExternal: (url) => opened.push(url) });
  return { contents, opened };
}

describe('secureWebPreferences', () => {
  it('follows the checklist', () => {
    const prefs = secureWebPreferences({ preload: '/p.cjs', devTools: false });
    expect(prefs).toMatchObject({
      preload: '/p.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      devTools: false,
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
  });
});

describe('hardenWebContents', () => {
  it('keeps navigation inside the app', () => {
    const { contents } = hardened();
    expect(contents.fire('will-navigate', 'odra-app://app/index.html#/models')).toBe(false);
    expect(contents.fire('will-navigate', 'https://example.com/')).toBe(true);
    expect(contents.fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.fire('will-redirect', 'https://example.com/')).toBe(true);
  });

  it('keeps every frame, subframes included, inside the app (will-frame-navigate)', () => {
    const { contents } = hardened();
    expect(contents.fireFrame('odra-app://app/index.html#/evaluate')).toBe(false);
    expect(contents.fireFrame('https://example.com/')).toBe(true);
    expect(contents.fireFrame('file:///etc/passwd')).toBe(true);
  });

  it('refuses webviews', () => {
    const { contents } = hardened();
    expect(contents.fire('will-attach-webview')).toBe(true);
  });

  it('denies every new window and sends only http(s) links to the system browser', () => {
    const { contents, opened } = hardened();
    const open = contents.openHandler;
    expect(open).not.toBeNull();
    expect(open?.({ url: 'https://github.com/odra' })).toEqual({ action: 'deny' });
    expect(open?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(open?.({ url: 'odra-app://app/index.html' })).toEqual({ action: 'deny' });
    expect(open?.({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://github.com/odra']);
  });
});

describe('askBeforeOpening', () => {
  it('opens a link only after an explicit yes, and never when asking fails', async () => {
    const asked: string[] = [];
    const opened: string[] = [];
    const answers = [true, false];
    let settle: () => void = () => undefined;
    const ask = async (url: string): Promise<boolean> => {
      asked.push(url);
      const answer = answers.shift();
      if (answer === undefined) throw new Error('the dialog failed');
      return answer;
    };
    const open = askBeforeOpening(ask, (url) => {
      opened.push(url);
      settle();
    });
    const first = new Promise<void>((resolve) => (settle = resolve));
    open('https://example.com/yes');
    await first;
    open('https://example.com/no');
    open('https://example.com/broken');
    // the two refusals settle without opening: let their promise chains run out
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(asked).toEqual(['https://example.com/yes', 'https://example.com/no', 'https://example.com/broken']);
    expect(opened).toEqual(['https://example.com/yes']);
  });
});

describe('withContentSecurityPolicy', () => {
  it('replaces any CSP the server sent, whatever its header case', () => {
    const out = withContentSecurityPolicy({
      'content-security-policy': ["default-src *"],
      'Content-Type': ['text/html'],
    });
    expect(out).toEqual({ 'Content-Type': ['text/html'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self';");
    expect(CONTENT_SECURITY_POLICY).toContain('img-src \'self\' data: blob: odra-file:;');
  });
});

describe('installSessionPolicy', () => {
  it('denies permissions and sets the CSP on the app origin only', () => {
    let request: Parameters<PolicySession['setPermissionRequestHandler']>[0] | null = null;
    let check: (() => boolean) | null = null;
    let device: (() => boolean) | null = null;
    let headers: Parameters<PolicySession['webRequest']['onHeadersReceived']>[0] | null = null;
    const session: PolicySession = {
      setPermissionRequestHandler: (h) => (request = h),
      setPermissionCheckHandler: (h) => (check = h),
      setDevicePermissionHandler: (h) => (device = h),
      webRequest: { onHeadersReceived: (l) => (headers = l) },
    };
    installSessionPolicy(session, 'http://localhost:5173/');

    const granted = vi.fn();
    request!({}, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
    expect(check!()).toBe(false);
    expect(device!()).toBe(false);

    const app = vi.fn();
    headers!({ url: 'http://localhost:5173/src/main.ts', responseHeaders: {} }, app);
    expect(app).toHaveBeenCalledWith({ responseHeaders: { 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    const other = vi.fn();
    headers!({ url: 'http://localhost:9999/', responseHeaders: {} }, other);
    expect(other).toHaveBeenCalledWith({});
  });
});

describe('isTrustedSender', () => {
  it('accepts only the app top-level frame', () => {
    expect(isTrustedSender({ url: 'odra-app://app/index.html#/x', parent: null }, appUrl)).toBe(true);
    expect(isTrustedSender({ url: 'odra-app://app/index.html', parent: {} }, appUrl)).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null }, appUrl)).toBe(false);
    expect(isTrustedSender(null, appUrl)).toBe(false);
  });
});
