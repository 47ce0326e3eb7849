/**
 * The reference's float-to-byte step: imagecorruptions ends every corruption with
 * np.uint8(np.clip(x, 0, 255)), which clips, then truncates toward zero (no rounding).
 */
export function clipToByte(x: number): number {
  return x <= 0 ? 0 : x >= 255 ? 255 : Math.trunc(x);
}
