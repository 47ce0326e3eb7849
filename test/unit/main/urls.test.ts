import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, externalUrl, rendererUrl, sameOrigin } from '../../../src/main/urls';

describe('sameOrigin', () => {
  it('treats our standard custom scheme like http: protocol + host + port', () => {
    expect(sameOrigin('odra-app://app/index.html', 'odra-app://app/assets/x.js')).toBe(true);
    expect(sameOrigin('odra-app://app/', 'odra-app://evil/')).toBe(false);
    expect(sameOrigin('odra-app://app/', 'odra-file://app/')).toBe(false);
  });

  it('compares ports for the dev server', () => {
    expect(sameOrigin('http://localhost:5173/#/datasets', 'http://localhost:5173/')).toBe(true);
    expect(sameOrigin('http://localhost:5174/', 'http://localhost:5173/')).toBe(false);
    expect(sameOrigin('https://localhost:5173/', 'http://localhost:5173/')).toBe(false);
  });

  it('never matches opaque or unparsable URLs', () => {
    expect(sameOrigin('about:blank', 'about:blank')).toBe(false);
    expect(sameOrigin('data:text/html,hi', 'data:text/html,hi')).toBe(false);
    expect(sameOrigin('javascript:alert(1)', 'odra-app://app/')).toBe(false);
    expect(sameOrigin('not a url', 'odra-app://app/')).toBe(false);
  });
});

describe('rendererUrl', () => {
  it('uses the dev server only when not packaged and only for a local http URL', () => {
    expect(rendererUrl({ isPackaged: false, devServerUrl: 'http://localhost:5173' })).toBe('http://localhost:5173/');
    expect(rendererUrl({ isPackaged: true, devServerUrl: 'http://localhost:5173' })).toBe(APP_ENTRY_URL);
    expect(rendererUrl({ isPackaged: false, devServerUrl: undefined })).toBe(APP_ENTRY_URL);
    expect(rendererUrl({ isPackaged: false, devServerUrl: 'https://example.com' })).toBe(APP_ENTRY_URL);
    expect(rendererUrl({ isPackaged: false, devServerUrl: 'file:///etc/passwd' })).toBe(APP_ENTRY_URL);
  });
});

describe('externalUrl', () => {
  it('lets http and https out, normalised', () => {
    expect(externalUrl('https://cocodataset.org/#home')).toBe('https://cocodataset.org/#home');
    expect(externalUrl('HTTP://Example.com')).toBe('http://example.com/');
  });

  it('refuses every other scheme and credentials', () => {
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'ms-msdt:/id',
      'odra-app://app/',
      'https://user:pw@example.com/',
      'garbage',
    ]) {
      expect(externalUrl(url), url).toBeNull();
    }
  });
});
