/**
 * Progress on stderr: a redrawn bar with ETA on a terminal, plain throttled lines
 * otherwise (CI logs), so stdout stays clean for --json.
 */
import type { Progress } from '../shared/schemas';

export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'ETA --';
  const s = Math.round(seconds);
  return s >= 60 ? `ETA ${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `ETA ${s}s`;
}

export function renderBar(p: Progress, width = 30): string {
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const filled = Math.round(frac * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.done}/${p.total} ${p.stage} ${formatEta(p.etaSeconds)}`;
}

export function stderrProgress(stream: NodeJS.WriteStream = process.stderr): { update: (p: Progress) => void; end: () => void } {
  const tty = stream.isTTY === true;
  let last = 0;
  let drawn = false;
  return {
    update: (p) => {
      if (tty) {
        stream.write(`\r${renderBar(p)}\x1b[K`);
        drawn = true;
        return;
      }
      const now = Date.now();
      if (now - last < 2000 && p.done < p.total) return;
      last = now;
      stream.write(`${renderBar(p)}\n`);
    },
    end: () => {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };
}
