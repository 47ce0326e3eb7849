/**
 * The WebAssembly SIMD backend of the corruption kernels against the JavaScript kernels
 * (src/engine/corruptions/wasm-backend.ts): the same bytes for every kernel, severity and
 * seed on both fixture images, on odd sizes, and for jpeg_compression on images chosen to
 * stress the codec path (noise, hard edges, partial blocks) against sharp itself; which
 * backend runs by default and how ODRA_CORRUPTION_BACKEND selects one; the output-buffer
 * option every kernel takes.
 *
 * The fidelity tests (reference PNGs and statistics) run on the default backend, which is
 * WebAssembly; the `unit-js` vitest project runs them again with the JavaScript kernels
 * forced (vitest.config.ts).
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CORRUPTION_NAMES, SEVERITIES, type CorruptionName } from '../../../src/shared/corruptions';
import type { RgbImage } from '../../../src/engine/images/rgb-image';
import { Rng } from '../../../src/shared/prng';
import { KERNELS, applyCorruption } from '../../../src/engine/corruptions/registry';
import { corruptionSeed } from '../../../src/engine/corruptions/seed';
import { outputPixels, type CorruptionBackend } from '../../../src/engine/corruptions/kernel';
import { BACKEND_ENV, backendStatus, wasmKernels } from '../../../src/engine/corruptions/wasm-backend';
import { jpegCompression } from '../../../src/engine/corruptions/kernels/jpeg_compression';
import { fixtureImages, loadFixtureImage } from './fidelity-helpers';

const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Every value of the image from a small LCG: deterministic, no structure. */
function noiseImage(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed >>> 0;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return { width, height, data };
}

/** Alternating black and white columns: the strongest ringing a JPEG block can get. */
function edgeImage(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.fill((i % width) % 2 ? 255 : 0, 3 * i, 3 * i + 3);
  return { width, height, data };
}

/**
 * Smooth ramps whose slope grows from block to block (in x across, in y down, differently
 * per channel): the blocks' low AC coefficients sweep from 0 upwards in small steps, so at
 * every quality some land just below and just above the least value the quantiser maps to
 * a nonzero level, where a DC-only shortcut could go wrong.
 */
