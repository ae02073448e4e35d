// What a run will allocate, said before it does: the model's params (and for training their
// gradients and the optimizer's moments) and the emitted module's buffers and tapes for the
// largest batch it will see (compiler/6-emit/buffers.ts: the same list the module lays out),
// checked against --memory-limit (default: most of this machine's memory) and, for the compiled
// backend, the 4 GiB one WebAssembly memory can hold. Over the limit is a Stop in words — how much,
// of what, and what to lower — before the model is compiled or a batch is formed.
import { totalmem } from "node:os";
import type { CheckedModel } from "../compiler/2-check/checked.ts";
import { bytesFor, memoryLayout, rowsOf, type MemoryLayout } from "../compiler/6-emit/buffers.ts";
import type { DifferentiatedProgram } from "../compiler/ir/nodes.ts";
import { grouped } from "../compiler/limits.ts";
import type { Example } from "../data/examples.ts";
import { Stop } from "./stop.ts";

/** The most one WebAssembly memory (32-bit) can hold: 65536 pages of 64 KiB. */
export const WASM_MEMORY_LIMIT = 2 ** 32;
/** The most numbers a typed array holds (V8). */
export const TYPED_ARRAY_LIMIT = 2 ** 32 - 1;
/** The default limit: this share of the machine's memory. */
export const DEFAULT_SHARE = 0.8;

