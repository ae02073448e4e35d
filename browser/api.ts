// What `rnnc compile --target browser` bundles with a model: reading its checkpoint (fetched, or
// given as bytes, or a version 1 checkpoint's JSON text) and generating from it, as `rnnc sample`
// does. Browser-safe: it imports only the runtime and the data layer's pure parts, never Node.
// Generation here draws exactly what `rnnc sample` draws for the same checkpoint, seed and options
// (the same batch, the same calls into the RNG), so a page and the command line print the same
// sequences.
import type { DataField } from "../data/fields.ts";
import { readField } from "../data/read-field.ts";
import { Vocabulary } from "../data/vocabulary.ts";
import { CheckpointError, decodeCheckpoint, type Checkpoint, type CheckpointData } from "../runtime/checkpoint.ts";
import type { Axis, CompiledModel, ModelBatch } from "../runtime/model.ts";
import { Rng } from "../runtime/rng.ts";
import { sampleLogits } from "../runtime/sampling.ts";
import type { FloatArray } from "../runtime/types.ts";

/** A model's trained weights and vocabularies, read from its checkpoint. */
export interface Trained<A extends FloatArray = FloatArray> {
  params: Map<string, A>;
  /** Per token or class field, its vocabulary as saved. */
  vocabularies: Map<string, Vocabulary>;
  /** What the run that saved the checkpoint recorded (epochs, metrics, overrides…). */
  meta: Record<string, unknown>;
}

export interface SampleOptions {
  /** How many sequences (10); they are generated together, as one batch. */
  count?: number;
  /** At most this many tokens each (40). */
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
  /** Generated sequences as ids (without <eos>). */
  sampleIds(trained: Trained<A>, options?: SampleOptions): Int32Array[];
  /** Generated sequences as text, as `rnnc sample` prints them. */
  sample(trained: Trained<A>, options?: SampleOptions): string[];
  /** Ids as text: characters joined into a word, longer tokens separated by spaces. */
  decode(trained: Trained<A>, ids: ArrayLike<number>): string;
}

