/**
 * The note an import shows when its bytes were already in the store (no silent no-op):
 * the shared sentence (alreadyImportedMessage), which stored item to show, and the name
 * to offer as a rename when the import asked for another one. Null for a new import.
 */
import { alreadyImportedMessage, type AlreadyImported } from '../../../shared/schemas';

export interface ImportNotice {
  message: string;
  /** the stored model or dataset the import answered with */
  id: number;
  name: string;
  /** offered as "Rename to …" when set */
  renameTo: string | null;
}

export function importNotice(
  kind: 'model' | 'dataset',
  result: { id: number; name: string; alreadyImported?: AlreadyImported },
  /** the stored item's file (a model) or folder (a dataset) */
  storedPath: string,
): ImportNotice | null {
  const already = result.alreadyImported;
  if (!already) return null;
  const message = alreadyImportedMessage(kind, { name: result.name, path: storedPath }, already);
  return { message: message.charAt(0).toUpperCase() + message.slice(1), id: result.id, name: result.name, renameTo: already.requestedName };
}
