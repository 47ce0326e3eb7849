"""Training-time augmentation, on batches of float images [B, 3, H, W] in 0..1.

Every training run: horizontal flip (p = 0.5), boxes mirrored with the image.

The 'augmentation' fine-tunes add, each image independently:
  photometric  brightness  x + U(-0.2, 0.2)                       p = 0.5
               contrast    mean + (x - mean) * U(0.6, 1.4)         p = 0.5
               gamma       x ** U(0.7, 1.4)                        p = 0.3
  noise        Gaussian    x + N(0, sigma), sigma ~ U(0.01, 0.12)  p = 0.4
               shot        Poisson(x * lam) / lam, lam ~ U(12, 60)  p = 0.2
  blur         box (mean) filter, 3x3 or 5x5                       p = 0.25
then clipped to 0..1. Kept out on purpose: the audit's held-out corruptions (speckle noise,
Gaussian blur, spatter, saturate): no multiplicative noise, no Gaussian kernel, no
occluding blobs, no saturation change.
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def hflip(images: torch.Tensor, boxes: list[torch.Tensor], crowd: list[torch.Tensor], rng: np.random.RandomState) -> None:
    """In place: mirrors a random half of the batch."""
    width = images.shape[-1]
    for i in range(images.shape[0]):
        if rng.rand() < 0.5:
            images[i] = images[i].flip(-1)
            for group in (boxes, crowd):
                b = group[i]
                if len(b):
                    group[i] = torch.stack([width - b[:, 2], b[:, 1], width - b[:, 0], b[:, 3]], 1)


def photometric_noise_blur(images: torch.Tensor, rng: np.random.RandomState, generator: torch.Generator) -> torch.Tensor:
    out = []
    for x in images:
        if rng.rand() < 0.5:
            x = x + rng.uniform(-0.2, 0.2)
        if rng.rand() < 0.5:
            mean = x.mean()
            x = mean + (x - mean) * rng.uniform(0.6, 1.4)
        if rng.rand() < 0.3:
            x = x.clamp(0, 1) ** rng.uniform(0.7, 1.4)
        if rng.rand() < 0.4:
            x = x + torch.randn(x.shape, generator=generator) * rng.uniform(0.01, 0.12)
        if rng.rand() < 0.2:
            lam = rng.uniform(12, 60)
            x = torch.poisson(x.clamp(0, 1) * lam, generator=generator) / lam
        if rng.rand() < 0.25:
            k = 3 if rng.rand() < 0.5 else 5
            x = F.avg_pool2d(F.pad(x[None], (k // 2,) * 4, mode='replicate'), k, stride=1)[0]
        out.append(x.clamp(0, 1))
    return torch.stack(out)
