export const NATIVE_DIR: string;
export const SQLITE_BINDING: string;
export interface NativeStamp {
  electron: string;
  platform: string;
  arch: string;
  betterSqlite3: string;
  binding: string;
}
export function expectedStamp(root: string, platform?: string, arch?: string): NativeStamp;
export function isStampCurrent(stampText: string | null, expected: NativeStamp): boolean;
export function copyPackageForRebuild(from: string, to: string): void;
export function ensureElectronBinary(root: string): void;
export function buildSqliteForElectron(root: string, options?: { force?: boolean }): Promise<string>;
export function prepareElectron(root: string, options?: { binary?: boolean; force?: boolean }): Promise<string>;
