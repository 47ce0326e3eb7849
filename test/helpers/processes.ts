/**
 * Processes started by a process (Linux /proc), to find and kill an audit's runner in
 * fault-injection tests.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  cmdline: string;
}

/** Direct children of `pid`, with their command lines. */
export function childProcesses(pid: number): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // the command name may contain spaces and parentheses: ppid is the 2nd field after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pid) continue;
      out.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim() });
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

/** The audit runner started by `pid`, if one is running. */
export function runnerOf(pid: number): ProcessInfo | null {
  return childProcesses(pid).find((p) => p.cmdline.includes('runner.js')) ?? null;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
