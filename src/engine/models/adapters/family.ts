/**
 * The contract of one adapter family module (adapters/<family>.ts): the family's
 * defaults, the matcher that recognises its exports from the graph, and the decoder of
 * its outputs. registry.ts lists the families; adding one means one new module that
 * exports an AdapterFamily, plus its line in the registry (and its name in
 * shared/adapter.ts MODEL_FAMILIES, which the contract validates).
 */
import type { ModelIO } from '../inspect-io';
import type { Decoder } from './decoding';
import type { FamilyDefaults, FoundInput, MatchResult } from './matching';

export interface AdapterFamily extends FamilyDefaults {
  /** The graph's evidence for this family: a detection with its confidence, or why it does not fit. */
  match(io: ModelIO, found: FoundInput): MatchResult;
  /** One batch's outputs -> one image's candidates in original pixels, before NMS. */
  decode: Decoder;
  /** The class count is a dimension of the graph, so a names list must have exactly that many names. */
  classCountInGraph: boolean;
}
