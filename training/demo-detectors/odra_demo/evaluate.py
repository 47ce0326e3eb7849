"""Clean evaluation in Python, scored by Odra's own COCO evaluator (pycocotools-equal).

Detections are post-processed as Odra's yolov8 adapter does (src/engine/models/postprocess.ts,
EVAL_POSTPROCESSING): per cell the best class and its score, score >= 0.001, class-aware
greedy NMS at IoU 0.65, at most 100 per image, boxes mapped back through the letterbox and
clipped to the image. The results file is scored with `odra cocoeval` (the repository's
bin/odra.mjs, built by `npm run build:node`), so the Python number and the number
`odra eval` reports for the exported ONNX are computed by the same evaluator and differ only
by what differs upstream (PIL vs libvips resize, PyTorch vs onnxruntime arithmetic).
"""
from __future__ import annotations

import json
import os
import subprocess

import numpy as np
import torch
import torchvision

from .data import DemoSet
from .model import decode, make_anchors

SCORE_THRESHOLD = 0.001
NMS_IOU = 0.65
MAX_DETECTIONS = 100

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
ODRA = os.path.join(REPO, 'bin', 'odra.mjs')


@torch.no_grad()
def predict(model: torch.nn.Module, ds: DemoSet, batch: int = 50) -> list[dict]:
    model.eval()
    centres, strides = make_anchors(192, 320)
    cat_ids = [c['id'] for c in ds.categories]
    results: list[dict] = []
    for start in range(0, len(ds), batch):
        idx = np.arange(start, min(len(ds), start + batch))
        x = torch.from_numpy(np.ascontiguousarray(ds.images[idx])).permute(0, 3, 1, 2).float().div_(255.0)
        boxes, logits = decode(model(x), centres, strides)
        scores, labels = logits.sigmoid().max(-1)
        for j, i in enumerate(idx):
            keep = scores[j] >= SCORE_THRESHOLD
            b, s, l = boxes[j][keep], scores[j][keep], labels[j][keep]
            lb = ds.letterboxes[i]
            w, h = ds.sizes[i]
            b = torch.stack([(b[:, 0] - lb.pad_left) / lb.scale, (b[:, 1] - lb.pad_top) / lb.scale,
                             (b[:, 2] - lb.pad_left) / lb.scale, (b[:, 3] - lb.pad_top) / lb.scale], 1)
            k = torchvision.ops.batched_nms(b, s, l, NMS_IOU)[:MAX_DETECTIONS]
            b = b[k]
            b[:, 0::2] = b[:, 0::2].clamp(0, w)
            b[:, 1::2] = b[:, 1::2].clamp(0, h)
            for box, score, label in zip(b.tolist(), s[k].tolist(), l[k].tolist()):
                results.append({'image_id': ds.image_ids[i], 'category_id': cat_ids[label],
                                'bbox': [box[0], box[1], box[2] - box[0], box[3] - box[1]], 'score': score})
    return results


def odra_cocoeval(gt_file: str, results: list[dict], dt_file: str) -> dict:
    with open(dt_file, 'w') as f:
        json.dump(results, f)
    out = subprocess.run(['node', ODRA, 'cocoeval', '--gt', gt_file, '--dt', dt_file, '--json'],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def evaluate(model: torch.nn.Module, ds: DemoSet, dt_file: str) -> dict:
    return odra_cocoeval(os.path.join(ds.root, 'annotations.json'), predict(model, ds), dt_file)


def odra_eval_onnx(onnx_file: str, dataset_dir: str) -> dict:
    out = subprocess.run(['node', ODRA, 'eval', '--model', onnx_file, '--dataset', dataset_dir, '--threads', '2', '--json'],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])
