/** The last error nothing else handled: shown in a banner instead of breaking the page. */
import { ref } from 'vue';

export const uncaught = ref<string | null>(null);

export function reportUncaught(err: unknown): void {
  uncaught.value = err instanceof Error ? err.message : String(err);
}
