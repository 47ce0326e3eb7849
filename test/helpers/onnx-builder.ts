/**
 * Builds tiny ONNX models in memory whose outputs are constants chosen by the test,
 * with any detector family's exact input/output signature. onnxruntime runs them, so
 * tests exercise the real session, tensor and decode path with planted predictions.
 *
 *   X [B,3,H,W] -> ReduceMean(axes 1,2,3) [B] -> Reshape [B,1,..,1] -> Mul 0 -> Add const_k -> out_k
 *
 * The output keeps the batch dim of the input (so dynamic-batch models really batch)
 * and equals the constant for every image.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;
const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;
const INT64 = onnx.TensorProto.DataType.INT64;

export type DeclaredDim = number | string;

export interface ConstantOutput {
  name: string;
  /** shape declared in the graph (strings = symbolic dims) */
  declared: DeclaredDim[];
  /** the constant, shape [1, ...declared.slice(1)] with fixed dims */
  dims: number[];
  value: Float32Array;
}

export interface ConstantModelSpec {
  inputName: string;
  /** declared input shape, e.g. [1, 3, 64, 96] or ['batch', 3, 64, 96] */
  inputShape: DeclaredDim[];
  outputs: ConstantOutput[];
  metadata?: Record<string, string>;
  /** float16 makes both the input and the outputs fp16 */
  dtype?: 'float32' | 'float16';
  opset?: number;
  producerName?: string;
  producerVersion?: string;
  /** extra unused weights, listed as graph inputs too (as pre-IR-4 exporters did) */
  initializersAsInputs?: boolean;
}

function valueInfo(name: string, elemType: number, shape: DeclaredDim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function floatTensor(name: string, dims: number[], values: Float32Array): onnxProto.onnx.ITensorProto {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return { name, dims, dataType: FLOAT, rawData: bytes };
}

function int64Tensor(name: string, values: number[]): onnxProto.onnx.ITensorProto {
  return { name, dims: [values.length], dataType: INT64, int64Data: values };
}

export function buildConstantModel(spec: ConstantModelSpec): Uint8Array {
  const elem = spec.dtype === 'float16' ? FLOAT16 : FLOAT;
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const initializers: onnxProto.onnx.ITensorProto[] = [floatTensor('zero', [], new Float32Array([0]))];
  let x = spec.inputName;
  if (elem === FLOAT16) {
    nodes.push({ opType: 'Cast', input: [x], output: ['x_f32'], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: FLOAT }] });
    x = 'x_f32';
  }
  nodes.push({
    opType: 'ReduceMean',
    input: [x],
    output: ['mean'],
    attribute: [
      { name: 'axes', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 2, 3] },
      { name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 },
    ],
  });
  const ranks = new Set(spec.outputs.map((o) => o.dims.length));
  for (const rank of ranks) {
    initializers.push(int64Tensor(`shape_r${rank}`, [-1, ...Array<number>(rank - 1).fill(1)]));
    nodes.push({ opType: 'Reshape', input: ['mean', `shape_r${rank}`], output: [`mean_r${rank}`] });
    nodes.push({ opType: 'Mul', input: [`mean_r${rank}`, 'zero'], output: [`zero_r${rank}`] });
  }
  for (const o of spec.outputs) {
    const expected = o.dims.reduce((a, b) => a * b, 1);
    if (o.value.length !== expected) throw new Error(`${o.name}: ${o.value.length} values for dims [${o.dims.join(', ')}]`);
    initializers.push(floatTensor(`const_${o.name}`, o.dims, o.value));
    const sum = elem === FLOAT16 ? `${o.name}_f32` : o.name;
    nodes.push({ opType: 'Add', input: [`zero_r${o.dims.length}`, `const_${o.name}`], output: [sum] });
    if (elem === FLOAT16) {
      nodes.push({ opType: 'Cast', input: [sum], output: [o.name], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: FLOAT16 }] });
    }
  }
  const inputs = [valueInfo(spec.inputName, elem, spec.inputShape)];
  if (spec.initializersAsInputs) {
    for (const t of initializers) inputs.push(valueInfo(t.name ?? '', t.dataType ?? FLOAT, (t.dims ?? []).map(Number)));
  }
  const model: onnxProto.onnx.IModelProto = {
    irVersion: 7,
    producerName: spec.producerName ?? 'odra-test',
    producerVersion: spec.producerVersion ?? '1',
    opsetImport: [{ domain: '', version: spec.opset ?? 13 }],
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: 'constant_detector',
      node: nodes,
      initializer: initializers,
      input: inputs,
      // A symbolic input batch makes every output's batch symbolic too, as exporters do.
      output: spec.outputs.map((o) =>
        valueInfo(o.name, elem, typeof spec.inputShape[0] === 'string' ? [spec.inputShape[0], ...o.declared.slice(1)] : o.declared),
      ),
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** Writes the model to a fresh temp folder and returns its path. */
export async function writeConstantModel(spec: ConstantModelSpec, fileName = 'model.onnx'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'odra-onnx-'));
  const file = path.join(dir, fileName);
  await writeFile(file, buildConstantModel(spec));
  return file;
}

