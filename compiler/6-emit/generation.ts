// The emitted module's `generator`, for a model with an autoregressive target: only what needs
// the module's buffers — set up a batch, run the blocks before the target's loop, run one step
// of its loops, permute rows. The decoding itself (sampling until <eos>, beam search) is runtime
// code over it (runtime/generation.ts), written once for every model.
import type { DifferentiatedProgram } from "../ir/nodes.ts";
import type { Names } from "./names.ts";
import { docComment, literal } from "./names.ts";

const size = (node: { shape: number[] }) => node.shape.reduce((a, b) => a * b, 1);

/**
 * `generator`, runtime/model.ts's ModelGenerator: `start` sets the batch up with the target's
 * axis run to `steps` and the target's input a buffer of its own (<bos>, then what the runtime
 * writes into it), and runs the blocks before the target's loop whole (an encoder, an init);
 * `step(t)` runs step t of the loops over the target's axis and returns the tape holding its
 * logits; `reorder` permutes the rows of the sequences of that axis and of the target's input.
 */
export function generation(p: DifferentiatedProgram, names: Names, kept: Set<number>[], F: string): string {
  const target = p.data.find((d) => d.shifted);
  if (!target?.axis) return "";
  const axis = target.axis;
  const lossIndex = p.losses.findIndex((l) => l.target === target.name);
  const lossBlock = p.blocks.findIndex((b) => b.losses.some((l) => l.loss === lossIndex));
  const block = p.blocks[lossBlock];
  const prediction = block.nodes[block.losses.find((l) => l.loss === lossIndex)!.node].args[0];
  if (!kept[lossBlock].has(prediction)) throw new Error("the prediction of the generated target is not kept");
  const first = p.blocks.findIndex((b) => b.kind === "loop" && b.axis === axis);
  const before = p.blocks.slice(0, first).map((b, i) => `    for (let k = 0; k < ${b.kind === "loop" ? `T_${b.axis}` : "1"}; k++) forward${i}(${b.direction === "backward" ? `T_${b.axis} - 1 - k` : "k"});`);
  const stepwise = p.blocks.flatMap((b, i) => (i >= first && b.kind === "loop" && b.axis === axis && !b.outputs ? [`    forward${i}(t);`] : []));
  const width = (d: (typeof p.data)[number]) => (d.kind === "ids" ? 1 : d.size);
  const input = names.data(`${target.name}@input`);
  const fields = p.data.map((d) =>
    d.name === `${target.name}@input`
      ? `    ${input} = fed;`
      : `    ${names.data(d.name)} = batch.fields.get(${literal(d.name)}) ?? new ${F}(${d.sequence && d.axis ? `T_${d.axis}` : "1"} * B * ${width(d)});`,
  );
  const perStep = [...p.sequences.filter((sq) => sq.axis === axis).map((sq) => [names.sequence(sq.name), sq.size] as const), [input, 1] as const];
  return `${docComment(`The model run a step of ${literal(target.name)} at a time, for the runtime's generate and beamSearch (runtime/generation.ts).`)}
export const generator: NonNullable<CompiledModel<F>["generator"]> = {
  vocabularySize: ${size(block.nodes[prediction])},
  start(P, batch, steps, bos) {
    setBatch(batch.size, { ...batch.lengths, ${axis}: new Int32Array(batch.size).fill(steps) });
    setParams(P);
    const fed = new ${F}(steps * B).fill(bos, 0, B);
${fields.join("\n")}
${p.losses.map((_, i) => `    W${i} = 1 / B;`).join("\n")}
${before.join("\n")}
    return fed;
  },
  step(t) {
${stepwise.join("\n")}
    return ${names.tape(lossBlock, prediction)};
  },
  reorder(parents, t) {
${perStep.map(([buffer, n]) => `    permuteRows(${buffer}, ${n}, parents, t);`).join("\n")}
  },
};

/** Row r of \`buffer\` (n numbers a row, B rows a step) becomes row parents[r], at steps 0…upTo. */
function permuteRows(buffer: Float32Array | Float64Array, n: number, parents: Int32Array, upTo: number): void {
  for (let u = 0; u <= upTo; u++) {
    const rows = buffer.slice(u * B * n, (u + 1) * B * n);
    for (let r = 0; r < B; r++) buffer.set(rows.subarray(parents[r] * n, (parents[r] + 1) * n), (u * B + r) * n);
  }
}
`;
}
