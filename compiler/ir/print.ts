// The IR as text, for `rnnc compile --dump-ir` and for reading test failures.
import type { Block, Node, Program, TimeIndex } from "./nodes.ts";

const index = (i: TimeIndex | undefined) =>
  !i ? "" : i.kind !== "step" ? `[${i.kind}]` : `[${i.axis}${i.offset === 0 ? "" : i.offset > 0 ? `+${i.offset}` : i.offset}]`;

function formatNode(node: Node, id: number): string {
  const a = node.attrs;
  const detail =
    node.op === "param" || node.op === "value" ? a.name
    : node.op === "data" || node.op === "read" ? `${a.name}${index(a.index)}`
    : node.op === "const" ? String(a.value)
    : node.op === "slice" || node.op === "pad" ? `[${a.from}:${a.to}]${node.op === "pad" ? ` of ${a.size}` : ""}`
    : a.from !== undefined ? `rows [${a.from}:${a.to}]${a.size !== undefined ? ` of ${a.size}` : ""}` // a product over rows of its matrix
    : node.op === "primal" ? `%${a.node}`
    : node.op === "dropout" || node.op === "locked_dropout" ? `${a.rate} site ${a.site}`
    : node.op === "seed" ? `loss ${a.loss}`
    : node.op === "adjoint" ? `d${a.name}`
    : node.op === "accumulate" ? `into d${a.name}${index(a.index)}`
    : a.alpha !== undefined ? `alpha ${a.alpha}` // elu, leaky_relu
    : "";
  const args = node.args.map((x) => `%${x}`).join(", ");
  const shape = `[${node.shape.join(", ")}]${node.batched ? "" : " shared"}`;
  return `  %${id} = ${node.op}${detail ? " " + detail : ""}${args ? `(${args})` : ""} : ${shape}`;
}

export function formatBlock(block: Block): string {
  const head =
    block.kind === "loop" ? `loop ${block.direction} over ${block.axis}` : "once";
  // A node the model names says so: `%7 = sigmoid(%6) : [16]   // cell.z`.
  const named = (line: string, id: number) => (block.names?.[id] ? `${line}   // ${block.names[id]}` : line);
  const lines = [`${head}   // ${block.comment}`, ...block.nodes.map((node, id) => named(formatNode(node, id), id))];
  for (const s of block.stores) lines.push(`  store ${s.name}${block.kind === "loop" ? `[${block.axis}]` : ""} = %${s.node}`);
  for (const l of block.losses) lines.push(`  loss ${l.loss} += %${l.node}`);
  for (const o of block.outputs ?? []) lines.push(`  output ${o.output} = %${o.node}`);
  return lines.join("\n");
}

export function formatProgram(program: Program & { backward?: Block[] }): string {
  const lines = [`program ${program.model}`];
  for (const p of program.params) lines.push(`param ${p.name} : [${p.shape.join(", ")}] init ${p.init.name}${p.decay ? "" : " (no decay)"}`);
  for (const d of program.data) lines.push(`${d.role} ${d.name} : ${d.sequence ? `seq over ${d.axis} of ` : ""}${d.kind === "ids" ? `ids < ${d.size}` : `[${d.size}]`}`);
  for (const s of program.sequences) lines.push(`sequence ${s.name}[${s.axis}] : [${s.size}]${s.init ? ` from ${s.init}` : ""}`);
  for (const v of program.values) lines.push(`value ${v.name} : [${v.size}]`);
  for (const o of program.outputs) lines.push(`output ${o.name}${o.axis ? `[${o.axis}]` : ""} : ${o.scalar ? "[]" : `[${o.size}]`}${o.over ? ` probabilities of ${o.over}` : ""}`);
  for (const c of program.carries) lines.push(`carry ${c.name} : its last ${c.steps} step${c.steps === 1 ? "" : "s"} from window to window (bptt)`);
  for (const b of program.blocks) lines.push("", formatBlock(b));
  for (const b of program.backward ?? []) lines.push("", formatBlock(b));
  return lines.join("\n");
}
