import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCocoJson, streamCocoFile } from '../../../src/engine/datasets/coco-import';
import { OdraError } from '../../../src/shared/errors';
import { makeTempDir, removeDir } from '../../helpers/broken-datasets';
import { sharedPath } from '../../helpers/shared';

/** What parseCocoJson gives for the whole text, or the error it throws. */
function whole(text: string, file: string): ReturnType<typeof parseCocoJson> | OdraError {
  try {
    return parseCocoJson(JSON.parse(text), file);
  } catch (err) {
    if (err instanceof OdraError) return err;
    throw err;
  }
}

async function streamed(file: string, chunkBytes: number): Promise<ReturnType<typeof parseCocoJson> | OdraError> {
  try {
    return await streamCocoFile(file, { chunkBytes });
  } catch (err) {
    if (err instanceof OdraError) return err;
    throw err;
  }
}

function expectSame(actual: ReturnType<typeof parseCocoJson> | OdraError, expected: ReturnType<typeof parseCocoJson> | OdraError): void {
  if (expected instanceof OdraError) {
    expect(actual).toBeInstanceOf(OdraError);
    expect((actual as OdraError).message).toBe(expected.message);
    expect((actual as OdraError).details).toEqual(expected.details);
  } else {
    expect(actual).toEqual(expected);
  }
}

describe('COCO instances files read as streams (streamCocoFile)', () => {
  let temp: string;
  beforeAll(async () => {
    temp = await makeTempDir('coco-stream');
  });
  afterAll(async () => {
    await removeDir(temp);
  });

  it.each(['kitti_tiny_2d', 'coco128_val2017_driving', 'coco128_train2017_driving'])(
    '%s: in pieces of 7 bytes and 64 KiB, the same categories, images, annotations, notes and info as parseCocoJson on the whole text',
    async (name) => {
      const file = sharedPath('data', 'datasets', name, 'annotations.json');
      const expected = whole(await readFile(file, 'utf8'), file);
      expect(expected).not.toBeInstanceOf(OdraError);
      for (const size of [7, 65536]) expectSame(await streamed(file, size), expected);
    },
  );

  it('a file with problems everywhere, annotations listed first: the same problems in the same order, byte by byte', async () => {
    const file = path.join(temp, 'broken.json');
    const text = JSON.stringify({
      annotations: [
        { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 },
        { id: 1, image_id: 1, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 },
        { id: 2, image_id: 99, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 },
        { id: 3, image_id: 1, category_id: 7, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 },
        { id: 4, image_id: 1, category_id: 1, bbox: [0, 0, -1, 10], area: 100, iscrowd: 0 },
        { id: 5, image_id: 1, category_id: 1, bbox: [0, 0, 'x', 10], area: 100, iscrowd: 0 },
        { id: 6, image_id: 2, category_id: 1, bbox: [0, 0, 10, 10], area: 100, iscrowd: 0 },
      ],
      images: [
        { id: 1, file_name: 'a.jpg', width: 64, height: 48 },
        { id: 1, file_name: 'b.jpg', width: 64, height: 48 },
        { id: 2, file_name: '../c.jpg', width: 64, height: 48 },
        { id: 3, file_name: 'd.jpg', width: 'wide', height: 48 },
      ],
      categories: [{ id: 1, name: 'car' }, { id: 1, name: 'van' }, { name: 'no id' }],
      info: { description: 'é \u{1F697}' },
    });
    await writeFile(file, text);
    const expected = whole(text, file);
    expect(expected).toBeInstanceOf(OdraError);
    expect((expected as OdraError).details?.problems?.length).toBeGreaterThanOrEqual(8);
    for (const size of [1, 5, 4096]) expectSame(await streamed(file, size), expected);
  });

  it.each([
    ['lists that are not lists', { images: {}, annotations: 3, categories: [] }],
    ['a missing list', { images: [], categories: [] }],
    ['a list at the top', [{ id: 1 }]],
  ])('%s: the same refusal as the whole-text path', async (name, json) => {
    const file = path.join(temp, `${name.replace(/\W+/g, '-')}.json`);
    const text = JSON.stringify(json);
    await writeFile(file, text);
    const expected = whole(text, file);
    expect(expected).toBeInstanceOf(OdraError);
    expectSame(await streamed(file, 3), expected);
  });
});
