/**
 * One entry point for every dataset format: the format named by the caller, else the
 * one detected from the folder (detect-format.ts). Returns the canonical form; the
 * store is written by the caller, so a failed import leaves nothing behind.
 */
import { badInput } from '../../shared/errors';
import type { DatasetFormat } from '../../shared/schemas';
import { readBddDataset } from './bdd-import';
import type { CanonicalDataset } from './canonical';
import { readCocoDataset } from './coco-import';
import { detectDatasetFormat } from './detect-format';
import type { ImportOptions } from './import-common';
import { readKittiDataset } from './kitti-import';
import { readVocDataset } from './voc-import';
import { readYoloDataset } from './yolo-import';

export type { ImportOptions } from './import-common';

const READERS: Readonly<Record<DatasetFormat, (dir: string, options: ImportOptions) => Promise<CanonicalDataset>>> = {
  coco: async (dir, { split, ...options }) => {
    if (split !== undefined) throw badInput(`a COCO folder has one annotations.json and no splits (asked for "${split}")`, [], dir);
    return readCocoDataset(dir, options);
  },
  yolo: readYoloDataset,
  voc: readVocDataset,
  kitti: readKittiDataset,
  bdd: readBddDataset,
};

export function isSplitName(split: string): boolean {
  return split.trim() !== '' && !/[/\\\0]/.test(split) && split !== '.' && !split.includes('..');
}

/**
 * Reads the dataset; one with no images or no boxes at all is refused here, naming the
 * folder, because nothing can be evaluated on it (a COCO file with `"images": []`, a
 * YOLO folder whose labels are missing) and storing it would only move the error to a
 * later, misleading place (the class map).
 */
export async function importDataset(dir: string, options: ImportOptions & { format?: DatasetFormat } = {}): Promise<CanonicalDataset> {
  const { format, ...rest } = options;
  if (rest.split !== undefined && !isSplitName(rest.split)) {
    // a split names a key or a file inside the dataset (VOC ImageSets/Main/<split>.txt), never a path
    throw badInput(`${dir}: split "${rest.split}" is not a split name: a name has no "/", "\\" or ".." (e.g. val, train, test)`, [], dir);
  }
  const chosen = format ?? (await detectDatasetFormat(dir)).format;
  const ds = await READERS[chosen](dir, rest);
  const where = `${ds.root}${rest.split ? ` (split ${rest.split})` : ''}`;
  if (ds.images.length === 0) throw badInput(`${where} holds no images: there is nothing to evaluate`, [], ds.root);
  if (ds.annotations.length === 0) {
    throw badInput(`${where} has ${ds.images.length} image(s) but not one box: are its label files missing or empty?`, [], ds.root);
  }
  return ds;
}
