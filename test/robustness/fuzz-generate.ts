// A generator of valid random models, for the fuzzer: random inputs and targets, cells and layers
// of the prelude and of the file's own (fuzz-cells.ts), wired many-to-one, many-to-many,
// bidirectional, stacked, with skips, inits, a second time axis, accumulators, outputs, losses
// and train settings (truncated BPTT among them). Each seed gives one program; nearly all check.
import { Rng } from "../../runtime/rng.ts";
import { elementwise, picker, randomCell, randomLayer, type Definition, type Pick } from "./fuzz-cells.ts";

type Axis = "t" | "s";

/** A vector the equations can read: at a step of its axis (`at("t")`), or once per example. */
interface Vec {
  at: (i: string) => string;
  size: string; // as a size is written: `H`, `E + 2*H`, `vocab(x0)`
  axis?: Axis;
  seq?: boolean; // a value of the model's own, readable at first and last too
}

/** Names of JavaScript, of the emitted module's own variables and of its buffers' naming scheme. */
const TRICKY = ["constructor", "__proto__", "prototype", "toString", "valueOf", "hasOwnProperty", "Math", "Float32Array", "Float64Array", "B", "T", "T_t", "T_s",
  "b", "t_", "params", "grads", "batch", "size", "lengths", "fields", "d_h_t", "tape_h", "h_prev", "fwd_h_t", "await", "yield", "let", "var", "function", "delete",
  "new", "this", "arguments", "eval", "undefined", "NaN", "Infinity", "default", "export", "import", "i", "j", "k", "n", "x", "y_", "_",
  // what emitted modules name their own locals, parameters and functions (harvested from them)
  "squares", "predictions", "outputs", "flow", "view", "end", "at", "upTo", "rows", "permuteRows", "parents", "buffer", "generator", "u0", "v0", "v3",
  "s00", "P4", "begin", "forward0", "backward1", "outputValues", "a0", "W0", "L_t", "ONES", "F", "P", "lse", "fed", "done", "sum", "row", "id", "out",
  "data", "carried", "capacity", "compute_h_t", "h1_steps", "d_h1_steps", "carry_h1", "grad_rec0_W", "rec0_W", "tape_lin2", "words_t"];

const PRELUDE_CELLS = ["rnn", "rnn_relu", "lstm", "gru", "gru_reset_after", "lstm_hard_sigmoid", "gru_hard_sigmoid"];
const TWO_STATES = new Set(["lstm", "lstm_hard_sigmoid"]);

class ModelBuilder {
  readonly defs: Definition[] = [];
  readonly decls: string[] = [];
  readonly layers: string[] = [];
  readonly eqs: string[] = [];
  readonly losses: string[] = [];
  readonly outputs: string[] = [];
  readonly steps: Record<Axis, Vec[]> = { t: [], s: [] };
  readonly once: Vec[] = [];
  private counter = 0;

  constructor(readonly r: Pick, readonly bptt: boolean) {}

  /** A new name: mostly `prefix` and a number; now and then one that JavaScript, the emitted module or its buffers use, or a long one. */
  fresh(prefix: string): string {
    const n = this.counter++;
    if (this.r.chance(0.12)) {
      const name = this.r.one(TRICKY);
      if (!this.taken.has(name)) return this.taken.add(name), name;
    }
    if (this.r.chance(0.03)) return `${prefix}${"_".repeat(200 + this.r.int(300))}${n}`;
    return `${prefix}${n}`;
  }
  private readonly taken = new Set<string>();
  autoregressive?: string; // the target read at t-1, if any

  /** The name of a field of the data: mostly `wanted`, now and then a tricky one. */
  dataName(wanted: string): string {
    const name = this.r.chance(0.2) ? this.r.one(TRICKY) : wanted;
    if (this.taken.has(name)) return wanted;
    return this.taken.add(name), name;
  }

  /** A new layer of the model; a user definition is made (and written) as needed. */
  layer(kind: "cell" | "dense" | "embedding" | "token", sizes: string[], cellName?: string): { name: string; states: number } {
    const name = this.fresh(kind === "cell" ? "rec" : kind === "embedding" ? "emb" : "lin");
    let def: string;
    let states = 0;
    if (kind === "cell") {
      def = cellName ?? (this.r.chance(0.35) ? this.userDef("cell").name : this.r.one(PRELUDE_CELLS));
      states = this.defs.find((d) => d.name === def)?.states ?? (TWO_STATES.has(def) ? 2 : 1);
    } else if (kind === "embedding") def = "embedding";
    else if (kind === "token") def = this.userDef("token").name;
    else def = this.r.chance(0.25) ? this.userDef("layer").name : "dense";
    this.layers.push(`layer ${name} = ${def}(${sizes.join(", ")})`);
    return { name, states };
  }

