// Builds ONNX graphs a node at a time: fresh names, constants and initializers kept once in the
// main graph (subgraphs — a Scan's body — read them from the enclosing scope), and the
// attribute helpers. Nodes are appended in the order they are made, which is a topological
// order as long as each value is made before it is used.
import { DataType, type Attribute, type GraphProto, type NodeProto, type TensorProto, type ValueInfoProto } from "./onnx-proto.ts";

/** Names unique across a graph and all its subgraphs (ONNX forbids shadowing an outer name). */
class Names {
  private readonly used = new Set<string>();
  fresh(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_]/g, "_").replace(/^(?=[0-9])/, "_") || "v";
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
  reserve(name: string): string {
    if (this.used.has(name)) throw new Error(`the ONNX name ${name} is used twice`);
    this.used.add(name);
    return name;
  }
}

export const attr = {
  int: (name: string, value: number): Attribute => ({ name, kind: "int", value }),
  ints: (name: string, value: readonly number[]): Attribute => ({ name, kind: "ints", value }),
  float: (name: string, value: number): Attribute => ({ name, kind: "float", value }),
  string: (name: string, value: string): Attribute => ({ name, kind: "string", value }),
  strings: (name: string, value: readonly string[]): Attribute => ({ name, kind: "strings", value }),
  tensor: (name: string, value: TensorProto): Attribute => ({ name, kind: "tensor", value }),
  graph: (name: string, value: GraphProto): Attribute => ({ name, kind: "graph", value }),
};

export function floatTensor(name: string, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  const data = Float32Array.from(values);
  if (data.length !== dims.reduce((a, b) => a * b, 1)) throw new Error(`tensor ${name}: ${data.length} values for shape [${dims}]`);
  return { name, dataType: DataType.FLOAT, dims, raw: littleEndian(data) };
}

export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): TensorProto {
  const data = BigInt64Array.from(values.map((v) => BigInt(v)));
  return { name, dataType: DataType.INT64, dims, raw: littleEndian(data) };
}

const nativeLittleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function littleEndian(data: Float32Array | BigInt64Array): Uint8Array {
  if (nativeLittleEndian) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const bytes = new Uint8Array(data.byteLength);
  const view = new DataView(bytes.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(4 * i, v, true));
  else data.forEach((v, i) => view.setBigInt64(8 * i, v, true));
  return bytes;
}

export class OnnxGraph {
  readonly nodes: NodeProto[] = [];
  readonly inputs: ValueInfoProto[] = [];
  readonly outputs: ValueInfoProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly constants: Map<string, string>;
  private readonly names: Names;
  private readonly root: OnnxGraph;

  constructor(parent?: OnnxGraph) {
    this.root = parent?.root ?? this;
    this.names = parent?.names ?? new Names();
    this.constants = parent?.constants ?? new Map();
  }

  /** A graph nested in this one (a Scan's body): its own nodes, the same names and constants. */
  subgraph(): OnnxGraph {
    return new OnnxGraph(this);
  }

  fresh(hint: string): string {
    return this.names.fresh(hint);
  }

  /** Claims an exact name (a graph input's or output's); two claims of one name are an error. */
  reserve(name: string): string {
    return this.names.reserve(name);
  }

  /** Adds a node; returns its outputs' names (made from `hint`, or the names given). */
  node(opType: string, inputs: readonly string[], attributes: readonly Attribute[] = [], outputs: number | readonly string[] = 1, hint = opType): string[] {
    const names = typeof outputs === "number" ? Array.from({ length: outputs }, (_, i) => this.fresh(outputs === 1 ? hint : `${hint}_${i}`)) : [...outputs];
    this.nodes.push({ opType, inputs, outputs: names, attributes });
    return names;
  }

  /** One-output shorthand. */
  op(opType: string, inputs: readonly string[], attributes: readonly Attribute[] = [], hint = opType): string {
    return this.node(opType, inputs, attributes, 1, hint)[0];
  }

  /** A tensor of the main graph (a weight); its name comes from `fresh`. */
  initializer(tensor: TensorProto): string {
    this.root.initializers.push(tensor);
    return tensor.name;
  }

  /** A constant, stored once in the main graph however often it is asked for. */
  constant(kind: "float" | "int64", dims: readonly number[], values: readonly number[], hint = "const"): string {
    const key = JSON.stringify([kind, dims, values]);
    const known = this.constants.get(key);
    if (known) return known;
    const name = this.names.fresh(hint);
    this.root.initializers.push(kind === "float" ? floatTensor(name, dims, values) : int64Tensor(name, dims, values));
    this.constants.set(key, name);
    return name;
  }

  scalar(value: number): string {
    return this.constant("float", [], [value], `c${String(value).replace(/[^0-9a-z]/gi, "_")}`);
  }

  ints(values: readonly number[], hint = "ints"): string {
    return this.constant("int64", [values.length], values, hint);
  }

  int(value: number, hint = "int"): string {
    return this.constant("int64", [], [value], hint);
  }

  /** Declares a graph input; its name comes from `fresh` or `reserve`. */
  input(info: ValueInfoProto): string {
    this.inputs.push(info);
    return info.name;
  }

  /** Declares a graph output: a value some node of this graph makes. */
  output(info: ValueInfoProto) {
    this.outputs.push(info);
  }

  toProto(name: string, docString?: string): GraphProto {
    return {
      name,
      nodes: this.nodes,
      initializers: this === this.root ? this.initializers : [],
      inputs: this.inputs,
      outputs: this.outputs,
      ...(docString ? { docString } : {}),
    };
  }
}
