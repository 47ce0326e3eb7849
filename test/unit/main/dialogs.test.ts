import { describe, expect, it, vi } from 'vitest';

const handled = vi.hoisted(() => new Map<string, (...args: unknown[]) => unknown>());
vi.mock('electron', () => ({
  BrowserWindow: { fromWebContents: () => null },
  dialog: { showOpenDialog: vi.fn(async () => ({ canceled: false, filePaths: ['/picked'] })) },
  ipcMain: { handle: (channel: string, fn: (...args: unknown[]) => unknown) => handled.set(channel, fn) },
}));

const { createPickPathHandler, pickPathOptionsSchema, registerDialogHandlers, toOpenDialogOptions } = await import(
  '../../../src/main/dialogs'
);

const appUrl = 'odra-app://app/index.html';
const appFrame = { url: 'odra-app://app/index.html#/models', parent: null };

describe('pickPathOptionsSchema', () => {
  it('accepts what the renderer sends', () => {
    expect(
      pickPathOptionsSchema.safeParse({ kind: 'file', title: 'Model', filters: [{ name: 'ONNX', extensions: ['onnx'] }] })
        .success,
    ).toBe(true);
    expect(pickPathOptionsSchema.safeParse({ kind: 'directory' }).success).toBe(true);
    expect(pickPathOptionsSchema.safeParse({ kind: 'save', defaultPath: '/r/a.pdf', filters: [{ name: 'PDF', extensions: ['pdf'] }] }).success).toBe(true);
  });

  it('rejects unknown keys, kinds and odd extensions', () => {
    for (const bad of [
      { kind: 'file', defaultPath: '/etc' },
      { kind: 'directory', defaultPath: '/etc' },
      { kind: 'open' },
      { kind: 'file', filters: [{ name: 'x', extensions: ['../../x'] }] },
      { kind: 'file', filters: [{ name: 'x', extensions: [] }] },
      { kind: 'file', title: 'x'.repeat(201) },
      'file',
      null,
    ]) {
      expect(pickPathOptionsSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe('toOpenDialogOptions', () => {
  it('maps kinds to dialog properties; filters only make sense for files', () => {
    expect(toOpenDialogOptions({ kind: 'directory', filters: [{ name: 'a', extensions: ['b'] }] })).toEqual({
      title: undefined,
      properties: ['openDirectory'],
      filters: undefined,
    });
    expect(toOpenDialogOptions({ kind: 'file', title: 'T', filters: [{ name: 'a', extensions: ['b'] }] })).toEqual({
      title: 'T',
      properties: ['openFile'],
      filters: [{ name: 'a', extensions: ['b'] }],
    });
  });
});

describe('createPickPathHandler', () => {
  it('returns the first chosen path, or null when cancelled', async () => {
    const show = vi.fn(async () => ({ canceled: false, filePaths: ['/data/coco', '/other'] }));
    const handler = createPickPathHandler(appUrl, show);
    await expect(handler({ senderFrame: appFrame, sender: 'wc' }, { kind: 'directory' })).resolves.toBe('/data/coco');
    expect(show).toHaveBeenCalledWith({ title: undefined, properties: ['openDirectory'], filters: undefined }, 'wc');
    const cancel = createPickPathHandler(appUrl, async () => ({ canceled: true, filePaths: [] }));
    await expect(cancel({ senderFrame: appFrame, sender: 'wc' }, { kind: 'file' })).resolves.toBeNull();
  });

  it('opens a save dialog for kind save, starting at the default path, and returns the chosen file or null', async () => {
    const show = vi.fn(async () => ({ canceled: false, filePaths: ['/never'] }));
    const save = vi.fn(async () => ({ canceled: false, filePath: '/reports/a.pdf' }));
    const handler = createPickPathHandler(appUrl, show, save);
    const options = { kind: 'save', title: 'Save', defaultPath: '/reports/odra-audit-1-report.pdf', filters: [{ name: 'PDF', extensions: ['pdf'] }] };
    await expect(handler({ senderFrame: appFrame, sender: 'wc' }, options)).resolves.toBe('/reports/a.pdf');
    expect(save).toHaveBeenCalledWith(
      { title: 'Save', defaultPath: '/reports/odra-audit-1-report.pdf', filters: [{ name: 'PDF', extensions: ['pdf'] }], properties: ['showOverwriteConfirmation', 'createDirectory'] },
      'wc',
    );
    expect(show).not.toHaveBeenCalled();
    const cancelled = createPickPathHandler(appUrl, show, async () => ({ canceled: true, filePath: '' }));
    await expect(cancelled({ senderFrame: appFrame, sender: 'wc' }, { kind: 'save' })).resolves.toBeNull();
    await expect(createPickPathHandler(appUrl, show)({ senderFrame: appFrame, sender: 'wc' }, { kind: 'save' })).rejects.toThrow(/no save dialog/);
  });

  it('refuses untrusted senders and invalid options without opening a dialog', async () => {
    const show = vi.fn(async () => ({ canceled: false, filePaths: ['/x'] }));
    const handler = createPickPathHandler(appUrl, show);
    await expect(handler({ senderFrame: { url: 'https://evil.example/', parent: null }, sender: 1 }, { kind: 'file' })).rejects.toThrow(
      /untrusted sender/,
    );
    await expect(handler({ senderFrame: { url: appFrame.url, parent: appFrame }, sender: 1 }, { kind: 'file' })).rejects.toThrow(
      /untrusted sender/,
    );
    await expect(handler({ senderFrame: null, sender: 1 }, { kind: 'file' })).rejects.toThrow(/untrusted sender/);
    await expect(handler({ senderFrame: appFrame, sender: 1 }, { kind: 'file', properties: ['multiSelections'] })).rejects.toThrow(
      /refused/,
    );
    expect(show).not.toHaveBeenCalled();
  });

  it('is registered on the pick-path channel', async () => {
    registerDialogHandlers(appUrl);
    const fn = handled.get('odra:pick-path');
    expect(fn).toBeDefined();
    await expect(fn?.({ senderFrame: appFrame, sender: {} }, { kind: 'file' })).resolves.toBe('/picked');
  });
});
