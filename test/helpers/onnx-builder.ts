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
  /** the constant, shape [1, ...declared.slice(1)] with fixed dims (batched), or the declared shape itself for an unbatched [3, H, W] input */
  dims: number[];
  value: Float32Array;
  /** element type of the output (integers are cast from the float constant); float32 by default */
  type?: 'float32' | 'int64' | 'int32';
  /** multiply [B, K, 4] boxes by (w, h, w, h) of this [B, 2] input, as RT-DETR's deploy graph does */
  scaleBySizeInput?: string;
}

export interface ExtraGraphInput {
  name: string;
  type: 'float32' | 'int64' | 'int32';
  shape: DeclaredDim[];
}

export interface ConstantModelSpec {
  inputName: string;
  /** declared input shape, e.g. [1, 3, 64, 96] or ['batch', 3, 64, 96]; rank 3 = unbatched [3, H, W] */
  inputShape: DeclaredDim[];
  outputs: ConstantOutput[];
  /** inputs besides the image; each is consumed (times zero) so the graph needs it fed */
  extraInputs?: ExtraGraphInput[];
  metadata?: Record<string, string>;
  /** float16 makes both the input and the float outputs fp16 */
  dtype?: 'float32' | 'float16';
  opset?: number;
  producerName?: string;
  producerVersion?: string;
  /** extra unused weights, listed as graph inputs too (as pre-IR-4 exporters did) */
  initializersAsInputs?: boolean;
}

export const ELEM = {
  float32: FLOAT,
  float16: FLOAT16,
  int64: INT64,
  int32: onnx.TensorProto.DataType.INT32,
} as const;

