import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { buildMenuTemplate } from '../../../src/main/menu';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
}

function build(over: { isDev?: boolean; isMac?: boolean } = {}) {
  const sendAction = vi.fn();
  const showAbout = vi.fn();
  const template = buildMenuTemplate({ appName: 'Odra', isDev: false, isMac: false, sendAction, showAbout, ...over });
  return { template, items: flatten(template), sendAction, showAbout };
}

describe('buildMenuTemplate', () => {
  it('has File, View and Help with the import items, quit, reload and about', () => {
    const { template, items } = build();
    expect(template.map((m) => m.label ?? m.role)).toEqual(['File', 'View', 'help']);
    expect(items.map((i) => i.label ?? i.role).filter(Boolean)).toEqual([
      'File',
      'Import dataset…',
      'Import model…',
      'quit',
      'View',
      'reload',
      'help',
      'About Odra',
    ]);
  });

  it('offers developer tools only in development', () => {
    expect(build().items.some((i) => i.role === 'toggleDevTools')).toBe(false);
    expect(build({ isDev: true }).items.some((i) => i.role === 'toggleDevTools')).toBe(true);
  });

  it('sends the import actions to the renderer and opens about', () => {
    const { items, sendAction, showAbout } = build();
    const click = (label: string): void => {
      const item = items.find((i) => i.label === label);
      (item?.click as (() => void) | undefined)?.();
    };
    click('Import dataset…');
    click('Import model…');
    click('About Odra');
    expect(sendAction.mock.calls).toEqual([['import-dataset'], ['import-model']]);
    expect(showAbout).toHaveBeenCalledOnce();
  });

  it('adds the application and edit menus on macOS', () => {
    const { template } = build({ isMac: true });
    expect(template.map((m) => m.label ?? m.role)).toEqual(['appMenu', 'File', 'editMenu', 'View', 'help']);
  });
});
