"""The demo detector: a small single-stage, anchor-free detector for 320x192 RGB inputs.

Backbone: plain Conv-BN-ReLU stages (strides 2, 4, 8, 16, 32); neck: a top-down FPN that
upsamples (nearest, x2), concatenates and mixes with a 1x1 Conv-BN-ReLU; one 3x3
Conv-BN-ReLU + 1x1 prediction per level (strides 8, 16, 32). Concatenation rather than addition keeps every conv's channels
independent, so structured pruning can drop any channel of any layer (prune.py).

Each prediction cell (anchor point at the cell centre) outputs 4 box distances (left, top,
right, bottom; softplus x stride, in input pixels) and C class logits. The exported graph
(export.py) turns this into the Ultralytics YOLOv8 layout Odra's yolov8 adapter decodes:
one output [1, 4 + C, N] with cx, cy, w, h in input pixels and sigmoid class scores,
N = 40x24 + 20x12 + 10x6 = 1260 cells for 320x192.

WIDTHS are the baseline's output channels per layer; a structurally pruned model is the
same topology with smaller widths.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

STRIDES = (8, 16, 32)

#: (layer, inputs, kernel, stride); 'up:X' is X upsampled x2; several inputs are concatenated
TOPOLOGY: list[tuple[str, list[str], int, int]] = [
    ('stem1', ['image'], 3, 2),
    ('stem2', ['stem1'], 3, 2),
    ('s3a', ['stem2'], 3, 2),
    ('s3b', ['s3a'], 3, 1),
    ('s4a', ['s3b'], 3, 2),
    ('s4b', ['s4a'], 3, 1),
    ('s5a', ['s4b'], 3, 2),
    ('s5b', ['s5a'], 3, 1),
    ('l5', ['s5b'], 1, 1),
    ('f4', ['up:l5', 's4b'], 1, 1),
    ('f3', ['up:f4', 's3b'], 1, 1),
    ('h3', ['f3'], 3, 1),
    ('h4', ['f4'], 3, 1),
    ('h5', ['l5'], 3, 1),
]
#: prediction convs: (name, input layer, stride)
HEADS: list[tuple[str, str, int]] = [('p3', 'h3', 8), ('p4', 'h4', 16), ('p5', 'h5', 32)]

WIDTHS: dict[str, int] = {
    'stem1': 12, 'stem2': 24, 's3a': 32, 's3b': 32, 's4a': 48, 's4b': 48, 's5a': 64, 's5b': 64,
    'l5': 32, 'f4': 32, 'f3': 32, 'h3': 32, 'h4': 32, 'h5': 32,
}

#: prior probability of a class at initialisation (focal-loss style bias)
PRIOR = 0.01


def input_channels(widths: dict[str, int], inputs: list[str]) -> int:
    return sum(3 if src == 'image' else widths[src.removeprefix('up:')] for src in inputs)


class ConvBNReLU(nn.Module):
    def __init__(self, cin: int, cout: int, k: int, s: int):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, s, k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.act = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.act(self.bn(self.conv(x)))


class Detector(nn.Module):
    def __init__(self, num_classes: int, widths: dict[str, int] | None = None):
        super().__init__()
        self.num_classes = num_classes
        self.widths = dict(widths or WIDTHS)
        self.layers = nn.ModuleDict()
        for name, inputs, k, s in TOPOLOGY:
            self.layers[name] = ConvBNReLU(input_channels(self.widths, inputs), self.widths[name], k, s)
        self.heads = nn.ModuleDict()
        for name, src, _ in HEADS:
            conv = nn.Conv2d(self.widths[src], 4 + num_classes, 1)
            nn.init.normal_(conv.weight, std=0.01)
            nn.init.zeros_(conv.bias)
            with torch.no_grad():
                conv.bias[4:] = -torch.log(torch.tensor((1 - PRIOR) / PRIOR))
            self.heads[name] = conv

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Raw per-level maps [B, 4 + C, h, w] for strides 8, 16, 32."""
        feats: dict[str, torch.Tensor] = {'image': x}
        for name, inputs, _, _ in TOPOLOGY:
            parts = []
            for src in inputs:
                if src.startswith('up:'):
                    parts.append(F.interpolate(feats[src[3:]], scale_factor=2.0, mode='nearest'))
                else:
                    parts.append(feats[src])
            feats[name] = self.layers[name](parts[0] if len(parts) == 1 else torch.cat(parts, 1))
        return [self.heads[name](feats[src]) for name, src, _ in HEADS]


def make_anchors(height: int, width: int, device: torch.device | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Cell centres [N, 2] (x, y in input pixels) and strides [N], level by level, row-major."""
    centres, strides = [], []
    for s in STRIDES:
        h, w = -(-height // s), -(-width // s)
        ys, xs = torch.meshgrid(torch.arange(h, device=device), torch.arange(w, device=device), indexing='ij')
        centres.append(torch.stack([(xs.reshape(-1) + 0.5) * s, (ys.reshape(-1) + 0.5) * s], 1).float())
        strides.append(torch.full((h * w,), float(s), device=device))
    return torch.cat(centres), torch.cat(strides)


def flatten(raw: list[torch.Tensor]) -> torch.Tensor:
    """[B, 4 + C, N] from the per-level maps."""
    return torch.cat([r.flatten(2) for r in raw], 2)


def decode(raw: list[torch.Tensor], centres: torch.Tensor, strides: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Boxes xyxy [B, N, 4] in input pixels and class logits [B, N, C]."""
    out = flatten(raw)
    d = F.softplus(out[:, :4]) * strides  # [B, 4, N]
    cx, cy = centres[:, 0], centres[:, 1]
    boxes = torch.stack([cx - d[:, 0], cy - d[:, 1], cx + d[:, 2], cy + d[:, 3]], 2)
    return boxes, out[:, 4:].transpose(1, 2)


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
