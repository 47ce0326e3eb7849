/**
 * CPU seconds of a benchmark's own processes (Linux /proc), for pipeline efficiency
 * (src/engine/util/efficiency.ts): this process (engine, scorer and pool threads) by
 * process.cpuUsage(), and its audit runners by the kernel's count for children it has
 * waited for (/proc/self/stat cutime + cstime), which includes a runner once it exited.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = ((): number => {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return n > 0 ? n : 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds of exited, reaped children of this process (all threads). */
export function childrenCpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields after the command: state is 0, so cutime (field 16) and cstime (17) are 13 and 14
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
}

/** Process ids of this process's audit runners still running, and of exiting or exited children not yet reaped. */
export function runnerPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) !== process.pid) continue;
      // a child that is exiting (its memory already released: an empty command line) or has
      // exited but is not reaped yet (a zombie) is not in cutime yet; the kernel adds it
      // there when it reaps the child, before the /proc entry goes
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (state === 'Z' || state === 'X' || cmdline === '' || cmdline.includes('runner.js')) pids.push(Number(entry));
    } catch {
      // it ended
    }
  }
  return pids;
}

/** Resolves once no runner of this process is alive (so its CPU is in childrenCpuSeconds), or throws at the deadline. */
export async function runnersGone(timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (runnerPids().length) {
    if (performance.now() > deadline) throw new Error(`an audit runner (pid ${runnerPids().join(', ')}) still runs ${timeoutMs} ms after its audit ended`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
