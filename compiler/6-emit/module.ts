// A differentiated program as one TypeScript module: its layouts, its buffers (grown to the
// largest batch seen, then reused), and `loss`, `lossAndGrad` and `predict` over them. It
// implements runtime/model.ts's CompiledModel and imports nothing else.
import type { CarryInfo, DifferentiatedProgram, Node } from "../ir/nodes.ts";
import { compileKernels } from "./kernels/compile.ts";
import { Kernels } from "./kernels/index.ts";
import { blockCode, type Fast } from "./loops.ts";
import { comment, identifier, literal } from "./names.ts";

export interface EmitOptions {
  dtype: "float32" | "float64";
  /** How the module imports the runtime's types: a path, or the package's `rnnc/runtime`. */
  runtime: string;
  source?: string; // the model file's name, for the header
  /**
   * Products in WebAssembly SIMD kernels (float32 only), compiled with asc and embedded in the
   * module; every buffer then lives in the kernels' memory. Without them, the loops are plain
   * TypeScript: the fallback, and the reference the kernels are tested against.
   */
  kernels?: boolean;
}

/** The identifiers of everything the generated code names. */
export interface Names {
  param(name: string): string;
  grad(name: string): string;
  data(name: string): string;
  sequence(name: string): string;
  sequenceAdjoint(name: string): string;
  value(name: string): string;
  valueAdjoint(name: string): string;
  tape(block: number, node: number): string;
  transposed(name: string): string;
  carry(name: string): string;
}

const size = (node: Node) => node.shape.reduce((a, b) => a * b, 1);

function namesFor(p: DifferentiatedProgram): Names {
  const index = <T extends { name: string }>(list: T[], name: string) => list.findIndex((x) => x.name === name);
  return {
    param: (name) => identifier("p", index(p.params, name), name),
    grad: (name) => identifier("g", index(p.params, name), name),
    data: (name) => identifier("d", index(p.data, name), name),
    sequence: (name) => identifier("s", index(p.sequences, name), name),
    sequenceAdjoint: (name) => identifier("ds", index(p.sequences, name), name),
    value: (name) => identifier("v", index(p.values, name), name),
    valueAdjoint: (name) => identifier("dv", index(p.values, name), name),
    tape: (block, node) => `k${block}_${node}`,
    transposed: (name) => identifier("t", index(p.params, name), name),
    carry: (name) => identifier("c", index(p.carries, name), name),
  };
}

export function emitModule(p: DifferentiatedProgram, options: EmitOptions): string {
  return emitModuleWithKernels(p, options).code;
}

