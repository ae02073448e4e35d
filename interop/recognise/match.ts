// Whether a loop block computes a reference cell: the block's graph must contain the
// reference's, node for node, from the state updates down to the cell's input, its states at the
// step before (after, going backward) and its params — the same ops, shapes and constants.
//
// Two freedoms keep the values bit for bit the same, and are allowed:
//   - the operands of + and * in either order (IEEE addition and multiplication commute);
//   - the gates in another order: where the reference slices a vector into gates (the LSTM's
//     a[0:H], a[H:2H], ...), the block may slice its own at other offsets. The rows of the params
//     that vector is computed from (W's rows, b's entries) are then a permutation of the
//     reference's, which the match returns per param: `rows[i]` is the block's row holding the
//     reference's row i.
import type { Block, Node } from "../../compiler/ir/nodes.ts";
import { opKinds } from "../../compiler/ir/ops.ts";
import type { Reference } from "./references.ts";

/** A param of the cell: the program's param in its role, and its rows when not in the reference's order. */
export interface ParamMapping {
  name: string;
  rows?: number[];
}

export interface Match {
  /** The block's node that is the cell's input x[t]. */
  input: number;
  /** The cell's states (`h`, `c`) → the block's sequences. */
  states: Record<string, string>;
  /** The cell's params (`W`, `b`, `Wz`, …) → the program's params. */
  params: Record<string, ParamMapping>;
  /** The block's nodes the cell computes (neither its input nor its leaves). */
  internal: Set<number>;
  /** The block's reads of the states that the cell consumes. */
  stateReads: Set<number>;
}

/** Where the match failed: how much of the reference matched, and the first node that differs. */
export interface Mismatch {
  matched: number;
  reference: Node;
  found: Node;
  /** The block computes once (GraphBuilder shares equal nodes) what the reference computes twice. */
  shared?: boolean;
  /** Everything matched but the slices' offsets, which are no order of the reference's gates. */
  gates?: boolean;
}

/**
 * Matches the reference's state updates against the block's `updates` (of `states`, in the
 * reference's order). `backward`: the block reads its states at t+1 where the reference reads t-1.
 */
export function matchReference(ref: Reference, block: Block, states: readonly string[], updates: readonly number[], backward: boolean): Match | Mismatch {
  const m = new Matching(ref, block, new Map(ref.states.map((s, i) => [s, states[i]])), backward ? -1 : 1);
  const whole = (matched: number): Mismatch => ({ matched, reference: ref.block.nodes[ref.updates[0]], found: block.nodes[updates[0]] });
  if (!ref.updates.every((u, i) => m.match(u, updates[i])) || m.input === undefined) return m.mismatch ?? whole(0);
  const rows = gateRows(ref, block, m.image);
  if (!rows) return { ...whole(m.image.size), gates: true };
  const params: Record<string, ParamMapping> = {};
  for (const [t, role] of m.roles) {
    const name = block.nodes[m.image.get(t)!].attrs.name!;
    const permuted = rows.get(t);
    params[role] = permuted ? { name, rows: permuted } : { name };
  }
  return { input: m.input, states: Object.fromEntries(ref.states.map((s, i) => [s, states[i]])), params, internal: m.taken, stateReads: m.stateReads };
}

export const isMatch = (x: Match | Mismatch): x is Match => "input" in x;

/** The search: which block node each reference node is, with what it has claimed so far. */
class Matching {
  image = new Map<number, number>(); // reference node → block node
  taken = new Set<number>(); // block nodes that are images of computing reference nodes
  roles = new Map<number, string>(); // reference param node → its role (`W`)
  owners = new Map<string, string>(); // block param → role
  stateReads = new Set<number>();
  input: number | undefined;
  mismatch: Mismatch | undefined;

  constructor(
    private readonly ref: Reference,
    private readonly block: Block,
    private readonly stateOf: Map<string, string>,
    private readonly sign: number,
  ) {}

  match(t: number, b: number): boolean {
    const known = this.image.get(t);
    if (known !== undefined) return known === b;
    const tn = this.ref.block.nodes[t];
    const bn = this.block.nodes[b];
    const computes = tn.args.length > 0 && t !== this.ref.input;
    const alike = this.alike(t, tn, bn, b);
    if (!alike || (computes && this.taken.has(b))) {
      this.mismatch ??= { matched: this.image.size, reference: tn, found: bn, ...(alike ? { shared: true } : {}) };
      return false;
    }
    this.image.set(t, b);
    if (!computes) return true;
    this.taken.add(b);
    const commutes = (tn.op === "add" || tn.op === "mul") && tn.args.length === 2;
    const before = commutes ? this.save() : undefined;
    if (tn.args.every((a, i) => this.match(a, bn.args[i]))) return true;
    if (!before) return false;
    // the operands the other way round; if that fails too, the first way's difference is the one told
    const straight = this.mismatch;
    this.restore(before);
    if (this.match(tn.args[0], bn.args[1]) && this.match(tn.args[1], bn.args[0])) return true;
    this.mismatch = straight;
    return false;
  }

