/**
 * Benchmark of a safety report: the time to write the HTML and the PDF of a stored audit
 * (writeEngineAuditReport: read the audit and its analysis, build the report model with
 * its pictures, render the HTML, print the PDF with Chromium, attach the record).
 *
 *   node --import tsx scripts/bench-report.ts --db FILE --audit ID [--policy FILE]
 *        [--bootstrap N] [--runs 3] [--out DIR] [--chromium PATH]
 *
 * The audit must be finished (make one with `odra audit ... --db FILE`). The first run
 * also pays the audit's analysis when it is not stored yet for this --bootstrap; it is
 * reported apart (`first_s`) and left out of the median. `cpu_s` is the process CPU time
 * of a run (Chromium's own CPU is not counted there), less sensitive than wall time to
 * other work on a shared machine. Progress goes to stderr; the last stdout line is one
 * JSON object.
 */
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Engine } from '../src/engine/engine';
import { loadPolicyFile } from '../src/engine/policy/parse-policy';
import { chromiumPrinter, findChromium } from '../src/engine/reports/chromium-printer';
import { writeEngineAuditReport } from '../src/engine/reports/engine-audit-reader';

interface Options { db: string; audit: number; policy: string | null; bootstrap: number; runs: number; out: string; chromium: string | undefined }

function parse(argv: string[]): Options {
  const o: Options = { db: '', audit: 0, policy: null, bootstrap: 1000, runs: 3, out: path.join(os.tmpdir(), 'odra-bench-report'), chromium: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[++i] ?? '';
    if (a === '--db') o.db = v;
    else if (a === '--audit') o.audit = Number(v);
    else if (a === '--policy') o.policy = v;
    else if (a === '--bootstrap') o.bootstrap = Number(v);
    else if (a === '--runs') o.runs = Number(v);
    else if (a === '--out') o.out = v;
    else if (a === '--chromium') o.chromium = v;
    else throw new Error(`unknown argument ${a} (usage: bench-report.ts --db FILE --audit ID [--policy FILE] [--bootstrap N] [--runs 3] [--out DIR] [--chromium PATH])`);
  }
  if (!o.db || !Number.isInteger(o.audit) || o.audit < 1) throw new Error('--db FILE and --audit ID are required');
  return o;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  await mkdir(o.out, { recursive: true });
  const policy = o.policy ? await loadPolicyFile(o.policy) : null;
  const printer = chromiumPrinter(findChromium({ explicit: o.chromium }));
  const engine = new Engine({ dbPath: o.db });
  const runs: { wall_s: number; cpu_s: number; model_s: number; html_s: number; pdf_s: number; pdf_bytes: number; html_bytes: number }[] = [];
  let models = 0;
  let images = 0;
  let conditions = 0;
  try {
    for (let r = 0; r <= o.runs; r++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const written = await writeEngineAuditReport(engine, o.audit, {
        out: [path.join(o.out, `report-${r}.pdf`), path.join(o.out, `report-${r}.html`)],
        policy: policy ? { policy: policy.policy, file: policy.file, sha256: policy.sha256 } : null,
        printer,
        request: { bootstrap: o.bootstrap },
      });
      const cpu = process.cpuUsage(cpu0);
      const wall = (performance.now() - t0) / 1000;
      models = written.model.analysis.models.length;
      images = written.model.audit.images;
      conditions = written.model.audit.conditions;
      const bytes = (k: 'pdf' | 'html'): number => written.files.find((f) => f.kind === k)?.bytes ?? 0;
      runs.push({ wall_s: wall, cpu_s: (cpu.user + cpu.system) / 1e6, model_s: written.seconds.model, html_s: written.seconds.html, pdf_s: written.seconds.pdf, pdf_bytes: bytes('pdf'), html_bytes: bytes('html') });
      process.stderr.write(`run ${r}: ${wall.toFixed(2)} s (model ${written.seconds.model.toFixed(2)}, html ${written.seconds.html.toFixed(2)}, pdf ${written.seconds.pdf.toFixed(2)})\n`);
    }
  } finally {
    await engine.close();
  }
  const timed = runs.slice(1);
  const pick = (k: keyof (typeof runs)[number]): number => median(timed.map((x) => x[k]));
  process.stdout.write(
    `${JSON.stringify({
      audit: o.audit, models, images, conditions, bootstrap: o.bootstrap, runs: timed.length,
      first_s: runs[0].wall_s,
      wall_s: pick('wall_s'), cpu_s: pick('cpu_s'), model_s: pick('model_s'), html_s: pick('html_s'), pdf_s: pick('pdf_s'),
      pdf_bytes: runs[runs.length - 1].pdf_bytes, html_bytes: runs[runs.length - 1].html_bytes,
      cores: os.cpus().length, load1: os.loadavg()[0],
    })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
