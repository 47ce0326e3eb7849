#!/usr/bin/python3
"""Trains, compresses, exports and checks the Odra demo detector family.

  /usr/bin/python3 make_family.py [--work DIR] [--threads N] [--baseline-steps N] [--finetune-steps N]
                                  [--only STEP[,STEP...]] [--publish]

Steps (each skips itself when its outputs exist, and an unfinished training run resumes from
its last progress file, saved every 3 minutes, so a killed run loses at most that):
  data        work/train (odra demo-data, seed 1, 6000 images) and work/val (seed 2, 500 images)
  baseline    trains the detector from scratch (flip only) -> baseline
  unstructured  70% magnitude pruning of baseline, then three fine-tunes from the same pruned
              weights: plain (flip only), augmentation, imbalance (repeat-factor sampling)
  structured  50% channel pruning of baseline (BN |gamma|), same three fine-tunes
  int8        QDQ int8 post-training quantization of baseline, calibrated on 256 train images
  evaluate    clean AP of every model on work/val: Python (PyTorch + odra cocoeval) and Odra
              itself (`odra eval` on the ONNX file); writes work/results.json
  corrupted   (not in the default list) Odra's AP on the first 200 val images clean and under
              Gaussian / shot noise and defocus / motion blur at severity 3 (corrupt_set.ts);
              writes work/corrupted-results.json
  --publish   copies the ONNX files to resources/demo/models/
  --table     prints the MODELS.md table (from work/results.json)

Needs Debian's python3-torch, python3-torchvision, python3-onnx (run with /usr/bin/python3)
and the repository's CLI built (npm run build:node). See README.md.
"""
from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from odra_demo.data import class_image_frequency, load_demo_set, repeat_factors  # noqa: E402
from odra_demo.evaluate import ODRA, REPO, evaluate, odra_eval_onnx  # noqa: E402
from odra_demo.export import FAMILY, YoloV8Layout, export_onnx  # noqa: E402
from odra_demo.model import Detector, parameter_count  # noqa: E402
from odra_demo.prune import channel_prune, magnitude_masks, sparsity_of  # noqa: E402
from odra_demo.quantize import calibration_ranges, quantize_qdq  # noqa: E402
from odra_demo.train import TrainConfig, train  # noqa: E402

TRAIN_SEED, TRAIN_IMAGES = 1, 6000
VAL_SEED, VAL_IMAGES = 2, 500
SPARSITY = 0.70
KEEP_CHANNELS = 0.50
RFS_THRESHOLD_FACTOR = 4.0  # t = 4 x the rarest class's image frequency: the rarest class repeats 2x
CALIBRATION_IMAGES = 256

CORRUPTED_IMAGES = 200
CORRUPTED_CONDITIONS = ['clean', 'gaussian_noise:3', 'shot_noise:3', 'defocus_blur:3', 'motion_blur:3']


def condition_dir(condition: str) -> str:
    return condition.replace(':', '-')


MODEL_ORDER = ['baseline', 'unstructured70', 'unstructured70-aug', 'unstructured70-rfs',
               'structured50', 'structured50-aug', 'structured50-rfs', 'int8']

AUG_NOTE = 'photometric (brightness, contrast, gamma), Gaussian and shot noise, box blur; no speckle noise, Gaussian blur, spatter or saturation'


def file_sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def log(msg: str) -> None:
    print(f'[{time.strftime("%H:%M:%S")}] {msg}', flush=True)


def ensure_data(work: str) -> None:
    for name, seed, n in (('train', TRAIN_SEED, TRAIN_IMAGES), ('val', VAL_SEED, VAL_IMAGES)):
        out = os.path.join(work, name)
        if os.path.exists(os.path.join(out, 'annotations.json')):
            continue
        log(f'generating {name}: odra demo-data --images {n} --seed {seed}')
        subprocess.run(['node', ODRA, 'demo-data', '--out', out, '--images', str(n), '--seed', str(seed), '--force'], check=True)


