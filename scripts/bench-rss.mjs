// Preloaded into a measured process by scripts/bench-scale.ts (node --import): writes
// the process's peak resident set size (KiB, getrusage) to $ODRA_BENCH_RSS at exit.
import { writeFileSync } from 'node:fs';

const target = process.env.ODRA_BENCH_RSS;
if (target) process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS)));
