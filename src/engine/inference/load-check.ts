/**
 * Checks at import that onnxruntime can load a model, by creating a CPU session once
 * (graph optimisation off: loading resolves every node's kernel and checks the graph,
 * which is what refuses a model; optimising it would only cost time) and releasing it.
 *
 * A model onnxruntime refuses (an operator it does not know, an opset or IR version
 * newer than it supports, a graph with a cycle, inconsistent shapes) is a BAD_INPUT
 * naming the file, with the problem in words (`explainLoadError`) and onnxruntime's
 * own text in `details.runtimeMessage`, so nothing is stored for a model that can never
 * run. The words are matched on onnxruntime 1.2x's messages
 * (onnxruntime/core/graph/graph.cc, model_load_utils.h, session/inference_session.cc);
 * an unknown message keeps its first line.
 */
import './ort-offline';
import * as ort from 'onnxruntime-node';
import { fileProblem } from '../../shared/errors';

const RULES: readonly { re: RegExp; say: (m: RegExpExecArray) => string }[] = [
  {
    re: /No Op registered for (\S+) with domain_version of (\d+)/,
    say: (m) => `it uses an operator onnxruntime does not know: ${m[1]} (opset ${m[2]})`,
  },
  {
    re: /Could not find an implementation for (\S+)\((\d+)\)/,
    say: (m) => `onnxruntime has no CPU implementation of its operator ${m[1]} (opset ${m[2]}) for the types it uses`,
  },
  {
    re: /Opset (\d+) is under development|opset (\d+) is not supported|Unsupported opset/i,
    say: (m) => `it declares opset ${m[1] ?? m[2] ?? '?'}, which this onnxruntime (${ortVersion()}) does not support`,
  },
  {
    re: /Unsupported model IR version: (\d+), max supported IR version: (\d+)/,
    say: (m) => `its IR version ${m[1]} is newer than this onnxruntime supports (up to ${m[2]})`,
  },
  { re: /graph is not acyclic/, say: () => 'its graph has a cycle (a node depends on its own output)' },
  { re: /ShapeInferenceError\]?\s*(.*)/, say: (m) => `its declared tensor shapes are inconsistent (${m[1].trim() || 'shape inference failed'})` },
  { re: /Type Error: (.*)/, say: (m) => `its declared tensor types are inconsistent (${m[1].trim()})` },
  { re: /Protobuf parsing failed|Failed to load model/i, say: () => 'onnxruntime cannot parse it as an ONNX model' },
];

function ortVersion(): string {
  return ort.env.versions.node ?? ort.env.versions.common;
}

/** onnxruntime's load error in words (the first line of the raw text when no rule knows it). */
export function explainLoadError(raw: string): string {
  for (const rule of RULES) {
    const m = rule.re.exec(raw);
    if (m) return rule.say(m);
  }
  // drop the source location prefix onnxruntime puts before its message
  const line = raw.split('\n')[0].replace(/^\/?[\w./-]+\.(?:cc|h|cpp):\d+\s+[^\n]*?\)\s+/, '');
  return `onnxruntime cannot load it: ${line.length > 300 ? `${line.slice(0, 297)}...` : line}`;
}

/** Creates (and releases) a CPU session for the model; BAD_INPUT naming it when onnxruntime refuses. */
export async function checkModelLoads(file: string): Promise<void> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'disabled',
      intraOpNumThreads: 1,
      interOpNumThreads: 1,
      logSeverityLevel: 3,
    });
  } catch (err) {
    const raw = err instanceof Error ? err.message : String(err);
    const words = explainLoadError(raw);
    throw fileProblem(file, `cannot be used: ${words}`, { runtimeMessage: raw });
  }
  await session.release();
}