// ---- planted predictions in each family's raw output format -------------------------

/** A box the test wants the model to "see", in input-canvas pixels. */
export interface PlantedBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  classIndex: number;
  score: number;
}

function gridOf(w: number, h: number, strides: number[]): { stride: number; gw: number; gh: number; offset: number }[] {
  let offset = 0;
  return strides.map((stride) => {
    const gw = Math.ceil(w / stride);
    const gh = Math.ceil(h / stride);
    const level = { stride, gw, gh, offset };
    offset += gw * gh;
    return level;
  });
}

/**
 * Per family, the output tensors of a model that predicts exactly `boxes` (all other
 * rows score 0), following each family's MODEL.md / reference decoder. Each box goes
 * to the grid level of its `level` index (default 1 = stride 16) at the cell holding its centre.
 */
export function plantedOutputs(
  family: 'yolox' | 'nanodet' | 'yolov5' | 'yolov8',
  inputWidth: number,
  inputHeight: number,
  classCount: number,
  boxes: (PlantedBox & { level?: number })[],
  strides = [8, 16, 32],
): ConstantOutput[] {
  const levels = gridOf(inputWidth, inputHeight, strides);
  const cells = levels.reduce((n, l) => n + l.gw * l.gh, 0);
  const cellOf = (b: PlantedBox & { level?: number }) => {
    const l = levels[b.level ?? 1];
    const cx = (b.x1 + b.x2) / 2;
    const cy = (b.y1 + b.y2) / 2;
    const gx = Math.min(l.gw - 1, Math.floor(cx / l.stride));
    const gy = Math.min(l.gh - 1, Math.floor(cy / l.stride));
    return { l, gx, gy, row: l.offset + gy * l.gw + gx, cx, cy };
  };
  if (family === 'yolox') {
    const width = 5 + classCount;
    const v = new Float32Array(cells * width);
    for (const b of boxes) {
      const { l, gx, gy, row, cx, cy } = cellOf(b);
      const r = row * width;
      v[r] = cx / l.stride - gx;
      v[r + 1] = cy / l.stride - gy;
      v[r + 2] = Math.log((b.x2 - b.x1) / l.stride);
      v[r + 3] = Math.log((b.y2 - b.y1) / l.stride);
      v[r + 4] = 0.9; // obj
      v[r + 5 + b.classIndex] = b.score / 0.9;
    }
    return [{ name: 'output', declared: [1, cells, width], dims: [1, cells, width], value: v }];
  }
  if (family === 'yolov5') {
    const width = 5 + classCount;
    const rows = cells * 3;
    const v = new Float32Array(rows * width);
    boxes.forEach((b, k) => {
      // Rows are already decoded boxes, so where a row sits does not change its meaning.
      const r = (cellOf(b).row * 3 + (k % 3)) * width;
      v[r] = (b.x1 + b.x2) / 2;
      v[r + 1] = (b.y1 + b.y2) / 2;
      v[r + 2] = b.x2 - b.x1;
      v[r + 3] = b.y2 - b.y1;
      v[r + 4] = 0.8;
      v[r + 5 + b.classIndex] = b.score / 0.8;
    });
    return [{ name: 'output0', declared: [1, rows, width], dims: [1, rows, width], value: v }];
  }
  if (family === 'yolov8') {
    const ch = 4 + classCount;
    const v = new Float32Array(ch * cells);
    for (const b of boxes) {
      const i = cellOf(b).row;
      v[i] = (b.x1 + b.x2) / 2;
      v[cells + i] = (b.y1 + b.y2) / 2;
      v[2 * cells + i] = b.x2 - b.x1;
      v[3 * cells + i] = b.y2 - b.y1;
      v[(4 + b.classIndex) * cells + i] = b.score;
    }
    return [{ name: 'output0', declared: [1, ch, cells], dims: [1, ch, cells], value: v }];
  }
  const outs: ConstantOutput[] = [];
  const cls = levels.map((l) => new Float32Array(l.gw * l.gh * classCount));
  const dis = levels.map((l) => new Float32Array(l.gw * l.gh * 4));
  for (const b of boxes) {
    const { l, gx, gy } = cellOf(b);
    const li = levels.indexOf(l);
    const i = gy * l.gw + gx;
    const ccx = (gx + 0.5) * l.stride;
    const ccy = (gy + 0.5) * l.stride;
    cls[li][i * classCount + b.classIndex] = b.score;
    dis[li].set([(ccx - b.x1) / l.stride, (ccy - b.y1) / l.stride, (b.x2 - ccx) / l.stride, (b.y2 - ccy) / l.stride], i * 4);
  }
  levels.forEach((l, li) => {
    const n = l.gw * l.gh;
    outs.push({ name: `cls_pred_stride_${l.stride}`, declared: [1, n, classCount], dims: [1, n, classCount], value: cls[li] });
  });
  levels.forEach((l, li) => {
    const n = l.gw * l.gh;
    outs.push({ name: `dis_pred_stride_${l.stride}`, declared: [1, n, 4], dims: [1, n, 4], value: dis[li] });
  });
  return outs;
}
