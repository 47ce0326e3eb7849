/**
 * The canonical dataset: what every importer produces and the store keeps, whatever
 * format the files came in. Boxes are COCO [x, y, w, h] in pixels of the stored image.
 */
export interface CanonicalCategory {
  id: number;
  name: string;
  supercategory: string | null;
  /** the COCO class name this category corresponds to, when the dataset says so */
  cocoEquivalent: string | null;
}

export interface CanonicalImage {
  id: number;
  /** path relative to the dataset's image folder, '/'-separated */
  fileName: string;
  width: number;
  height: number;
  sha256: string;
  /** format-specific attributes kept for slicing (weather, dontcare boxes, ...) */
  extra: Record<string, unknown>;
}

export interface CanonicalAnnotation {
  id: number;
  imageId: number;
  categoryId: number;
  bbox: [number, number, number, number];
  /** the area that decides the COCO area range (mask area where the source has one) */
  area: number;
  iscrowd: boolean;
  extra: Record<string, unknown>;
}

export interface CanonicalDataset {
  name: string;
  format: string;
  /** absolute folder the image file names are relative to */
  imageRoot: string;
  /** absolute dataset folder, registered as a root that files may be served from */
  root: string;
  categories: CanonicalCategory[];
  images: CanonicalImage[];
  annotations: CanonicalAnnotation[];
  /** notes for the analyst, e.g. how many boxes were clipped to the image */
  notes: string[];
  info: Record<string, unknown>;
}
