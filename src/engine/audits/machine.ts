/**
 * The machine an audit ran on, for its provenance: CPU model and cores, memory, OS,
 * Node, and a GPU where the operating system names one without running anything
 * (Linux: the NVIDIA driver's /proc entries). Execution providers are recorded
 * separately, per model, as the ones that actually ran.
 */
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import type { Machine } from '../../shared/audits';

async function nvidiaGpu(): Promise<string | null> {
  const root = '/proc/driver/nvidia/gpus';
  const entries = await readdir(root).catch(() => [] as string[]);
  const names: string[] = [];
  for (const e of entries) {
    const text = await readFile(`${root}/${e}/information`, 'utf8').catch(() => '');
    const model = /^Model:\s*(.+)$/m.exec(text)?.[1]?.trim();
    if (model) names.push(model);
  }
  return names.length ? names.join(', ') : null;
}

export async function describeMachine(): Promise<Machine> {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    ramBytes: os.totalmem(),
    os: `${os.type()} ${os.release()}`,
    platform: process.platform,
    arch: process.arch,
    node: process.version,
    gpu: process.platform === 'linux' ? await nvidiaGpu() : null,
  };
}
