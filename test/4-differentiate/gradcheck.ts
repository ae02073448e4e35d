// Central finite differences in float64 against the gradients the compiler derives.
//
// Relative error |analytic − numeric| / max(|analytic|, |numeric|, 1e-4). The floor keeps
// gradients that are zero up to rounding from dividing noise by noise: a central difference
// with h = 1e-5 on a loss of order 1 is exact to about 1e-10, i.e. 1e-6 relative at 1e-4.
import { differentiate } from "../../compiler/4-differentiate/index.ts";
import { forward, lossAndGradient, type Batch, type Params } from "../../compiler/ir/interpret.ts";
import type { Program } from "../../compiler/ir/nodes.ts";
import { Rng } from "../../runtime/rng.ts";

export const H = 1e-5;

export interface GradcheckReport {
  maxRelativeError: number;
  worst: string; // where: param[index]
  checked: number;
  loss: number;
}

/** Checks up to `perParam` entries of every param (all of them when it is small). */
export function gradcheck(program: Program, params: Params, batch: Batch, perParam = 24, seed = 7): GradcheckReport {
  const differentiated = differentiate(program);
  const { loss, grads } = lossAndGradient(differentiated, params, batch);
  const rng = new Rng(seed);
  let maxRelativeError = 0;
  let worst = "";
  let checked = 0;
  for (const [name, values] of params) {
    const indices = values.length <= perParam ? [...values.keys()] : Array.from({ length: perParam }, () => rng.int(values.length));
    for (const i of indices) {
      const saved = values[i];
      values[i] = saved + H;
      const plus = forward(program, params, batch).loss;
      values[i] = saved - H;
      const minus = forward(program, params, batch).loss;
      values[i] = saved;
      const numeric = (plus - minus) / (2 * H);
      const analytic = grads.get(name)![i];
      const error = Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), 1e-4);
      checked++;
      if (error > maxRelativeError || Number.isNaN(error)) {
        maxRelativeError = Number.isNaN(error) ? Infinity : error;
        worst = `${name}[${i}]: analytic ${analytic}, numeric ${numeric}`;
      }
    }
  }
  return { maxRelativeError, worst, checked, loss };
}

/** Params drawn from N(0, scale²): large enough to leave the linear regime, small enough not to saturate. */
export function randomParams(program: Program, seed = 1, scale = 0.5): Params {
  const rng = new Rng(seed);
  return new Map(
    program.params.map((p) => [p.name, Float64Array.from({ length: p.shape.reduce((a, b) => a * b, 1) }, () => scale * rng.normal())]),
  );
}

/** A batch for `program`: lengths per axis for each example, random ids and vectors. */
export function randomBatch(program: Program, lengths: Partial<Record<"t" | "s", number[]>>, seed = 2): Batch {
  const rng = new Rng(seed);
  const size = Object.values(lengths)[0]?.length ?? 3;
  const maxLen = (axis?: "t" | "s") => (axis && lengths[axis] ? Math.max(...lengths[axis]!) : 1);
  const fields = new Map<string, Float64Array>();
  for (const d of program.data) {
    const steps = d.sequence ? maxLen(d.axis) : 1;
    const width = d.kind === "ids" ? 1 : d.size;
    fields.set(d.name, Float64Array.from({ length: steps * size * width }, () => (d.kind === "ids" ? rng.int(d.size) : rng.normal())));
  }
  return {
    size,
    lengths: Object.fromEntries(Object.entries(lengths).map(([axis, ls]) => [axis, Int32Array.from(ls!)])),
    fields,
  };
}
