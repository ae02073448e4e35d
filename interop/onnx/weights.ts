// The trained params, as the graph's initializers: checked against the program's shapes, and
// laid out as each use wants them (a matrix as is, transposed for x·Wᵀ, or as a lookup table).
import type { Program } from "../../compiler/ir/nodes.ts";
import { floatTensor, type OnnxGraph } from "./graph.ts";

/** Trained params by name (`enc.W`): values, or { shape, values } as a checkpoint has them; in a Map or a record. */
type ParamValue = ArrayLike<number> | { values: ArrayLike<number> };
export type ParamValues = ReadonlyMap<string, ParamValue> | Readonly<Record<string, ParamValue>>;

export type WeightLayout = "as is" | "transposed" | "lookup";

const product = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

export class Weights {
  private readonly made = new Map<string, string>();

  constructor(
    private readonly g: OnnxGraph,
    private readonly program: Program,
    private readonly params: ParamValues,
  ) {}

  /** A param's values, checked against its shape. */
  values(name: string): Float32Array {
    const info = this.program.params.find((p) => p.name === name);
    const given: ParamValue | undefined = this.params instanceof Map ? this.params.get(name) : Object.hasOwn(this.params, name) ? (this.params as Record<string, ParamValue>)[name] : undefined;
    const values = given === undefined || ArrayBuffer.isView(given) || Array.isArray(given) ? (given as ArrayLike<number> | undefined) : (given as { values: ArrayLike<number> }).values;
    if (!info || !values) throw new Error(`no value for the param ${name}`);
    if (values.length !== product(info.shape)) throw new Error(`the param ${name} has ${values.length} values, its shape [${info.shape}] needs ${product(info.shape)}`);
    return Float32Array.from(values);
  }

  shape(name: string): readonly number[] {
    return this.program.params.find((p) => p.name === name)!.shape;
  }

  /** A param as an initializer (made once per layout): as is, transposed (for x·Wᵀ), or as a lookup table. */
  initializer(name: string, layout: WeightLayout): string {
    const key = `${layout}:${name}`;
    const known = this.made.get(key);
    if (known) return known;
    const shape = this.shape(name);
    const values = this.values(name);
    let made: string;
    if (layout === "as is") made = this.g.initializer(floatTensor(this.g.fresh(name), shape, values));
    else {
      const [m, n] = shape;
      const t = new Float32Array(n * m + (layout === "lookup" ? m : 0)); // a lookup table has a zero row for ids out of range
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = values[i * n + j];
      const suffix = layout === "lookup" ? "_lookup" : "_T";
      made = this.g.initializer(floatTensor(this.g.fresh(name + suffix), [n + (layout === "lookup" ? 1 : 0), m], t));
    }
    this.made.set(key, made);
    return made;
  }

  /** Rows `from` to `to` of a matrix param, transposed (for x·W[from:to]ᵀ): the gates of a stacked weight, an initializer of their own. */
  transposedRows(name: string, from: number, to: number): string {
    const key = `rows ${from}:${to}:${name}`;
    const known = this.made.get(key);
    if (known) return known;
    const n = this.shape(name)[1], k = to - from;
    const values = this.values(name);
    const t = new Float32Array(n * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) t[j * k + i] = values[(from + i) * n + j];
    const made = this.g.initializer(floatTensor(this.g.fresh(`${name}_${from}_${to}_T`), [n, k], t));
    this.made.set(key, made);
    return made;
  }
}
