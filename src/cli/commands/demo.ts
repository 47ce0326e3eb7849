/**
 * `odra demo [--out DIR] [--preset demo|smoke] [--json]` (also `npm run demo`): the app's
 * first-run demo without the app. Through the same contract method as the welcome
 * screen's button (`demo.setup`): generates Odra's synthetic road scenes, imports them
 * and the demo detector family (resources/demo/models), audits every model with the
 * preset, then prints the summary table (P, mPC, rPC with 95% paired-bootstrap intervals,
 * the noise and blur families, worst class) and where everything was written.
 *
 * DIR (default ./odra-demo) holds:
 *   scenes/        the generated demo set (COCO; regenerated only when missing)
 *   odra.db        the store: re-running resumes an unfinished audit or reuses the finished one
 *   result.json    the audit's canonical result (what `odra audit --json` prints)
 *   analysis.json  its full analysis (per corruption, family, class)
 *   summary.md     the summary table
 *   report.html, report.pdf   the safety report of the audit (engine/reports; the PDF
 *                  printed by Chromium: --chromium PATH, else ODRA_CHROMIUM, else the usual
 *                  install paths; without a Chromium the demo writes the HTML report only
 *                  and says so)
 * --models DIR audits another build of the family (training/demo-detectors/work/onnx) instead
 * of resources/demo/models. Exit codes as every command: 0 ok, 2 bad input, 1 anything else; Ctrl+C pauses the
 * audit (run the same command to resume).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { AuditAnalysis, Estimate, ModelAnalysis } from '../../shared/audit-results';
import { DEMO_PRESET_NAMES, type DemoPresetName } from '../../shared/demo';
import { OdraError } from '../../shared/errors';
import { DEMO_PRESETS } from '../../engine/demo/workspace';
import { Engine } from '../../engine/engine';
import { inProcessClient } from '../../engine/rpc/in-process';
import { usageError } from '../cli-error';
import { stderrProgress } from '../progress-bar';

export const DEMO_USAGE = `odra demo [--out DIR] [--preset ${DEMO_PRESET_NAMES.join('|')}] [--bootstrap N] [--models DIR] [--chromium PATH] [--json]`;

const num = (v: number | null, digits = 3): string => (v === null ? 'n/a' : v.toFixed(digits));
const est = (e: Estimate, digits = 3): string => `${num(e.value, digits)}${e.ci95 ? ` [${e.ci95[0].toFixed(digits)}, ${e.ci95[1].toFixed(digits)}]` : ''}`;

/** Relative AP under a corruption family: AP_family / P = 1 - drop_rel. */
function familyRel(m: ModelAnalysis, family: string): string {
  const f = m.families.find((x) => x.family === family);
  if (!f || f.drop_rel.value === null || f.n_conditions === 0) return 'n/a';
  return (1 - f.drop_rel.value).toFixed(2);
}

/**
 * The demo's summary as a Markdown table, one row per model: clean AP (P), mPC and rPC with
 * their 95% intervals, the noise and blur families' AP relative to clean, mPC over the
 * held-out corruptions, the worst class by clean AP (with its rPC), and the change in mPC
 * against the baseline (* where its interval excludes 0).
 */
export function demoSummaryTable(analysis: AuditAnalysis): string {
  const rows = [
    '| model | P | mPC | rPC | noise / clean | blur / clean | mPC held-out | worst class: AP, rPC | ΔmPC vs baseline |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const m of analysis.models) {
    const worst = m.worst_class.by_AP;
    const cls = worst ? m.classes.find((c) => c.id === worst.id) : undefined;
    const delta = m.delta ? `${m.delta.mPC.value === null ? 'n/a' : (m.delta.mPC.value >= 0 ? '+' : '') + m.delta.mPC.value.toFixed(3)}${m.delta.mPC.significant ? ' *' : ''}` : '(baseline)';
    rows.push(
      `| ${m.name} | ${est(m.P)} | ${est(m.mPC)} | ${est(m.rPC)} | ${familyRel(m, 'noise')} | ${familyRel(m, 'blur')} | ${m.mPC_heldout.n_conditions ? num(m.mPC_heldout.value) : 'n/a'} | ` +
        `${worst ? `${worst.name}: ${num(worst.value.value)}, ${num(cls?.rPC.value ?? null, 2)}` : 'n/a'} | ${delta} |`,
    );
  }
  return rows.join('\n');
}

