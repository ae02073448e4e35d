// The types of values. Real tensors carry a shape of sizes; ids carry the size of their
// vocabulary or class set when it is known. `unknown` follows an error, so one mistake is
// reported once and not again by everything that uses its result.
import { equal, formatShape, formatSize, type Size } from "./sizes.ts";

export type ValueType =
  | { kind: "tensor"; shape: Size[] } // [] is a scalar
  | { kind: "token"; vocab?: Size } // a token id
  | { kind: "class"; classes?: Size } // a class label
  | { kind: "unknown" };

export const tensor = (shape: Size[]): ValueType => ({ kind: "tensor", shape });
export const scalar: ValueType = tensor([]);
export const unknown: ValueType = { kind: "unknown" };

/** The declared type of a model's input or target: `seq<token>`, `class`, `vec(512)`. */
export interface DataType {
  sequence: boolean;
  element: ValueType;
}

export function formatType(t: ValueType): string {
  switch (t.kind) {
    case "tensor":
      return t.shape.length === 0 ? "a scalar" : formatShape(t.shape);
    case "token":
      return t.vocab ? `token(${formatSize(t.vocab)})` : "token";
    case "class":
      return t.classes ? `class(${formatSize(t.classes)})` : "class";
    case "unknown":
      return "unknown";
  }
}

export function formatDataType(t: DataType): string {
  const element =
    t.element.kind === "tensor" ? `vec(${t.element.shape.map(formatSize).join(", ")})` : t.element.kind;
  return t.sequence ? `seq<${element}>` : element;
}

/** Whether a value of type `actual` may stand where `expected` is declared. */
export function compatible(expected: ValueType, actual: ValueType): boolean {
  if (expected.kind === "unknown" || actual.kind === "unknown") return true;
  if (expected.kind === "tensor" && actual.kind === "tensor")
    return expected.shape.length === actual.shape.length && expected.shape.every((s, i) => equal(s, actual.shape[i]));
  if (expected.kind === "token" && (actual.kind === "token" || actual.kind === "class")) {
    const size = actual.kind === "token" ? actual.vocab : actual.classes;
    return !expected.vocab || !size || equal(expected.vocab, size) || isNumericPair(expected.vocab, size);
  }
  return expected.kind === actual.kind;
}

// A token declared `token(2)` may take ids whose vocabulary is only known from data: the
// data layer checks the ids then. Two different symbols, though, are a real mismatch.
function isNumericPair(a: Size, b: Size): boolean {
  const symbolic = (s: Size) => [...s.keys()].some((k) => k !== "");
  return symbolic(a) !== symbolic(b);
}

export const isId = (t: ValueType) => t.kind === "token" || t.kind === "class";
