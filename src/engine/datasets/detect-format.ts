/**
 * Which format a dataset folder is in, from what it holds:
 *   annotations.json                 -> coco
 *   data.yaml (or one *.yaml with names:) -> yolo
 *   Annotations/ + JPEGImages/       -> voc
 *   label_2/ + image_2/              -> kitti
 *   a *.json list of frames with box2d (top level or under labels/) -> bdd
 * A folder that matches none or several is an error saying what was looked for (and
 * which subfolder would match, for the usual VOCdevkit/VOC2007 or KITTI training/
 * one level down); the caller can always name the format instead.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { badInput } from '../../shared/errors';
import type { DatasetFormat } from '../../shared/schemas';
import { findBddJsons } from './bdd-import';
import { COCO_ANNOTATION_FILE } from './coco-import';
import { isDirectory, isFile, requireDirectory } from './import-common';
import { KITTI_IMAGE_DIR, KITTI_LABEL_DIR } from './kitti-import';
import { VOC_ANNOTATION_DIR, VOC_IMAGE_DIR } from './voc-import';
import { findYoloYaml } from './yolo-import';

export interface FormatMatch {
  format: DatasetFormat;
  /** what in the folder gave it away */
  evidence: string;
}

/** What each format's folder holds, as the error for an unrecognised folder spells it out. */
export function formatSigns(root: string): Record<DatasetFormat, string> {
  const at = (name: string): string => path.join(root, name);
  return {
    coco: `${at(COCO_ANNOTATION_FILE)} + images/ (COCO)`,
    yolo: `${at('data.yaml')} + images/ + labels/ (YOLO)`,
    voc: `${at(VOC_ANNOTATION_DIR)}/ + ${VOC_IMAGE_DIR}/ (Pascal VOC)`,
    kitti: `${at(KITTI_LABEL_DIR)}/ + ${KITTI_IMAGE_DIR}/ (KITTI)`,
    bdd: `a *.json list of frames with box2d labels, in the folder or under labels/, + images/ (BDD100K)`,
  };
}

/** Every format the folder looks like, in the order above. */
export async function formatMatches(dir: string): Promise<FormatMatch[]> {
  const root = path.resolve(dir);
  const out: FormatMatch[] = [];
  if (await isFile(path.join(root, COCO_ANNOTATION_FILE))) out.push({ format: 'coco', evidence: COCO_ANNOTATION_FILE });
  const yaml = await findYoloYaml(root);
  if (yaml) out.push({ format: 'yolo', evidence: path.basename(yaml) });
  if ((await isDirectory(path.join(root, VOC_ANNOTATION_DIR))) && (await isDirectory(path.join(root, VOC_IMAGE_DIR)))) {
    out.push({ format: 'voc', evidence: `${VOC_ANNOTATION_DIR}/ and ${VOC_IMAGE_DIR}/` });
  }
  if ((await isDirectory(path.join(root, KITTI_LABEL_DIR))) && (await isDirectory(path.join(root, KITTI_IMAGE_DIR)))) {
    out.push({ format: 'kitti', evidence: `${KITTI_LABEL_DIR}/ and ${KITTI_IMAGE_DIR}/` });
  }
  const bdd = await findBddJsons(root);
  if (bdd.length) out.push({ format: 'bdd', evidence: bdd.map((f) => path.relative(root, f)).join(', ') });
  return out;
}

export async function detectDatasetFormat(dir: string): Promise<FormatMatch> {
  const root = path.resolve(dir);
  await requireDirectory(root, 'dataset folder');
  const matches = await formatMatches(root);
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    const found = matches.map((m) => `${m.format} (${m.evidence})`).join(', ');
    throw badInput(`${root} looks like several dataset formats: ${found}; name the format to import it as`, [{ file: root, problem: `matches ${found}` }], root);
  }
  const looked = Object.values(formatSigns(root)).join('; ');
  const nested = await matchingSubfolders(root);
  const hint = nested.length ? ` Did you mean ${nested.map((n) => `${n.dir} (${n.format})`).join(' or ')}?` : '';
  throw badInput(`${root} is not a dataset folder Odra recognises: looked for ${looked}.${hint}`, [{ file: root, problem: `none of: ${looked}` }], root);
}

/** Subfolders (one level down, the first 20) that would be recognised. */
async function matchingSubfolders(root: string): Promise<{ dir: string; format: DatasetFormat }[]> {
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  const out: { dir: string; format: DatasetFormat }[] = [];
  for (const e of entries.filter((d) => d.isDirectory() && !d.name.startsWith('.')).slice(0, 20)) {
    const dir = path.join(root, e.name);
    const m = await formatMatches(dir);
    if (m.length === 1) out.push({ dir, format: m[0].format });
  }
  return out;
}
