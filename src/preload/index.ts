/**
 * Preload of every Odra window. It runs sandboxed (bundled to one CommonJS file:
 * sandboxed preloads can neither be ES modules nor require anything but `electron`)
 * and exposes exactly one object, `window.odra` (see ./api), nothing of Electron itself.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge';

contextBridge.exposeInMainWorld('odra', createBridge(ipcRenderer));
