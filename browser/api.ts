// What `rnnc compile --target browser` bundles with a model: reading its checkpoint (fetched, or
// given as bytes, or a version 1 checkpoint's JSON text), generating from it as `rnnc sample`
// does, and predicting from records as `rnnc predict` does (runtime/records.ts, the same code).
// Browser-safe: it imports only the runtime and the data layer's pure parts, never Node.
// Generation here draws exactly what `rnnc sample` draws for the same checkpoint, seed and options
// (the same batch, built by the same code, and the same calls into the RNG), so a page and the
// command line print the same sequences.
import { toModelBatch } from "../data/batches.ts";
import { encodeExamples } from "../data/examples.ts";
import type { DataField } from "../data/fields.ts";
import { decodeCheckpoint, type CheckpointData } from "../runtime/checkpoint.ts";
import { beamSearch, generate } from "../runtime/generation.ts";
import type { CompiledModel, ModelBatch } from "../runtime/model.ts";
import { predictor, type Prediction, type PredictOptions, type Predictor } from "../runtime/records.ts";
import { Rng } from "../runtime/rng.ts";
import { neverGenerated, promptIds, unknownInputs } from "../runtime/sample-inputs.ts";
import { sampleLogits } from "../runtime/sampling.ts";
import { expectedLayout, restore, type Trained } from "../runtime/trained.ts";
import type { FloatArray } from "../runtime/types.ts";

export type { Trained } from "../runtime/trained.ts";

export interface SampleOptions {
  /** How many sequences (10); they are generated together, as one batch. */
  count?: number;
  /** At most this many tokens each, after the prompt (40). */
  maxLength?: number;
  /** 1 samples the model; lower is safer; 0 is greedy (1). */
  temperature?: number;
  /** Sample among the k likeliest tokens only (0: all). */
  topK?: number;
  /** The seed of the RNG (runtime/rng.ts); the same seed gives the same sequences. Default: the time. */
  seed?: number;
  /** Or the RNG itself, to continue its stream from one call to the next. */
  rng?: Rng;
  /** The model's inputs, as one JSON Lines record would give them (`{"image": [...]}`); used for every sequence. */
  input?: Record<string, unknown>;
  /** Beam search of this width instead of sampling: the one best sequence. */
  beam?: number;
  /**
   * Text every sequence begins with, read (teacher-forced) rather than generated, then continued:
   * cut into characters or words as the target's vocabulary is (`rnnc sample --prompt`). A token
   * the vocabulary lacks throws, naming it.
   */
  prompt?: string;
}

/** The functions a bundle exports, bound to its model and its fields. */
export interface BrowserApi<A extends FloatArray> {
  /** Fetches a checkpoint (its bytes: either version) and reads it (see parseCheckpoint). */
  loadCheckpoint(url: string | URL, init?: RequestInit): Promise<Trained<A>>;
  /**
   * Reads a checkpoint — the bytes of its file (an ArrayBuffer or a Uint8Array, either version), or
   * a version 1 checkpoint's JSON text — checking that it is whole (version 2's checksum), that its
   * numbers are finite, and that it is this model's: its name, every param's shape, every vocabulary's size.
   */
  parseCheckpoint(data: CheckpointData): Trained<A>;
  /** Generated sequences as ids (without <eos>; the prompt's first). <pad>, <unk> and <bos> are never chosen. */
  sampleIds(trained: Trained<A>, options?: SampleOptions): Int32Array[];
  /** Generated sequences as text, as `rnnc sample` prints them. */
  sample(trained: Trained<A>, options?: SampleOptions): string[];
  /** Ids as text: characters joined into a word, longer tokens separated by spaces. */
  decode(trained: Trained<A>, ids: ArrayLike<number>): string;
  /**
   * The model's predictions for one record written as in its data files (`{ bits: "0110" }`), as
   * `rnnc predict --json` prints them: `{ even: { label: "even", probability: 0.97 } }`. Throws a
   * RecordError naming what is wrong with the record.
   */
  predict(trained: Trained<A>, record: Record<string, unknown>, options?: PredictOptions): Prediction;
  /** The same for each of several records, computed in batches; the error names each bad record by index. */
  predictBatch(trained: Trained<A>, records: readonly Record<string, unknown>[], options?: PredictOptions): Prediction[];
}

