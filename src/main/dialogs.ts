/**
 * Native open and save dialogs for the renderer (`window.odra.pickPath`; kind `save`
 * for where a report is written). The sandboxed page
 * cannot see the file system; it gets exactly the path the user picked. Options are
 * validated (they cross a trust boundary) and only the app's own top-level page is
 * answered.
 */
import { BrowserWindow, dialog, ipcMain, type OpenDialogOptions, type SaveDialogOptions, type WebContents } from 'electron';
import { z } from 'zod';
import { IPC, type PickPathOptions } from '../shared/desktop-bridge';
import { isTrustedSender } from './security';

export const pickPathOptionsSchema = z
  .object({
    kind: z.enum(['file', 'directory', 'save']),
    title: z.string().max(200).optional(),
    defaultPath: z.string().max(4096).optional(),
    filters: z
      .array(
        z
          .object({
            name: z.string().min(1).max(100),
            extensions: z
              .array(z.string().regex(/^(\*|[A-Za-z0-9][A-Za-z0-9_-]{0,15})$/, 'an extension without the dot, or *'))
              .min(1)
              .max(20),
          })
          .strict(),
      )
      .max(20)
      .optional(),
  })
  .strict()
  // only a save dialog starts somewhere: an open dialog the page could point at a folder of its choosing has no use
  .refine((o) => o.defaultPath === undefined || o.kind === 'save', { message: 'defaultPath is for save dialogs only', path: ['defaultPath'] });

export function toOpenDialogOptions(options: PickPathOptions): OpenDialogOptions {
  return {
    title: options.title,
    properties: options.kind === 'directory' ? ['openDirectory'] : ['openFile'],
    filters: options.kind === 'file' ? options.filters : undefined,
  };
}

export function toSaveDialogOptions(options: PickPathOptions): SaveDialogOptions {
  return { title: options.title, defaultPath: options.defaultPath, filters: options.filters, properties: ['showOverwriteConfirmation', 'createDirectory'] };
}

export interface InvokeEventLike<Sender> {
  senderFrame: { url: string; parent: unknown } | null;
  sender: Sender;
}

export type ShowOpenDialog<Sender> = (
  options: OpenDialogOptions,
  sender: Sender,
) => Promise<{ canceled: boolean; filePaths: string[] }>;

export type ShowSaveDialog<Sender> = (options: SaveDialogOptions, sender: Sender) => Promise<{ canceled: boolean; filePath?: string }>;

export function createPickPathHandler<Sender>(
  appUrl: string,
  show: ShowOpenDialog<Sender>,
  showSave?: ShowSaveDialog<Sender>,
): (event: InvokeEventLike<Sender>, raw: unknown) => Promise<string | null> {
  return async (event, raw) => {
    if (!isTrustedSender(event.senderFrame, appUrl)) throw new Error('pick-path refused: untrusted sender');
    const parsed = pickPathOptionsSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`pick-path refused: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
    if (parsed.data.kind === 'save') {
      if (!showSave) throw new Error('pick-path refused: no save dialog here');
      const saved = await showSave(toSaveDialogOptions(parsed.data), event.sender);
      return saved.canceled || !saved.filePath ? null : saved.filePath;
    }
    const result = await show(toOpenDialogOptions(parsed.data), event.sender);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  };
}

export function registerDialogHandlers(appUrl: string): void {
  const handler = createPickPathHandler<WebContents>(
    appUrl,
    (options, sender) => {
      const window = BrowserWindow.fromWebContents(sender);
      return window ? dialog.showOpenDialog(window, options) : dialog.showOpenDialog(options);
    },
    (options, sender) => {
      const window = BrowserWindow.fromWebContents(sender);
      return window ? dialog.showSaveDialog(window, options) : dialog.showSaveDialog(options);
    },
  );
  ipcMain.handle(IPC.pickPath, (event, raw: unknown) => handler(event, raw));
}
