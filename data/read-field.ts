// Validation of one field of one record: checks the JSON value against the field's description
// and returns it in a raw, checked form (labels still as strings), or a message saying what is wrong.
//
// Accepted values:
//   token       a string (one token)
//   seq<token>  a string (split into characters, by code point) or an array of strings
//   class       a string or a number label
//   seq<class>  an array of string or number labels
//   vec(n)      an array of n finite numbers
//   seq<vec(n)> an array of such arrays; for vec(1) also a flat array of numbers
// Sequences must not be empty. Numbers must be finite (JSON's 1e999 parses as Infinity), and a
// vector's numbers must also fit float32, the type the models compute in: 1e39 would be stored as
// Infinity and surface much later as a NaN gradient that names no line, so it is refused here.

import { describeField, type DataField } from "./fields.ts";

export type RawValue =
  | { kind: "labels"; labels: string[] } // tokens or classes; one label for a non-sequence field
  | { kind: "vectors"; steps: number; size: number; values: Float32Array };

export type FieldResult = { ok: true; value: RawValue } | { ok: false; message: string };

export function readField(value: unknown, field: DataField): FieldResult {
  const name = `field ${JSON.stringify(field.name)}`;
  try {
    const element = field.element;
    if (element.kind === "vector") return ok(readVectors(value, field.sequence, element.size, name));
    if (!field.sequence) return ok({ kind: "labels", labels: [readLabel(value, element.kind, name)] });
    if (element.kind === "token" && typeof value === "string") {
      return ok({ kind: "labels", labels: nonEmpty(Array.from(value), name) });
    }
    if (!Array.isArray(value)) {
      const what = element.kind === "token" ? "a string or an array of strings" : "an array of class labels";
      throw new Invalid(`${name} should be ${what} (${describeField(field)}), not ${typeName(value)}`);
    }
    const labels = value.map((item, i) => readLabel(item, element.kind, `${name}[${i}]`));
    return ok({ kind: "labels", labels: nonEmpty(labels, name) });
  } catch (error) {
    if (error instanceof Invalid) return { ok: false, message: error.message };
    throw error;
  }
}

/** A message about the value, thrown inside this file only and turned into a result by readField. */
class Invalid extends Error {}

function ok(value: RawValue): FieldResult {
  return { ok: true, value };
}

function readLabel(value: unknown, kind: "token" | "class", where: string): string {
  if (typeof value === "string") return value;
  if (kind === "class" && typeof value === "number") return String(finite(value, where));
  const what = kind === "token" ? "a string (a token)" : "a class label (a string or a number)";
  throw new Invalid(`${where} should be ${what}, not ${typeName(value)}`);
}

function readVectors(value: unknown, sequence: boolean, size: number, name: string): RawValue {
  if (!sequence) return { kind: "vectors", steps: 1, size, values: Float32Array.from(readVector(value, size, name)) };
  if (!Array.isArray(value)) throw new Invalid(`${name} should be an array of vectors (seq<vec(${size})>), not ${typeName(value)}`);
  nonEmpty(value, name);
  const flat = size === 1 && value.every((item) => typeof item === "number");
  const rows = flat
    ? value.map((item, i) => [float32(item as number, `${name}[${i}]`)])
    : value.map((item, i) => readVector(item, size, `${name}[${i}]`));
  return { kind: "vectors", steps: rows.length, size, values: Float32Array.from(rows.flat()) };
}

function readVector(value: unknown, size: number, where: string): number[] {
  if (!Array.isArray(value)) throw new Invalid(`${where} should be an array of ${size} numbers (vec(${size})), not ${typeName(value)}`);
  if (value.length !== size) throw new Invalid(`${where} has ${value.length} numbers; vec(${size}) needs ${size}`);
  return value.map((item, i) => {
    if (typeof item !== "number") throw new Invalid(`${where}[${i}] should be a number, not ${typeName(item)}`);
    return float32(item, `${where}[${i}]`);
  });
}

function finite(value: number, where: string): number {
  if (!Number.isFinite(value)) throw new Invalid(`${where} is not a finite number (${value})`);
  return value;
}

/** The largest float32, 3.4028234663852886e38: a number beyond it (after rounding) is Infinity in float32. */
export const FLOAT32_MAX = 2 ** 128 - 2 ** 104;

/** A finite number that stays finite in float32; rounding to the nearest float32 is fine (0.1 is kept). */
function float32(value: number, where: string): number {
  finite(value, where);
  if (!Number.isFinite(Math.fround(value))) throw new Invalid(`${where} is ${value}, beyond float32's range (±3.4028235e38): the models compute in float32`);
  return value;
}

function nonEmpty<T>(items: T[], name: string): T[] {
  if (items.length === 0) throw new Invalid(`${name} is empty: a sequence needs at least one step`);
  return items;
}

export function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  return type === "object" ? "an object" : type === "undefined" ? "undefined" : `a ${type}`;
}
