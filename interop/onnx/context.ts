// What every part of one export shares: the graph being built, the program and its trained
// params, which nodes are needed, and the values and sequences each block makes available to
// the others (made when first read, so that nothing unread is computed).
import type { Axis, Program, SequenceInfo } from "../../compiler/ir/nodes.ts";
import { blockRecurrences, recogniseCells, type BlockRecurrences, type CellRecognition } from "../recognise/index.ts";
import { OnnxGraph } from "./graph.ts";
import { neededNodes, neededReads, predictionNodes, type NodeRef } from "./needed.ts";
import { refusal } from "./ops.ts";
import type { ExportedRecurrence, OnnxExportOptions } from "./options.ts";
import { Shapes } from "./shapes.ts";
import { OnnxExportUnsupported, type Val } from "./values.ts";
import { Weights, type ParamValues } from "./weights.ts";

/** How a sequence is read: its [T, B, n] values, or (after ONNX's own operators) its final state. */
export interface SequenceEntry {
  full(): Val;
  /** The value at the end the recurrence finishes at: [last] (forward) or [first] (backward). */
  final(): Val | undefined;
  finalIndex?: "first" | "last";
}

export class ExportContext {
  readonly g = new OnnxGraph();
  /** The graph inputs carrying data fields, by field; the lengths inputs, by axis (io.ts declares both). */
  readonly data = new Map<string, Val>();
  readonly lengthInputs = new Map<Axis, string>();
  readonly shapes: Shapes;
  readonly weights: Weights;
  /** Per block, the nodes the predictions need; and every needed read of each sequence. */
  readonly needed: Set<number>[];
  readonly reads: Map<string, NodeRef[]>;
  /** What each block stores, as the other blocks read it. */
  readonly sequences = new Map<string, SequenceEntry>();
  readonly values = new Map<string, () => Val>();
  readonly recurrences: ExportedRecurrence[] = [];
  private recognition: CellRecognition | undefined;

  constructor(
    readonly program: Program,
    params: ParamValues,
    readonly options: OnnxExportOptions,
  ) {
    this.needed = neededNodes(program, predictionNodes(program));
    program.blocks.forEach((block, b) => {
      for (const id of this.needed[b]) {
        const refused = refusal(block.nodes[id].op);
        if (refused) throw new OnnxExportUnsupported(refused);
      }
    });
    this.reads = neededReads(program, this.needed);
    this.shapes = new Shapes(this.g, program, this.data, this.lengthInputs);
    this.weights = new Weights(this.g, program, params);
  }

  /** Which prelude cell each recurrence computes (asked only when ONNX's operators may be used). */
  cells(): CellRecognition {
    return (this.recognition ??= recogniseCells(this.program));
  }

  /** A loop block's states and their groups: the recogniser's, when it is asked anyway. */
  structure(block: number): BlockRecurrences {
    return this.options.nativeCells === false ? blockRecurrences(this.program.blocks[block]) : this.cells().structure(block)!;
  }

  seqInfo(name: string): SequenceInfo {
    return this.program.sequences.find((s) => s.name === name)!;
  }

  value(name: string): Val {
    const make = this.values.get(name);
    if (!make) throw new Error(`the value ${name} is not computed by any block`);
    const v = make();
    this.values.set(name, () => v);
    return v;
  }

  /** What a read past the start (`before`) or the end of a sequence gives: its init on its init's side, else zeros. */
  fallback(info: SequenceInfo, side: "before" | "after"): Val | undefined {
    const initSide = info.direction === "backward" ? "after" : "before";
    return info.init && side === initSide ? this.value(info.init) : undefined;
  }
}
