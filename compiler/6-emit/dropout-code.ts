// Dropout in a generated module, only when the program has one: the training step the module is
// running (set by setBatch from the batch's `training`, off for every other caller: predict,
// generation) and the mask function the dropout expressions call (code-for-op.ts). The hash is
// ir/dropout.ts's, the same arithmetic written out as text: test/6-emit/dropout.test.ts holds
// the emitted masks to the interpreter's at many batch sizes, test/parallel/dropout.test.ts on
// several threads.
import type { DifferentiatedProgram } from "../ir/nodes.ts";
import type { Op } from "../ir/ops.ts";

const dropoutOps = new Set<Op>(["dropout", "locked_dropout"]);

/** Whether the program has a dropout (forward or backward). */
export const hasDropout = (p: DifferentiatedProgram) => [...p.blocks, ...p.backward].some((b) => b.nodes.some((n) => dropoutOps.has(n.op)));

/** The module's dropout state and mask function. */
export const dropoutCode = `// Dropout: on while a training batch runs (batch.training), the identity otherwise. Each entry of
// a mask is a hash of where it is: the step's key (the run's seed and the update), the site, the
// example's index in the whole batch, the step (-1 for locked dropout) and the feature. Nothing is
// drawn in sequence, so every thread, forward and backward, draws the same masks.
let TRAINING = false, STEP_KEY = 0, FIRST_EXAMPLE = 0;

/** murmur3's 32-bit finalizer, after adding the golden ratio. */
function mix32(h: number): number {
  h = (h + 0x9e3779b9) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function setTraining(training: ModelBatch["training"]): void {
  TRAINING = training !== undefined;
  if (!training) return;
  const high = (x: number) => Math.floor(x / 4294967296);
  STEP_KEY = mix32(mix32(mix32(mix32(high(training.seed)) ^ training.seed) ^ high(training.update)) ^ training.update);
  FIRST_EXAMPLE = training.offset ?? 0;
}

/** The mask at (site, example, step, feature): 0 with probability rate, else 1 / (1 - rate); 1 when not training. */
function dropoutMask(site: number, example: number, step: number, feature: number, rate: number): number {
  if (!TRAINING) return 1;
  const h = mix32(mix32(mix32(mix32(STEP_KEY ^ site) ^ example) ^ step) ^ feature);
  return h < rate * 4294967296 ? 0 : 1 / (1 - rate);
}
`;

/** The names the dropout code gives itself (names.ts keeps the model's names off them). */
export const dropoutNames = ["TRAINING", "STEP_KEY", "FIRST_EXAMPLE", "mix32", "setTraining", "dropoutMask"];