  private userDef(kind: "cell" | "layer" | "token"): Definition {
    const reuse = this.defs.filter((d) => d.kind === (kind === "cell" ? "cell" : "layer") && d.tokenInput === (kind === "token"));
    if (reuse.length > 0 && this.r.chance(0.4)) return this.r.one(reuse);
    for (;;) {
      const name = this.fresh(kind === "cell" ? "ucell" : "ulayer");
      const def = kind === "cell" ? randomCell(this.r, name) : randomLayer(this.r, name);
      if (def.tokenInput === (kind === "token")) return this.defs.push(def), def;
    }
  }

  /** A vector of the axis's pool, or a combination of two. */
  stepInput(axis: Axis): Vec {
    const pool = this.steps[axis];
    const a = this.r.one(pool);
    const b = this.r.one(pool);
    switch (this.r.int(6)) {
      case 0: return { at: (i) => `concat(${a.at(i)}, ${b.at(i)})`, size: `${a.size} + ${b.size}`, axis };
      case 1: {
        const same = pool.filter((v) => v.size === a.size);
        const c = this.r.one(same);
        return { at: (i) => `${a.at(i)} + ${c.at(i)}`, size: a.size, axis };
      }
      case 2: return { at: (i) => `dropout(${a.at(i)}, 0.1)`, size: a.size, axis };
      case 3: {
        if (this.once.length === 0) return a;
        const o = this.r.one(this.once);
        const proj = this.layer("dense", [o.size, a.size]);
        return { at: (i) => `${a.at(i)} + ${proj.name}(${o.at(i)})`, size: a.size, axis };
      }
      default: return a;
    }
  }

  /** A recurrent layer over `axis` reading `input`; its first state joins the pool. */
  recurrent(axis: Axis, input: Vec, hidden: string, init?: (state: number) => string | undefined): { h: Vec; names: string[] } {
    const cell = this.layer("cell", [input.size, hidden]);
    const names = Array.from({ length: cell.states }, (_, k) => this.fresh(k === 0 ? "h" : "c"));
    const back = !this.bptt && !(this.autoregressive && input.at(axis).includes(`${this.autoregressive}[`)) && this.r.chance(0.25); // y[t-1] read backward would see the answers
    const offset = back ? `${axis}+1` : this.r.chance(0.1) ? `${axis}-2` : `${axis}-1`;
    const left = names.map((n) => `${n}[${axis}]`).join(", ");
    const args = [input.at(axis), ...names.map((n) => `${n}[${offset}]`)].join(", ");
    this.eqs.push(`${cell.states > 1 ? `(${left})` : left} = ${cell.name}(${args})`);
    if (init && !this.bptt)
      names.forEach((n, k) => {
        const value = init(k);
        if (value) this.eqs.push(`init ${n} = ${value}`);
      });
    const h: Vec = { at: (i) => `${names[0]}[${i}]`, size: hidden, axis, seq: true };
    this.steps[axis].push(h);
    if (!this.bptt) this.once.push({ at: () => `${names[0]}[${this.r.chance(0.8) ? "last" : "first"}]`, size: hidden });
    return { h, names };
  }