export async function demoCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string', default: 'odra-demo' },
      preset: { type: 'string', default: 'demo' },
      bootstrap: { type: 'string', default: '1000' },
      models: { type: 'string' },
      chromium: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!(DEMO_PRESET_NAMES as readonly string[]).includes(values.preset)) throw usageError(`--preset must be one of ${DEMO_PRESET_NAMES.join(', ')} (got "${values.preset}")`);
  const preset = values.preset as DemoPresetName;
  const bootstrap = Number(values.bootstrap);
  if (!/^\d+$/.test(values.bootstrap) || bootstrap > 100_000) throw usageError(`--bootstrap must be an integer from 0 to 100000 (got "${values.bootstrap}")`);
  const out = path.resolve(values.out);
  await mkdir(out, { recursive: true });
  // the report machinery loads only here (as in odra report); a missing Chromium is known before any work
  const { emitReportOutputs, prepareReportOutputs } = await import('../report-outputs');
  const reportFiles = [path.join(out, 'report.html'), path.join(out, 'report.pdf')];
  const prepared = await prepareReportOutputs({ out: reportFiles, chromium: values.chromium }).catch(async (err: Error) => {
    if (values.chromium) throw err;
    process.stderr.write(`odra demo: no PDF report (${err.message}); writing the HTML report only\n`);
    return prepareReportOutputs({ out: [reportFiles[0]] });
  });
  const started = performance.now();
  const engine = new Engine({
    dbPath: path.join(out, 'odra.db'),
    demoDataDir: path.join(out, 'scenes'),
    ...(values.models ? { demoModelsDir: path.resolve(values.models) } : {}),
  });
  const client = inProcessClient(engine);
  const bar = stderrProgress();
  let auditId = -1;
  const onSigint = (): void => {
    if (auditId >= 0) void client.call('audits.pause', { id: auditId }).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  try {
    const p = DEMO_PRESETS[preset];
    process.stderr.write(`odra demo: preset ${preset} (${p.images} scenes, ${p.corruptions === 'all' ? 'every corruption' : p.corruptions.join(', ')} at severity ${p.severities.join(', ')}) in ${out}\n`);
    const ws = await client.call('demo.setup', { preset }, { onProgress: bar.update });
    bar.end();
    auditId = ws.auditId;
    if (ws.jobId) {
      process.stderr.write(`odra demo: audit ${ws.auditId} ${ws.status}: ${ws.units} units (${ws.modelIds.length} models)\n`);
      const info = await client.call(
        'jobs.watch',
        { id: ws.jobId },
        {
          onEvent: (e) => {
            if (e.type === 'progress') {
              const rate = e.progress.unitsPerSecond ? ` ${e.progress.unitsPerSecond.toFixed(1)} units/s` : '';
              bar.update({ stage: `${e.progress.stage}${rate}`, done: e.progress.done, total: e.progress.total, etaSeconds: e.progress.etaSeconds });
            } else if (e.type === 'warning') {
              bar.end();
              process.stderr.write(`odra: ${e.message}\n`);
            }
          },
        },
      );
      bar.end();
      if (info.status !== 'done') {
        throw new OdraError(info.errorCode ?? 'INTERNAL', `the demo audit ${ws.auditId} ended ${info.status}${info.error ? `: ${info.error}` : ''}; run the same command to resume`);
      }
    } else {
      process.stderr.write(`odra demo: audit ${ws.auditId} of this plan is done; using its stored result\n`);
    }
    const auditSeconds = (performance.now() - started) / 1000;
    process.stderr.write(`odra demo: analysing (${bootstrap} bootstrap resamples)\n`);
    const analysis = await client.call('audits.analysis', { id: ws.auditId, bootstrap });
    const result = await client.call('audits.result', { id: ws.auditId, bootstrap });
    const table = demoSummaryTable(analysis);
    const files = { result: path.join(out, 'result.json'), analysis: path.join(out, 'analysis.json'), summary: path.join(out, 'summary.md') };
    await writeFile(files.result, `${JSON.stringify(result)}\n`);
    await writeFile(files.analysis, `${JSON.stringify(analysis)}\n`);
    const { engineAuditReader } = await import('../../engine/reports/engine-audit-reader');
    const emitted = await emitReportOutputs(engineAuditReader(engine), ws.auditId, prepared, { bootstrap }, (line) => process.stderr.write(`odra demo: ${line}\n`));
    const report = emitted.files.map((f) => f.path);
    const seconds = (performance.now() - started) / 1000;
    const heading = `Odra demo, audit ${ws.auditId} (${result.audit.name}): ${result.audit.images} images x ${result.audit.conditions} conditions x ${ws.modelIds.length} models, ${bootstrap} bootstrap resamples`;
    await writeFile(files.summary, `${heading}\n\n${table}\n`);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ out, auditId: ws.auditId, status: ws.status, seconds, auditSeconds, files: { ...files, report }, result })}\n`);
    } else {
      process.stdout.write(`${heading}\n\n${table}\n\n`);
      process.stdout.write(`(* the change's 95% interval excludes 0)\n`);
      process.stdout.write(`report: ${report.join(', ')}\n`);
      process.stdout.write(`wrote ${files.summary}, ${files.result}, ${files.analysis} in ${seconds.toFixed(0)} s\n`);
    }
  } finally {
    bar.end();
    process.off('SIGINT', onSigint);
    await engine.close();
  }
}
