// A differentiated program as one TypeScript module: its layouts, its buffers (grown to the
// largest batch seen, then reused), and `loss`, `lossAndGrad` and `predict` over them. It
// implements runtime/model.ts's CompiledModel and imports nothing else.
import { plan, type BlockPlan } from "../5-plan/index.ts";
import type { Block, CarryInfo, DifferentiatedProgram, Node } from "../ir/nodes.ts";
import { compileKernels } from "./kernels/compile.ts";
import { Kernels } from "./kernels/index.ts";
import { generation } from "./generation.ts";
import { gradientFlowCode } from "./gradient-flow.ts";
import { helpersFor } from "./helpers.ts";
import { dropoutCode, hasDropout } from "./dropout-code.ts";
import { softmaxCode } from "./code-for-op.ts";
import { blockCode, type Fast } from "./loops.ts";
import { comment, Identifiers, literal, namesFor, stepName, type Names } from "./names.ts";

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

const size = (node: Node) => node.shape.reduce((a, b) => a * b, 1);

/** A node's step value needs a buffer of its own unless it is not needed, inlined in its consumer, read in place (a param), a literal, or adds straight into a gradient. */
const hasBuffer = (node: Node, id: number, plan: BlockPlan) =>
  plan.live.has(id) && !plan.fused.has(id) && !plan.direct.has(id) && node.op !== "param" && node.op !== "const" && node.op !== "accumulate";

export function emitModule(p: DifferentiatedProgram, options: EmitOptions): string {
  return emitModuleWithKernels(p, options).code;
}

