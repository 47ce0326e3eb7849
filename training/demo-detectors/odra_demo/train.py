"""The training loop shared by the baseline and every fine-tune.

AdamW (weight decay 0.05 on conv weights only), linear warm-up then cosine decay to 5% of
the peak rate, gradient norm clipped at 10, an exponential moving average of the weights
(decay 0.999 ramped in over the first steps, as in YOLOv5/v8) which is the model kept.

Sampling: each epoch a seeded permutation of the images, or with repeat factors
(data.repeat_factors) each image i appears floor(r_i) times plus once more with
probability frac(r_i) (LVIS' stochastic rounding), shuffled.

Pruning masks (unstructured pruning): after every optimizer step the masked weights are set
to exactly 0 again, in the model and in its average, so the sparsity survives fine-tuning.

Determinism: seeds for numpy, torch and the augmentation generator; deterministic kernels
(torch.use_deterministic_algorithms); the thread count is fixed by the caller (results
differ in the last bits across thread counts, see README). The image order has its own
generator (seed + 1000), separate from the augmentation's, so a resumed run can rebuild it
by skipping the indices already drawn.

Resumable: with `resume` set, the run saves model, average, optimizer, both generators and
the log there every `checkpoint_seconds` (atomically: write then rename), and a run started
with an existing file carries on from its step, drawing exactly what the uninterrupted run
would have. The file is removed when the run finishes (the caller stores the result).
"""
from __future__ import annotations

import copy
import math
import os
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn

from .augment import hflip, photometric_noise_blur
from .data import DemoSet
from .loss import detection_loss
from .model import make_anchors


@dataclass
class TrainConfig:
    steps: int
    batch: int = 32
    lr: float = 3e-3
    warmup: int = 60
    seed: int = 0
    augment: bool = False
    repeat: np.ndarray | None = None
    masks: dict[str, torch.Tensor] | None = None
    ema_decay: float = 0.999
    log_every: int = 25
    tag: str = 'train'
    class_weights: torch.Tensor | None = None
    log: list = field(default_factory=list)
    resume: str | None = None
    checkpoint_seconds: float = 180.0


class Ema:
    def __init__(self, model: nn.Module, decay: float):
        self.model = copy.deepcopy(model).eval()
        self.decay = decay
        self.updates = 0
        for p in self.model.parameters():
            p.requires_grad_(False)

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        self.updates += 1
        d = self.decay * (1 - math.exp(-self.updates / 200))
        msd = model.state_dict()
        for k, v in self.model.state_dict().items():
            if v.dtype.is_floating_point:
                v.mul_(d).add_(msd[k].detach(), alpha=1 - d)
            else:
                v.copy_(msd[k])


def index_stream(n: int, rng: np.random.RandomState, repeat: np.ndarray | None):
    while True:
        if repeat is None:
            order = rng.permutation(n)
        else:
            counts = np.floor(repeat).astype(int) + (rng.rand(n) < (repeat - np.floor(repeat))).astype(int)
            order = np.repeat(np.arange(n), counts)
            rng.shuffle(order)
        yield from order


def apply_masks(model: nn.Module, masks: dict[str, torch.Tensor] | None) -> None:
    if not masks:
        return
    with torch.no_grad():
        params = dict(model.named_parameters())
        for name, mask in masks.items():
            params[name].mul_(mask)


def batch_tensors(ds: DemoSet, idx: np.ndarray) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor], list[torch.Tensor]]:
    images = torch.from_numpy(np.ascontiguousarray(ds.images[np.sort(idx)][np.argsort(np.argsort(idx))]))
    x = images.permute(0, 3, 1, 2).float().div_(255.0)
    boxes = [torch.from_numpy(ds.boxes[i]) for i in idx]
    classes = [torch.from_numpy(ds.classes[i]) for i in idx]
    crowd = [torch.from_numpy(ds.crowd[i]) for i in idx]
    return x, boxes, classes, crowd