export function browserApi<A extends FloatArray>(model: CompiledModel<A>, fields: readonly DataField[]): BrowserApi<A> {
  const target = fields.find((f) => f.autoregressive);
  const inputs = fields.filter((f) => f.role === "input");
  const layout = model.data.filter((d) => d.role === "input" && !d.name.endsWith("@input"));

  function parseCheckpoint(data: CheckpointData): Trained<A> {
    return restore(model, decodeCheckpoint(data, expectedLayout(model)), fields);
  }

  async function loadCheckpoint(url: string | URL, init?: RequestInit): Promise<Trained<A>> {
    const response = await fetch(url, init);
    if (!response.ok) throw new Error(`${url}: cannot fetch the checkpoint (HTTP ${response.status} ${response.statusText})`);
    // Bytes, not text: version 2 is binary (and version 1's JSON is recognized from its bytes).
    return parseCheckpoint(await response.arrayBuffer());
  }

  /** `count` copies of the inputs, time-major: what rnnc sample batches, encoded and batched by the same code. */
  function inputBatch(trained: Trained<A>, input: Record<string, unknown>, count: number): ModelBatch {
    const encoded = encodeExamples([{ line: 1, value: input }], inputs, trained.vocabularies, { file: "input" });
    if (encoded.errors.length > 0) throw new Error(encoded.errors.map((e) => `input: ${e.message}`).join("\n"));
    return toModelBatch(encoded.examples, new Int32Array(count), layout, { vocabularies: trained.vocabularies, arrays: Float32Array });
  }

  function sampleIds(trained: Trained<A>, options: SampleOptions = {}): Int32Array[] {
    if (!target || !model.generator) throw new Error(`${model.name} has no target read at t-1 and predicted at t: there is nothing to generate`);
    const { count = 10, maxLength = 40, temperature = 1, topK = 0, input } = options;
    const whole = (name: string, n: number, least: number) => {
      if (!Number.isSafeInteger(n) || n < least) throw new RangeError(`${name} must be a whole number, at least ${least}; got ${n}`);
      return n;
    };
    whole("count", count, 1);
    whole("maxLength", maxLength, 1);
    whole("topK", topK, 0);
    if (!(temperature >= 0 && Number.isFinite(temperature))) throw new RangeError(`temperature must be a finite number, at least 0 (0 is greedy); got ${temperature}`);
    if (inputs.length > 0 && !input) throw new Error(`${model.name} reads ${inputs.map((f) => f.name).join(", ")}: give them as options.input`);
    const unknown = input && typeof input === "object" && !Array.isArray(input) ? unknownInputs(input, fields, model.name) : undefined;
    if (unknown) throw new Error(`input: ${unknown}`);
    const vocabulary = trained.vocabularies.get(target.name)!;
    // What rnnc sample decodes with: the same prompt's ids, the same ids never chosen.
    const prompt = options.prompt === undefined ? undefined : promptIds(options.prompt, vocabulary, target.name);
    const decoding = { steps: maxLength, bos: vocabulary.bos, eos: vocabulary.eos, exclude: neverGenerated(vocabulary), prompt };
    if (options.beam !== undefined) {
      whole("beam", options.beam, 1);
      return beamSearch(model, trained.params, inputBatch(trained, input ?? {}, 1), { ...decoding, width: options.beam });
    }
    const rng = options.rng ?? new Rng(options.seed ?? Date.now());
    return generate(model, trained.params, inputBatch(trained, input ?? {}, count), {
      ...decoding,
      choose: (logits, offset, length) => sampleLogits(logits, offset, length, rng, { temperature, topK }),
    });
  }

  function decode(trained: Trained<A>, ids: ArrayLike<number>): string {
    return trained.vocabularies.get(target?.name ?? "")!.decode(ids);
  }

  // One predictor per loaded checkpoint, made on first use.
  const predictors = new WeakMap<Trained<A>, Predictor>();
  const predictorFor = (trained: Trained<A>) => predictors.get(trained) ?? predictors.set(trained, predictor(model, trained)).get(trained)!;

  const sample = (trained: Trained<A>, options?: SampleOptions) => sampleIds(trained, options).map((ids) => decode(trained, ids));
  const predict = (trained: Trained<A>, record: Record<string, unknown>, options?: PredictOptions) => predictorFor(trained).predict(record, options);
  const predictBatch = (trained: Trained<A>, records: readonly Record<string, unknown>[], options?: PredictOptions) => predictorFor(trained).predictBatch(records, options);
  return { loadCheckpoint, parseCheckpoint, sampleIds, sample, decode, predict, predictBatch };
}
