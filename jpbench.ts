import { readFileSync } from 'node:fs';
import { quantTable } from './src/engine/corruptions/kernels/jpeg_compression';
const LUMA = [16,11,10,16,24,40,51,61,12,12,14,19,26,58,60,55,14,13,16,24,40,57,69,56,14,17,22,29,51,87,80,62,18,22,37,56,68,109,103,77,24,35,55,64,81,104,113,92,49,64,78,87,103,121,120,101,72,92,95,98,112,100,103,99];
const CHROMA = [17,18,24,47,99,99,99,99,18,21,26,66,99,99,99,99,24,26,56,99,99,99,99,99,47,66,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99,99];
const W = 1280, H = 720;
const img = readFileSync('/tmp/jp/kitti.raw');
type K = { memory: WebAssembly.Memory; alloc(n: number): number; keep(): void; reset(): void; jpegTables(a: number, b: number): void; jpegRoundTrip(s: number, d: number, w: number, h: number): void };
async function load(f: string): Promise<K> { return (await WebAssembly.instantiate(readFileSync(f), {env: {abort() { throw new Error('abort'); }}})).instance.exports as unknown as K; }
function setup(k: K, q: number): { s: number; d: number } {
  k.reset();
  const a = k.alloc(256), b = k.alloc(256);
  new Int32Array(k.memory.buffer, a, 64).set(quantTable(LUMA, q)); new Int32Array(k.memory.buffer, b, 64).set(quantTable(CHROMA, q));
  k.jpegTables(a, b);
  const s = k.alloc(W*H*3), d = k.alloc(W*H*3);
  new Uint8Array(k.memory.buffer, s, W*H*3).set(img);
  return { s, d };
}
const files = process.argv.slice(2);
const ks = await Promise.all(files.map(load));
for (const q of [25, 15, 7]) {
  const bufs = ks.map((k) => setup(k, q));
  const times: number[][] = ks.map(() => []);
  for (let r = 0; r < 81; r++) ks.forEach((k, i) => { const t = performance.now(); k.jpegRoundTrip(bufs[i].s, bufs[i].d, W, H); times[i].push(performance.now() - t); });
  const outs = ks.map((k, i) => new Uint8Array(k.memory.buffer, bufs[i].d, W*H*3).slice());
  const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
  console.log(`q${q}`, ks.map((_, i) => `${files[i].split('/').pop()} ${med(times[i]).toFixed(3)}${Buffer.compare(Buffer.from(outs[i]), Buffer.from(outs[0])) === 0 ? '' : ' DIFF'}`).join(' | '));
}
