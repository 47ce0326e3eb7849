import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMAGE_CONTENT_TYPES, imageContentType } from '../../../src/shared/image-files';

describe('imageContentType', () => {
  it('maps image extensions case-insensitively', () => {
    expect(imageContentType('/data/a/frame.JPG')).toBe('image/jpeg');
    expect(imageContentType('C:\\data\\b.Png')).toBe('image/png');
    expect(imageContentType('x.tiff')).toBe('image/tiff');
  });

  it('refuses other files, dot files and extensionless names', () => {
    for (const name of ['/etc/passwd', 'a.txt', '/x/.jpg', 'dir.jpg/file', 'a.jpg.exe', '']) {
      expect(imageContentType(name), name).toBeUndefined();
    }
  });

  it('takes the extension exactly as path.extname does', () => {
    for (const name of ['a.b.png', '.hidden.jpeg', 'a..webp', '/d.x/y', 'z.', '...bmp']) {
      const expected = IMAGE_CONTENT_TYPES[path.extname(name).toLowerCase()];
      expect(imageContentType(name), name).toBe(expected);
    }
  });
});