export function browserApi<A extends FloatArray>(model: CompiledModel<A>, fields: readonly DataField[]): BrowserApi<A> {
  const target = fields.find((f) => f.autoregressive);
  const inputs = fields.filter((f) => f.role === "input");
  const layout = model.data.filter((d) => d.role === "input" && !d.name.endsWith("@input"));

  function parseCheckpoint(data: CheckpointData): Trained<A> {
    const expected = { model: model.name, params: Object.fromEntries(model.params.map((p) => [p.name, p.shape])) };
    const checkpoint: Checkpoint = decodeCheckpoint(data, expected);
    const problems: string[] = [];
    const vocabularies = new Map<string, Vocabulary>();
    for (const field of fields) {
      if (field.element.kind === "vector") continue;
      const tokens = Object.hasOwn(checkpoint.vocabularies, field.name) ? checkpoint.vocabularies[field.name] : undefined;
      if (!tokens) {
        problems.push(`no vocabulary for ${field.name}: was it saved for another model?`);
        continue;
      }
      let vocabulary: Vocabulary;
      try {
        vocabulary = Vocabulary.fromJSON({ kind: field.element.kind, tokens });
      } catch (error) {
        problems.push(`the vocabulary of ${field.name}: ${(error as Error).message}`);
        continue;
      }
      // The module's sizes are constants: a vocabulary of another size needs another module.
      const size = model.data.find((d) => d.name === field.name)?.size;
      if (size !== undefined && size !== vocabulary.size) problems.push(`the vocabulary of ${field.name} has ${vocabulary.size} entries, the module was compiled for ${size}`);
      vocabularies.set(field.name, vocabulary);
    }
    if (problems.length > 0) throw new CheckpointError(problems);
    const params = model.createParams();
    for (const [name, values] of params) values.set(checkpoint.params[name].values);
    return { params, vocabularies, meta: checkpoint.meta };
  }

  async function loadCheckpoint(url: string | URL, init?: RequestInit): Promise<Trained<A>> {
    const response = await fetch(url, init);
    if (!response.ok) throw new Error(`${url}: cannot fetch the checkpoint (HTTP ${response.status} ${response.statusText})`);
    // Bytes, not text: version 2 is binary (and version 1's JSON is recognized from its bytes).
    return parseCheckpoint(await response.arrayBuffer());
  }

  /** `count` copies of the inputs, time-major, as rnnc sample batches them (ids of a token field padded with <pad>). */
  function inputBatch(trained: Trained<A>, input: Record<string, unknown>, count: number): ModelBatch {
    const lengths: Partial<Record<Axis, Int32Array>> = {};
    const batchFields = new Map<string, FloatArray>();
    for (const d of layout) {
      const field = inputs.find((f) => f.name === d.name)!;
      if (!Object.hasOwn(input, field.name)) throw new Error(`input: missing field ${JSON.stringify(field.name)}`);
      const read = readField(input[field.name], field);
      if (!read.ok) throw new Error(`input: ${read.message}`);
      let width = 1;
      let steps: number;
      let values: ArrayLike<number>;
      if (read.value.kind === "vectors") {
        ({ steps, values } = read.value);
        width = read.value.size;
      } else {
        const vocabulary = trained.vocabularies.get(field.name)!;
        const unknown = read.value.labels.find((label) => vocabulary.kind === "class" && !vocabulary.has(label));
        if (unknown !== undefined) throw new Error(`input: field ${JSON.stringify(field.name)}: unknown class ${JSON.stringify(unknown)}`);
        values = read.value.labels.map((label) => vocabulary.id(label));
        steps = values.length;
      }
      if (d.sequence && d.axis) {
        const seen = lengths[d.axis];
        if (seen && seen[0] !== steps) throw new Error(`input: the fields on axis ${d.axis} have different lengths`);
        lengths[d.axis] = new Int32Array(count).fill(steps);
      }
      const out = new Float32Array(steps * count * width);
      for (let t = 0; t < steps; t++) for (let b = 0; b < count; b++) for (let i = 0; i < width; i++) out[(t * count + b) * width + i] = values[t * width + i];
      batchFields.set(d.name, out);
    }
    return { size: count, lengths, fields: batchFields };
  }

  function sampleIds(trained: Trained<A>, options: SampleOptions = {}): Int32Array[] {
    if (!target || !model.generate) throw new Error(`${model.name} has no target read at t-1 and predicted at t: there is nothing to generate`);
    const { count = 10, maxLength = 40, temperature = 1, topK = 0, input } = options;
    const whole = (name: string, n: number, least: number) => {
      if (!Number.isSafeInteger(n) || n < least) throw new RangeError(`${name} must be a whole number, at least ${least}; got ${n}`);
      return n;
    };
    whole("count", count, 1);
    whole("maxLength", maxLength, 1);
    whole("topK", topK, 0);
    if (!(temperature >= 0)) throw new RangeError(`temperature must be a number, at least 0 (0 is greedy); got ${temperature}`);
    if (inputs.length > 0 && !input) throw new Error(`${model.name} reads ${inputs.map((f) => f.name).join(", ")}: give them as options.input`);
    const vocabulary = trained.vocabularies.get(target.name)!;
    if (options.beam !== undefined) {
      whole("beam", options.beam, 1);
      return model.beamSearch!(trained.params, inputBatch(trained, input ?? {}, 1), { steps: maxLength, bos: vocabulary.bos, eos: vocabulary.eos, width: options.beam });
    }
    const rng = options.rng ?? new Rng(options.seed ?? Date.now());
    return model.generate(trained.params, inputBatch(trained, input ?? {}, count), {
      steps: maxLength,
      bos: vocabulary.bos,
      eos: vocabulary.eos,
      choose: (logits, offset, length) => sampleLogits(logits, offset, length, rng, { temperature, topK }),
    });
  }

  function decode(trained: Trained<A>, ids: ArrayLike<number>): string {
    return trained.vocabularies.get(target?.name ?? "")!.decode(ids);
  }

  const sample = (trained: Trained<A>, options?: SampleOptions) => sampleIds(trained, options).map((ids) => decode(trained, ids));
  return { loadCheckpoint, parseCheckpoint, sampleIds, sample, decode };
}
