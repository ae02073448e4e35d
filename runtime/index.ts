// The runtime's browser-safe API: what generated code imports, and what code of one's own uses
// to run a trained model (restore, predictor). Checkpoint files (Node only) are in
// checkpoint-file.ts, imported separately by code that runs under Node.

export type { FloatArray } from "./types.ts";
export { Rng, type RngState } from "./rng.ts";
export { initialize, type Init } from "./init.ts";
export { Adam, Sgd, type Optimizer, type OptimizerState, type Param } from "./optimizers.ts";
export { clipGlobalNorm, globalNorm } from "./clip.ts";
export { firstNonFinite } from "./finite.ts";
export { batchIndices, bucketByLength, mask, padTokens, padVectors, type PaddedTokens, type PaddedVectors } from "./batch.ts";
export {
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointError,
  decodeCheckpoint,
  encodeCheckpoint,
  type Checkpoint,
  type ExpectedLayout,
  type SavedParam,
} from "./checkpoint.ts";
export type { Axis, CompiledModel, DataLayout, LossLayout, ModelBatch, ModelGenerator, OutputLayout, ParamLayout } from "./model.ts";
export { beamSearch, generate, type BeamOptions, type DecodingOptions, type GenerateOptions } from "./generation.ts";
export { neverGenerated, promptIds } from "./sample-inputs.ts";
export { argmax, sampleLogits, softmaxInPlace, type SamplingOptions } from "./sampling.ts";
export { Vocabulary, type VocabularyKind } from "../data/vocabulary.ts";
export { expectedLayout, restore, type Trained } from "./trained.ts";
export {
  predictor,
  RecordError,
  type Choice,
  type ClassPrediction,
  type Output,
  type Prediction,
  type PredictOptions,
  type Predictor,
  type PredictorOptions,
  type TargetPrediction,
} from "./records.ts";
