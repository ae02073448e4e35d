// One IR block in the ONNX graph, outside any loop: each node a value over whole sequences
// ([T, B, n] per step, [B, n] per example, or shared). A block run once gives its stores as
// values; a loop gives its stores as sequences, each recurrence (stages.ts) exported as one loop
// — ONNX's operator for a prelude cell (native.ts), else a Scan (scan.ts) — when first read.
import type { Axis, Block } from "../../compiler/ir/nodes.ts";
import type { ExportContext } from "./context.ts";
import { attr, type OnnxGraph } from "./graph.ts";
import { exportNative, nativeCell } from "./native.ts";
import { translateOp, type OpContext } from "./ops.ts";
import { readData, readSequence } from "./reads.ts";
import { exportScan } from "./scan.ts";
import type { BlockSite } from "./site.ts";
import { blockStages, type BlockStages } from "./stages.ts";
import type { Rank, Val } from "./values.ts";

export class BlockExporter implements BlockSite {
  readonly needed: ReadonlySet<number>;
  readonly consumers = new Map<number, number[]>();
  readonly overrides = new Map<string, { full?: Val; final: () => Val }>();
  private readonly outerMemo = new Map<number, Val>();
  private readonly stages: BlockStages | undefined;

  constructor(
    readonly ctx: ExportContext,
    readonly block: Block,
    readonly index: number,
  ) {
    this.needed = ctx.needed[index];
    for (const id of [...this.needed].sort((a, b) => a - b)) for (const a of block.nodes[id].args) (this.consumers.get(a) ?? this.consumers.set(a, []).get(a)!).push(id);
    const structure = block.kind === "loop" ? ctx.structure(index) : undefined;
    if (structure) this.stages = blockStages(block, structure, this.needed, this.consumers, (s) => ctx.reads.has(s));
    for (const { name, node } of block.stores) {
      if (block.kind === "once") ctx.values.set(name, () => this.expand(this.outer(node), 1));
      else {
        const info = ctx.seqInfo(name);
        ctx.sequences.set(name, {
          full: () => {
            this.runStageOf(name);
            const o = this.overrides.get(name);
            if (o && !o.full) throw new Error(`internal: ${name} is computed by ONNX's operator, which gives only its final value`);
            return o?.full ?? this.expand(this.outer(node), 2);
          },
          final: () => {
            this.runStageOf(name);
            return this.overrides.get(name)?.final();
          },
          finalIndex: info.direction === "backward" ? "first" : "last",
        });
      }
    }
  }

  get axis(): Axis {
    return this.block.axis!;
  }

  expand(v: Val, rank: Rank, g: OnnxGraph = this.ctx.g): Val {
    if (v.rank >= rank) return v;
    const featureRank = v.ids ? 0 : Math.max(1, v.feature.length);
    const ones = new Array<number>(featureRank).fill(1);
    const { B1 } = this.ctx.shapes.batch();
    const parts = rank === 2 ? [this.ctx.shapes.axis(this.axis).T1, B1] : [B1];
    const shape = g.op("Concat", [...parts, ...(ones.length ? [g.ints(ones)] : [])], [attr.int("axis", 0)], "shape");
    const feature = v.ids ? [] : v.feature.length === 0 ? [1] : v.feature;
    return { name: g.op("Expand", [v.name, shape], [], "expand"), rank, ids: v.ids, feature };
  }

  outer(id: number): Val {
    const known = this.outerMemo.get(id);
    if (known) return known;
    const node = this.block.nodes[id];
    let v: Val;
    const k = this.stages?.stageOf[id] ?? -1;
    if (node.op !== "read" && k >= 0 && this.stages!.stages[k].body.has(id)) {
      this.runStage(k);
      v = this.stages!.stages[k].done!.get(id) ?? fail(`internal: node ${id} of ${this.block.comment} is not an output of its loop`);
    } else v = this.leafOrCompute(id, (a) => this.outer(a), { g: this.ctx.g, weights: this.ctx.weights, expand: (x, r) => this.expand(x, r) });
    this.outerMemo.set(id, v);
    return v;
  }

  leafOrCompute(id: number, arg: (a: number) => Val, opContext: OpContext): Val {
    const node = this.block.nodes[id];
    const { ctx } = this;
    switch (node.op) {
      case "param": {
        const param = node.attrs.name!;
        return {
          get name() {
            return ctx.weights.initializer(param, "as is");
          },
          rank: 0,
          ids: false,
          feature: [...node.shape],
          param,
        };
      }
      case "const":
        return { name: ctx.g.scalar(node.attrs.value!), rank: 0, ids: false, feature: [] };
      case "value":
        return ctx.value(node.attrs.name!);
      case "data":
        return readData(ctx, node, this.block.axis);
      case "read":
        return readSequence(ctx, node, this.block.axis);
      default:
        return translateOp(opContext, node, node.args.map(arg));
    }
  }

  private runStageOf(name: string) {
    const k = this.stages?.stageOfState.get(name);
    if (k !== undefined) this.runStage(k);
  }

  /** Exports a recurrent stage (once): ONNX's operator for a prelude cell it can compute, else a Scan. */
  private runStage(k: number) {
    const stage = this.stages!.stages[k];
    if (stage.done || !stage.recurrent) return;
    stage.done = new Map();
    const cell = this.ctx.options.nativeCells === false ? undefined : nativeCell(this, stage);
    if (cell) exportNative(this, stage, cell);
    else exportScan(this, stage);
  }
}

function fail(message: string): never {
  throw new Error(message);
}
