// What the data layer knows about a model: its inputs and targets, as plain data.
//
// The compiler (or a test) describes each field; the data layer never imports the compiler.

export type ElementKind = { kind: "token" } | { kind: "class" } | { kind: "vector"; size: number };

export interface DataField {
  /** The name in the model, and the key of the field in each JSON Lines record. */
  name: string;
  role: "input" | "target";
  sequence: boolean;
  element: ElementKind;
  /** Sequence fields on the same axis must have equal lengths in an example. */
  axis?: "t" | "s";
  /** A token target read at t-1 and predicted at t: the data layer adds <bos>/<eos> (see examples.ts). */
  autoregressive?: boolean;
}

/** How a field is written in the language: `seq<token>`, `class`, `vec(3)`… (for messages). */
export function describeField(field: DataField): string {
  const element = field.element.kind === "vector" ? `vec(${field.element.size})` : field.element.kind;
  return field.sequence ? `seq<${element}>` : element;
}