  /** The node itself (not its arguments) is the reference's. */
  private alike(t: number, tn: Node, bn: Node, b: number): boolean {
    if (!sameShape(tn, bn)) return false;
    if (t === this.ref.input) {
      const ok = bn.batched && (this.input === undefined || this.input === b);
      if (ok) this.input = b;
      return ok;
    }
    switch (tn.op) {
      case "read": {
        const [ti, bi] = [tn.attrs.index, bn.attrs.index];
        const ok = bn.op === "read" && bn.attrs.name === this.stateOf.get(tn.attrs.name!) && ti?.kind === "step" && bi?.kind === "step" && bi.offset === this.sign * ti.offset;
        if (ok) this.stateReads.add(b);
        return ok;
      }
      case "param": {
        const role = tn.attrs.name!.slice(tn.attrs.name!.indexOf(".") + 1);
        const ok = bn.op === "param" && (this.owners.get(bn.attrs.name!) ?? role) === role;
        if (ok) this.roles.set(t, role), this.owners.set(bn.attrs.name!, role);
        return ok;
      }
      case "const":
        return bn.op === "const" && bn.attrs.value === tn.attrs.value;
      case "slice": // its offsets are the gate order, judged once the whole cell has matched (gateRows)
        return bn.op === "slice" && tn.batched === bn.batched;
      default:
        return tn.op === bn.op && tn.batched === bn.batched && JSON.stringify(tn.attrs) === JSON.stringify(bn.attrs) && tn.args.length === bn.args.length;
    }
  }

  private save(): Saved {
    return { image: new Map(this.image), taken: new Set(this.taken), roles: new Map(this.roles), owners: new Map(this.owners), stateReads: new Set(this.stateReads), input: this.input, mismatch: this.mismatch };
  }

  private restore(s: Saved): void {
    this.image = new Map(s.image);
    this.taken = new Set(s.taken);
    this.roles = new Map(s.roles);
    this.owners = new Map(s.owners);
    this.stateReads = new Set(s.stateReads);
    this.input = s.input;
    this.mismatch = s.mismatch;
  }
}

type Saved = Pick<Matching, "image" | "taken" | "roles" | "owners" | "stateReads" | "input" | "mismatch">;

/**
 * Each param's rows in the block, in the reference's order, where the block's slices take the
 * gates at other offsets (a param not listed: the reference's order). The order found at the
 * slices is carried down, from the updates to the leaves, through what computes each row from
 * the same rows (elementwise ops, a product's matrix); an op that mixes rows (concat, a
 * product's vector) must keep them as they are. Undefined when the offsets are no permutation
 * (a gate read twice, another left out) or would reorder something other than a param.
 */
function gateRows(ref: Reference, block: Block, image: ReadonlyMap<number, number>): Map<number, number[]> | undefined {
  const nodes = ref.block.nodes;
  const identity = (t: number) => Array.from({ length: nodes[t].shape[0] ?? 1 }, (_, i) => i);
  const rows = new Map<number, (number | undefined)[]>(); // per reference node: the block's row of each of its rows
  const give = (t: number, r: readonly (number | undefined)[]): boolean => {
    const had = rows.get(t);
    if (!had) return rows.set(t, [...r]), true;
    return r.every((x, i) => x === undefined || (had[i] ??= x) === x);
  };
  for (const u of ref.updates) give(u, identity(u));
  const ids = [...image.keys()].sort((a, b) => b - a); // arguments come before the nodes that use them
  for (const t of ids) {
    const r = rows.get(t)!;
    if (r.every((x, i) => x === undefined || x === i)) r.forEach((_, i) => (r[i] = i)); // slices at the reference's offsets, or none
    if (r.some((x) => x === undefined) || new Set(r).size !== r.length) return undefined;
    const node = nodes[t];
    if (node.args.length === 0 || t === ref.input) continue;
    const same = r.every((x, i) => x === i);
    const found = block.nodes[image.get(t)!];
    for (const [k, a] of node.args.entries()) {
      let child: (number | undefined)[];
      if (nodes[a].shape.length === 0) child = [0];
      else if (node.op === "slice") {
        child = new Array<number | undefined>(nodes[a].shape[0]);
        r.forEach((x, i) => (child[node.attrs.from! + i] = found.attrs.from! + x!));
      } else if (opKinds[node.op] === "elementwise" || ((node.op === "matvec" || node.op === "gather") && k === 0)) child = r;
      else if (same || node.op === "matvec" || node.op === "gather") child = identity(a);
      else return undefined;
      if (!give(a, child)) return undefined;
    }
  }
  const out = new Map<number, number[]>();
  for (const t of ids) {
    const r = rows.get(t) as number[];
    if (r.every((x, i) => x === i) || (nodes[t].args.length > 0 && t !== ref.input)) continue;
    if (nodes[t].op !== "param") return undefined; // the input or a state, in another order: not the cell
    out.set(t, r);
  }
  return out;
}

const sameShape = (a: Node, b: Node) => a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
