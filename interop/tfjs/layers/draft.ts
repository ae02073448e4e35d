// The layer graph while it is being found: its inputs and nodes so far, the problems met, and
// the few facts about a tensor every part asks (per step or per example, its size, ids or not).
import type * as ast from "../../../compiler/1-parse/ast.ts";
import type { CheckedModel } from "../../../compiler/2-check/checked.ts";
import type { GraphInput, GraphNode, Ref } from "../graph.ts";

export class Draft {
  readonly problems: string[] = [];
  readonly nodes: GraphNode[] = [];
  readonly inputs: GraphInput[] = [];
  private readonly memo = new Map<string, number>();

  constructor(
    readonly model: CheckedModel,
    private readonly source: string,
  ) {}

  /** Adds a node, or finds the same one (the same layer over the same tensor) already added. */
  node(node: GraphNode, key = JSON.stringify(node)): Ref {
    const known = this.memo.get(key);
    if (known !== undefined) return { node: known };
    this.memo.set(key, this.nodes.length);
    this.nodes.push(node);
    return { node: this.nodes.length - 1 };
  }

  /** The node added under `key`, if any. */
  known(key: string): number | undefined {
    return this.memo.get(key);
  }

  isSequence(r: Ref): boolean {
    return !r.final && this.nodes[r.node].sequence;
  }

  sizeOf(r: Ref): number {
    return this.nodes[r.node].size;
  }

  idsInput(r: Ref): GraphInput | undefined {
    const node = this.nodes[r.node];
    return node.op === "input" && this.inputs[node.input].kind === "ids" ? this.inputs[node.input] : undefined;
  }

  isIds(r: Ref): boolean {
    return this.idsInput(r) !== undefined;
  }

  /** The source text of a node, on one line: how problems quote the model. */
  text(node: ast.Node): string {
    return this.source.slice(node.span.start, node.span.end).replace(/\s+/g, " ").trim();
  }

  problem(message: string): undefined {
    this.problems.push(message);
    return undefined;
  }

  unsupported(e: ast.Node, why: string): undefined {
    return this.problem(`${this.text(e)}: ${why}`);
  }
}
