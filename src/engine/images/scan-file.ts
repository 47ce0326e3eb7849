/**
 * One image file read once: its SHA-256 and its size and format, from the same bytes.
 *
 * Input: a path. Output: `{ok: true, sha256, width, height, format, bytes}` or
 * `{ok: false, kind, reason}` (missing, unreadable, undecodable), never a throw, so a
 * dataset's bad images are all reported together.
 *
 * The size comes from the header (image-header.ts: JPEG, PNG, WebP, with a structural
 * check that the file is whole) without decoding a pixel; any other format (TIFF, BMP,
 * GIF, unknown bytes) is decoded from the bytes already read, as every image was before,
 * so the decoder's own message reports what it cannot read. The hash is the same
 * SHA-256 of the file's bytes that file-hash.ts streams.
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { decodeImage } from './decode';
import { probeImage } from './image-header';

export type ImageScan =
  | { ok: true; sha256: string; width: number; height: number; format: string; bytes: number }
  | { ok: false; kind: 'missing' | 'unreadable' | 'undecodable'; reason: string };

export async function scanImageFile(file: string): Promise<ImageScan> {
  let bytes: Buffer;
  try {
    const handle = await open(file, 'r');
    try {
      // A FIFO or a folder under an image's name would block or fail the read: say so.
      const info = await handle.stat();
      if (!info.isFile()) return { ok: false, kind: 'unreadable', reason: 'it is not a regular file' };
      bytes = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, kind: 'missing', reason: 'no such file' };
    return { ok: false, kind: 'unreadable', reason: (err as Error).message.split('\n')[0] };
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const header = probeImage(bytes);
  if (header && 'problem' in header) return { ok: false, kind: 'undecodable', reason: header.problem };
  if (header) return { ok: true, sha256, width: header.width, height: header.height, format: header.format, bytes: bytes.length };
  try {
    const decoded = await decodeImage(bytes);
    return { ok: true, sha256, width: decoded.width, height: decoded.height, format: 'decoded', bytes: bytes.length };
  } catch (err) {
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { ok: false, kind: 'undecodable', reason };
  }
}
