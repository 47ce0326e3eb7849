"""Demo scenes as training tensors.

Reads a folder written by `odra demo-data` (COCO: annotations.json + images/) and turns it
into what the detector trains on, preprocessed exactly as Odra's yolov8 adapter feeds a
model (src/engine/models/preprocess.ts, FAMILY_PREPROCESSING.yolov8):

  letterbox to the model input (r = min(W/w, H/h), resized to round(w r) x round(h r),
  centred with floor((W - nw) / 2) on the left/top, pad value 114), RGB, scale 1/255.

Odra resizes with libvips' linear kernel (sharp, `kernel: 'linear'`); PIL's BILINEAR does
the same triangle filter widened by the scale factor, so the two agree to about one grey
level per pixel. For the demo's 640x384 images and the 320x192 input the ratio is exactly
0.5 and there is no padding.

Images are decoded and resized once into a uint8 cache (N, H, W, 3) next to the data, so
each epoch costs no JPEG decoding. Boxes come back as xyxy in input-canvas pixels; crowd
regions (iscrowd 1) are kept apart: they are ignore regions, not targets.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass

import numpy as np
from PIL import Image

INPUT_W = 320
INPUT_H = 192
PAD_VALUE = 114


@dataclass
class Letterbox:
    scale: float
    pad_left: int
    pad_top: int
    new_w: int
    new_h: int


def plan_letterbox(w: int, h: int, dst_w: int = INPUT_W, dst_h: int = INPUT_H) -> Letterbox:
    r = min(dst_w / w, dst_h / h)
    nw = min(dst_w, max(1, round(w * r)))
    nh = min(dst_h, max(1, round(h * r)))
    return Letterbox(r, (dst_w - nw) // 2, (dst_h - nh) // 2, nw, nh)


def letterbox_image(path: str) -> tuple[np.ndarray, Letterbox]:
    with Image.open(path) as im:
        im = im.convert('RGB')
        lb = plan_letterbox(im.width, im.height)
        canvas = np.full((INPUT_H, INPUT_W, 3), PAD_VALUE, dtype=np.uint8)
        resized = im if (lb.new_w, lb.new_h) == im.size else im.resize((lb.new_w, lb.new_h), Image.BILINEAR)
        canvas[lb.pad_top:lb.pad_top + lb.new_h, lb.pad_left:lb.pad_left + lb.new_w] = np.asarray(resized)
    return canvas, lb


@dataclass
class DemoSet:
    root: str
    image_ids: list[int]
    files: list[str]
    sizes: list[tuple[int, int]]
    categories: list[dict]
    #: per image: boxes (n, 4) xyxy in input pixels, classes (n,) 0-based, crowd boxes (m, 4)
    boxes: list[np.ndarray]
    classes: list[np.ndarray]
    crowd: list[np.ndarray]
    images: np.ndarray  # (N, H, W, 3) uint8, letterboxed
    letterboxes: list[Letterbox]

    @property
    def class_names(self) -> list[str]:
        return [c['name'] for c in self.categories]

    def __len__(self) -> int:
        return len(self.files)


def load_demo_set(root: str, cache: bool = True) -> DemoSet:
    with open(os.path.join(root, 'annotations.json')) as f:
        coco = json.load(f)
    categories = sorted(coco['categories'], key=lambda c: c['id'])
    cat_index = {c['id']: i for i, c in enumerate(categories)}
    images = sorted(coco['images'], key=lambda im: im['id'])
    by_image: dict[int, list[dict]] = {im['id']: [] for im in images}
    for a in coco['annotations']:
        by_image[a['image_id']].append(a)
    files = [os.path.join(root, 'images', im['file_name']) for im in images]
    cache_path = os.path.join(root, f'.odra-train-cache-{INPUT_W}x{INPUT_H}.npy')
    if cache and os.path.exists(cache_path):
        pixels = np.load(cache_path, mmap_mode='r')
        if pixels.shape[0] != len(files):
            pixels = None
    else:
        pixels = None
    letterboxes = [plan_letterbox(im['width'], im['height']) for im in images]
    if pixels is None:
        pixels = np.empty((len(files), INPUT_H, INPUT_W, 3), dtype=np.uint8)
        for i, path in enumerate(files):
            pixels[i], _ = letterbox_image(path)
        if cache:
            np.save(cache_path, pixels)
    boxes, classes, crowd = [], [], []
    for im, lb in zip(images, letterboxes):
        b, c, cr = [], [], []
        for a in by_image[im['id']]:
            x, y, w, h = a['bbox']
            xyxy = [x * lb.scale + lb.pad_left, y * lb.scale + lb.pad_top, (x + w) * lb.scale + lb.pad_left, (y + h) * lb.scale + lb.pad_top]
            if a.get('iscrowd', 0):
                cr.append(xyxy)
            else:
                b.append(xyxy)
                c.append(cat_index[a['category_id']])
        boxes.append(np.asarray(b, dtype=np.float32).reshape(-1, 4))
        classes.append(np.asarray(c, dtype=np.int64))
        crowd.append(np.asarray(cr, dtype=np.float32).reshape(-1, 4))
    return DemoSet(root, [im['id'] for im in images], files, [(im['width'], im['height']) for im in images], categories,
                   boxes, classes, crowd, pixels, letterboxes)


def class_image_frequency(ds: DemoSet) -> np.ndarray:
    """Share of images that hold at least one box of each class (LVIS' f(c))."""
    counts = np.zeros(len(ds.categories))
    for c in ds.classes:
        for k in set(c.tolist()):
            counts[k] += 1
    return counts / max(1, len(ds))


def repeat_factors(ds: DemoSet, threshold: float) -> np.ndarray:
    """Repeat-factor sampling (Gupta et al., LVIS 2019): r(c) = max(1, sqrt(t / f(c))),
    an image repeats max over its classes r(c) times per epoch (1 for an empty image)."""
    f = class_image_frequency(ds)
    rc = np.maximum(1.0, np.sqrt(threshold / np.maximum(f, 1e-12)))
    return np.array([max([1.0] + [rc[k] for k in set(c.tolist())]) for c in ds.classes])
