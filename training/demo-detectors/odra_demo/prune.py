"""Pruning the trained baseline.

Unstructured magnitude pruning (Han et al. 2015): in every Conv-BN-ReLU layer except the
first (3 input channels, 0.1% of the weights), the fraction `sparsity` of conv weights with
the smallest |w| (per layer) is set to exactly 0 and kept there by a mask during
fine-tuning. The 1x1 prediction convs stay dense. BatchNorm folding at export scales whole
output channels, so the zeros stay exact in the ONNX weights.

Structured channel pruning (Network Slimming, Liu et al. 2017, without the sparsity
training): in every Conv-BN-ReLU layer, the output channels with the smallest BatchNorm
|gamma| are removed, keeping ceil(keep * C); the next layers lose the matching input
channels (concatenations map each input's kept channels to their offsets). The result is
the same topology with smaller widths: a genuinely smaller graph, not zeros.
"""
from __future__ import annotations

import math

import torch

from .model import HEADS, TOPOLOGY, Detector

PROTECTED_FROM_SPARSITY = {'layers.stem1.conv.weight'}


def magnitude_masks(model: Detector, sparsity: float) -> dict[str, torch.Tensor]:
    masks: dict[str, torch.Tensor] = {}
    for name, p in model.named_parameters():
        if not (name.startswith('layers.') and name.endswith('.conv.weight')) or name in PROTECTED_FROM_SPARSITY:
            continue
        k = int(round(sparsity * p.numel()))
        if k == 0:
            continue
        threshold = p.detach().abs().flatten().kthvalue(k).values
        mask = (p.detach().abs() > threshold).float()
        # ties at the threshold: drop exactly k
        extra = int(mask.numel() - mask.sum().item()) - k
        if extra < 0:
            ties = ((p.detach().abs() == threshold) & (mask > 0)).flatten().nonzero().flatten()[: -extra]
            mask.view(-1)[ties] = 0
        masks[name] = mask
    return masks


def sparsity_of(model: Detector) -> tuple[int, int]:
    """(zero weights, all weights) over every conv weight tensor."""
    zeros = total = 0
    for name, p in model.named_parameters():
        if p.ndim == 4:
            zeros += int((p == 0).sum())
            total += p.numel()
    return zeros, total


def channel_prune(model: Detector, keep: float) -> Detector:
    keep_idx: dict[str, torch.Tensor] = {}
    for name, _, _, _ in TOPOLOGY:
        gamma = model.layers[name].bn.weight.detach().abs()
        n = max(1, math.ceil(keep * gamma.numel()))
        keep_idx[name] = gamma.argsort(descending=True)[:n].sort().values
    widths = {name: len(idx) for name, idx in keep_idx.items()}
    pruned = Detector(model.num_classes, widths)

    def input_index(inputs: list[str]) -> torch.Tensor:
        parts, offset = [], 0
        for src in inputs:
            src = src.removeprefix('up:')
            if src == 'image':
                parts.append(torch.arange(3))
                offset += 3
            else:
                parts.append(keep_idx[src] + offset)
                offset += model.widths[src]
        return torch.cat(parts)

    with torch.no_grad():
        for name, inputs, _, _ in TOPOLOGY:
            src, dst = model.layers[name], pruned.layers[name]
            out_i, in_i = keep_idx[name], input_index(inputs)
            dst.conv.weight.copy_(src.conv.weight[out_i][:, in_i])
            for attr in ('weight', 'bias', 'running_mean', 'running_var'):
                getattr(dst.bn, attr).copy_(getattr(src.bn, attr)[out_i])
        for name, layer, _ in HEADS:
            dst, srcc = pruned.heads[name], model.heads[name]
            dst.weight.copy_(srcc.weight[:, keep_idx[layer]])
            dst.bias.copy_(srcc.bias)
    return pruned
