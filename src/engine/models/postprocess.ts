/**
 * Model outputs of one batch -> detections per image: the family's decoder, then NMS
 * (skipped for end-to-end families, whose graph already did it) and clipping with the
 * adapter's post-processing settings. Pure (no ORT), so it is
 * tested on planted tensors.
 */
import { END_TO_END_FAMILIES, type AdapterConfig } from './adapter-config';
import { adapterFamily } from './adapters/registry';
import type { OutputMap } from './adapters/decoding';
import { nms, type Detection } from './nms';
import type { ImageTransform } from './preprocess';

export function postprocess(outputs: OutputMap, config: AdapterConfig, transforms: readonly ImageTransform[]): Detection[][] {
  const decode = adapterFamily(config.family).decode;
  const p = config.postprocessing;
  const suppress = !END_TO_END_FAMILIES.includes(config.family);
  return transforms.map((transform, batchIndex) => {
    const candidates = decode(outputs, { config, batchIndex, transform, scoreThreshold: p.scoreThreshold });
    return nms(candidates, {
      iouThreshold: p.nmsIou,
      classAware: p.classAware,
      maxDetections: p.maxDetections,
      imageWidth: transform.width,
      imageHeight: transform.height,
      suppress,
    });
  });
}
