import type { CorruptionName, Severity } from '../../shared/corruptions';

export interface WorkerRequest {
  id: number;
  corruption: CorruptionName;
  severity: Severity;
  seed: number;
  width: number;
  height: number;
  pixels: ArrayBuffer;
}

export type WorkerResponse =
  /** ms: time spent in the kernel itself, without queueing or transfer */
  | { id: number; ok: true; width: number; height: number; pixels: ArrayBuffer; ms: number }
  | { id: number; ok: false; message: string };