/** The module, and (with `kernels`) the AssemblyScript source of the kernels embedded in it. */
export function emitModuleWithKernels(p: DifferentiatedProgram, options: EmitOptions): { code: string; kernels?: string } {
  if (options.kernels && options.dtype !== "float32") throw new Error("WebAssembly kernels are float32 only");
  const ids = new Identifiers();
  const dropout = hasDropout(p);
  const names = namesFor(p, ids);
  const F = options.dtype === "float64" ? "Float64Array" : "Float32Array";
  const transposed = new Set<string>();
  const fast: Fast | undefined = options.kernels
    ? { kernels: new Kernels(), transposed: (name) => (transposed.add(name), names.transposed(name)) }
    : undefined;
  const stepNamer = (block: Block) => {
    const given = new Map<number, string>();
    const forward = block.primalOf === undefined ? undefined : p.blocks[block.primalOf];
    return (id: number) => given.get(id) ?? (given.set(id, ids.take(stepName(block, id, forward))), given.get(id)!);
  };
  const forwardNames = p.blocks.map(stepNamer);
  const backwardNames = p.backward.map(stepNamer);
  const forwardBuffer = (block: number) => forwardNames[block];
  const backwardBuffer = (block: number) => backwardNames[block];
  const planned = plan(p);
  const kept = planned.forward.map((b) => b.kept);
  const axes = [...new Set([...p.data, ...p.sequences].map((x) => x.axis).filter((a): a is "t" | "s" => !!a))];

  // Buffers: [name, rows] where rows is "B" (one per example), "1" (shared) or "T_t * B" (a tape).
  const buffers: [string, string, number][] = [];
  const stepBuffers = (block: Block, plan: BlockPlan, name: (id: number) => string) =>
    block.nodes.forEach((node, id) => {
      if (hasBuffer(node, id, plan)) buffers.push([name(id), node.batched ? "B" : "1", size(node)]);
    });
  p.blocks.forEach((block, i) => stepBuffers(block, planned.forward[i], forwardBuffer(i)));
  p.backward.forEach((block, i) => stepBuffers(block, planned.backward[i], backwardBuffer(i)));
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
  for (const block of p.backward) for (const f of block.flows ?? []) buffers.push([names.flow(f.name), `T_${block.axis} * B`, size(block.nodes[f.node])]);

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

  const forward = p.blocks.map((block, i) => blockCode(p, names, block, planned.forward[i], forwardBuffer(i), i, undefined, `forward${i}`, fast));
  const backward = p.backward.map((block, i) => blockCode(p, names, block, planned.backward[i], backwardBuffer(i), undefined, block.primalOf, `backward${i}`, fast));
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
        ? `for (let r = 0; r < ${rows}; r++) { ${softmaxCode("out", `r * ${n}`, "out", `r * ${n}`, n)} }`
        : loss.kind === "binary_cross_entropy"
          ? `for (let i = 0; i < out.length; i++) out[i] = 1 / (1 + Math.exp(-out[i]));`
          : "";
    // Padded steps predict nothing: their rows are 0, as the interpreter leaves them.
    const padding = block.kind === "loop" ? ` for (let t = 0; t < T_${block.axis}; t++) for (let b = 0; b < B; b++) if (t >= L_${block.axis}[b]) out.fill(0, (t * B + b) * ${n}, (t * B + b + 1) * ${n});` : "";
    return `  { const out = ${names.tape(blockIndex, node)}.slice(0, ${rows} * ${n}); ${transform}${padding} predictions.push(out); }`;
  });
  const outputs = outputCode(p, names, forward.map((b) => b.loop));

  const code = `${comment(`generated by rnnc from ${options.source ?? p.model} — do not edit`)}
${comment(`model ${p.model}: ${p.params.length} params, ${p.blocks.length} forward and ${p.backward.length} backward blocks, ${options.dtype}`)}
import type { CompiledModel, DataLayout, LossLayout, ModelBatch, OutputLayout, ParamLayout } from ${literal(options.runtime)};

type F = ${F};

export const params: ParamLayout[] = ${JSON.stringify(p.params.map(({ name, shape, init, decay, layer }) => ({ name, shape, init, decay, layer })))};
export const data: DataLayout[] = ${JSON.stringify(p.data)};
export const losses: LossLayout[] = ${JSON.stringify(lossLayout)};
export const outputs: OutputLayout[] = ${JSON.stringify(p.outputs)};

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
${dropout ? "  setTraining(undefined); // dropout is the identity, unless run() is given a training batch\n" : ""}}

/** The params the step functions read${memory ? ": copied into the kernels' memory (with the transposed copies the kernels read)" : ""}. */
function setParams(P: Map<string, F>): void {
${memory ? memory.loadParams : p.params.map((x) => `  ${names.param(x.name)} = P.get(${literal(x.name)})!;`).join("\n")}
}

${helpersFor(p)}${dropout ? `${dropoutCode}\n` : ""}${[...forward, ...backward].map((b) => b.functions).join("\n")}

/** Points the step functions at a batch and the params: its fields, its loss weights, its carries. */
function begin(P: Map<string, F>, batch: ModelBatch): void {
${[
  "setBatch(batch.size, batch.lengths);",
  "setParams(P);",
  ...p.data.map((x) => `${names.data(x.name)} = batch.fields.get(${literal(x.name)})!;`),
  ...weights,
  ...p.carries.map((c) => `{ const c = batch.carry?.get(${literal(c.name)}); if (c) ${names.carry(c.name)}.set(c.subarray(0, B * ${c.steps * c.width})); else ${names.carry(c.name)}.fill(${carryFill(p, c)}, 0, B * ${c.steps * c.width}); }`),
].map((line) => `  ${line}`).join("\n")}
}

function run(P: Map<string, F>, batch: ModelBatch, G: Map<string, F> | undefined): number {
  begin(P, batch);
${dropout ? "  setTraining(batch.training);\n" : ""}  let loss = 0;
${forward.filter((_, i) => !p.blocks[i].outputs).map((b) => indent(b.loop)).join("\n")}
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
  run(P, ${dropout ? "{ ...batch, training: undefined }" : "batch"}, undefined);
  const predictions: F[] = [];
${predictions.join("\n")}
  return predictions;
}

${outputs}
${gradientFlowCode(p, names, F)}
${generation(p, names, kept, F)}
export const model: CompiledModel<F> = { name: ${literal(p.model)}, params, data, losses, outputs, carried, finalStates, createParams, loss, lossAndGrad, predict, outputValues, gradientFlow${p.data.some((d) => d.shifted) ? ", generator" : ""} };
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

/**
 * outputValues(): the blocks the outputs need (all but the losses': no target is read), then the
 * outputs' own, each output copied off its tape with its padded steps zeroed.
 */
function outputCode(p: DifferentiatedProgram, names: Names, loops: string[]): string {
  if (p.outputs.length === 0) return `/** The model declares no outputs: its predictions are its losses'. */\nexport const outputValues = (_P: Map<string, F>, _batch: ModelBatch): F[] => [];\n`;
  const copies = p.outputs.map((output, i) => {
    const blockIndex = p.blocks.findIndex((b) => b.outputs?.some((o) => o.output === i));
    const block = p.blocks[blockIndex];
    const node = block.outputs!.find((o) => o.output === i)!.node;
    const n = output.size;
    const rows = block.kind === "loop" ? `T_${block.axis} * B` : "B";
    const padding = block.kind === "loop" ? ` for (let t = 0; t < T_${block.axis}; t++) for (let b = 0; b < B; b++) if (t >= L_${block.axis}[b]) out.fill(0, (t * B + b) * ${n}, (t * B + b + 1) * ${n});` : "";
    return `  { const out = ${names.tape(blockIndex, node)}.slice(0, ${rows} * ${n});${padding} values.push(out); } // ${output.name}`;
  });
  return `/** The declared outputs (${p.outputs.map((o) => o.name).join(", ")}), as computed: time-major, 0 at padded steps. */
export function outputValues(P: Map<string, F>, batch: ModelBatch): F[] {
  begin(P, batch);
${loops.filter((_, i) => p.blocks[i].losses.length === 0).map((loop) => indent(loop.replace(" loss += ", " "))).join("\n")}
  const values: F[] = [];
${copies.join("\n")}
  return values;
}
`;
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