/** The module, and (with `kernels`) the AssemblyScript source of the kernels embedded in it. */
export function emitModuleWithKernels(p: DifferentiatedProgram, options: EmitOptions): { code: string; kernels?: string } {
  if (options.kernels && options.dtype !== "float32") throw new Error("WebAssembly kernels are float32 only");
  const names = namesFor(p);
  const F = options.dtype === "float64" ? "Float64Array" : "Float32Array";
  const transposed = new Set<string>();
  const fast: Fast | undefined = options.kernels
    ? { kernels: new Kernels(), transposed: (name) => (transposed.add(name), names.transposed(name)) }
    : undefined;
  const forwardBuffer = (block: number) => (id: number) => `f${block}_${id}`;
  const backwardBuffer = (block: number) => (id: number) => `r${block}_${id}`;
  // Predictions are kept too: predict() reads them from the tape.
  const predictionNodes = p.blocks.map((b) => new Set(b.losses.map((l) => b.nodes[l.node].args[0])));
  const kept = p.blocks.map((_, i) => new Set([...(p.kept.get(i) ?? []), ...predictionNodes[i]]));
  const axes = [...new Set([...p.data, ...p.sequences].map((x) => x.axis).filter((a): a is "t" | "s" => !!a))];

  // Buffers: [name, rows] where rows is "B" (one per example), "1" (shared) or "T_t * B" (a tape).
  const buffers: [string, string, number][] = [];
  p.blocks.forEach((block, i) =>
    block.nodes.forEach((node, id) => {
      if (node.op !== "param" && node.op !== "const") buffers.push([forwardBuffer(i)(id), node.batched ? "B" : "1", size(node)]);
    }),
  );
  p.backward.forEach((block, i) =>
    block.nodes.forEach((node, id) => {
      if (node.op !== "param" && node.op !== "const" && node.op !== "accumulate") buffers.push([backwardBuffer(i)(id), node.batched ? "B" : "1", size(node)]);
    }),
  );
  kept.forEach((ids, i) => {
    const block = p.blocks[i];
    for (const id of ids) buffers.push([names.tape(i, id), block.kind === "loop" ? `T_${block.axis} * B` : "B", size(block.nodes[id])]);
  });
  for (const s of p.sequences) {
    buffers.push([names.sequence(s.name), `T_${s.axis} * B`, s.size]);
    buffers.push([names.sequenceAdjoint(s.name), `T_${s.axis} * B`, s.size]);
  }
  for (const v of p.values) {
    buffers.push([names.value(v.name), "B", v.size]);
    buffers.push([names.valueAdjoint(v.name), "B", v.size]);
  }
  for (const c of p.carries) buffers.push([names.carry(c.name), "B", c.steps * c.width]);

  const weights = p.losses.map((loss, i) =>
    loss.reduction === "mean_over_tokens" && loss.axis
      ? `W${i} = 1 / (batch.denominators?.[${i}] ?? Math.max(1, L_${loss.axis}.reduce((a, b) => a + b, 0)));`
      : `W${i} = 1 / (batch.denominators?.[${i}] ?? B);`,
  );
  const lossLayout = p.losses.map((loss, i) => {
    const block = p.blocks.find((b) => b.losses.some((l) => l.loss === i))!;
    const prediction = block.nodes[block.nodes[block.losses.find((l) => l.loss === i)!.node].args[0]];
    return { ...loss, size: size(prediction) };
  });

  const forward = p.blocks.map((block, i) => blockCode(p, names, block, forwardBuffer(i), kept[i], i, undefined, `forward${i}`, fast));
  const backward = p.backward.map((block, i) => blockCode(p, names, block, backwardBuffer(i), new Set(), undefined, block.primalOf, `backward${i}`, fast));
  for (const b of [...forward, ...backward]) buffers.push(...b.buffers); // materialized constants, deferred products' operands
  const memory = fast ? kernelMemory(p, names, transposed, buffers, axes, fast.kernels) : undefined;

  const predictions = p.losses.map((loss, i) => {
    const blockIndex = p.blocks.findIndex((b) => b.losses.some((l) => l.loss === i));
    const block = p.blocks[blockIndex];
    const node = block.nodes[block.losses.find((l) => l.loss === i)!.node].args[0];
    const n = lossLayout[i].size;
    const rows = block.kind === "loop" ? `T_${block.axis} * B` : "B";
    const transform =
      loss.kind === "cross_entropy"
        ? `for (let r = 0; r < ${rows}; r++) { let max = -Infinity; for (let i = 0; i < ${n}; i++) max = Math.max(max, out[r * ${n} + i]); let sum = 0; for (let i = 0; i < ${n}; i++) sum += (out[r * ${n} + i] = Math.exp(out[r * ${n} + i] - max)); for (let i = 0; i < ${n}; i++) out[r * ${n} + i] /= sum; }`
        : loss.kind === "binary_cross_entropy"
          ? `for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-out[i]));`
          : "";
    // Padded steps predict nothing: their rows are 0, as the interpreter leaves them.
    const padding = block.kind === "loop" ? ` for (let t = 0; t < T_${block.axis}; t++) for (let b = 0; b < B; b++) if (t >= L_${block.axis}[b]) out.fill(0, (t * B + b) * ${n}, (t * B + b + 1) * ${n});` : "";
    return `  { const out = ${names.tape(blockIndex, node)}.slice(0, ${rows} * ${n}); ${transform}${padding} predictions.push(out); }`;
  });

  const code = `${comment(`generated by rnnc from ${options.source ?? p.model} — do not edit`)}
${comment(`model ${p.model}: ${p.params.length} params, ${p.blocks.length} forward and ${p.backward.length} backward blocks, ${options.dtype}`)}
import type { CompiledModel, DataLayout, LossLayout, ModelBatch, ParamLayout } from ${literal(options.runtime)};

type F = ${F};

export const params: ParamLayout[] = ${JSON.stringify(p.params.map(({ name, shape, init, decay, layer }) => ({ name, shape, init, decay, layer })))};
export const data: DataLayout[] = ${JSON.stringify(p.data)};
export const losses: LossLayout[] = ${JSON.stringify(lossLayout)};

// Work buffers, grown to the largest batch and longest sequences seen, then reused.
let capacity = { B: 0${axes.map((a) => `, ${a}: 0`).join("")} };
${buffers.map(([name]) => `let ${name}: F = new ${F}(0);`).join("\n")}

function ensure(B: number${axes.map((a) => `, T_${a}: number`).join("")}): void {
  if (B <= capacity.B${axes.map((a) => ` && T_${a} <= capacity.${a}`).join("")}) return;
  B = Math.max(B, capacity.B);
${axes.map((a) => `  T_${a} = Math.max(T_${a}, capacity.${a});`).join("\n")}
  capacity = { B${axes.map((a) => `, ${a}: T_${a}`).join("")} };
${memory ? memory.layout : buffers.map(([name, rows, n]) => `  ${name} = new ${F}(${rows} * ${n});`).join("\n")}
}

const maxOf = (lengths: Int32Array) => lengths.reduce((a, b) => Math.max(a, b), 0);

// The current batch, params and gradients, set by run() for the step functions below.
let B = 0;
let ONES: Int32Array = new Int32Array(0); // the lengths of an axis-less block: 1 for every example
${axes.map((a) => `let L_${a}: Int32Array = ONES, T_${a} = 0;`).join("\n")}
${weights.map((_, i) => `let W${i} = 0;`).join("\n")}
${p.params.map((x) => `let ${names.param(x.name)}: F = new ${F}(0), ${names.grad(x.name)}: F = new ${F}(0);`).join("\n")}
${[...transposed].map((name) => `let ${names.transposed(name)}: F = new ${F}(0);`).join("\n")}
${p.data.map((x) => `let ${names.data(x.name)}: Float32Array | Float64Array = new ${F}(0);`).join("\n")}

/** Points the step functions at the batch: its size, lengths, and room for it in the buffers. */
function setBatch(size: number, lengths: ModelBatch["lengths"]): void {
  B = size;
  if (ONES.length < B) ONES = new Int32Array(B).fill(1);
${axes.map((a) => `  L_${a} = lengths.${a} ?? ONES;\n  T_${a} = maxOf(L_${a});`).join("\n")}
  ensure(B${axes.map((a) => `, T_${a}`).join("")});
}

/** The params the step functions read${memory ? ": copied into the kernels' memory (with the transposed copies the kernels read)" : ""}. */
function setParams(P: Map<string, F>): void {
${memory ? memory.loadParams : p.params.map((x) => `  ${names.param(x.name)} = P.get(${literal(x.name)})!;`).join("\n")}
}

${[...forward, ...backward].map((b) => b.functions).join("\n")}

function run(P: Map<string, F>, batch: ModelBatch, G: Map<string, F> | undefined): number {
  setBatch(batch.size, batch.lengths);
  setParams(P);
${p.data.map((x) => `  ${names.data(x.name)} = batch.fields.get(${literal(x.name)})!;`).join("\n")}
${weights.map((w) => `  ${w}`).join("\n")}
${p.carries.map((c) => `  { const c = batch.carry?.get(${literal(c.name)}); if (c) ${names.carry(c.name)}.set(c.subarray(0, B * ${c.steps * c.width})); else ${names.carry(c.name)}.fill(${carryFill(p, c)}, 0, B * ${c.steps * c.width}); }`).join("\n")}
  let loss = 0;
${forward.map((b) => indent(b.loop)).join("\n")}
  if (!G) return loss;
${p.params.map((x) => (memory ? `  ${names.grad(x.name)}.fill(0);` : `  ${names.grad(x.name)} = G.get(${literal(x.name)})!;\n  ${names.grad(x.name)}.fill(0);`)).join("\n")}
${[...p.sequences.map((s) => names.sequenceAdjoint(s.name)), ...p.values.map((v) => names.valueAdjoint(v.name))].map((x) => `  ${x}.fill(0);`).join("\n")}
${backward.map((b) => indent(b.loop)).join("\n")}
${memory ? p.params.map((x) => `  G.get(${literal(x.name)})!.set(${names.grad(x.name)});`).join("\n") : ""}
  return loss;
}

/** Truncated BPTT: the sequences and fields a window reads before its first step, carried from window to window. */
export const carried: string[] = ${JSON.stringify(p.carries.map((c) => c.name))};

/** After loss or lossAndGrad: the next window's carry — each carried name's last steps of each example (older ones from this window's carry). */
export function finalStates(): Map<string, F> {
  const out = new Map<string, F>();
${p.carries.map((c) => finalCarry(c, c.of === "data" ? names.data(c.name) : names.sequence(c.name), names.carry(c.name), F)).join("\n")}
  return out;
}

export function createParams(): Map<string, F> {
  return new Map(params.map((p) => [p.name, new ${F}(p.shape.reduce((a, b) => a * b, 1))]));
}

export function loss(P: Map<string, F>, batch: ModelBatch): number {
  return run(P, batch, undefined);
}

export function lossAndGrad(P: Map<string, F>, G: Map<string, F>, batch: ModelBatch): number {
  return run(P, batch, G);
}

export function predict(P: Map<string, F>, batch: ModelBatch): F[] {
  run(P, batch, undefined);
  const predictions: F[] = [];
${predictions.join("\n")}
  return predictions;
}

${generation(p, names, kept, axes, F)}
export const model: CompiledModel<F> = { name: ${literal(p.model)}, params, data, losses, carried, finalStates, createParams, loss, lossAndGrad, predict${p.data.some((d) => d.shifted) ? ", generate, beamSearch" : ""} };
export default model;
${memory ? memory.loader : ""}`;
  return { code, kernels: memory?.source };
}