  /** A per-step value of elementwise ops, or an accumulator (`m[t] = max(m[t-1], v[t])`). */
  extra(axis: Axis) {
    const v = this.r.one(this.steps[axis]);
    const name = this.fresh("z");
    const same = this.steps[axis].filter((u) => u.size === v.size).map((u) => u.at(axis));
    if (!this.bptt && v.seq && this.r.chance(0.3)) same.push(v.at("first"), v.at("last"));
    if (this.r.chance(0.08)) {
      const depth = 1 + this.r.int(63); // the language's limit is 64 brackets
      const deep = this.r.chance(0.5) ? `${"tanh(".repeat(depth)}${v.at(axis)}${")".repeat(depth)}` : Array(2 + this.r.int(300)).fill(this.r.one(same)).join(this.r.one([" + ", " - ", " * 0.5 + "]));
      this.eqs.push(`${name}[${axis}] = ${deep}`);
    } else if (this.r.chance(0.3)) {
      const update = this.r.one([`max(${name}[${axis}-1], ${v.at(axis)})`, `${v.at(axis)} + relu(${name}[${axis}-1] - ${v.at(axis)})`, `min(${name}[${axis}-1], tanh(${v.at(axis)}))`]);
      this.eqs.push(`${name}[${axis}] = ${update}`);
    } else this.eqs.push(`${name}[${axis}] = ${elementwise(this.r, same, 1 + this.r.int(3), "H")}`);
    this.steps[axis].push({ at: (i) => `${name}[${i}]`, size: v.size, axis, seq: true });
  }

  head(pred: Vec, out: string, i: string): string {
    const head = this.layer("dense", [pred.size, out]);
    return `${head.name}(${pred.at(i)})`;
  }
}

