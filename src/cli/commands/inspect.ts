import { parseArgs } from 'node:util';
import { OdraError } from '../../shared/errors';
import { detectAdapter } from '../../engine/models/detect-adapter';
import { inspectModelFile, type ModelFingerprint } from '../../engine/models/fingerprint/model-fingerprint';
import { usageError } from '../cli-error';

export const INSPECT_USAGE = 'odra inspect MODEL.onnx [--json]';

export interface InspectReport extends ModelFingerprint {
  file: string;
  inputs: { name: string; type: string; shape: (number | string | null)[] }[];
  outputs: { name: string; type: string; shape: (number | string | null)[] }[];
  /** the adapter Odra would pick, or why none fits */
  adapter: { family: string; confidence: number; reason: string } | { error: string };
}

/** The model's compression fingerprint, declared I/O and detected adapter. */
export async function inspectModel(file: string): Promise<InspectReport> {
  const { fingerprint, io } = await inspectModelFile(file);
  let adapter: InspectReport['adapter'];
  try {
    const d = detectAdapter(io);
    adapter = { family: d.config.family, confidence: Number(d.confidence.toFixed(2)), reason: d.reason };
  } catch (err) {
    if (!(err instanceof OdraError)) throw err;
    adapter = { error: err.message };
  }
  return { file, ...fingerprint, inputs: io.inputs, outputs: io.outputs, adapter };
}

const pct = (x: number): string => `${(100 * x).toFixed(x > 0 && x < 0.001 ? 4 : 2)}%`;

function formatReport(r: InspectReport): string {
  const lines = [
    `${r.file}`,
    `  size         ${r.fileSize.toLocaleString('en-US')} bytes${r.externalData.files.length ? ` + ${r.externalData.bytes.toLocaleString('en-US')} external (${r.externalData.files.join(', ')})` : ''}`,
    `  sha256       ${r.sha256}`,
    `  producer     ${r.producer ?? '-'}, IR ${r.irVersion ?? '-'}, opset ${r.opset ?? '-'}`,
    `  parameters   ${r.parameterCount.toLocaleString('en-US')} (${r.initializerCount} initializers)`,
    `  nodes        ${r.nodeCount}${r.subgraphCount ? ` (in ${r.subgraphCount + 1} graphs)` : ''}`,
    `  ops          ${Object.entries(r.opHistogram).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `  zero weights ${r.weights.zeros.toLocaleString('en-US')} of ${r.weights.elements.toLocaleString('en-US')} (${pct(r.weights.zeroShare)})`,
    `  zero chans   ${r.channels.zeroChannels} of ${r.channels.channels} output channels in ${r.channels.layers} layers (${pct(r.channels.zeroShare)})`,
    `  quantized    ${r.quantization.schemes.length ? `${r.quantization.schemes.join(', ')}: ${Object.entries(r.quantization.ops).map(([k, v]) => `${k} ${v}`).join(', ')}` : 'no'}`,
    `  precision    ${Object.entries(r.precision).map(([k, v]) => `${k} ${v.elements.toLocaleString('en-US')}`).join(', ') || '-'}`,
    `  inputs       ${r.inputs.map((i) => `${i.name} ${i.type} [${i.shape.map((d) => d ?? '?').join(', ')}]`).join('; ')}`,
    `  outputs      ${r.outputs.map((i) => `${i.name} ${i.type} [${i.shape.map((d) => d ?? '?').join(', ')}]`).join('; ')}`,
    'error' in r.adapter ? `  adapter      none: ${r.adapter.error.split('\n')[0]}` : `  adapter      ${r.adapter.family} (confidence ${r.adapter.confidence}): ${r.adapter.reason}`,
  ];
  for (const n of r.notes) lines.push(`  note         ${n}`);
  return `${lines.join('\n')}\n`;
}

export async function inspectCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw usageError(`give exactly one model file\nusage: ${INSPECT_USAGE}`);
  const report = await inspectModel(positionals[0]);
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatReport(report));
}