export function valueInfo(name: string, elemType: number, shape: DeclaredDim[]): onnxProto.onnx.IValueInfoProto {
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

export function floatTensor(name: string, dims: number[], values: Float32Array): onnxProto.onnx.ITensorProto {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return { name, dims, dataType: FLOAT, rawData: bytes };
}

export function int64Tensor(name: string, values: number[]): onnxProto.onnx.ITensorProto {
  return { name, dims: [values.length], dataType: INT64, int64Data: values };
}

const INT = onnx.AttributeProto.AttributeType.INT;
const INTS = onnx.AttributeProto.AttributeType.INTS;

export function buildConstantModel(spec: ConstantModelSpec): Uint8Array {
  const elem = spec.dtype === 'float16' ? FLOAT16 : FLOAT;
  const nodes: onnxProto.onnx.INodeProto[] = [];
  const initializers: onnxProto.onnx.ITensorProto[] = [floatTensor('zero', [], new Float32Array([0]))];
  const unbatched = spec.inputShape.length === 3;
  let x = spec.inputName;
  if (elem === FLOAT16) {
    nodes.push({ opType: 'Cast', input: [x], output: ['x_f32'], attribute: [{ name: 'to', type: INT, i: FLOAT }] });
    x = 'x_f32';
  }
  nodes.push({
    opType: 'ReduceMean',
    input: [x],
    output: ['mean_image'],
    attribute: [
      { name: 'axes', type: INTS, ints: unbatched ? [0, 1, 2] : [1, 2, 3] },
      { name: 'keepdims', type: INT, i: 0 },
    ],
  });
  // Every extra input joins the per-image zero term, so onnxruntime requires it.
  let mean = 'mean_image';
  for (const e of spec.extraInputs ?? []) {
    nodes.push({ opType: 'Cast', input: [e.name], output: [`${e.name}_f`], attribute: [{ name: 'to', type: INT, i: FLOAT }] });
    const axes = Array.from({ length: e.shape.length - 1 }, (_, k) => k + 1);
    nodes.push({ opType: 'ReduceMean', input: [`${e.name}_f`], output: [`${e.name}_mean`], attribute: [{ name: 'axes', type: INTS, ints: axes }, { name: 'keepdims', type: INT, i: 0 }] });
    nodes.push({ opType: 'Add', input: [mean, `${e.name}_mean`], output: [`${mean}_${e.name}`] });
    mean = `${mean}_${e.name}`;
  }
  const ranks = new Set(spec.outputs.map((o) => o.dims.length));
  for (const rank of ranks) {
    initializers.push(int64Tensor(`shape_r${rank}`, unbatched ? Array<number>(rank).fill(1) : [-1, ...Array<number>(rank - 1).fill(1)]));
    nodes.push({ opType: 'Reshape', input: [mean, `shape_r${rank}`], output: [`mean_r${rank}`] });
    nodes.push({ opType: 'Mul', input: [`mean_r${rank}`, 'zero'], output: [`zero_r${rank}`] });
  }
  for (const o of spec.outputs) {
    const expected = o.dims.reduce((a, b) => a * b, 1);
    if (o.value.length !== expected) throw new Error(`${o.name}: ${o.value.length} values for dims [${o.dims.join(', ')}]`);
    initializers.push(floatTensor(`const_${o.name}`, o.dims, o.value));
    const type = o.type ?? 'float32';
    const isFloat = type === 'float32';
    let sum = isFloat && elem === FLOAT ? o.name : `${o.name}_f32`;
    if (o.scaleBySizeInput) sum = `${o.name}_unscaled`;
    nodes.push({ opType: 'Add', input: [`zero_r${o.dims.length}`, `const_${o.name}`], output: [sum] });
    if (o.scaleBySizeInput) {
      const s = o.scaleBySizeInput;
      initializers.push(int64Tensor(`shape_${o.name}_wh`, [-1, 1, 4]));
      nodes.push({ opType: 'Concat', input: [`${s}_f`, `${s}_f`], output: [`${o.name}_whwh`], attribute: [{ name: 'axis', type: INT, i: 1 }] });
      nodes.push({ opType: 'Reshape', input: [`${o.name}_whwh`, `shape_${o.name}_wh`], output: [`${o.name}_whwh3`] });
      const scaled = isFloat && elem === FLOAT ? o.name : `${o.name}_f32`;
      nodes.push({ opType: 'Mul', input: [sum, `${o.name}_whwh3`], output: [scaled] });
      sum = scaled;
    }
    if (sum !== o.name) {
      const to = isFloat ? FLOAT16 : ELEM[type];
      nodes.push({ opType: 'Cast', input: [sum], output: [o.name], attribute: [{ name: 'to', type: INT, i: to }] });
    }
  }
  const inputs = [valueInfo(spec.inputName, elem, spec.inputShape), ...(spec.extraInputs ?? []).map((e) => valueInfo(e.name, ELEM[e.type], e.shape))];
  if (spec.initializersAsInputs) {
    for (const t of initializers) inputs.push(valueInfo(t.name ?? '', t.dataType ?? FLOAT, (t.dims ?? []).map(Number)));
  }
  const outType = (o: ConstantOutput) => ((o.type ?? 'float32') === 'float32' ? elem : ELEM[o.type ?? 'float32']);
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
        valueInfo(o.name, outType(o), !unbatched && typeof spec.inputShape[0] === 'string' ? [spec.inputShape[0], ...o.declared.slice(1)] : o.declared),
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

// ---- end-to-end families: final boxes or query heads ----------------------------------

export type EndToEndLayout = 'yolov10' | 'ssd' | 'nms-in-graph' | 'detr' | 'rtdetr' | 'rtdetr-deploy' | 'rtdetr-combined';

export interface EndToEndOptions {
  inputWidth: number;
  inputHeight: number;
  /** classes of the logit head (detr: the "no object" column comes on top) */
  classCount: number;
  boxes: PlantedBox[];
  /** rows (K) or queries (Q) */
  slots: number;
  /** written label = class index + labelOffset */
  labelOffset?: number;
  /** normalized boxes are fractions of this area (default the whole canvas) */
  region?: { x0: number; y0: number; width: number; height: number };
  /** ssd only: false writes torchvision's unbatched [K, 4] / [K] */
  batched?: boolean;
  /** nms-in-graph: rows after num_dets hold this junk (it must be ignored) */
  junkAfterCount?: boolean;
}

const logit = (p: number) => Math.log(p / (1 - p));

/**
 * Output tensors of an end-to-end model that predicts exactly `boxes` (canvas pixels),
 * in each family's exact signature and names.
 */
export function plantedEndToEnd(layout: EndToEndLayout, o: EndToEndOptions): ConstantOutput[] {
  const k = o.slots;
  const off = o.labelOffset ?? 0;
  const region = o.region ?? { x0: 0, y0: 0, width: o.inputWidth, height: o.inputHeight };
  const norm = (b: PlantedBox) => {
    const x1 = (b.x1 - region.x0) / region.width;
    const y1 = (b.y1 - region.y0) / region.height;
    const x2 = (b.x2 - region.x0) / region.width;
    const y2 = (b.y2 - region.y0) / region.height;
    return [(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1];
  };
  if (layout === 'yolov10') {
    const v = new Float32Array(k * 6);
    o.boxes.forEach((b, i) => v.set([b.x1, b.y1, b.x2, b.y2, b.score, b.classIndex + off], i * 6));
    return [{ name: 'output0', declared: [1, k, 6], dims: [1, k, 6], value: v }];
  }
  if (layout === 'ssd' || layout === 'nms-in-graph' || layout === 'rtdetr-deploy') {
    const boxes = new Float32Array(k * 4);
    const scores = new Float32Array(k);
    const labels = new Float32Array(k);
    o.boxes.forEach((b, i) => {
      boxes.set(layout === 'rtdetr-deploy' ? [b.x1 / o.inputWidth, b.y1 / o.inputHeight, b.x2 / o.inputWidth, b.y2 / o.inputHeight] : [b.x1, b.y1, b.x2, b.y2], i * 4);
      scores[i] = b.score;
      labels[i] = b.classIndex + off;
    });
    if (layout === 'nms-in-graph' && o.junkAfterCount) {
      for (let i = o.boxes.length; i < k; i++) {
        boxes.set([1, 1, 40, 40], i * 4);
        scores[i] = 0.99;
        labels[i] = 0;
      }
    }
    if (layout === 'ssd') {
      const batched = o.batched ?? false;
      const d = (rest: number[]) => (batched ? [1, ...rest] : rest);
      const decl = (rest: DeclaredDim[]) => (batched ? [1, ...rest] : rest);
      return [
        { name: 'boxes', declared: decl(['num', 4]), dims: d([k, 4]), value: boxes },
        { name: 'scores', declared: decl(['num']), dims: d([k]), value: scores },
        { name: 'labels', declared: decl(['num']), dims: d([k]), value: labels, type: 'int64' },
      ];
    }
    if (layout === 'rtdetr-deploy') {
      return [
        { name: 'labels', declared: [1, k], dims: [1, k], value: labels, type: 'int64' },
        { name: 'boxes', declared: [1, k, 4], dims: [1, k, 4], value: boxes, scaleBySizeInput: 'orig_target_sizes' },
        { name: 'scores', declared: [1, k], dims: [1, k], value: scores },
      ];
    }
    return [
      { name: 'num_dets', declared: [1, 1], dims: [1, 1], value: new Float32Array([o.boxes.length]), type: 'int32' },
      { name: 'det_boxes', declared: [1, k, 4], dims: [1, k, 4], value: boxes },
      { name: 'det_scores', declared: [1, k], dims: [1, k], value: scores },
      { name: 'det_classes', declared: [1, k], dims: [1, k], value: labels, type: 'int32' },
    ];
  }
  const c = o.classCount;
  if (layout === 'rtdetr-combined') {
    const w = 4 + c;
    const v = new Float32Array(k * w);
    o.boxes.forEach((b, i) => {
      v.set(norm(b), i * w);
      v[i * w + 4 + b.classIndex + off] = b.score;
    });
    return [{ name: 'output0', declared: [1, k, w], dims: [1, k, w], value: v }];
  }
  const boxes = new Float32Array(k * 4);
  o.boxes.forEach((b, i) => boxes.set(norm(b), i * 4));
  if (layout === 'detr') {
    // log of a probability vector: softmax gives the vector back.
    const cols = c + 1;
    const tiny = 1e-6;
    const v = new Float32Array(k * cols);
    for (let q = 0; q < k; q++) {
      const b = o.boxes[q];
      const row = new Float64Array(cols).fill(tiny);
      if (b) {
        row[b.classIndex + off] = b.score;
        row[cols - 1] = 1 - b.score - (cols - 2) * tiny;
      } else row[cols - 1] = 1 - (cols - 1) * tiny;
      row.forEach((p, j) => (v[q * cols + j] = Math.log(p)));
    }
    return [
      { name: 'logits', declared: [1, k, cols], dims: [1, k, cols], value: v },
      { name: 'pred_boxes', declared: [1, k, 4], dims: [1, k, 4], value: boxes },
    ];
  }
  const v = new Float32Array(k * c).fill(-20);
  o.boxes.forEach((b, i) => (v[i * c + b.classIndex + off] = logit(b.score)));
  return [
    { name: 'logits', declared: [1, k, c], dims: [1, k, c], value: v },
    { name: 'pred_boxes', declared: [1, k, 4], dims: [1, k, 4], value: boxes },
  ];
}

// ---- arbitrary graphs (fingerprint tests): need not run, only be well-formed ---------------

export const DT = onnx.TensorProto.DataType;

export function rawTensor(name: string, dataType: number, dims: number[], bytes: Uint8Array): onnxProto.onnx.ITensorProto {
  return { name, dims, dataType, rawData: bytes };
}

export function float32Bytes(values: ArrayLike<number>): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

export function node(opType: string, inputs: string[], outputs: string[], attrs: onnxProto.onnx.IAttributeProto[] = [], domain = ''): onnxProto.onnx.INodeProto {
  return { opType, input: inputs, output: outputs, attribute: attrs, domain };
}

export const intAttr = (name: string, i: number): onnxProto.onnx.IAttributeProto => ({ name, type: INT, i });
export const graphAttr = (name: string, g: onnxProto.onnx.IGraphProto): onnxProto.onnx.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.GRAPH,
  g,
});
export const tensorAttr = (name: string, t: onnxProto.onnx.ITensorProto): onnxProto.onnx.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.TENSOR,
  t,
});

export function modelProto(graph: onnxProto.onnx.IGraphProto, opset = 13, extraOpsets: { domain: string; version: number }[] = []): onnxProto.onnx.IModelProto {
  return { irVersion: 8, producerName: 'odra-test', producerVersion: '1', opsetImport: [{ domain: '', version: opset }, ...extraOpsets], graph };
}

export function encodeModel(model: onnxProto.onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

/** Writes a model (and side files, e.g. external data) into a fresh temp folder; returns the model path. */
export async function writeModel(model: onnxProto.onnx.IModelProto | Uint8Array, files: Record<string, Uint8Array> = {}, fileName = 'model.onnx'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'odra-onnx-'));
  for (const [name, bytes] of Object.entries(files)) await writeFile(path.join(dir, name), bytes);
  const file = path.join(dir, fileName);
  await writeFile(file, model instanceof Uint8Array ? model : encodeModel(model));
  return file;
}