class Family:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.work = args.work
        self.ckpt = os.path.join(self.work, 'checkpoints')
        self.onnx = os.path.join(self.work, 'onnx')
        os.makedirs(self.ckpt, exist_ok=True)
        os.makedirs(self.onnx, exist_ok=True)
        # one file per model, so the pruning steps can run as two processes side by side
        self.meta_dir = os.path.join(self.work, 'meta')
        os.makedirs(self.meta_dir, exist_ok=True)
        self._train = None
        self._val = None

    @property
    def train_set(self):
        if self._train is None:
            self._train = load_demo_set(os.path.join(self.work, 'train'))
        return self._train

    @property
    def val_set(self):
        if self._val is None:
            self._val = load_demo_set(os.path.join(self.work, 'val'))
        return self._val

    @property
    def meta(self) -> dict[str, dict]:
        out = {}
        for name in MODEL_ORDER:
            path = os.path.join(self.meta_dir, f'{name}.json')
            if os.path.exists(path):
                with open(path) as f:
                    out[name] = json.load(f)
        return out

    def save_meta(self, name: str, info: dict) -> None:
        with open(os.path.join(self.meta_dir, f'{name}.json'), 'w') as f:
            json.dump(info, f, indent=2)

    def ckpt_path(self, name: str) -> str:
        return os.path.join(self.ckpt, f'{name}.pt')

    def progress_path(self, name: str) -> str:
        """Where an unfinished training run keeps its state (train.py saves it every few minutes)."""
        return os.path.join(self.ckpt, f'{name}.progress.pt')

    def onnx_path(self, name: str) -> str:
        return os.path.join(self.onnx, f'{FAMILY}-{name}.onnx')

    def load(self, name: str) -> Detector:
        state = torch.load(self.ckpt_path(name))
        model = Detector(state['num_classes'], state['widths'])
        model.load_state_dict(state['state'])
        return model.eval()

    def store(self, name: str, model: Detector, tags: dict[str, str], info: dict) -> None:
        torch.save({'num_classes': model.num_classes, 'widths': model.widths, 'state': model.state_dict()}, self.ckpt_path(name))
        export_onnx(model, self.onnx_path(name), self.train_set.class_names, tags)
        self.save_meta(name, {'file': os.path.basename(self.onnx_path(name)), 'tags': tags, 'parameters': parameter_count(model), **info})

    def done(self, name: str) -> bool:
        return name in self.meta and os.path.exists(self.ckpt_path(name)) and os.path.exists(self.onnx_path(name))

    def baseline(self) -> None:
        if self.done('baseline'):
            return
        log('training baseline')
        torch.manual_seed(0)
        model = Detector(len(self.train_set.categories))
        cfg = TrainConfig(steps=self.args.baseline_steps, batch=16, lr=3e-3, warmup=60, seed=0, tag='baseline',
                          resume=self.progress_path('baseline'))
        model = train(model, self.train_set, cfg)
        seconds, cpu = cfg.log[-1]['seconds'], cfg.log[-1]['cpu_seconds']
        self.store('baseline', model, {
            'odra.compression.method': 'none', 'odra.compression.rate': '0', 'odra.compression.rate_unit': 'sparsity_percent',
            'odra.training': 'baseline',
            'odra.note': f'uncompressed reference: trained from scratch for {cfg.steps} steps of {cfg.batch} images (horizontal flip only)',
        }, {'made': f'trained from scratch, {cfg.steps} x {cfg.batch} images, AdamW 3e-3 cosine, EMA, flip only',
            'train_seconds': round(seconds), 'train_cpu_seconds': round(cpu), 'log': cfg.log})

    def finetune(self, name: str, start: Detector, masks, variant: str, lr: float, seed: int, tags: dict[str, str], made: str) -> None:
        if self.done(name):
            return
        log(f'fine-tuning {name} ({variant})')
        model = copy.deepcopy(start).train()
        repeat = None
        if variant == 'imbalance':
            f = class_image_frequency(self.train_set)
            threshold = RFS_THRESHOLD_FACTOR * float(f.min())
            repeat = repeat_factors(self.train_set, threshold)
            made += f'; repeat-factor sampling, t = {threshold:.3f} (image frequencies {np.round(f, 3).tolist()}), mean repeat {repeat.mean():.2f}'
        cfg = TrainConfig(steps=self.args.finetune_steps, batch=16, lr=lr, warmup=20, seed=seed, augment=variant == 'augmentation',
                          repeat=repeat, masks=masks, tag=name, resume=self.progress_path(name))
        model = train(model, self.train_set, cfg)
        seconds, cpu = cfg.log[-1]['seconds'], cfg.log[-1]['cpu_seconds']
        training = {'plain': 'baseline', 'augmentation': 'augmentation', 'imbalance': 'imbalance'}[variant]
        note = made if variant != 'augmentation' else f'{made}; augmentation: {AUG_NOTE}'
        self.store(name, model, {**tags, 'odra.training': training, 'odra.note': note},
                   {'made': note, 'train_seconds': round(seconds), 'train_cpu_seconds': round(cpu), 'log': cfg.log})

    def unstructured(self) -> None:
        base = self.load('baseline')
        masks = magnitude_masks(base, SPARSITY)
        pruned = Detector(base.num_classes, base.widths)
        pruned.load_state_dict(base.state_dict())
        with torch.no_grad():
            params = dict(pruned.named_parameters())
            for k, m in masks.items():
                params[k].mul_(m)
        zeros, total = sparsity_of(pruned)
        rate = f'{100 * zeros / total:.1f}'
        tags = {'odra.compression.method': 'unstructured_pruning', 'odra.compression.rate': rate, 'odra.compression.rate_unit': 'sparsity_percent'}
        made = f'{SPARSITY:.0%} per-layer magnitude pruning of baseline ({rate}% of conv weights exactly zero), fine-tuned {self.args.finetune_steps} x 16 images with the mask fixed'
        for suffix, variant, seed in (('', 'plain', 11), ('-aug', 'augmentation', 12), ('-rfs', 'imbalance', 13)):
            if variant not in self.args.variants.split(','):
                continue
            self.finetune(f'unstructured{round(SPARSITY * 100)}{suffix}', pruned, masks, variant, 1e-3, seed, tags, made)

    def structured(self) -> None:
        base = self.load('baseline')
        pruned = channel_prune(base, KEEP_CHANNELS)
        kept = sum(pruned.widths.values()) / sum(base.widths.values())
        rate = f'{100 * kept:.1f}'
        tags = {'odra.compression.method': 'structured_pruning', 'odra.compression.rate': rate, 'odra.compression.rate_unit': 'kept_channels_percent'}
        made = (f'channel pruning of baseline: {100 - float(rate):.1f}% of the channels of every Conv-BN-ReLU layer removed (smallest BN |gamma|), '
                f'{parameter_count(base):,} -> {parameter_count(pruned):,} parameters, fine-tuned {self.args.finetune_steps} x 16 images')
        for suffix, variant, seed in (('', 'plain', 21), ('-aug', 'augmentation', 22), ('-rfs', 'imbalance', 23)):
            if variant not in self.args.variants.split(','):
                continue
            self.finetune(f'structured{round(KEEP_CHANNELS * 100)}{suffix}', pruned, None, variant, 2e-3, seed, tags, made)

    def int8(self) -> None:
        name = 'int8'
        if name in self.meta and os.path.exists(self.onnx_path(name)):
            return
        log('quantizing baseline to int8 (QDQ)')
        base = self.load('baseline')
        wrapper = YoloV8Layout(base)
        rng = np.random.RandomState(31)
        idx = np.sort(rng.choice(len(self.train_set), CALIBRATION_IMAGES, replace=False))
        ranges = calibration_ranges(wrapper, self.train_set.images[idx])
        tags = {'odra.compression.method': 'quantization', 'odra.compression.rate': '8', 'odra.compression.rate_unit': 'bits', 'odra.training': 'baseline',
                'odra.note': f'int8 post-training quantization of baseline (QDQ: per-channel symmetric int8 weights, int32 bias, uint8 activations), '
                             f'MinMax calibration on {CALIBRATION_IMAGES} training scenes'}
        stats = quantize_qdq(self.onnx_path('baseline'), self.onnx_path(name), ranges, tags)
        self.save_meta(name, {'file': os.path.basename(self.onnx_path(name)), 'tags': tags, 'parameters': self.meta['baseline']['parameters'],
                              'made': tags['odra.note'], 'train_seconds': 0, 'quantized': stats})

    def evaluate(self) -> dict:
        results = {}
        path = os.path.join(self.work, 'results.json')
        earlier = {}
        if os.path.exists(path):
            with open(path) as f:
                earlier = json.load(f)
        for name, info in self.meta.items():
            onnx_file = self.onnx_path(name)
            digest = file_sha256(onnx_file)
            if earlier.get(name, {}).get('sha256') == digest:
                results[name] = earlier[name]  # the same file was evaluated before
                continue
            log(f'evaluating {name}')
            entry = {'file': info['file'], 'sha256': digest, 'bytes': os.path.getsize(onnx_file), 'parameters': info['parameters']}
            if name in self.args.python_eval.split(',') and os.path.exists(self.ckpt_path(name)):
                py = evaluate(self.load(name), self.val_set, os.path.join(self.work, f'dt-{name}.json'))
                entry['python'] = {'AP': py['stats']['AP'], 'AP50': py['stats']['AP50'], 'per_class_AP': {c['name']: c['AP'] for c in py['per_category']}}
            od = odra_eval_onnx(onnx_file, os.path.join(self.work, 'val'))
            entry['odra'] = od
            results[name] = entry
            with open(path, 'w') as f:  # after every model: a killed run keeps what it evaluated
                json.dump({**earlier, **results}, f, indent=2)
        with open(path, 'w') as f:
            json.dump(results, f, indent=2)
        return results

    def corrupted(self) -> dict:
        """Odra's AP of every model on the first CORRUPTED_IMAGES val images, clean and under a
        few corruptions (noise vs blur), until Odra's audit engine does this properly."""
        out_dir = os.path.join(self.work, 'corrupted')
        missing = [c for c in CORRUPTED_CONDITIONS if not os.path.exists(os.path.join(out_dir, condition_dir(c), 'annotations.json'))]
        if missing:
            log(f'corrupting val images: {", ".join(missing)}')
            subprocess.run(['node', '--import', 'tsx', os.path.join(HERE, 'corrupt_set.ts'), '--dataset', os.path.join(self.work, 'val'),
                            '--out', out_dir, '--images', str(CORRUPTED_IMAGES), '--conditions', ','.join(missing)], check=True, cwd=REPO)
        results: dict[str, dict] = {}
        for name in self.meta:
            results[name] = {}
            for c in CORRUPTED_CONDITIONS:
                log(f'odra eval {name} on {c}')
                od = odra_eval_onnx(self.onnx_path(name), os.path.join(out_dir, condition_dir(c)))
                results[name][c] = {'AP': od['stats']['AP'], 'AP50': od['stats']['AP50'],
                                    'per_class_AP': {p['name']: p['AP'] for p in od['per_category']}}
        with open(os.path.join(self.work, 'corrupted-results.json'), 'w') as f:
            json.dump(results, f, indent=2)
        return results

    def corrupted_table(self) -> str:
        with open(os.path.join(self.work, 'corrupted-results.json')) as f:
            results = json.load(f)
        names = [c['name'] for c in self.val_set.categories]
        conds = CORRUPTED_CONDITIONS
        rows = ['| model | ' + ' | '.join(f'AP {c}' for c in conds) + ' | noise / clean | blur / clean | worst class (clean AP) |',
                '|' + '---|' * (len(conds) + 4)]
        for name, r in results.items():
            clean = r['clean']['AP']
            noise = np.mean([r[c]['AP'] for c in conds if 'noise' in c]) / clean
            blur = np.mean([r[c]['AP'] for c in conds if 'blur' in c]) / clean
            worst = min(names, key=lambda n: r['clean']['per_class_AP'][n])
            rows.append(f'| {name} | ' + ' | '.join(f"{r[c]['AP']:.4f}" for c in conds)
                        + f" | {noise:.2f} | {blur:.2f} | {worst} ({r['clean']['per_class_AP'][worst]:.3f}) |")
        return '\n'.join(rows)

    def publish(self) -> None:
        dst = os.path.join(REPO, 'resources', 'demo', 'models')
        os.makedirs(dst, exist_ok=True)
        for name in self.meta:
            shutil.copyfile(self.onnx_path(name), os.path.join(dst, os.path.basename(self.onnx_path(name))))
        log(f'copied {len(self.meta)} models to {dst}')

    def table(self) -> str:
        """The MODELS.md table rows, from models.json and results.json (no numbers typed by hand)."""
        with open(os.path.join(self.work, 'results.json')) as f:
            results = json.load(f)
        names = [c['name'] for c in self.val_set.categories]
        head = ('| model | method | rate | training | parameters | file bytes | train time | AP (Odra) | AP50 (Odra) | AP (Python) | '
                + ' | '.join(f'AP {n}' for n in names) + ' |')
        rows = [head, '|' + '---|' * (10 + len(names))]
        for name, info in self.meta.items():
            r = results[name]
            od = r['odra']
            per = {c['name']: c['AP'] for c in od['per_category']}
            t = info['tags']
            py = f"{r['python']['AP']:.4f}" if 'python' in r else '-'
            rows.append(f"| {info['file']} | {t['odra.compression.method']} | {t['odra.compression.rate']} {t['odra.compression.rate_unit']} | "
                        f"{t['odra.training']} | {info['parameters']:,} | {r['bytes']:,} | {info['train_seconds'] / 60:.0f} min | "
                        f"{od['stats']['AP']:.4f} | {od['stats']['AP50']:.4f} | {py} | " + ' | '.join(f'{per[n]:.3f}' for n in names) + ' |')
        return '\n'.join(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--work', default=os.path.join(HERE, 'work'))
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--baseline-steps', type=int, default=1800)
    ap.add_argument('--finetune-steps', type=int, default=300)
    ap.add_argument('--only', default='data,baseline,unstructured,structured,int8,evaluate')
    ap.add_argument('--variants', default='plain,augmentation,imbalance',
                    help='fine-tunes of the pruning steps to run (each starts from the same pruned weights, so they can run as separate processes)')
    ap.add_argument('--python-eval', default='baseline',
                    help='models also evaluated in PyTorch (the export check: Python AP = Odra AP); all of them cost ~3 min each here')
    ap.add_argument('--publish', action='store_true')
    ap.add_argument('--table', action='store_true', help='print the MODELS.md table from work/results.json')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    steps = args.only.split(',')
    if 'data' in steps:
        ensure_data(args.work)
    fam = Family(args)
    for step in ('baseline', 'unstructured', 'structured', 'int8'):
        if step in steps:
            getattr(fam, step)()
    if 'evaluate' in steps:
        fam.evaluate()
    if 'corrupted' in steps:
        fam.corrupted()
    if args.publish:
        fam.publish()
    if args.table:
        print(fam.table())
        if os.path.exists(os.path.join(fam.work, 'corrupted-results.json')):
            print()
            print(fam.corrupted_table())


if __name__ == '__main__':
    main()
