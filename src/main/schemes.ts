/**
 * Our two custom schemes, registered as privileged before the app is ready (Electron
 * allows this call once, before `ready`). Standard + secure gives them a real origin
 * and a secure context, like https.
 */
import { protocol } from 'electron';
import { IMAGE_SCHEME } from '../shared/desktop-bridge';
import { APP_SCHEME } from './urls';

export function registerPrivilegedSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    { scheme: IMAGE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } },
  ]);
}
