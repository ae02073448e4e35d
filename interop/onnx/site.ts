// What a recurrence's export (native.ts, scan.ts) needs of the block it is in: the block's
// needed nodes and their users, its values outside any loop, and a way to compute a node's
// value inside a loop's body. block.ts provides it.
import type { Axis, Block } from "../../compiler/ir/nodes.ts";
import type { ExportContext } from "./context.ts";
import type { OnnxGraph } from "./graph.ts";
import type { OpContext } from "./ops.ts";
import type { Rank, Val } from "./values.ts";

export interface BlockSite {
  readonly ctx: ExportContext;
  readonly block: Block;
  readonly index: number;
  readonly axis: Axis;
  readonly needed: ReadonlySet<number>;
  /** Each needed node's needed users in the block. */
  readonly consumers: ReadonlyMap<number, number[]>;
  /** Sequences computed by ONNX's operators: their values at every step (h), and at the end (made when read). */
  readonly overrides: Map<string, { full?: Val; final: () => Val }>;
  /** Rank `rank` by broadcasting ([n] or [B, n] → [T, B, n]), in the main graph or a loop's body. */
  expand(v: Val, rank: Rank, g?: OnnxGraph): Val;
  /** A node's value outside any loop: a whole sequence, per example, or shared. */
  outer(id: number): Val;
  /** A leaf's value, or an op on its arguments' values (`arg`), written where `ctx` says. */
  leafOrCompute(id: number, arg: (a: number) => Val, ctx: OpContext): Val;
}
