/**
 * The report's pictures: the gallery of worst failures and the methodology's corruption
 * samples, as data: URIs. Reads images and matched detections through ReportImages
 * (report-source.ts); regenerates corrupted images with the audit's seed function
 * (corruptions/seed.ts), so a gallery picture shows the pixels the models were fed.
 *
 * Gallery rule: candidate cells are (model, condition, class) with a significant negative
 * per-class Δ AP against the baseline, most negative first, at most one per (model,
 * corruption) and `limit` in all. Without a baseline comparison (one model, or no
 * significant Δ) the cells with the largest per-class drop from the model's own clean AP
 * are taken instead, and the report says so. For a cell, the image shown is the one where
 * the model, corrupted, misses most GT boxes of the class that the baseline finds
 * (then: that the model finds clean; then: the most boxes of the class); the crop is
 * centred on the missed box the baseline found (else any missed box of the class),
 * 2.5 times its size, at least 192 px, inside the image. Boxes: the model's and the
 * baseline's detections of the class with score >= the operating threshold, and the GT
 * boxes of the class. Pictures are display JPEGs (quality 90) of the exact pixels.
 *
 * Samples: every audited corruption at severities 1..5 on one crop (at most 448 x 252 px,
 * native resolution, so pixel-scale parameters look as they act) of the audit image with
 * the most scored GT boxes, seeded with the audit's seed function for that image. A crop
 * is illustrative: corrupting the whole image and cropping it can differ for the
 * stochastic and the non-local corruptions.
 */
import sharp from 'sharp';
import type { AuditAnalysis, ConditionRef } from '../../shared/audit-results';
import { CORRUPTIONS, type CorruptionName, type Severity } from '../../shared/corruptions';
import type { GalleryItem, ReportModel } from '../../shared/report';
import { applyCorruption } from '../corruptions/registry';
import { corruptionSeed, imageKey } from '../corruptions/seed';
import { decodeImage } from '../images/decode';
import type { RgbImage } from '../images/rgb-image';
import type { Box, MatchedImage, ReportImages } from './report-source';

export const GALLERY_SCORE_THRESHOLD = 0.3;
export const GALLERY_IOU_THRESHOLD = 0.5;
const SAMPLE_W = 448;
const SAMPLE_H = 252;

type Crop = { x: number; y: number; w: number; h: number };

async function jpegDataUri(img: RgbImage, crop?: Crop): Promise<string> {
  let s = sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length), { raw: { width: img.width, height: img.height, channels: 3 } });
  if (crop) s = s.extract({ left: crop.x, top: crop.y, width: crop.w, height: crop.h });
  const buf = await s.jpeg({ quality: 90, chromaSubsampling: '4:4:4' }).toBuffer();
  return `data:image/jpeg;base64,${buf.toString('base64')}`;
}

function cropAround(box: Box, width: number, height: number): Crop {
  const side = (v: number): number => Math.max(192, Math.round(v * 2.5));
  const w = Math.min(width, side(box[2]));
  const h = Math.min(height, side(box[3]));
  const cx = box[0] + box[2] / 2;
  const cy = box[1] + box[3] / 2;
  const x = Math.round(Math.min(Math.max(0, cx - w / 2), width - w));
  const y = Math.round(Math.min(Math.max(0, cy - h / 2), height - h));
  return { x, y, w, h };
}

interface Candidate {
  model: number;
  condition: ConditionRef;
  categoryId: number;
  className: string;
  delta: GalleryItem['delta_AP'];
}