const units: Record<string, number> = { "": 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** `2GB`, `512MiB`, `1.5 G`, `1000000` (bytes) → bytes; a usage error (exit 2) otherwise. */
export function parseMemoryLimit(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match ? units[match[2].toLowerCase()] : undefined;
  const bytes = match && unit ? Number(match[1]) * unit : NaN;
  if (!(bytes >= 1)) throw new Stop(`rnnc: --memory-limit takes a size such as 2GB, 512MiB or 800MB (KB, MB, GB, TB; KiB, MiB, GiB, TiB), not '${text}'`, 2);
  return Math.floor(bytes);
}

/** 31_200_000_000 → "31.2 GB". */
export function formatBytes(bytes: number): string {
  const [unit, size] = bytes >= 1e12 ? ["TB", 1e12] : bytes >= 1e9 ? ["GB", 1e9] : bytes >= 1e6 ? ["MB", 1e6] : bytes >= 1e3 ? ["KB", 1e3] : ["bytes", 1];
  return size === 1 ? `${bytes} bytes` : `${(bytes / (size as number)).toFixed(1)} ${unit}`;
}

export interface MemoryUse {
  /** Examples a batch (sampling: sequences, or beams × inputs). */
  batch: number;
  /** Steps of the longest sequence per time axis (1 when the model has none). */
  steps: Partial<Record<"t" | "s", number>>;
  /** Training: gradients, and this many optimizer moments per param (adam 2, sgd with momentum 1). */
  moments?: number;
}

export interface Estimate {
  params: number;
  gradients: number;
  moments: number;
  /** Step buffers and tapes (with kernels: the whole WebAssembly memory, which also holds a copy of the params and gradients). */
  work: number;
  /** The batch's own fields. */
  data: number;
  /** The kernels' WebAssembly memory (included in the others: a second copy of params and gradients, the buffers); 0 without kernels. */
  wasm: number;
  total: number;
  /** The largest single buffer, in numbers. */
  largest: number;
}

/** The bytes a model needs for a batch of `use.batch` examples of `use.steps` steps. */
export function estimate(layout: MemoryLayout, use: MemoryUse): Estimate {
  const bytes = bytesFor(layout, use.batch, use.steps);
  const params = layout.params * layout.bytes;
  const training = use.moments !== undefined;
  const gradients = training ? params : 0;
  const moments = training ? params * use.moments! : 0;
  // With kernels, the params and gradients are also copied into the WebAssembly memory, and the buffers live there.
  const work = layout.kernels ? bytes.wasm : bytes.work;
  const largest = Math.max(0, ...layout.buffers.map((b) => rowsOf(b.rows, use.batch, use.steps) * b.n));
  return { params, gradients, moments, work, data: bytes.data, wasm: bytes.wasm, total: params + gradients + moments + work + bytes.data, largest };
}

/** The backends' arrays: the layout of the module a backend runs (the interpreter's float64 values are counted as compiled64's buffers). */
export function layoutFor(program: DifferentiatedProgram, backend: string): MemoryLayout {
  return memoryLayout(program, backend === "compiled" ? { dtype: "float32", kernels: true } : backend === "compiled-ts" ? { dtype: "float32", kernels: false } : { dtype: "float64", kernels: false });
}

/** The limit: --memory-limit's, or DEFAULT_SHARE of the machine's memory. */
export function memoryLimit(text: string | undefined): { bytes: number; given: boolean } {
  return text === undefined ? { bytes: Math.floor(totalmem() * DEFAULT_SHARE), given: false } : { bytes: parseMemoryLimit(text), given: true };
}

export interface Budget {
  /** `rnnc train`, for the message. */
  command: string;
  file: string;
  model: CheckedModel;
  backend: string;
  limit: { bytes: number; given: boolean };
  /** What the user may lower: "--batch or the sequence length" (and the dims, with `dims`). */
  lower: string;
  /** The dims are the user's to lower (training; a trained model's are its checkpoint's). */
  dims?: boolean;
  /** The command takes --backend (the WebAssembly memory's cap is the compiled backend's). */
  backends?: boolean;
  /** "a batch of 32 sequences of 1,200 steps". */
  describe: (use: MemoryUse) => string;
}

/**
 * Refuses (a Stop, exit 2) a batch over the limit or the WebAssembly memory; else the estimate.
 * A program too large for its arrays at all was refused before (compileModel: programSizeProblem).
 */
export function checkMemory(program: DifferentiatedProgram, budget: Budget, use: MemoryUse, layout = layoutFor(program, budget.backend)): Estimate {
  const prefix = `${budget.command}: ${budget.file}`;
  const e = estimate(layout, use);
  const dims = [...budget.model.dims].map(([name, value]) => `${name} = ${value}`).join(", ");
  const lower = `lower ${budget.dims && budget.model.dims.size > 0 ? `${[...budget.model.dims.keys()].join(", ")}, ` : ""}${budget.lower}`;
  const parts = [
    `params ${formatBytes(e.params)}`,
    ...(e.gradients ? [`gradients ${formatBytes(e.gradients)}`] : []),
    ...(e.moments ? [`optimizer moments ${formatBytes(e.moments)}`] : []),
    `${e.wasm ? "buffers, tapes and the kernels' copies" : "buffers and tapes"} ${formatBytes(e.work + e.data)}`,
  ].join(", ");
  const needs = `${prefix} needs about ${formatBytes(e.total)} for ${budget.describe(use)} (${dims ? `${dims}: ` : ""}${parts})`;
  if (e.total > budget.limit.bytes) {
    const limit = budget.limit.given ? `the limit of ${formatBytes(budget.limit.bytes)} (--memory-limit)` : `the limit of ${formatBytes(budget.limit.bytes)} (${DEFAULT_SHARE * 100}% of this machine's memory; --memory-limit sets another)`;
    throw new Stop(`${needs}, more than ${limit}; ${lower}`, 2);
  }
  if (e.wasm > WASM_MEMORY_LIMIT)
    throw new Stop(`${needs}; its WebAssembly memory would be ${formatBytes(e.wasm)}, more than the 4 GiB (${formatBytes(WASM_MEMORY_LIMIT)}) one can hold; ${lower}${budget.backends ? ", or run it with --backend compiled-ts (no WebAssembly)" : ""}`, 2);
  if (e.largest > TYPED_ARRAY_LIMIT) throw new Stop(`${needs}; one of its buffers would hold ${grouped(e.largest)} numbers, more than an array can (${grouped(TYPED_ARRAY_LIMIT)}); ${lower}`, 2);
  return e;
}

/** The longest sequence on each time axis of these examples' fields (a field's axis from the model's data). */
export function longestSteps(examples: readonly Example[], model: CheckedModel): Partial<Record<"t" | "s", number>> {
  const steps: Partial<Record<"t" | "s", number>> = {};
  const axisOf = new Map(model.data.filter((d) => d.axis && d.type.sequence).map((d) => [d.name, d.axis as "t" | "s"]));
  for (const example of examples)
    for (const [name, field] of example.fields) {
      const axis = axisOf.get(name);
      if (axis && field.steps > (steps[axis] ?? 0)) steps[axis] = field.steps;
    }
  return steps;
}

/** "a batch of 32 sequences of 1,200 steps", "a batch of 16 examples". */
export function describeBatch(use: MemoryUse, noun = "sequences"): string {
  const steps = Object.values(use.steps).filter((n): n is number => n !== undefined);
  if (steps.length === 0) return `a batch of ${grouped(use.batch)} example${use.batch === 1 ? "" : "s"}`;
  return `a batch of ${grouped(use.batch)} ${use.batch === 1 ? noun.replace(/s$/, "") : noun} of ${grouped(Math.max(...steps))} steps`;
}