/**
 * A module with kernels keeps every buffer in one WebAssembly memory: the params (copied in at
 * each call, and transposed where a kernel reads them by rows), the gradients (copied out), the
 * step buffers and the tapes. `layOut` places them one after another, each on 16 bytes; when a
 * batch needs more room, the memory grows and every view is made again.
 */
function kernelMemory(p: DifferentiatedProgram, names: Names, transposed: Set<string>, buffers: [string, string, number][], axes: string[], kernels: Kernels) {
  const sizeOf = (name: string) => p.params.find((x) => x.name === name)!.shape.reduce((a, b) => a * b, 1);
  const views: [string, string][] = [
    ...p.params.flatMap((x): [string, string][] => [[names.param(x.name), `${sizeOf(x.name)}`], [names.grad(x.name), `${sizeOf(x.name)}`]]),
    ...[...transposed].map((name): [string, string] => [names.transposed(name), `${sizeOf(name)}`]),
    ...buffers.map(([name, rows, n]): [string, string] => [name, `${rows} * ${n}`]),
  ];
  const sizes = `B: number${axes.map((a) => `, T_${a}: number`).join("")}`;
  const args = `B${axes.map((a) => `, T_${a}`).join("")}`;
  const layout = `  let end = BASE;
  layOut(${args}, (n) => ((end += align(n)), EMPTY));
  if (end > MEMORY.buffer.byteLength) MEMORY.grow(Math.ceil((end - MEMORY.buffer.byteLength) / 65536));
  let at = BASE;
  layOut(${args}, (n) => { const view = new Float32Array(MEMORY.buffer, at, n); at += align(n); return view; });`;
  const loadParams = p.params
    .map((x) => {
      const load = `  ${names.param(x.name)}.set(P.get(${literal(x.name)})!);`;
      if (!transposed.has(x.name)) return load;
      const [m, n] = x.shape;
      return `${load}\n  { const w = ${names.param(x.name)}, t = ${names.transposed(x.name)}; for (let r = 0; r < ${m}; r++) for (let j = 0; j < ${n}; j++) t[j * ${m} + r] = w[r * ${n} + j]; }`;
    })
    .join("\n");
  const source = kernels.source();
  const wasm = compileKernels(source);
  const loader = `
// Where the buffers lie in the kernels' memory (bytes). The first page is left to the kernels.
const BASE = 65536;
const EMPTY = new Float32Array(0);
const align = (n: number) => ((n + 3) & ~3) * 4;
function layOut(${sizes}, view: (n: number) => Float32Array): void {
${views.map(([name, n]) => `  ${name} = view(${n});`).join("\n")}
}

// The kernels: ${kernels.names.length} products, in AssemblyScript compiled by asc --enable simd -O3 (${wasm.length} bytes).
const MEMORY = new WebAssembly.Memory({ initial: 1 });
const KERNEL_WASM = Uint8Array.from(atob(${literal(Buffer.from(wasm).toString("base64"))}), (c) => c.charCodeAt(0));
const KERNELS = (await WebAssembly.instantiate(KERNEL_WASM, { env: { memory: MEMORY } })).instance.exports as unknown as Record<string, (...sizesAndOffsets: number[]) => void>;
`;
  return { layout, loadParams, loader, source };
}

