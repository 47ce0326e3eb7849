/**
 * The application menu. Import items only tell the focused window what the user
 * chose (`odra:menu`); the renderer runs the import flow itself, so the menu and the
 * in-page buttons share one code path.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuAction } from '../shared/desktop-bridge';

export interface MenuOptions {
  appName: string;
  isMac: boolean;
  /** Developer tools only in development builds. */
  isDev: boolean;
  sendAction: (action: MenuAction) => void;
  showAbout: () => void;
}

export function buildMenuTemplate(options: MenuOptions): MenuItemConstructorOptions[] {
  const view: MenuItemConstructorOptions[] = [{ role: 'reload' }];
  if (options.isDev) view.push({ role: 'toggleDevTools' });
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        { label: 'Import dataset…', accelerator: 'CmdOrCtrl+O', click: () => options.sendAction('import-dataset') },
        { label: 'Import model…', accelerator: 'CmdOrCtrl+Shift+O', click: () => options.sendAction('import-model') },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    // Without an Edit menu, copy/paste shortcuts do not work in text fields on macOS.
    ...(options.isMac ? [{ role: 'editMenu' } satisfies MenuItemConstructorOptions] : []),
    { label: 'View', submenu: view },
    {
      role: 'help',
      submenu: [{ label: `About ${options.appName}`, click: () => options.showAbout() }],
    },
  ];
  // macOS puts the first menu under the application's name.
  return options.isMac ? [{ role: 'appMenu' }, ...template] : template;
}
