/**
 * Previews for the app: one dataset image, corrupted at the requested corruptions and
 * severities through the shared worker pool, returned as PNG data URLs at full
 * resolution so the analyst can zoom to pixels. The seed of each cell is derived from
 * the dataset's content hash and the image id, as an audit derives it, so a preview
 * shows exactly the pixels an audit with the same seed scores.
 *
 * An application service (layer 3): it joins the dataset store, image decoding and the
 * corruption kernels, so it lives above all three rather than inside corruptions/, whose
 * kernels must stay free of the store.
 *
 * Bounded: one answer holds every cell at full resolution, so the cells times the image's
 * pixels must stay within PREVIEW_PIXEL_BUDGET (shared/corruptions.ts) (95 cells of a 1242 x 375 KITTI frame fit;
 * 95 cells of a 12-megapixel photo do not): a request beyond it is refused before any
 * work, saying how many cells this image allows, and the app asks for fewer at a time.
 */
import sharp from 'sharp';
import { OdraError } from '../../shared/errors';
import { previewCellLimit, type CorruptionName, type Severity } from '../../shared/corruptions';
import type { DatasetRepo } from '../datasets/dataset-repo';
import { decodeImage } from '../images/decode';
import type { RgbImage } from '../images/rgb-image';
import { corruptionSeed, imageKey } from '../corruptions/seed';
import type { CorruptionPool } from '../corruptions/pool';

export interface PreviewRequest {
  datasetId: number;
  imageId: number;
  corruptions: CorruptionName[];
  severities: number[];
  seed: number;
}

export async function previewCorruptions(datasets: DatasetRepo, pool: CorruptionPool, req: PreviewRequest, signal: AbortSignal) {
  const located = datasets.imagePath(req.datasetId, req.imageId);
  const hash = datasets.get(req.datasetId).contentHash;
  const { width, height } = datasets.image(req.datasetId, req.imageId);
  const cellCount = req.corruptions.length * req.severities.length;
  const allowed = previewCellLimit(width, height);
  if (cellCount > allowed) {
    throw new OdraError(
      'BAD_INPUT',
      `a preview of ${cellCount} cells of this ${width}x${height} image is too large to send at once; ask for at most ${allowed} cells (e.g. one severity, or fewer corruptions)`,
      { maxCells: allowed },
    );
  }
  const image = await decodeImage(located.path);
  const jobs = req.corruptions.flatMap((corruption) =>
    req.severities.map(async (severity) => {
      const seed = corruptionSeed(req.seed, imageKey(hash, req.imageId), corruption, severity);
      const { image: out, ms } = await pool.corruptTimed(image, corruption, severity as Severity, seed, signal, 'interactive');
      return { corruption, severity, seed, image: await toDataUrl(out), ms };
    }),
  );
  const cells = await Promise.all(jobs);
  return { width: image.width, height: image.height, clean: await toDataUrl(image), cells };
}

async function toDataUrl(image: RgbImage): Promise<string> {
  const png = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: 3 },
  })
    .png({ compressionLevel: 3 })
    .toBuffer();
  return `data:image/png;base64,${png.toString('base64')}`;
}