/** The program text of seed `seed`'s model (with the definitions it uses). */
export function generateModel(seed: number): string {
  const r = picker(new Rng(seed));
  const bptt = r.chance(0.15);
  const encdec = !bptt && r.chance(0.2);
  const m = new ModelBuilder(r, bptt);
  const dims = { E: 1 + r.int(4), H: 1 + r.int(4), G: 1 + r.int(3), K: 1 + r.int(3) };
  const dimText = `dims { ${Object.entries(dims).map(([k, v]) => `${k} = ${v}`).join(", ")} }`;

  const addInput = (name: string, axis: Axis) => {
    if (r.chance(0.5)) {
      m.decls.push(`input ${name}: seq<token>`);
      const how = r.int(4);
      if (how === 0) {
        const e = m.layer("embedding", [`vocab(${name})`, "E"]);
        m.steps[axis].push({ at: (i) => `${e.name}(${name}[${i}])`, size: "E", axis });
      } else if (how === 1) m.steps[axis].push({ at: (i) => `onehot(${name}[${i}], vocab(${name}))`, size: `vocab(${name})`, axis });
      else if (how === 2) m.steps[axis].push({ at: (i) => `onehot(${name}[${i}], 3)`, size: "3", axis });
      else {
        const l = m.layer("token", [`vocab(${name})`, "H"]);
        m.steps[axis].push({ at: (i) => `${l.name}(${name}[${i}])`, size: "H", axis });
      }
    } else {
      const size = r.one(["K", "2", "1"]);
      m.decls.push(`input ${name}: seq<vec(${size})>`);
      m.steps[axis].push({ at: (i) => `${name}[${i}]`, size, axis });
      if (!bptt && r.chance(0.2)) m.steps[axis].push({ at: (i) => `${name}[${i}+1]`, size, axis });
      if (r.chance(0.2)) m.steps[axis].push({ at: (i) => `${name}[${i}-1]`, size, axis });
    }
  };

  if (r.chance(0.3)) {
    const img = m.dataName("img");
    m.decls.push(`input ${img}: vec(K)`);
    m.once.push({ at: () => img, size: "K" });
  }
  // The targets: an autoregressive one read at t-1, sequences along t, or one per example.
  const autoregressive = r.chance(0.25) ? m.dataName("y") : undefined;
  m.autoregressive = autoregressive;
  if (autoregressive) {
    m.decls.push(`target ${autoregressive}: seq<token>`);
    const e = m.layer("embedding", [`vocab(${autoregressive})`, "E"]);
    m.steps.t.push({ at: (i) => `${e.name}(${autoregressive}[${i}-1])`, size: "E", axis: "t" });
  }
  if (!autoregressive || r.chance(0.5)) addInput(m.dataName("x0"), "t");
  if (r.chance(0.3)) addInput(m.dataName("x1"), "t");

  let encoder: { h: Vec; names: string[] } | undefined;
  if (encdec) {
    addInput(m.dataName("src"), "s");
    encoder = m.recurrent("s", m.stepInput("s"), r.one(["H", "G"]));
    if (r.chance(0.5)) m.steps.t.push({ at: () => encoder!.h.at("last"), size: encoder.h.size, axis: "t" });
  }

  const stack = 1 + r.int(3);
  for (let l = 0; l < stack; l++) {
    const hidden = encoder && l === 0 ? encoder.h.size : r.one(["H", "G", "2*H"]);
    const init = (k: number): string | undefined => {
      if (encoder && l === 0) {
        const from = encoder.names[Math.min(k, encoder.names.length - 1)];
        return r.chance(0.8) ? `${from}[last]` : undefined;
      }
      if (m.once.length === 0 || !r.chance(0.25)) return undefined;
      const o = r.one(m.once);
      return `tanh(${m.head(o, hidden, "t")})`;
    };
    m.recurrent("t", m.stepInput("t"), hidden, init);
    if (r.chance(0.4)) m.extra("t");
  }
  if (encdec && r.chance(0.3)) m.extra("s");

  // Losses: one per target; with bptt, only along t.
  const targets: string[] = [];
  const lossOn = (kind: "seq<class>" | "seq<vec>" | "class" | "vec") => {
    const y = m.dataName(`y${targets.length}`);
    targets.push(y);
    const perStep = kind.startsWith("seq");
    const pred: Vec = perStep ? r.one(m.steps.t) : m.once.length === 0 ? r.one(m.steps.t.filter((v) => v.seq)) : r.one(m.once);
    const i = perStep ? "t" : m.once.includes(pred) ? "t" : "last";
    const at = perStep ? `${y}[t]` : y;
    const mean = perStep && r.chance(0.3) ? " mean over tokens" : "";
    if (kind === "seq<class>" || kind === "class") {
      m.decls.push(`target ${y}: ${kind}`);
      if (kind === "class" && r.chance(0.3)) m.losses.push(`loss binary_cross_entropy(${m.head(pred, r.one(["1"]), i)}, ${at})`);
      else m.losses.push(`loss cross_entropy(${m.head(pred, r.one([`classes(${y})`, "3", "2"]), i)}, ${at})${mean}`);
    } else {
      const size = r.one(["K", "1", "2"]);
      m.decls.push(`target ${y}: ${perStep ? `seq<vec(${size})>` : `vec(${size})`}`);
      m.losses.push(`loss ${r.one(["mse", "binary_cross_entropy"])}(${m.head(pred, size, i)}, ${at})${mean}`);
    }
  };
  if (autoregressive) m.losses.push(`loss cross_entropy(${m.head(r.one(m.steps.t), `vocab(${autoregressive})`, "t")}, ${autoregressive}[t])${r.chance(0.3) ? " mean over tokens" : ""}`);
  const count = autoregressive ? r.int(2) : 1 + r.int(2);
  for (let k = 0; k < count; k++) lossOn(r.one(bptt ? (["seq<class>", "seq<vec>"] as const) : (["seq<class>", "seq<vec>", "class", "vec"] as const)));

  for (let k = r.chance(0.4) ? 1 + r.int(2) : 0; k > 0; k--) {
    const o = m.fresh("o");
    const v = r.one(m.steps.t);
    if (!bptt && r.chance(0.3) && m.once.length > 0) m.outputs.push(`output ${o} = ${r.one(m.once).at("")}`);
    else if (r.chance(0.5)) m.outputs.push(`output ${o}[t] = softmax(${m.head(v, "3", "t")})`);
    else m.outputs.push(`output ${o}[t] = ${r.chance(0.5) ? v.at("t") : `tanh(${v.at("t")}) * 2`}`);
  }

  const settings = [
    r.chance(0.5) ? `optimizer ${r.one(["adam(lr: 0.01)", "sgd(lr: 0.1, momentum: 0.9)", "adam(0.01, 0.8)", "sgd"])}` : "",
    r.chance(0.5) ? `batch ${1 + r.int(8)}` : "",
    r.chance(0.3) ? `clip_norm ${r.one(["0", "1", "5"])}` : "",
    r.chance(0.2) ? "weight_decay 1e-4" : "",
    bptt ? `bptt ${1 + r.int(3)}` : "",
    r.chance(0.2) ? `seed ${r.int(100)}` : "",
  ].filter((s) => s);
  const body = [dimText, ...m.decls, ...m.layers, ...m.eqs, ...m.losses, ...m.outputs, ...(settings.length ? [`train { ${settings.join("  ")} }`] : [])];
  return [...m.defs.map((d) => d.text), `model fuzz${seed} {`, ...body.map((l) => `  ${l}`), "}"].join("\n") + "\n";
}
