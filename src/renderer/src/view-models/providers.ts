/**
 * The execution-provider choice on the Evaluate view. The engine lists what this
 * onnxruntime-node build knows (system.info); the bundled ones load as they are, the
 * others only where their runtime is installed, which the label says up front. Odra
 * falls back to CPU when a provider does not load, and the result records both.
 */

export interface ProviderOption {
  value: string;
  label: string;
  bundled: boolean;
}

const LABELS: Readonly<Record<string, string>> = {
  cpu: 'CPU',
  cuda: 'CUDA',
  tensorrt: 'TensorRT',
  dml: 'DirectML',
  coreml: 'CoreML',
  webgpu: 'WebGPU',
};

/** What a provider needs besides onnxruntime-node itself. */
const RUNTIMES: Readonly<Record<string, string>> = {
  cuda: 'needs CUDA runtime',
  tensorrt: 'needs TensorRT runtime',
};

export function providerLabel(name: string): string {
  return LABELS[name] ?? name;
}

/** CPU first (the default), then the listed order; names listed twice appear once. */
export function providerOptions(listed: readonly string[], bundled: readonly string[]): ProviderOption[] {
  const names = [...new Set(['cpu', ...listed.map((n) => n.toLowerCase())])];
  const inBuild = new Set(bundled.map((n) => n.toLowerCase()));
  inBuild.add('cpu');
  return names.map((value) => {
    const isBundled = inBuild.has(value);
    const needs = RUNTIMES[value] ?? 'needs its runtime installed';
    return { value, bundled: isBundled, label: isBundled ? providerLabel(value) : `${providerLabel(value)} (${needs})` };
  });
}

/**
 * A count field of the run form: empty means "Odra's default"; anything else must be
 * a whole number in [1, max]. Returns the number, undefined for empty, or an error text.
 */
export function parseCount(text: string, max: number): number | undefined | { error: string } {
  const t = text.trim();
  if (t === '') return undefined;
  if (!/^\d+$/.test(t)) return { error: 'a whole number' };
  const n = Number(t);
  if (n < 1 || n > max) return { error: `between 1 and ${max}` };
  return n;
}
