import { describe, expect, it } from 'vitest';
import { importNotice } from '../../../../src/renderer/src/view-models/import-notice';

describe('importNotice', () => {
  it('is null for a new import', () => {
    expect(importNotice('dataset', { id: 4, name: 'kitti' }, '/data/kitti')).toBeNull();
  });

  it('says the dataset is already imported, links to it and offers the asked-for name', () => {
    const notice = importNotice('dataset', { id: 4, name: 'kitti', alreadyImported: { requestedName: 'kitti-val', requestedPath: null } }, '/data/kitti');
    expect(notice).toEqual({
      message: 'This dataset is already imported as "kitti": nothing new was imported; it keeps its name "kitti" unless you rename it to "kitti-val"',
      id: 4,
      name: 'kitti',
      renameTo: 'kitti-val',
    });
  });

  it('names the stored file when the same model bytes came from elsewhere, with no rename offer', () => {
    const notice = importNotice('model', { id: 2, name: 'yolox', alreadyImported: { requestedName: null, requestedPath: '/tmp/copy.onnx' } }, '/models/yolox.onnx');
    expect(notice?.message).toBe(
      'This model is already imported as "yolox" (from /models/yolox.onnx, which holds the same bytes; Odra reads it from there): nothing new was imported',
    );
    expect(notice?.renameTo).toBeNull();
  });
});
