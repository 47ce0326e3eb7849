"""ONNX export in the Ultralytics YOLOv8 detect layout, which Odra's yolov8 adapter detects:

  input  `images`  float32 [batch, 3, 192, 320], RGB / 255, centred letterbox, pad 114
  output `output0` float32 [batch, 4 + C, 1260]: cx, cy, w, h in input pixels, then C
         sigmoid class scores (no objectness); 1260 = cells of strides 8/16/32 at 320x192

BatchNorm is folded into the convolutions first (so pruned zeros stay exact zeros and the
graph holds plain Conv + Relu), the box decoding is part of the graph, opset 13.

Metadata (metadata_props): Ultralytics-style `names` (a Python dict repr), `imgsz`
("[192, 320]"), `stride`, `task` = detect, plus Odra's tags, read by Odra to group a
compression sweep without user input:
  odra.family, odra.compression.method (none | unstructured_pruning | structured_pruning |
  quantization | fp16 | distillation | other), odra.compression.rate (a number as text),
  odra.compression.rate_unit (sparsity_percent | kept_channels_percent | bits),
  odra.training (baseline | augmentation | imbalance | other), odra.note (free text).
"""
from __future__ import annotations

import copy

import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

from .data import INPUT_H, INPUT_W
from .model import ConvBNReLU, Detector, flatten, make_anchors

FAMILY = 'odra-demo-det'


def fold_batchnorm(model: Detector) -> Detector:
    """A copy whose Conv-BN-ReLU blocks are Conv (with bias) + ReLU, numerically the same in eval."""
    m = copy.deepcopy(model).eval()
    for name, block in m.layers.items():
        assert isinstance(block, ConvBNReLU)
        conv, bn = block.conv, block.bn
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        fused = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, conv.stride, conv.padding, bias=True)
        with torch.no_grad():
            fused.weight.copy_(conv.weight * scale[:, None, None, None])
            fused.bias.copy_(bn.bias - bn.running_mean * scale)
        block.conv = fused
        block.bn = nn.Identity()
    return m


class YoloV8Layout(nn.Module):
    def __init__(self, model: Detector):
        super().__init__()
        self.model = fold_batchnorm(model)
        centres, strides = make_anchors(INPUT_H, INPUT_W)
        self.register_buffer('centres', centres.t().contiguous())  # [2, N]
        self.register_buffer('strides', strides)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = flatten(self.model(x))
        d = F.softplus(out[:, :4]) * self.strides
        cx = self.centres[0] + (d[:, 2] - d[:, 0]) / 2
        cy = self.centres[1] + (d[:, 3] - d[:, 1]) / 2
        wh = torch.stack([d[:, 0] + d[:, 2], d[:, 1] + d[:, 3]], 1)
        return torch.cat([cx[:, None], cy[:, None], wh, out[:, 4:].sigmoid()], 1)


def export_onnx(model: Detector, path: str, class_names: list[str], tags: dict[str, str]) -> None:
    wrapper = YoloV8Layout(model).eval()
    dummy = torch.zeros(1, 3, INPUT_H, INPUT_W)
    torch.onnx.export(wrapper, dummy, path, opset_version=13, input_names=['images'], output_names=['output0'],
                      dynamic_axes={'images': {0: 'batch'}, 'output0': {0: 'batch'}}, do_constant_folding=True)
    m = onnx.load(path)
    # the exporter leaves the concatenated output's channel and cell dims symbolic; they are fixed
    dims = m.graph.output[0].type.tensor_type.shape.dim
    dims[1].dim_value = 4 + len(class_names)
    dims[2].dim_value = int(wrapper.strides.numel())
    onnx.save(m, path)
    set_metadata(path, class_names, tags)


def set_metadata(path: str, class_names: list[str], tags: dict[str, str]) -> None:
    m = onnx.load(path)
    meta = {
        'description': 'Odra demo detector (synthetic road scenes); see resources/demo/models/MODELS.md',
        'names': repr({i: n for i, n in enumerate(class_names)}),
        'imgsz': f'[{INPUT_H}, {INPUT_W}]',
        'stride': '32',
        'task': 'detect',
        'odra.family': FAMILY,
        **tags,
    }
    del m.metadata_props[:]
    for k, v in meta.items():
        p = m.metadata_props.add()
        p.key, p.value = k, str(v)
    m.producer_name = 'odra-demo-detectors'
    onnx.checker.check_model(m)
    onnx.save(m, path)
