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
 */
import sharp from 'sharp';
import type { CorruptionName, Severity } from '../../shared/corruptions';
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