/** What a first window reads before its first step, where no carry is given: no token (-1), or zeros. */
const carryFill = (p: DifferentiatedProgram, c: CarryInfo) => (p.data.some((d) => d.name === c.name && d.kind === "ids") ? -1 : 0);

/** One carried name's rows for the next window: step L - steps + j of example b, or this window's own carry before its first step. */
function finalCarry(c: CarryInfo, steps: string, carry: string, F: string): string {
  const [S, w] = [c.steps, c.width];
  return `  {
    const last = new ${F}(B * ${S * w});
    for (let b = 0; b < B; b++)
      for (let j = 0; j < ${S}; j++) {
        const u = L_t[b] - ${S} + j;
        last.set(u >= 0 ? ${steps}.subarray((u * B + b) * ${w}, (u * B + b + 1) * ${w}) : ${carry}.subarray(((b + 1) * ${S} + u) * ${w}, ((b + 1) * ${S} + u + 1) * ${w}), (b * ${S} + j) * ${w});
      }
    out.set(${literal(c.name)}, last);
  }`;
}

const indent = (code: string) => code.split("\n").map((line) => `  ${line}`).join("\n");

/**
 * `generate` for a model with an autoregressive target: the blocks before the target's time
 * loop run whole (an encoder, an init); then, one step at a time, the loops over the target's
 * axis run and `choose` picks each next token from the logits, which is fed back as the next
 * step's input, until every example has chosen <eos> or `steps` run out.
 */
