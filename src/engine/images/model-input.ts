/**
 * RgbImage -> the model's input tensor (NCHW float32), plus the geometric transform
 * that maps input-canvas pixels back to original pixels for the decoders.
 *
 * It lives with the pixels (level 0) rather than with the adapters because two
 * places make input tensors: the inference thread (models/preprocess.ts re-exports
 * this) and the corruption pool's workers, which may not import models.
 *
 * Resizing uses sharp's bilinear kernel on the raw RGB buffer, as the reference
 * detections in shared/fixtures were made; normalisation goes through a per-channel
 * lookup table so the pad value is normalised exactly like pixels are.
 */
import sharp from 'sharp';
import type { AdapterConfig, PreprocessingConfig } from '../../shared/adapter';
import type { RgbImage } from './rgb-image';

/** canvas = original * scale + pad, per axis; original = (canvas - pad) / scale */
export interface ImageTransform {
  scaleX: number;
  scaleY: number;
  padLeft: number;
  padTop: number;
  /** original image size, for clipping */
  width: number;
  height: number;
}

export interface ResizePlan {
  transform: ImageTransform;
  /** size of the resized image pasted on the canvas */
  resizedWidth: number;
  resizedHeight: number;
}

export interface PreprocessedImage {
  data: Float32Array;
  dims: [number, number, number, number];
  transform: ImageTransform;
}

export interface PreprocessedBatch {
  data: Float32Array;
  dims: [number, number, number, number];
  transforms: ImageTransform[];
}

type Geometry = Pick<PreprocessingConfig, 'resize' | 'align'>;

/**
 * Letterbox: r = min(W/w, H/h), resized to (round(w*r), round(h*r)), placed at the
 * top-left or centred with floor((W - nw) / 2) on the left. The decoders undo it with
 * r itself (not nw/w), as the reference implementations do.
 */
export function planResize(
  srcWidth: number,
  srcHeight: number,
  dstWidth: number,
  dstHeight: number,
  geometry: Geometry,
): ResizePlan {
  if (!(srcWidth > 0 && srcHeight > 0)) throw new Error(`image has no pixels (${srcWidth}x${srcHeight})`);
  if (geometry.resize === 'stretch') {
    return {
      transform: {
        scaleX: dstWidth / srcWidth,
        scaleY: dstHeight / srcHeight,
        padLeft: 0,
        padTop: 0,
        width: srcWidth,
        height: srcHeight,
      },
      resizedWidth: dstWidth,
      resizedHeight: dstHeight,
    };
  }
  const r = Math.min(dstWidth / srcWidth, dstHeight / srcHeight);
  // Extreme aspect ratios can round the short side to 0; one pixel row is the least a resize can make.
  const resizedWidth = Math.min(dstWidth, Math.max(1, Math.round(srcWidth * r)));
  const resizedHeight = Math.min(dstHeight, Math.max(1, Math.round(srcHeight * r)));
  const centred = geometry.align === 'center';
  return {
    transform: {
      scaleX: r,
      scaleY: r,
      padLeft: centred ? Math.floor((dstWidth - resizedWidth) / 2) : 0,
      padTop: centred ? Math.floor((dstHeight - resizedHeight) / 2) : 0,
      width: srcWidth,
      height: srcHeight,
    },
    resizedWidth,
    resizedHeight,
  };
}

/** lut[c * 256 + v] = normalised value of byte v for model channel c. */
export function normalisationTable(p: PreprocessingConfig): Float32Array {
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = (v * p.scale - p.mean[c]) / p.std[c];
  }
  return lut;
}

export async function resizeRgb(image: RgbImage, width: number, height: number): Promise<Uint8Array> {
  if (image.data.length !== image.width * image.height * 3) {
    throw new Error(`RgbImage buffer has ${image.data.length} bytes, expected ${image.width * image.height * 3}`);
  }
  if (width === image.width && height === image.height) return image.data;
  const input = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  const out = await sharp(input, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { kernel: 'linear', fit: 'fill' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (out.info.width !== width || out.info.height !== height || out.info.channels !== 3) {
    throw new Error(`resize produced ${out.info.width}x${out.info.height}x${out.info.channels}, wanted ${width}x${height}x3`);
  }
  return new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
}

/**
 * Writes one CHW image into `out` at `offset`: canvas filled with the pad value,
 * resized pixels pasted at (padLeft, padTop), channels in the model's order.
 */
export function fillCanvas(
  out: Float32Array,
  offset: number,
  resized: Uint8Array,
  plan: ResizePlan,
  canvasWidth: number,
  canvasHeight: number,
  p: PreprocessingConfig,
  lut: Float32Array = normalisationTable(p),
): void {
  const plane = canvasWidth * canvasHeight;
  const pad = Math.round(p.padValue);
  const { resizedWidth: nw, resizedHeight: nh } = plan;
  const { padLeft, padTop } = plan.transform;
  for (let c = 0; c < 3; c++) {
    // A fractional pad value has no table entry.
    const padNorm = pad === p.padValue ? lut[c * 256 + pad] : (p.padValue * p.scale - p.mean[c]) / p.std[c];
    out.fill(padNorm, offset + c * plane, offset + (c + 1) * plane);
  }
  const src = p.channelOrder === 'RGB' ? [0, 1, 2] : [2, 1, 0];
  for (let c = 0; c < 3; c++) {
    const s = src[c];
    const base = offset + c * plane;
    const l = c * 256;
    for (let y = 0; y < nh; y++) {
      let o = base + (y + padTop) * canvasWidth + padLeft;
      let i = y * nw * 3 + s;
      for (let x = 0; x < nw; x++, i += 3) out[o++] = lut[l + resized[i]];
    }
  }
}

export async function preprocessInto(
  image: RgbImage,
  config: Pick<AdapterConfig, 'input' | 'preprocessing'>,
  out: Float32Array,
  offset: number,
  lut?: Float32Array,
): Promise<ImageTransform> {
  const { width, height } = config.input;
  const plan = planResize(image.width, image.height, width, height, config.preprocessing);
  const resized = await resizeRgb(image, plan.resizedWidth, plan.resizedHeight);
  fillCanvas(out, offset, resized, plan, width, height, config.preprocessing, lut);
  return plan.transform;
}

export async function preprocess(
  image: RgbImage,
  config: Pick<AdapterConfig, 'input' | 'preprocessing'>,
): Promise<PreprocessedImage> {
  const { width, height } = config.input;
  const data = new Float32Array(3 * width * height);
  const transform = await preprocessInto(image, config, data, 0);
  return { data, dims: [1, 3, height, width], transform };
}

/** [B, 3, H, W] for B images of any sizes; each keeps its own transform. */
export async function preprocessBatch(
  images: readonly RgbImage[],
  config: Pick<AdapterConfig, 'input' | 'preprocessing'>,
): Promise<PreprocessedBatch> {
  const { width, height } = config.input;
  const per = 3 * width * height;
  const data = new Float32Array(per * images.length);
  const lut = normalisationTable(config.preprocessing);
  const transforms = await Promise.all(images.map((img, b) => preprocessInto(img, config, data, b * per, lut)));
  return { data, dims: [images.length, 3, height, width], transforms };
}
