import { REPORT_OUTPUT_OPTIONS } from '../report-flags';

/** `odra audit`'s options for node:util parseArgs: one list for the command and its launch files (audit-emit.ts). */
export const AUDIT_OPTIONS = {
  model: { type: 'string', multiple: true },
  baseline: { type: 'string' },
  dataset: { type: 'string' },
  format: { type: 'string' },
  corruptions: { type: 'string' },
  severities: { type: 'string' },
  sample: { type: 'string' },
  seed: { type: 'string' },
  bootstrap: { type: 'string' },
  'class-counts': { type: 'string' },
  ep: { type: 'string' },
  threads: { type: 'string' },
  batch: { type: 'string' },
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  estimate: { type: 'boolean', default: false },
  shard: { type: 'string' },
  'shard-index-env': { type: 'string' },
  emit: { type: 'string' },
  image: { type: 'string' },
  report: { type: 'string', multiple: true },
  ...REPORT_OUTPUT_OPTIONS,
} as const;
