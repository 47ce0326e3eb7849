#!/usr/bin/python3
"""Writes resources/demo/models/MODELS.md from work/meta/*.json and work/results.json (and
work/corrupted-results.json when present): no number in it is typed by hand.

  /usr/bin/python3 models_md.py [--work DIR]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from make_family import (CALIBRATION_IMAGES, KEEP_CHANNELS, REPO, SPARSITY, TRAIN_IMAGES, TRAIN_SEED, VAL_IMAGES,  # noqa: E402
                         VAL_SEED, Family)


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument('--work', default=os.path.join(HERE, 'work'))
    args = ap.parse_args()
    fam = Family(argparse.Namespace(work=args.work, finetune_steps=None))
    dst = os.path.join(REPO, 'resources', 'demo', 'models')
    meta = fam.meta
    with open(os.path.join(args.work, 'results.json')) as f:
        results = json.load(f)
    files = [(name, os.path.join(dst, info['file'])) for name, info in meta.items()]
    total = sum(os.path.getsize(p) for _, p in files)
    lines = [
        '# The demo detector family',
        '',
        'Made by `training/demo-detectors` (see its README; development-time Python, never needed by',
        'Odra). One small single-stage anchor-free detector (Conv-BN-ReLU backbone, concat FPN,',
        'strides 8/16/32, 320x192 RGB input) trained on Odra\'s synthetic road scenes, exported in',
        'the Ultralytics YOLOv8 detect layout (`[1, 9, 1260]`: cx, cy, w, h in input pixels and 5',
        'sigmoid class scores) that Odra\'s `yolov8` adapter detects, with Ultralytics-style `names`',
        'and the `odra.*` tags in the ONNX metadata.',
        '',
        f'- training scenes: `odra demo-data --seed {TRAIN_SEED} --images {TRAIN_IMAGES}`; validation (the clean AP below):',
        f'  `odra demo-data --seed {VAL_SEED} --images {VAL_IMAGES}`; the demo audit uses seed 3 (`odra demo`).',
        f'- unstructured: {SPARSITY:.0%} per-layer magnitude pruning, exact zeros, fine-tuned with the mask fixed;',
        f'  structured: {100 - 100 * KEEP_CHANNELS:.0f}% of the channels of every Conv-BN-ReLU layer removed (smallest BN |gamma|),',
        '  a smaller graph; int8: QDQ (per-channel symmetric int8 weights, uint8 activations),',
        f'  MinMax calibration on {CALIBRATION_IMAGES} training scenes.',
        '- `-aug`: fine-tuned with photometric (brightness, contrast, gamma), Gaussian and shot noise and',
        '  box-blur augmentation; the audit\'s held-out corruptions (speckle noise, Gaussian blur,',
        '  spatter, saturate) are kept out. `-rfs`: fine-tuned with repeat-factor sampling (LVIS).',
        f'- {len(files)} files, {total:,} bytes in all.',
        '',
        '## Files',
        '',
        '| file | sha256 | bytes |',
        '|---|---|---|',
    ]
    for name, p in files:
        lines.append(f'| {os.path.basename(p)} | {sha256(p)} | {os.path.getsize(p):,} |')
    lines += ['', '## How each was made, size and clean AP', '',
              f'Clean AP on the validation scenes (seed {VAL_SEED}, {VAL_IMAGES} images), COCO AP@[.5:.95]: `AP (Odra)` is',
              '`odra eval` on the ONNX file, `AP (Python)` the PyTorch model through `odra cocoeval`',
              '(the int8 model exists only as ONNX). Train time is wall time on the shared 2-core',
              'development machine (one thread per process; CPU seconds in `work/meta/*.json`).', '',
              fam.table(), '']
    for name, info in meta.items():
        lines.append(f'- **{name}**: {info["made"]}')
    cpu = {name: info.get('train_cpu_seconds') for name, info in meta.items()}
    lines += ['', '## Training time', '',
              'Wall and CPU time of each training run (one thread per process; the six fine-tunes ran side',
              'by side, under a machine load of 10-25 from other jobs, which is why wall time is 3-15x CPU time):', '',
              '| model | wall | CPU |', '|---|---|---|']
    for name, info in meta.items():
        c = cpu[name]
        lines.append(f"| {name} | {info['train_seconds'] / 60:.1f} min | {'-' if c is None else f'{c / 60:.1f} min'} |")
    lines += ['', '## Reproducibility', '',
              'Seeds are fixed and `torch.use_deterministic_algorithms(True)` is on. Measured: a training run',
              'killed and resumed from its progress file ends with weights bit-identical to an uninterrupted',
              'run (max |difference| 0); the baseline\'s clean AP through PyTorch and through `odra eval` on',
              'the ONNX file differ by less than 0.001 (PIL vs libvips resizing). Not measured (no time for a',
              'second full training run on this machine): the spread of clean AP across two complete runs;',
              'with the same torch build and `--threads 1` the runs are expected to be bit-identical, and',
              'other thread counts change the last bits of the sums, which we expect to move AP by well under',
              '0.01. Re-run `sh run_family.sh` and compare `work/results.json` with the table above.']
    corrupted = os.path.join(args.work, 'corrupted-results.json')
    if os.path.exists(corrupted):
        lines += ['', '## Under corruptions (first 200 validation scenes, severity 3, `odra eval`)', '', fam.corrupted_table()]
    lines.append('')
    with open(os.path.join(dst, 'MODELS.md'), 'w') as f:
        f.write('\n'.join(lines))
    print(f'wrote {os.path.join(dst, "MODELS.md")}')


if __name__ == '__main__':
    main()
