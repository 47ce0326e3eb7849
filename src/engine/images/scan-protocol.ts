/** Messages between the image scan pool and its workers (scan-pool.ts, scan-worker.ts). */
import type { ImageScan } from './scan-file';

export interface ScanRequest {
  id: number;
  files: string[];
}

export interface ScanResponse {
  id: number;
  /** one per file of the request, in its order */
  results: ImageScan[];
}
