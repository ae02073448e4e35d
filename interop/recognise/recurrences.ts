// The recurrences of a loop block: the sequences it stores and reads back at another step (its
// states), grouped into those computed together. The checker groups equations; this groups the
// states by what their lowered updates actually read, so that a recurrence is what the IR
// computes, whatever the source's equations looked like.
import type { Block } from "../../compiler/ir/nodes.ts";

export interface StateGroup {
  /** In the block's store order. */
  states: string[];
  /** A cycle: each state's update reads the group's states at another step (else computed after them, no loop of its own). */
  recurrent: boolean;
}

export interface BlockRecurrences {
  /** Per node: the states of the block whose earlier (or later) steps it reads, through its arguments. */
  dependsOn: ReadonlySet<string>[];
  /** Strongly connected groups of states, each after every group it reads. */
  groups: StateGroup[];
}

export function blockRecurrences(block: Block): BlockRecurrences {
  const stored = new Map(block.stores.map((s) => [s.name, s.node]));
  const dependsOn: Set<string>[] = [];
  const read = new Set<string>();
  block.nodes.forEach((node, id) => {
    const deps = new Set<string>();
    if (node.op === "read" && stored.has(node.attrs.name!)) {
      deps.add(node.attrs.name!);
      read.add(node.attrs.name!);
    }
    for (const a of node.args) for (const d of dependsOn[a]) deps.add(d);
    dependsOn[id] = deps;
  });
  const states = [...stored.keys()].filter((name) => read.has(name));
  const edges = new Map(states.map((s) => [s, [...dependsOn[stored.get(s)!]].filter((d) => read.has(d))]));
  const groups = stronglyConnected(states, edges).map((group) => {
    const members = states.filter((s) => group.includes(s));
    return { states: members, recurrent: members.length > 1 || edges.get(members[0])!.includes(members[0]) };
  });
  return { dependsOn, groups };
}

/** Tarjan's algorithm; groups come out dependencies first (a group after every group it reaches). */
function stronglyConnected(nodes: string[], edges: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      groups.push(group);
    }
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return groups;
}
