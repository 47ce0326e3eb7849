/**
 * What a file that failed to parse as ONNX most likely is, in words an analyst can act
 * on ("a text file", "a ZIP archive (a PyTorch checkpoint?)"), instead of the protobuf
 * decoder's wire-type message, which stays in the error's details.
 *
 * Input: the first bytes of the file (a few hundred are enough). Output: a short phrase
 * that completes "it is …", or null when the bytes match nothing known. Signatures:
 * the formats' published magic numbers (PNG, JPEG, GIF, ZIP/PyTorch, pickle protocol 2+,
 * HDF5/Keras, TFLite 'TFL3' at offset 4, TensorFlow SavedModel is a folder); text is
 * UTF-8 without NUL bytes whose first non-blank character is printable.
 */

const SIGNATURES: readonly { bytes: readonly number[]; offset?: number; what: string }[] = [
  { bytes: [0x89, 0x50, 0x4e, 0x47], what: 'a PNG image' },
  { bytes: [0xff, 0xd8, 0xff], what: 'a JPEG image' },
  { bytes: [0x47, 0x49, 0x46, 0x38], what: 'a GIF image' },
  { bytes: [0x50, 0x4b, 0x03, 0x04], what: 'a ZIP archive (a PyTorch .pt checkpoint is one: export it to ONNX first)' },
  { bytes: [0x80], what: 'a Python pickle (a PyTorch or scikit-learn file: export it to ONNX first)' },
  { bytes: [0x89, 0x48, 0x44, 0x46], what: 'an HDF5 file (a Keras model: export it to ONNX first)' },
  { bytes: [0x54, 0x46, 0x4c, 0x33], offset: 4, what: 'a TensorFlow Lite model (convert it to ONNX first)' },
  { bytes: [0x1f, 0x8b], what: 'a gzip archive (unpack it first)' },
  { bytes: [0x25, 0x50, 0x44, 0x46], what: 'a PDF document' },
];

function startsWith(bytes: Uint8Array, sig: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + sig.length) return false;
  return sig.every((b, i) => bytes[offset + i] === b);
}

/** True when the bytes decode as UTF-8 text without control characters other than whitespace. */
export function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  let text: string;
  try {
    // a cut multi-byte character at the end of the sample is not a reason to call it binary
    text = new TextDecoder('utf-8', { fatal: true }).decode(trimPartialUtf8(bytes));
  } catch {
    return false;
  }
  return !/[\u0000-\u0008\u000e-\u001f\u007f]/.test(text);
}

function trimPartialUtf8(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  let back = 0;
  while (end > 0 && back < 3 && (bytes[end - 1] & 0xc0) === 0x80) {
    end--;
    back++;
  }
  if (end > 0 && bytes[end - 1] >= 0xc0) end--;
  return bytes.subarray(0, end);
}

/** "it is …" for a file that is not ONNX; null when nothing is recognised. */
export function sniffNonOnnx(head: Uint8Array): string | null {
  if (head.length === 0) return 'an empty file';
  for (const s of SIGNATURES) if (startsWith(head, s.bytes, s.offset)) return s.what;
  if (looksLikeText(head)) {
    const first = new TextDecoder().decode(trimPartialUtf8(head)).trimStart()[0];
    if (first === '{' || first === '[') return 'a JSON or other text file';
    if (first === '<') return 'an XML or HTML text file';
    return 'a text file';
  }
  return null;
}
