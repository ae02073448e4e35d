// A loop block's recurrences as the export runs them: each group of states computed together
// (recognise/recurrences.ts) is a stage, and a recurrent stage is one loop over the axis (ONNX's
// operator or a Scan). Its body is what each step computes; its outputs, the body's values that
// anything outside the loop reads (the rest of the block, a prediction, another block).
import type { Block } from "../../compiler/ir/nodes.ts";
import type { BlockRecurrences } from "../recognise/index.ts";
import type { Val } from "./values.ts";

export interface Stage {
  states: string[]; // in the block's store order
  recurrent: boolean; // a cycle (else a value computed after others: no loop of its own)
  body: Set<number>; // the nodes each step computes (the updates and what they need, in this stage)
  outputs: number[]; // body nodes used outside the body: the loop's per-step outputs
  done?: Map<number, Val>; // after the stage is exported: outer values of its outputs
}

export interface BlockStages {
  stages: Stage[];
  /** Per needed node: the latest stage whose states it depends on, or -1. */
  stageOf: number[];
  stageOfState: Map<string, number>;
}

/**
 * The stages of a loop block, over its needed nodes. `consumers`: each needed node's needed
 * users; `isRead`: whether any block reads a stored sequence.
 */
export function blockStages(block: Block, structure: BlockRecurrences, needed: ReadonlySet<number>, consumers: ReadonlyMap<number, number[]>, isRead: (sequence: string) => boolean): BlockStages {
  const stored = new Map(block.stores.map((s) => [s.name, s.node]));
  const stages: Stage[] = [];
  const stageOfState = new Map<string, number>();
  for (const group of structure.groups) {
    for (const s of group.states) stageOfState.set(s, stages.length);
    stages.push({ states: group.states, recurrent: group.recurrent, body: new Set(), outputs: [] });
  }
  const stageOf: number[] = [];
  for (const id of [...needed].sort((a, b) => a - b)) stageOf[id] = Math.max(-1, ...[...structure.dependsOn[id]].map((s) => stageOfState.get(s) ?? -1));
  const predictions = new Set([...block.losses.map((l) => block.nodes[l.node].args[0]), ...(block.outputs ?? []).map((o) => o.node)]); // what the graph may give
  const storedRead = new Set(block.stores.filter((s) => isRead(s.name)).map((s) => s.node));
  stages.forEach((stage, k) => {
    if (!stage.recurrent) return;
    const work = stage.states.map((s) => stored.get(s)!);
    while (work.length > 0) {
      const id = work.pop()!;
      if (stage.body.has(id) || stageOf[id] !== k) continue;
      stage.body.add(id);
      work.push(...block.nodes[id].args);
    }
    for (const id of stage.body) {
      if (block.nodes[id].op === "read") continue;
      const outside = (consumers.get(id) ?? []).some((c) => !stage.body.has(c));
      if (outside || predictions.has(id) || storedRead.has(id)) stage.outputs.push(id);
    }
  });
  return { stages, stageOf, stageOfState };
}
