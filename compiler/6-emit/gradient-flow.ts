// `gradientFlow` in the emitted module: how large the gradient of the loss with respect to each
// recurrent state is at each step — the vanishing and exploding gradients of BPTT, made visible
// (rnnc report draws it as a heatmap over epochs). The backward loops copy each state's whole
// adjoint at each step, ∂L/∂h_t (Block.flows), into a buffer while FLOW is set: a probe's cost,
// never a training step's.
import type { DifferentiatedProgram } from "../ir/nodes.ts";
import type { Names } from "./names.ts";
import { literal } from "./names.ts";

/** The function's source: per recurrence, at each step, the mean over the examples running there of |∂L/∂h_t|. */
export function gradientFlowCode(p: DifferentiatedProgram, names: Names, F: string): string {
  const flows = new Set(p.backward.flatMap((b) => (b.flows ?? []).map((f) => f.name)));
  const recurrent = p.sequences.filter((s) => s.direction !== undefined && flows.has(s.name));
  const each = recurrent.map(
    (s) => `  {
    const d = ${names.flow(s.name)}, norms = new Float64Array(T_${s.axis});
    for (let t = 0; t < T_${s.axis}; t++) {
      let sum = 0, count = 0;
      for (let b = 0; b < B; b++) {
        if (t >= L_${s.axis}[b]) continue;
        let squares = 0;
        for (let i = 0; i < ${s.size}; i++) squares += d[(t * B + b) * ${s.size} + i] ** 2;
        sum += Math.sqrt(squares);
        count++;
      }
      norms[t] = count > 0 ? sum / count : 0;
    }
    flow.set(${literal(s.name)}, norms);
  }`,
  );
  return `/** Whether the backward loops keep each state's ∂L/∂h_t: only for gradientFlow. */
let FLOW = false;

/** Gradient flow through time: runs lossAndGrad on the batch, then per recurrence, at each step, the mean over the examples running there of |∂L/∂h_t|. */
export function gradientFlow(P: Map<string, ${F}>, batch: ModelBatch): Map<string, Float64Array> {
  FLOW = true;
  try {
    run(P, batch, createParams());
  } finally {
    FLOW = false;
  }
  const flow = new Map<string, Float64Array>();
${each.join("\n")}
  return flow;
}
`;
}
