// The graph's shapes, lengths and masks: the batch size B, each time axis's length T, its steps,
// the valid steps of each example, and the shifted steps a read at t+k needs. Each is made the
// first time it is asked for, and once: a model that never shifts a sequence has no shift.
import type { Axis, Program } from "../../compiler/ir/nodes.ts";
import { attr, floatTensor, type OnnxGraph } from "./graph.ts";
import { dimName, OnnxExportUnsupported, type Val } from "./values.ts";

export class Shapes {
  private readonly memo = new Map<string, string>();

  constructor(
    private readonly g: OnnxGraph,
    private readonly program: Program,
    /** The graph inputs carrying the program's data fields, by field. */
    private readonly data: ReadonlyMap<string, Val>,
    /** The `lengths_t` (`lengths_s`) inputs, by axis. */
    private readonly lengthInputs: ReadonlyMap<Axis, string>,
  ) {}

  private cached(key: string, make: () => string): string {
    const known = this.memo.get(key);
    if (known !== undefined) return known;
    const name = make();
    this.memo.set(key, name);
    return name;
  }

  /** B as a [1] tensor and as a scalar, and the examples' indices 0..B-1. */
  batch(): { readonly B1: string; readonly B0: string; readonly range: string } {
    const { g } = this;
    const B1 = () =>
      this.cached("B1", () => {
        const seq = [...this.data.values()].find((d) => d.rank === 2);
        const other = [...this.data.values()][0];
        if (seq) return g.op("Shape", [seq.name], [attr.int("start", 1), attr.int("end", 2)], "B");
        if (other) return g.op("Shape", [other.name], [attr.int("start", 0), attr.int("end", 1)], "B");
        const lengths = [...this.lengthInputs.values()][0];
        if (!lengths) throw new OnnxExportUnsupported("the model has no input: the batch size is unknown");
        return g.op("Shape", [lengths], [], "B");
      });
    const B0 = () => this.cached("B0", () => g.op("Squeeze", [B1(), g.ints([0])], [], "B_scalar"));
    const range = () => this.cached("Brange", () => g.op("Range", [g.int(0), B0(), g.int(1)], [], "examples"));
    return {
      get B1() {
        return B1();
      },
      get B0() {
        return B0();
      },
      get range() {
        return range();
      },
    };
  }

  /** What an axis's computation needs: T, the steps, the lengths and the valid-step masks. */
  axis(axis: Axis) {
    const { g } = this;
    const lengths = this.lengthInputs.get(axis);
    if (!lengths) throw new Error(`no lengths input for axis ${axis}`);
    const T1 = () =>
      this.cached(`T1${axis}`, () => {
        const input = this.program.data.find((d) => d.sequence && d.axis === axis && this.data.has(d.name));
        if (input) return g.op("Shape", [this.data.get(input.name)!.name], [attr.int("start", 0), attr.int("end", 1)], dimName[axis]);
        return g.op("ReduceMax", [lengths], [attr.ints("axes", [0]), attr.int("keepdims", 1)], dimName[axis]);
      });
    const steps = () =>
      this.cached(`steps${axis}`, () => g.op("Range", [g.int(0), g.op("Squeeze", [T1(), g.ints([0])], [], `${dimName[axis]}_scalar`), g.int(1)], [], `steps_${axis}`));
    const valid = () =>
      this.cached(`valid${axis}`, () => g.op("Less", [g.op("Unsqueeze", [steps(), g.ints([1])]), g.op("Unsqueeze", [lengths, g.ints([0])])], [], `valid_${axis}`));
    const cached = (key: string, make: () => string) => this.cached(key, make);
    return {
      lengths,
      /** T as a [1] tensor. */
      get T1() {
        return T1();
      },
      /** T - 1, [1]. */
      get last() {
        return cached(`Tm1${axis}`, () => g.op("Sub", [T1(), g.ints([1])], [], `${dimName[axis]}_minus_1`));
      },
      /** 0..T-1. */
      get steps() {
        return steps();
      },
      /** [T, B] bool: t < lengths[b]. */
      get valid() {
        return valid();
      },
      /** [T, B, 1] bool. */
      get mask3() {
        return cached(`mask3${axis}`, () => g.op("Unsqueeze", [valid(), g.ints([2])], [], `valid_${axis}_3d`));
      },
    };
  }

  /** For `x[t+k]`: the clamped step ([T]), where t+k is a valid step ([T, B] bool), and where it is before the start ([T]). */
  shift(axis: Axis, k: number) {
    const { g } = this;
    const a = this.axis(axis);
    const tag = `${axis}_${k < 0 ? "m" : "p"}${Math.abs(k)}`;
    const u = () => this.cached(`u${axis}${k}`, () => g.op("Add", [a.steps, g.int(k)], [], `steps_${tag}`));
    const cached = (key: string, make: () => string) => this.cached(key, make);
    return {
      get index() {
        return cached(`ix${axis}${k}`, () => g.op("Min", [g.op("Max", [u(), g.int(0)]), a.last], [], `index_${tag}`));
      },
      get valid() {
        return cached(`vs${axis}${k}`, () => {
          const inside = g.op("Less", [g.op("Unsqueeze", [u(), g.ints([1])]), g.op("Unsqueeze", [a.lengths, g.ints([0])])]);
          const started = g.op("Unsqueeze", [g.op("GreaterOrEqual", [u(), g.int(0)]), g.ints([1])]);
          return g.op("And", [started, inside], [], `valid_${tag}`);
        });
      },
      get before() {
        return cached(`bf${axis}${k}`, () => g.op("Less", [u(), g.int(0)], [], `before_${tag}`));
      },
    };
  }

  /** Zeros [B, n]. */
  zeros(n: number): Val {
    const { g } = this;
    const name = this.cached(`zeros${n}`, () =>
      g.op("ConstantOfShape", [g.op("Concat", [this.batch().B1, g.ints([n])], [attr.int("axis", 0)])], [attr.tensor("value", floatTensor("", [1], [0]))], `zeros_${n}`),
    );
    return { name, rank: 1, ids: false, feature: [n] };
  }
}