function candidates(a: AuditAnalysis, limit: number): { list: Candidate[]; rule: string } {
  const names = new Map(a.categories.map((c) => [c.id, c.name]));
  const base = a.models.findIndex((m) => m.baseline);
  const sig: Candidate[] = [];
  a.models.forEach((m, mi) => {
    if (m.baseline) return;
    for (const cond of m.conditions) {
      if (cond.corruption === 'clean') continue;
      for (const pc of cond.per_class) {
        const d = pc.delta_AP;
        if (d && d.significant && d.value !== null && d.value < 0) {
          sig.push({ model: mi, condition: { corruption: cond.corruption, severity: cond.severity }, categoryId: pc.id, className: names.get(pc.id) ?? String(pc.id), delta: d });
        }
      }
    }
  });
  const pickDistinct = (xs: Candidate[]): Candidate[] => {
    const seen = new Set<string>();
    const out: Candidate[] = [];
    for (const c of xs) {
      const key = `${c.model}/${c.condition.corruption}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(c);
      if (out.length === limit) break;
    }
    return out;
  };
  if (sig.length > 0) {
    sig.sort((x, y) => (x.delta.value ?? 0) - (y.delta.value ?? 0));
    return {
      list: pickDistinct(sig),
      rule: `cells (model, condition, class) with the most negative significant Δ AP against the baseline (${a.models[base]?.name ?? 'none'}), one per model and corruption`,
    };
  }
  const drops: Candidate[] = [];
  a.models.forEach((m, mi) => {
    const clean = m.conditions.find((c) => c.corruption === 'clean');
    if (!clean) return;
    for (const cond of m.conditions) {
      if (cond.corruption === 'clean') continue;
      for (const pc of cond.per_class) {
        const p = clean.per_class.find((x) => x.id === pc.id)?.AP.value;
        if (p === null || p === undefined || pc.AP.value === null) continue;
        drops.push({
          model: mi,
          condition: { corruption: cond.corruption, severity: cond.severity },
          categoryId: pc.id,
          className: names.get(pc.id) ?? String(pc.id),
          delta: { value: pc.AP.value - p, ci95: null, significant: null },
        });
      }
    }
  });
  drops.sort((x, y) => (x.delta.value ?? 0) - (y.delta.value ?? 0));
  return {
    list: pickDistinct(drops),
    rule: 'no significant Δ against a baseline: cells with the largest per-class drop from the model\'s own clean AP (not tested for significance), one per model and corruption',
  };
}

const ofClass = (m: MatchedImage, k: number, status?: string): number => m.gts.filter((g) => g.categoryId === k && (status ? g.status === status : true)).length;

export async function buildGallery(a: AuditAnalysis, images: ReportImages, seed: number, limit = 4): Promise<ReportModel['gallery']> {
  const { list, rule } = candidates(a, limit);
  const t = { iou: GALLERY_IOU_THRESHOLD, score: GALLERY_SCORE_THRESHOLD };
  const base = a.models.findIndex((m) => m.baseline);
  const clean: ConditionRef = { corruption: 'clean', severity: 0 };
  const items: GalleryItem[] = [];
  const decoded = new Map<number, RgbImage>();
  for (const c of list) {
    const useBase = base >= 0 && base !== c.model ? base : null;
    let best: { imageId: number; key: number[]; mc: MatchedImage; mk: MatchedImage; bc: MatchedImage | null; bk: MatchedImage | null } | null = null;
    for (const imageId of images.imageIds) {
      const gt = images.gtCounts(imageId).get(c.categoryId) ?? 0;
      if (gt === 0) continue;
      const mk = await images.matches(c.model, c.condition, imageId, t);
      const mc = await images.matches(c.model, clean, imageId, t);
      const bk = useBase === null ? null : await images.matches(useBase, c.condition, imageId, t);
      const bc = useBase === null ? null : await images.matches(useBase, clean, imageId, t);
      const modelFound = ofClass(mk, c.categoryId, 'matched');
      const key = [(bk ? ofClass(bk, c.categoryId, 'matched') : 0) - modelFound, ofClass(mc, c.categoryId, 'matched') - modelFound, gt];
      if (!best || key[0] > best.key[0] || (key[0] === best.key[0] && (key[1] > best.key[1] || (key[1] === best.key[1] && key[2] > best.key[2])))) {
        best = { imageId, key, mc, mk, bc, bk };
      }
    }
    if (!best) continue;
    const { imageId, mc, mk, bc, bk } = best;
    const path = images.imagePath(imageId);
    let img = decoded.get(imageId);
    if (!img) {
      img = await decodeImage(path);
      decoded.set(imageId, img);
    }
    const corrupted = await applyCorruption(
      img,
      c.condition.corruption as CorruptionName,
      c.condition.severity as Severity,
      corruptionSeed(seed, imageKey(images.datasetHash, imageId), c.condition.corruption, c.condition.severity),
    );
    // the missed GT box of the class, preferring one the baseline found under the same corruption
    const missed = mk.gts.map((g, i) => ({ g, i })).filter(({ g }) => g.categoryId === c.categoryId && g.status === 'missed');
    const baseFound = missed.find(({ i }) => bk?.gts[i]?.status === 'matched');
    const focus = (baseFound ?? missed[0] ?? { g: mk.gts.find((g) => g.categoryId === c.categoryId && g.status === 'matched') })?.g;
    if (!focus) continue;
    const crop = cropAround(focus.bbox, img.width, img.height);
    const boxes = (mModel: MatchedImage, mBase: MatchedImage | null): GalleryItem['clean_boxes'] => {
      const out: GalleryItem['clean_boxes'] = [];
      const add = (bbox: Box, role: 'gt' | 'model' | 'baseline', label: string): void => {
        const x = bbox[0] - crop.x;
        const y = bbox[1] - crop.y;
        if (x + bbox[2] < 0 || y + bbox[3] < 0 || x > crop.w || y > crop.h) return;
        out.push({ x, y, w: bbox[2], h: bbox[3], role, label });
      };
      for (const g of mModel.gts) if (g.categoryId === c.categoryId && (g.status === 'matched' || g.status === 'missed')) add(g.bbox, 'gt', g.status === 'matched' ? 'GT (found)' : 'GT');
      if (mBase) for (const d of mBase.detections) if (d.categoryId === c.categoryId && d.score >= t.score) add(d.bbox, 'baseline', d.score.toFixed(2));
      for (const d of mModel.detections) if (d.categoryId === c.categoryId && d.score >= t.score) add(d.bbox, 'model', d.score.toFixed(2));
      return out;
    };
    items.push({
      model: a.models[c.model].name,
      baseline: useBase === null ? null : a.models[useBase].name,
      corruption: c.condition.corruption as CorruptionName,
      severity: c.condition.severity,
      class_name: c.className,
      delta_AP: c.delta,
      image_id: imageId,
      found: {
        gt: images.gtCounts(imageId).get(c.categoryId) ?? 0,
        model_clean: ofClass(mc, c.categoryId, 'matched'),
        model_corrupted: ofClass(mk, c.categoryId, 'matched'),
        baseline_corrupted: bk ? ofClass(bk, c.categoryId, 'matched') : null,
      },
      crop,
      clean: await jpegDataUri(img, crop),
      corrupted: await jpegDataUri(corrupted, crop),
      clean_boxes: boxes(mc, bc),
      corrupted_boxes: boxes(mk, bk),
    });
  }
  return { items, rule, score_threshold: t.score, iou_threshold: t.iou };
}

export async function buildSamples(a: AuditAnalysis, images: ReportImages | null, seed: number): Promise<ReportModel['methodology']> {
  const audited = new Map<CorruptionName, number[]>();
  for (const c of a.conditions) {
    if (c.corruption === 'clean') continue;
    audited.set(c.corruption, [...(audited.get(c.corruption) ?? []), c.severity]);
  }
  const rows = CORRUPTIONS.filter((c) => audited.has(c.name));
  const describe = (samples: (n: CorruptionName) => ReportModel['methodology']['corruptions'][number]['samples']): ReportModel['methodology']['corruptions'] =>
    rows.map((c) => ({
      name: c.name,
      label: c.label,
      family: c.family,
      role: c.role,
      stochastic: c.stochastic,
      parameter: c.parameter,
      audited_severities: audited.get(c.name) ?? [],
      samples: samples(c.name),
    }));
  if (!images || images.imageIds.length === 0) {
    return { sample_image_id: null, sample_note: 'no images available to this report: samples left out', sample_clean: null, corruptions: describe(() => []) };
  }
  // the image with the most scored GT boxes, cropped around their centre
  let imageId = images.imageIds[0];
  let most = -1;
  for (const id of images.imageIds) {
    let n = 0;
    for (const v of images.gtCounts(id).values()) n += v;
    if (n > most) {
      most = n;
      imageId = id;
    }
  }
  const img = await decodeImage(images.imagePath(imageId));
  const w = Math.min(SAMPLE_W, img.width);
  const h = Math.min(SAMPLE_H, img.height);
  const x = Math.round((img.width - w) / 2);
  const y = Math.round((img.height - h) / 2);
  const crop = cropPixels(img, { x, y, w, h });
  const key = imageKey(images.datasetHash, imageId);
  const pictures = new Map<string, string>();
  for (const c of rows) {
    for (const severity of [1, 2, 3, 4, 5] as const) {
      const out = await applyCorruption(crop, c.name, severity, corruptionSeed(seed, key, c.name, severity));
      pictures.set(`${c.name}/${severity}`, await jpegDataUri(out));
    }
  }
  return {
    sample_clean: await jpegDataUri(crop),
    sample_image_id: imageId,
    sample_note: `a ${w} x ${h} px crop (native resolution) of image ${imageId}, corrupted with the audit's seed function for that image; illustrative: the audit corrupts whole images`,
    corruptions: describe((n) => [1, 2, 3, 4, 5].map((s) => ({ severity: s, image: pictures.get(`${n}/${s}`) ?? '' }))),
  };
}

function cropPixels(img: RgbImage, c: Crop): RgbImage {
  const data = new Uint8Array(c.w * c.h * 3);
  for (let row = 0; row < c.h; row++) {
    const from = ((c.y + row) * img.width + c.x) * 3;
    data.set(img.data.subarray(from, from + c.w * 3), row * c.w * 3);
  }
  return { width: c.w, height: c.h, data };
}
