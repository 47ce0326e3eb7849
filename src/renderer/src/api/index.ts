/**
 * The renderer's one connection to the engine, chosen at startup: the Electron
 * preload's bridge when it is there, otherwise the WebSocket of `odra serve` (browser
 * mode, where the access token comes in the page URL).
 */
import { ref, type Ref } from 'vue';
import { OdraClient, type Transport } from '../../../shared/client';
import type { ClientMessage, EngineMessage } from '../../../shared/contract';
import { electronBridge, type MenuAction, type PickPathOptions } from './bridge';
import { WebSocketTransport, type ConnectionState } from './websocket-transport';

export type { ConnectionState } from './websocket-transport';

export interface Api {
  mode: 'electron' | 'browser';
  client: OdraClient;
  connection: Ref<ConnectionState>;
  /** set when the app cannot reach the engine at all (e.g. browser mode without a token) */
  fatal: string | null;
  /** a note for the status line, e.g. after an engine restart */
  notice: Ref<string | null>;
  imageUrl(datasetId: number, imageId: number): string;
  /** the grid's thumbnail of an image (<= 320 px WebP, made by the engine on first request) */
  thumbnailUrl(datasetId: number, imageId: number): string;
  /** null where there is no native dialog (browser mode): the user types the path */
  pickPath: ((options: PickPathOptions) => Promise<string | null>) | null;
  /** application-menu actions (Electron only); returns a function that removes the listener */
  onMenu(listener: (action: MenuAction) => void): () => void;
}

const noMenu = (): (() => void) => () => undefined;

const TOKEN_KEY = 'odra.token';

/**
 * The token from `?token=` (kept in sessionStorage so a reload still works, and
 * removed from the address bar so it does not end up in screenshots or history),
 * or the one kept from before.
 */
export function takeToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      sessionStorage.setItem(TOKEN_KEY, fromUrl);
    } catch {
      // storage can be disabled; the token then only lives for this page
    }
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
    return fromUrl;
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** Answers every request with the same error, so views show it instead of hanging. */
function refusingTransport(message: string): Transport {
  let listener: ((message: EngineMessage) => void) | null = null;
  return {
    send(request: ClientMessage) {
      if (request.type !== 'request') return;
      queueMicrotask(() =>
        listener?.({ type: 'response', id: request.id, ok: false, error: { code: 'INTERNAL', message } }),
      );
    },
    onMessage(next) {
      listener = next;
    },
  };
}

function createApi(): Api {
  const connection = ref<ConnectionState>('connecting');
  const notice = ref<string | null>(null);
  const bridge = electronBridge();
  if (bridge) {
    const client = new OdraClient(bridge);
    connection.value = 'open';
    bridge.onEngineRestart((event) => {
      client.failAll(`the engine stopped (exit code ${event.exitCode}); the running request was lost`);
      if (event.restarting) {
        notice.value = 'The engine stopped unexpectedly and was restarted. Running work was lost.';
      } else {
        connection.value = 'closed';
        notice.value = 'The engine keeps stopping; restart Odra.';
      }
    });
    return {
      mode: 'electron',
      client,
      connection,
      fatal: null,
      notice,
      imageUrl: (datasetId, imageId) => bridge.imageUrl(datasetId, imageId),
      thumbnailUrl: (datasetId, imageId) => (bridge.thumbnailUrl ?? bridge.imageUrl)(datasetId, imageId),
      pickPath: (options) => bridge.pickPath(options),
      onMenu: (listener) => bridge.onMenu(listener),
    };
  }

  const token = takeToken();
  if (!token) {
    const fatal = 'No access token. Open the full address that "odra serve" printed (it ends in ?token=…).';
    connection.value = 'closed';
    return {
      mode: 'browser',
      client: new OdraClient(refusingTransport(fatal)),
      connection,
      fatal,
      notice,
      imageUrl: () => '',
      thumbnailUrl: () => '',
      pickPath: null,
      onMenu: noMenu,
    };
  }
  const encoded = encodeURIComponent(token ?? '');
  const wsUrl = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}/rpc?token=${encoded}`;
  let client: OdraClient | null = null;
  const transport = new WebSocketTransport({
    url: wsUrl,
    onState: (state) => {
      connection.value = state;
      if (state === 'open') notice.value = null;
    },
    onLost: () => {
      notice.value = 'Lost the connection to the Odra server; reconnecting…';
      client?.failAll('the connection to the Odra server was lost');
    },
  });
  client = new OdraClient(transport);
  return {
    mode: 'browser',
    client,
    connection,
    fatal: null,
    notice,
    imageUrl: (datasetId, imageId) =>
      `/files/datasets/${encodeURIComponent(String(datasetId))}/images/${encodeURIComponent(String(imageId))}?token=${encoded}`,
    thumbnailUrl: (datasetId, imageId) =>
      `/files/datasets/${encodeURIComponent(String(datasetId))}/thumbnails/${encodeURIComponent(String(imageId))}?token=${encoded}`,
    pickPath: null,
    onMenu: noMenu,
  };
}

let instance: Api | null = null;

/** Created on first use, so nothing connects before main.ts has set the app up. */
export function api(): Api {
  instance ??= createApi();
  return instance;
}