function generation(p: DifferentiatedProgram, names: Names, kept: Set<number>[], axes: ("t" | "s")[], F: string): string {
  const target = p.data.find((d) => d.shifted);
  if (!target?.axis) return "";
  const axis = target.axis;
  const lossIndex = p.losses.findIndex((l) => l.target === target.name);
  const lossBlock = p.blocks.findIndex((b) => b.losses.some((l) => l.loss === lossIndex));
  const block = p.blocks[lossBlock];
  const prediction = block.nodes[block.losses.find((l) => l.loss === lossIndex)!.node].args[0];
  if (!kept[lossBlock].has(prediction)) throw new Error("the prediction of the generated target is not kept");
  const V = size(block.nodes[prediction]);
  const first = p.blocks.findIndex((b) => b.kind === "loop" && b.axis === axis);
  const before = p.blocks.slice(0, first).map((b, i) => `  for (let k = 0; k < ${b.kind === "loop" ? `T_${b.axis}` : "1"}; k++) forward${i}(${b.direction === "backward" ? `T_${b.axis} - 1 - k` : "k"});`);
  const stepwise = p.blocks.flatMap((b, i) => (i >= first && b.kind === "loop" && b.axis === axis ? [`    forward${i}(t);`] : []));
  const width = (d: (typeof p.data)[number]) => (d.kind === "ids" ? 1 : d.size);
  return `export interface GenerateOptions {
  steps: number; // at most this many tokens (and <eos>)
  bos: number; // the id read before the first token
  eos: number; // the id that ends a sequence
  /** Picks the next id from the logits at [offset, offset + length): argmax, or a sample. */
  choose: (logits: F, offset: number, length: number) => number;
}

/** Sets up a generation: the batch's inputs, the target's axis run to \`steps\`, the encoder run whole. */
function startGeneration(P: Map<string, F>, batch: ModelBatch, steps: number, bos: number): F {
  setBatch(batch.size, { ...batch.lengths, ${axis}: new Int32Array(batch.size).fill(steps) });
  setParams(P);
  const fed = new ${F}(steps * B).fill(bos, 0, B); // what the model reads: <bos>, then the choices
${p.data
  .map((d) =>
    d.name === `${target.name}@input`
      ? `  ${names.data(d.name)} = fed;`
      : `  ${names.data(d.name)} = batch.fields.get(${literal(d.name)}) ?? new ${F}(${d.sequence && d.axis ? `T_${d.axis}` : "1"} * B * ${width(d)});`,
  )
  .join("\n")}
${p.losses.map((_, i) => `  W${i} = 1 / B;`).join("\n")}
${before.join("\n")}
  return fed;
}

/** One step of the target's loops; the logits of every row at step t are then in \`LOGITS\`. */
function generationStep(t: number): void {
${stepwise.map((line) => line.slice(2)).join("\n")}
}
const LOGITS = () => ${names.tape(lossBlock, prediction)};

/** Generates ${literal(target.name)} for each example of the batch (its other fields are inputs). */
export function generate(P: Map<string, F>, batch: ModelBatch, options: GenerateOptions): Int32Array[] {
  const steps = options.steps;
  const fed = startGeneration(P, batch, steps, options.bos);
  const chosen: number[][] = Array.from({ length: B }, () => []);
  const done = new Uint8Array(B);
  let remaining = B;
  for (let t = 0; t < steps && remaining > 0; t++) {
    generationStep(t);
    for (let b = 0; b < B; b++) {
      if (done[b]) continue;
      const id = options.choose(LOGITS(), (t * B + b) * ${V}, ${V});
      if (id === options.eos) {
        done[b] = 1;
        remaining--;
        continue;
      }
      chosen[b].push(id);
      if (t + 1 < steps) fed[(t + 1) * B + b] = id;
    }
  }
  return chosen.map((ids) => Int32Array.from(ids));
}

/** Each example's inputs repeated \`k\` times, so that k hypotheses can run side by side. */
function repeatRows(batch: ModelBatch, k: number): ModelBatch {
  const E = batch.size;
  const fields = new Map<string, Float32Array | Float64Array>();
  for (const [name, values] of batch.fields) {
    const layout = data.find((d) => d.name === name);
    const w = layout && layout.kind === "vectors" ? layout.size : 1;
    const steps = values.length / (E * w);
    const out = new ${F}(values.length * k);
    for (let t = 0; t < steps; t++)
      for (let e = 0; e < E; e++)
        for (let j = 0; j < k; j++) out.set(values.subarray((t * E + e) * w, (t * E + e + 1) * w), ((t * E * k) + e * k + j) * w);
    fields.set(name, out);
  }
  const lengths: ModelBatch["lengths"] = {};
  for (const [axis, ls] of Object.entries(batch.lengths) as [keyof ModelBatch["lengths"], Int32Array][]) lengths[axis] = Int32Array.from({ length: E * k }, (_, r) => ls[Math.floor(r / k)]);
  return { size: E * k, lengths, fields };
}

/** Rows of every per-step buffer of the target's axis, up to step t, taken from their parents. */
function reorderRows(parents: Int32Array, t: number, fed: F): void {
  const permute = (buffer: F, n: number, upTo: number) => {
    for (let u = 0; u <= upTo; u++) {
      const block = buffer.slice(u * B * n, (u + 1) * B * n);
      for (let r = 0; r < B; r++) buffer.set(block.subarray(parents[r] * n, (parents[r] + 1) * n), (u * B + r) * n);
    }
  };
${p.sequences.filter((sq) => sq.axis === axis).map((sq) => `  permute(${names.sequence(sq.name)}, ${sq.size}, t);`).join("\n")}
  permute(fed, 1, t);
}

export interface BeamOptions {
  steps: number;
  bos: number;
  eos: number;
  width: number; // hypotheses kept per example
}

/**
 * Beam search: the \`width\` likeliest hypotheses per example, extended a token at a time; a
 * hypothesis ends at <eos>; the best ended one wins by log-probability per token (length-normalised).
 */
export function beamSearch(P: Map<string, F>, batch: ModelBatch, options: BeamOptions): Int32Array[] {
  const E = batch.size, K = options.width, steps = options.steps;
  const fed = startGeneration(P, repeatRows(batch, K), steps, options.bos);
  const score = new Float64Array(B).fill(-Infinity);
  for (let e = 0; e < E; e++) score[e * K] = 0; // one hypothesis to start from
  let paths: number[][] = Array.from({ length: B }, () => []);
  const ended: { ids: number[]; score: number }[][] = Array.from({ length: E }, () => []);
  const logp = new Float64Array(${V});
  for (let t = 0; t < steps; t++) {
    generationStep(t);
    const parents = new Int32Array(B);
    const nextScore = new Float64Array(B).fill(-Infinity);
    const nextPaths: number[][] = Array.from({ length: B }, () => []);
    const tokens = new Int32Array(B).fill(options.eos);
    for (let e = 0; e < E; e++) {
      const candidates: { row: number; id: number; total: number }[] = [];
      for (let j = 0; j < K; j++) {
        const r = e * K + j;
        if (score[r] === -Infinity) continue;
        const at = (t * B + r) * ${V};
        let max = -Infinity;
        for (let i = 0; i < ${V}; i++) max = Math.max(max, LOGITS()[at + i]);
        let sum = 0;
        for (let i = 0; i < ${V}; i++) sum += Math.exp(LOGITS()[at + i] - max);
        const lse = max + Math.log(sum);
        for (let i = 0; i < ${V}; i++) logp[i] = LOGITS()[at + i] - lse;
        for (let i = 0; i < ${V}; i++) candidates.push({ row: r, id: i, total: score[r] + logp[i] });
      }
      candidates.sort((a, b) => b.total - a.total);
      let kept = 0;
      // The K best extensions: those ending in <eos> end their hypothesis, the others go on.
      for (const c of candidates.slice(0, K)) {
        if (c.id === options.eos) {
          if (ended[e].length < K) ended[e].push({ ids: paths[c.row], score: c.total / (paths[c.row].length + 1) });
          continue;
        }
        const r = e * K + kept++;
        parents[r] = c.row;
        nextScore[r] = c.total;
        nextPaths[r] = [...paths[c.row], c.id];
        tokens[r] = c.id;
      }
      for (let j = kept; j < K; j++) parents[e * K + j] = e * K; // unused rows: any parent
    }
    reorderRows(parents, t, fed);
    score.set(nextScore);
    paths = nextPaths;
    if (t + 1 < steps) for (let r = 0; r < B; r++) fed[(t + 1) * B + r] = tokens[r];
    if (ended.every((list) => list.length >= K)) break;
  }
  return ended.map((list, e) => {
    const open = Array.from({ length: K }, (_, j) => e * K + j).filter((r) => score[r] > -Infinity).map((r) => ({ ids: paths[r], score: score[r] / (paths[r].length + 1) }));
    const all = list.length > 0 ? list : open;
    all.sort((a, b) => b.score - a.score);
    return Int32Array.from(all[0]?.ids ?? []);
  });
}
`;
}
