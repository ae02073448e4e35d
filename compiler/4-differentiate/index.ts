// Backpropagation through time is the reverse sweep applied to each block, the blocks taken in
// reverse order and each loop run the other way: the adjoint of a state read at t-1 reaches
// step t-1 before the reversed loop gets there (as JAX transposes a scan).
import type { Block, DifferentiatedProgram, Program } from "../ir/nodes.ts";
import { adjointStep } from "./backward.ts";

export function differentiate(program: Program): DifferentiatedProgram {
  const kept = new Map<number, Set<number>>();
  const backward: Block[] = [];
  for (let i = program.blocks.length - 1; i >= 0; i--) {
    const block = program.blocks[i];
    if (block.outputs) continue; // no loss reads an output: nothing flows back through one
    const step = adjointStep(block);
    kept.set(i, step.kept);
    const reversed = block.direction === "forward" ? "backward" : "forward";
    backward.push({
      kind: block.kind,
      ...(block.axis ? { axis: block.axis, direction: reversed } : {}),
      nodes: step.nodes,
      stores: [],
      losses: [],
      comment: `adjoint of ${block.comment}`,
      primalOf: i,
      ...(step.flows.length > 0 ? { flows: step.flows } : {}),
      names: step.names,
      origins: step.origins,
    });
  }
  return { ...program, backward, kept };
}
