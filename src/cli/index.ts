/**
 * The `odra` command. Each subcommand runs the engine in-process through the same
 * contract as the app, prints results on stdout (JSON with --json) and progress on
 * stderr. Exit codes: 0 ok, 2 bad input, 1 other failure; 3 a check failed (a policy
 * rule, `odra report verify` on a changed copy).
 *
 * Where the contract has the method, a command calls it through the in-process client
 * (`eval`: datasets.import, models.import, evaluations.run, evaluations.detections,
 * system.info). Engine modules are called directly only where the contract has no
 * such method, because the work is file-to-file and touches no store:
 *   - `cocoeval`  evaluateCoco on two JSON files (no dataset or model is registered);
 *   - `inspect`   the fingerprint and adapter detection of a model file, without importing it;
 *   - `corrupt`   the worker pool on one image file (corruptions.preview needs a stored dataset);
 *   - `eval --class-map FILE`  parseClassMapFile turns the user's file into the contract's
 *                 classMap input (the contract takes the map, not a file);
 *   - `serve`     starts the engine and its web host (it is a host, like Electron's utilityProcess).
 * `relocate` calls models.relocate / datasets.relocate on the store given by --db.
 */
import { auditCommand, AUDIT_USAGE } from './commands/audit';
import { mergeCommand, MERGE_USAGE } from './commands/merge';
import { cocoevalCommand, COCOEVAL_USAGE } from './commands/cocoeval';
import { evalCommand, EVAL_USAGE } from './commands/eval';
import { importCommand, IMPORT_USAGE } from './commands/import';
import { serveCommand, SERVE_USAGE } from './commands/serve';
import { corruptCommand, CORRUPT_USAGE } from './commands/corrupt';
import { inspectCommand, INSPECT_USAGE } from './commands/inspect';
import { relocateCommand, RELOCATE_USAGE } from './commands/relocate';
import { demoDataCommand, DEMO_DATA_USAGE } from './commands/demo-data';
import { demoCommand, DEMO_USAGE } from './commands/demo';
import { policyCommand, POLICY_USAGE } from './commands/policy';
import { reportCommand, REPORT_USAGE } from './commands/report';
import { describeError, exitCodeFor, usageError } from './cli-error';
import { ODRA_VERSION } from '../engine/util/version';

/** A command resolves to its exit code, or to nothing for 0. */
const COMMANDS: Record<string, { run: (argv: string[]) => Promise<void | number>; usage: string; summary: string }> = {
  audit: { run: auditCommand, usage: AUDIT_USAGE, summary: 'robustness audit: models x dataset x image corruptions (P, mPC, rPC), resumable' },
  merge: { run: mergeCommand, usage: MERGE_USAGE, summary: 'merge the stores of sharded audits (odra audit --shard I/N) into one audit, scored once' },
  import: { run: importCommand, usage: IMPORT_USAGE, summary: 'import a dataset folder (COCO, YOLO, VOC, KITTI, BDD100K) and check it, as the app does' },
  eval: { run: evalCommand, usage: EVAL_USAGE, summary: 'evaluate an ONNX detector on a dataset (COCO metrics)' },
  cocoeval: { run: cocoevalCommand, usage: COCOEVAL_USAGE, summary: 'COCO bbox evaluation of a results file (pycocotools-equal)' },
  inspect: { run: inspectCommand, usage: INSPECT_USAGE, summary: 'compression fingerprint of an ONNX model (parameters, sparsity, quantized ops)' },
  corrupt: { run: corruptCommand, usage: CORRUPT_USAGE, summary: 'apply one image corruption at a severity (seeded)' },
  demo: { run: demoCommand, usage: DEMO_USAGE, summary: 'the demo: synthetic road scenes, the demo detector family, an audit, the summary table' },
  'demo-data': { run: demoDataCommand, usage: DEMO_DATA_USAGE, summary: 'generate the synthetic demo road scenes (COCO layout)' },
  serve: { run: serveCommand, usage: SERVE_USAGE, summary: 'serve the app to a browser on 127.0.0.1' },
  relocate: { run: relocateCommand, usage: RELOCATE_USAGE, summary: 'point a stored model or dataset at the place it was moved to (checked by hash)' },
  report: { run: reportCommand, usage: REPORT_USAGE, summary: 'the safety report of a stored audit (HTML, PDF, policy gate), or verify one (exit 3 if changed)' },
  policy: { run: policyCommand, usage: POLICY_USAGE, summary: 'validate a policy file (the line of every mistake)' },
};

function help(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}\n             ${c.usage}`);
  return `odra ${ODRA_VERSION}: robustness audits of ONNX object detectors\n\nusage: odra <command> [options]\n\n${lines.join('\n')}\n`;
}

/**
 * stdout closed early (`odra corrupt --list | head -1`): one line on stderr and exit 2,
 * instead of an unhandled 'error' event and its stack trace.
 */
function exitQuietlyOnEpipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.stderr.write('odra: the output was closed before everything was written (EPIPE)\n', () => process.exit(2));
  });
}

export async function main(argv: string[]): Promise<number> {
  exitQuietlyOnEpipe();
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help());
    return 0;
  }
  if (name === '--version') {
    process.stdout.write(`${ODRA_VERSION}\n`);
    return 0;
  }
  try {
    const command = COMMANDS[name];
    if (!command) throw usageError(`unknown command "${name}"\n\n${help()}`);
    if (rest.includes('--help')) {
      process.stdout.write(`usage: ${command.usage}\n`);
      return 0;
    }
    try {
      const code = await command.run(rest);
      if (typeof code === 'number') return code;
    } catch (err) {
      // parseArgs reports unknown or malformed options as TypeErrors with a code
      if (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS')) {
        throw usageError(`${err.message}\nusage: ${command.usage}`);
      }
      throw err;
    }
    return 0;
  } catch (err) {
    process.stderr.write(`${describeError(err)}\n`);
    return exitCodeFor(err);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${describeError(err)}\n`);
    process.exitCode = 1;
  },
);
