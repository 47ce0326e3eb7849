/**
 * Which URLs belong to the app, which may leave it. Node's URL parser does not know
 * our schemes are "standard" (it reports origin "null" for them), so origins are
 * compared on protocol, host and port explicitly.
 */
export const APP_SCHEME = 'odra-app';
export const APP_HOST = 'app';
/** The packaged renderer's entry, served from out/renderer by the app protocol. */
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

export function sameOrigin(a: string, b: string): boolean {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return false;
  // Opaque URLs (data:, about:, javascript:) have no host and belong to nobody.
  if (!x.host || !y.host) return false;
  return x.protocol === y.protocol && x.hostname === y.hostname && x.port === y.port;
}

/** The URL the main window loads: the dev server in development, the app protocol otherwise. */
export function rendererUrl(options: { isPackaged: boolean; devServerUrl: string | undefined }): string {
  if (!options.isPackaged && options.devServerUrl) {
    const dev = parse(options.devServerUrl);
    // electron-vite sets a localhost http URL; anything else is a misconfiguration, not a dev server.
    if (dev && dev.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(dev.hostname)) return dev.href;
  }
  return APP_ENTRY_URL;
}

/** A link the user may open in the system browser: http(s) only, no embedded credentials. */
export function externalUrl(url: string): string | null {
  const parsed = parse(url);
  if (!parsed) return null;
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
  if (parsed.username || parsed.password || !parsed.hostname) return null;
  return parsed.href;
}