function rampImage(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = (x >> 3) * 0.19;
      const sy = (y >> 3) * 0.23;
      for (let c = 0; c < 3; c++) {
        const v = 128 + ((x & 7) - 3.5) * sx * (1 + c * 0.31) + ((y & 7) - 3.5) * sy * (1 - c * 0.27);
        data[3 * (y * width + x) + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return { width, height, data };
}

async function hashes(image: RgbImage, imageName: string, name: CorruptionName, backend: CorruptionBackend): Promise<string[]> {
  const out: string[] = [];
  for (const severity of SEVERITIES) {
    for (const seed of [0, 1]) {
      const result = await applyCorruption(image, name, severity, corruptionSeed(seed, imageName, name, severity), { backend });
      expect(result.width).toBe(image.width);
      expect(result.height).toBe(image.height);
      out.push(sha(result.data));
    }
  }
  return out;
}

describe('WebAssembly and JavaScript kernels give the same bytes', () => {
  for (const name of CORRUPTION_NAMES) {
    it(`${name}: both fixture images, severities 1-5, two seeds`, async () => {
      for (const imageName of fixtureImages()) {
        const image = await loadFixtureImage(imageName);
        const before = sha(image.data);
        const js = await hashes(image, imageName, name, 'js');
        const wasm = await hashes(image, imageName, name, 'wasm');
        expect(wasm, `${name} on ${imageName}`).toEqual(js);
        expect(sha(image.data), 'the input is untouched').toBe(before);
        // A kernel that ignored its input would pass the comparison above trivially.
        expect(js.every((h) => h !== before)).toBe(true);
      }
    });
  }

  it('on odd sizes (1x1 to 33x17), every kernel and severity', async () => {
    const sizes = [
      [1, 1],
      [2, 3],
      [7, 5],
      [3, 40],
      [33, 17],
    ];
    for (const [width, height] of sizes) {
      const image = noiseImage(width, height, width * 31 + height);
      for (const name of CORRUPTION_NAMES) {
        expect(await hashes(image, `odd-${width}x${height}`, name, 'wasm'), `${name} ${width}x${height}`).toEqual(
          await hashes(image, `odd-${width}x${height}`, name, 'js'),
        );
      }
    }
  });

  it('jpeg_compression: the codec-free WebAssembly round trip equals sharp on noise, hard edges, ramps and partial blocks', async () => {
    const images = [noiseImage(1280, 720, 7), edgeImage(333, 211), rampImage(512, 512), noiseImage(641, 97, 3), edgeImage(17, 9), noiseImage(4, 3, 5), noiseImage(16, 16, 9)];
    for (const image of images) {
      for (const severity of SEVERITIES) {
        const viaSharp = await jpegCompression.applyAsync(image, severity, new Rng(0), { backend: 'js' });
        const viaWasm = await jpegCompression.applyAsync(image, severity, new Rng(0), { backend: 'wasm' });
        expect(sha(viaWasm.data), `${image.width}x${image.height} severity ${severity}`).toBe(sha(viaSharp.data));
      }
    }
  });
});

describe('backend selection', () => {
  const saved = process.env[BACKEND_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[BACKEND_ENV];
    else process.env[BACKEND_ENV] = saved;
  });

  it(`runs WebAssembly by default, JavaScript when ${BACKEND_ENV}=js`, () => {
    const forced = (saved ?? '').trim().toLowerCase();
    const status = backendStatus();
    if (forced === 'js') {
      expect(status.backend).toBe('js');
      expect(wasmKernels()).toBeNull();
    } else {
      // The build (test/global-setup.ts) makes the module: a missing or invalid one is a failure here, not a fallback.
      expect(status, status.reason ?? '').toMatchObject({ backend: 'wasm', simd: true });
      expect(wasmKernels()).not.toBeNull();
    }
  });

  it('an explicit backend wins over the environment; an unknown value is refused by name', () => {
    process.env[BACKEND_ENV] = 'js';
    expect(wasmKernels()).toBeNull();
    expect(wasmKernels('wasm')).not.toBeNull();
    process.env[BACKEND_ENV] = 'wasm';
    expect(wasmKernels('js')).toBeNull();
    expect(wasmKernels()).not.toBeNull();
    process.env[BACKEND_ENV] = 'simd';
    expect(() => wasmKernels()).toThrow(/ODRA_CORRUPTION_BACKEND must be js, wasm or auto/);
  });
});

describe('output buffer', () => {
  it('every kernel writes into the buffer it is given, on both backends', async () => {
    const image = noiseImage(37, 23, 1);
    for (const name of CORRUPTION_NAMES) {
      for (const backend of ['js', 'wasm'] as const) {
        const out = new Uint8Array(image.data.length).fill(7);
        const fresh = await applyCorruption(image, name, 3, 11, { backend });
        const into = await applyCorruption(image, name, 3, 11, { backend, out });
        expect(into.data, `${name} ${backend}`).toBe(out);
        expect(sha(out), `${name} ${backend}`).toBe(sha(fresh.data));
      }
    }
  });

  it('refuses a buffer of the wrong size or one that overlaps the input', () => {
    const image = noiseImage(4, 4, 2);
    expect(() => outputPixels(image, { out: new Uint8Array(47) })).toThrow(/48/);
    expect(() => outputPixels(image, { out: image.data })).toThrow(/overlaps/);
    const shared = new Uint8Array(96);
    const inner = { width: 4, height: 4, data: shared.subarray(0, 48) };
    expect(outputPixels(inner, { out: shared.subarray(48) })).toHaveLength(48);
    expect(() => outputPixels(inner, { out: shared.subarray(47, 95) })).toThrow(/overlaps/);
    expect(KERNELS.contrast.apply(image, 1, new Rng(0)).data).toHaveLength(48);
  });
});