def save_progress(path: str, step: int, model: nn.Module, ema: Ema, opt: torch.optim.Optimizer, rng: np.random.RandomState,
                  gen: torch.Generator, cfg: TrainConfig, seconds: float, cpu_seconds: float) -> None:
    tmp = path + '.tmp'
    torch.save({'tag': cfg.tag, 'step': step, 'model': model.state_dict(), 'ema': ema.model.state_dict(), 'ema_updates': ema.updates,
                'opt': opt.state_dict(), 'rng': rng.get_state(), 'gen': gen.get_state(), 'torch_rng': torch.get_rng_state(),
                'log': cfg.log, 'seconds': seconds, 'cpu_seconds': cpu_seconds}, tmp)
    os.replace(tmp, path)


def train(model: nn.Module, ds: DemoSet, cfg: TrainConfig) -> nn.Module:
    torch.manual_seed(cfg.seed)
    rng = np.random.RandomState(cfg.seed)
    order_rng = np.random.RandomState(cfg.seed + 1000)
    gen = torch.Generator().manual_seed(cfg.seed)
    centres, strides = make_anchors(192, 320)
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (decay if p.ndim == 4 else no_decay).append(p)
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': 0.05}, {'params': no_decay, 'weight_decay': 0.0}], lr=cfg.lr, betas=(0.9, 0.99))
    apply_masks(model, cfg.masks)
    ema = Ema(model, cfg.ema_decay)
    stream = index_stream(len(ds), order_rng, cfg.repeat)
    first, before, cpu_before = 0, 0.0, 0.0
    if cfg.resume and os.path.exists(cfg.resume):
        saved = torch.load(cfg.resume)
        if saved['tag'] != cfg.tag:
            raise ValueError(f'{cfg.resume} holds progress of {saved["tag"]!r}, not {cfg.tag!r}')
        model.load_state_dict(saved['model'])
        ema.model.load_state_dict(saved['ema'])
        ema.updates = saved['ema_updates']
        opt.load_state_dict(saved['opt'])
        rng.set_state(saved['rng'])
        gen.set_state(saved['gen'])
        torch.set_rng_state(saved['torch_rng'])
        cfg.log[:] = saved['log']
        first, before, cpu_before = saved['step'], saved['seconds'], saved['cpu_seconds']
        for _ in range(first * cfg.batch):
            next(stream)
        print({'tag': cfg.tag, 'resumed_at_step': first}, flush=True)
    model.train()
    started = time.time() - before
    cpu_started = time.process_time() - cpu_before
    last_save = time.time()
    running: dict[str, float] = {}
    for step in range(first, cfg.steps):
        if step < cfg.warmup:
            lr = cfg.lr * (step + 1) / cfg.warmup
        else:
            t = (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup)
            lr = cfg.lr * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * t)))
        for g in opt.param_groups:
            g['lr'] = lr
        idx = np.array([next(stream) for _ in range(cfg.batch)])
        x, boxes, classes, crowd = batch_tensors(ds, idx)
        hflip(x, boxes, crowd, rng)
        if cfg.augment:
            x = photometric_noise_blur(x, rng, gen)
        raw = model(x)
        loss, parts = detection_loss(raw, centres, strides, boxes, classes, crowd, cfg.class_weights)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 10.0)
        opt.step()
        apply_masks(model, cfg.masks)
        ema.update(model)
        for k, v in {'loss': float(loss), **parts}.items():
            running[k] = running.get(k, 0.0) + v
        if (step + 1) % cfg.log_every == 0 or step + 1 == cfg.steps:
            k = cfg.log_every if (step + 1) % cfg.log_every == 0 else (step + 1) % cfg.log_every
            entry = {'tag': cfg.tag, 'step': step + 1, 'lr': round(lr, 6), 'seconds': round(time.time() - started, 1),
                     'cpu_seconds': round(time.process_time() - cpu_started, 1),
                     **{key: round(v / k, 4) for key, v in running.items()}}
            cfg.log.append(entry)
            print(entry, flush=True)
            running = {}
            # saved only at log boundaries, so a resumed run's running means stay exact
            if cfg.resume and time.time() - last_save >= cfg.checkpoint_seconds and step + 1 < cfg.steps:
                save_progress(cfg.resume, step + 1, model, ema, opt, rng, gen, cfg, time.time() - started, time.process_time() - cpu_started)
                last_save = time.time()
    apply_masks(ema.model, cfg.masks)
    if cfg.resume and os.path.exists(cfg.resume):
        os.remove(cfg.resume)
    return ema.model
