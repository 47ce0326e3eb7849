"""Int8 post-training quantization of an exported float model, in QDQ form, with the `onnx`
package only (onnxruntime's Python quantizer is not installed here).

What is quantized: every Conv's weights, its bias and its input activation.
  weights      int8, symmetric, per output channel: scale_c = max|W_c| / 127, zero point 0
  bias         int32, scale = input scale x weight scale_c, zero point 0 (what QLinearConv
               uses, so onnxruntime can fuse DequantizeLinear -> Conv -> ... into QLinearConv)
  activations  uint8, asymmetric, per tensor, from the calibration range [min(0, lo), max(0, hi)]:
               scale = (hi - lo) / 255, zero point = round(-lo / scale); the network's input is
               exactly [0, 1] in steps of 1/255, so it gets scale 1/255, zero point 0.
Calibration ("MinMax", onnxruntime's default method): lo/hi are the minimum and maximum of
each conv input over the calibration images (generated scenes from the training seed, never
the validation set), measured in PyTorch on the BatchNorm-folded model. Each ONNX Conv is
matched to its PyTorch conv by its weights (identical arrays: both come from the same
folded model), so no tensor naming convention is assumed.

The decoding tail (softplus, box arithmetic, sigmoid) stays float, as onnxruntime's own
quantizer leaves such ops.
"""
from __future__ import annotations

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from .export import YoloV8Layout


@torch.no_grad()
def calibration_ranges(wrapper: YoloV8Layout, images: np.ndarray, batch: int = 32) -> list[tuple[np.ndarray, float, float]]:
    """[(conv weight array, lo, hi)] for every Conv2d of the folded model, in module order."""
    convs = [m for m in wrapper.modules() if isinstance(m, torch.nn.Conv2d)]
    lo = {id(c): float('inf') for c in convs}
    hi = {id(c): float('-inf') for c in convs}

    def hook(module, inputs, _output):
        x = inputs[0]
        lo[id(module)] = min(lo[id(module)], float(x.min()))
        hi[id(module)] = max(hi[id(module)], float(x.max()))

    handles = [c.register_forward_hook(hook) for c in convs]
    wrapper.eval()
    for start in range(0, len(images), batch):
        x = torch.from_numpy(np.ascontiguousarray(images[start:start + batch])).permute(0, 3, 1, 2).float().div_(255.0)
        wrapper(x)
    for h in handles:
        h.remove()
    return [(c.weight.detach().numpy().copy(), lo[id(c)], hi[id(c)]) for c in convs]


def activation_qparams(lo: float, hi: float, is_input: bool) -> tuple[float, int]:
    if is_input:
        return 1.0 / 255.0, 0
    lo, hi = min(0.0, lo), max(0.0, hi)
    scale = (hi - lo) / 255.0 if hi > lo else 1.0
    return scale, int(np.clip(round(-lo / scale), 0, 255))


def quantize_qdq(src: str, dst: str, ranges: list[tuple[np.ndarray, float, float]], tags: dict[str, str]) -> dict:
    model = onnx.load(src)
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    graph_input = g.input[0].name
    new_nodes: list[onnx.NodeProto] = []
    new_inits: list[onnx.TensorProto] = []
    quantized_tensor: dict[str, tuple[str, float]] = {}
    used = set()
    stats = {'convs': 0, 'weights_int8': 0}
    for node in g.node:
        if node.op_type != 'Conv':
            new_nodes.append(node)
            continue
        w = numpy_helper.to_array(inits[node.input[1]])
        match = [k for k, (rw, _, _) in enumerate(ranges) if k not in used and rw.shape == w.shape and np.array_equal(rw, w)]
        if len(match) != 1:
            raise RuntimeError(f'Conv {node.name}: {len(match)} calibrated convs have its weights {w.shape}')
        used.add(match[0])
        _, lo, hi = ranges[match[0]]
        x = node.input[0]
        x_scale, x_zp = activation_qparams(lo, hi, x == graph_input)
        if x not in quantized_tensor:
            base = x.replace('/', '_').strip('_') or 'x'
            s_name, z_name = f'{base}_scale', f'{base}_zero_point'
            new_inits += [numpy_helper.from_array(np.array(x_scale, dtype=np.float32), s_name),
                          numpy_helper.from_array(np.array(x_zp, dtype=np.uint8), z_name)]
            q, dq = f'{base}_quantized', f'{base}_dequantized'
            new_nodes += [helper.make_node('QuantizeLinear', [x, s_name, z_name], [q], name=f'{base}_QuantizeLinear'),
                          helper.make_node('DequantizeLinear', [q, s_name, z_name], [dq], name=f'{base}_DequantizeLinear')]
            quantized_tensor[x] = (dq, x_scale)
        x_dq, x_scale = quantized_tensor[x]
        w_scale = np.maximum(np.abs(w).reshape(w.shape[0], -1).max(1) / 127.0, 1e-12).astype(np.float32)
        w_q = np.clip(np.round(w / w_scale[:, None, None, None]), -127, 127).astype(np.int8)
        wn = node.input[1]
        new_inits += [numpy_helper.from_array(w_q, f'{wn}_quantized'), numpy_helper.from_array(w_scale, f'{wn}_scale'),
                      numpy_helper.from_array(np.zeros(w.shape[0], dtype=np.int8), f'{wn}_zero_point')]
        new_nodes.append(helper.make_node('DequantizeLinear', [f'{wn}_quantized', f'{wn}_scale', f'{wn}_zero_point'], [f'{wn}_dequantized'],
                                          name=f'{wn}_DequantizeLinear', axis=0))
        inputs = [x_dq, f'{wn}_dequantized']
        if len(node.input) > 2:
            bn = node.input[2]
            b = numpy_helper.to_array(inits[bn]).astype(np.float64)
            b_scale = (x_scale * w_scale.astype(np.float64)).astype(np.float32)
            b_q = np.round(b / b_scale).astype(np.int32)
            new_inits += [numpy_helper.from_array(b_q, f'{bn}_quantized'), numpy_helper.from_array(b_scale, f'{bn}_scale'),
                          numpy_helper.from_array(np.zeros(len(b), dtype=np.int32), f'{bn}_zero_point')]
            new_nodes.append(helper.make_node('DequantizeLinear', [f'{bn}_quantized', f'{bn}_scale', f'{bn}_zero_point'], [f'{bn}_dequantized'],
                                              name=f'{bn}_DequantizeLinear', axis=0))
            inputs.append(f'{bn}_dequantized')
        conv = helper.make_node('Conv', inputs, list(node.output), name=node.name)
        conv.attribute.extend(node.attribute)
        new_nodes.append(conv)
        stats['convs'] += 1
        stats['weights_int8'] += int(w.size)
    if len(used) != len(ranges):
        raise RuntimeError(f'{len(ranges) - len(used)} calibrated convs were not found in {src}')
    replaced = {n.input[1] for n in g.node if n.op_type == 'Conv'} | {n.input[2] for n in g.node if n.op_type == 'Conv' and len(n.input) > 2}
    keep = [i for i in g.initializer if i.name not in replaced]
    del g.initializer[:]
    g.initializer.extend(keep + new_inits)
    del g.node[:]
    g.node.extend(new_nodes)
    props = {p.key: p.value for p in model.metadata_props}
    props.update(tags)
    del model.metadata_props[:]
    for k, v in props.items():
        p = model.metadata_props.add()
        p.key, p.value = k, v
    onnx.checker.check_model(model)
    onnx.save(model, dst)
    return stats
