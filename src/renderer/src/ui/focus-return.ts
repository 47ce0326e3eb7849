/**
 * Dialogs give focus back to whatever opened them. Call `useFocusReturn` in a dialog
 * component's setup: the element focused at that moment (the thumbnail, the button
 * that opened it) is remembered before the dialog takes focus, and refocused when the
 * dialog unmounts, if it is still in the document and focusable (a virtual grid may
 * have dropped it; then `fallback` names another, or focus stays where the browser
 * puts it). Escape, pressed anywhere while the dialog is open, calls `close`: one
 * place for the key every dialog answers. The dialog itself is focused on mount, so
 * keys reach it at once.
 */
import { onBeforeUnmount, onMounted, onUnmounted, type Ref } from 'vue';

/** The bits of an element this module uses; the DOM gives more. */
export interface Focusable {
  isConnected: boolean;
  focus(options?: { preventScroll?: boolean }): void;
}

/** The element to give focus back to: the opener when it is still in the page, else the fallback's pick. */
export function returnTarget(opener: Focusable | null, fallback: () => Focusable | null): Focusable | null {
  if (opener && opener.isConnected) return opener;
  const other = fallback();
  return other && other.isConnected ? other : null;
}

export interface FocusReturnOptions {
  /** the dialog element, focused on mount */
  dialog: Ref<HTMLElement | null>;
  /** closes the dialog (its parent unmounts it) */
  close: () => void;
  /** where focus goes when the opener has left the page */
  fallback?: () => HTMLElement | null;
}

export function useFocusReturn(options: FocusReturnOptions): void {
  const active = document.activeElement;
  const opener = active instanceof HTMLElement && active !== document.body ? active : null;

  function onKey(event: KeyboardEvent): void {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    event.preventDefault();
    options.close();
  }

  onMounted(() => {
    window.addEventListener('keydown', onKey);
    options.dialog.value?.focus({ preventScroll: true });
  });
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey));
  onUnmounted(() => {
    returnTarget(opener, options.fallback ?? (() => null))?.focus();
  });
}
