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
  | { id: number; ok: true; width: number; height: number; pixels: ArrayBuffer }
  | { id: number; ok: false; message: string };
