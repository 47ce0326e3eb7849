/**
 * An execution-provider fallback warning split for display: the headline in Odra's words
 * ("execution provider 'cuda' could not be used, running on CPU instead") and the
 * runtime's own native text (ORT / Dawn / CUDA loader messages) as details, shown in a
 * disclosure instead of the headline. The engine writes the warning as
 * `<headline> (<native text>)` (engine/inference/execution-providers.ts fallbackWarning).
 */
export interface ProviderWarningParts {
  headline: string;
  details: string | null;
}

const FALLBACK = /^(execution provider '[^']*' could not be used, running on [^ ]+ instead) \(([\s\S]*)\)$/;

export function providerWarningParts(warning: string): ProviderWarningParts {
  const m = FALLBACK.exec(warning.trim());
  if (!m) return { headline: warning, details: null };
  const details = m[2].trim();
  return { headline: `${m[1].charAt(0).toUpperCase()}${m[1].slice(1)}.`, details: details.length > 0 ? details : null };
}
