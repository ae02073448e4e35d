// Vectors hold float32 numbers, the type the models compute in: a number that float32 would store
// as Infinity is refused at its line, naming the field and the range, instead of surfacing later as
// a NaN gradient with no line. Numbers float32 only rounds (0.1, 3.4028235e38, 1e-50) are fine.
import { describe, expect, it } from "vitest";
import { formatDataError } from "../../data/errors.ts";
import { encodeExamples } from "../../data/examples.ts";
import type { DataField } from "../../data/fields.ts";
import { parseJsonLines } from "../../data/jsonl.ts";
import { FLOAT32_MAX, readField } from "../../data/read-field.ts";

const co2: DataField[] = [
  { name: "series", role: "input", sequence: true, element: { kind: "vector", size: 1 }, axis: "t" },
  { name: "next", role: "target", sequence: true, element: { kind: "vector", size: 1 }, axis: "t" },
];
const image: DataField = { name: "image", role: "input", sequence: false, element: { kind: "vector", size: 3 } };
const label: DataField = { name: "label", role: "target", sequence: false, element: { kind: "class" } };

const rejected = (fields: DataField[], lines: string[]) => {
  const { records } = parseJsonLines(lines.join("\n"), "train.jsonl");
  return encodeExamples(records, fields, undefined, { file: "train.jsonl" }).errors.map(formatDataError);
};

describe("the float32 range of vectors", () => {
  it("is the largest float32, 3.4028234663852886e38", () => {
    expect(FLOAT32_MAX).toBe(3.4028234663852886e38);
    expect(Math.fround(FLOAT32_MAX)).toBe(FLOAT32_MAX);
  });

  it("refuses 1e39 and -1e308 at their line, in flat, nested and plain vectors", () => {
    expect(rejected(co2, ['{"series": [1, 1e39], "next": [1, 2]}', '{"series": [[1], [-1e308]], "next": [1, 2]}', '{"series": [1, 2], "next": [1, 2]}'])).toEqual([
      "train.jsonl:1: field \"series\"[1] is 1e+39, beyond float32's range (±3.4028235e38): the models compute in float32",
      "train.jsonl:2: field \"series\"[1][0] is -1e+308, beyond float32's range (±3.4028235e38): the models compute in float32",
    ]);
    expect(readField([0, 4e38, 0], image)).toEqual({ ok: false, message: "field \"image\"[1] is 4e+38, beyond float32's range (±3.4028235e38): the models compute in float32" });
  });

  it("keeps what float32 rounds to a finite number: its largest, tiny numbers, 0.1", () => {
    const read = readField([3.4028235e38, 1e-50, 0.1], image);
    expect(read.ok && read.value.kind === "vectors" && Array.from(read.value.values)).toEqual([FLOAT32_MAX, 0, Math.fround(0.1)]);
  });

  it("still refuses numbers that are not finite (JSON's 1e999)", () => {
    expect(rejected(co2, ['{"series": [1e999], "next": [1]}'])).toEqual(['train.jsonl:1: field "series"[0] is not a finite number (Infinity)']);
  });

  it("does not apply to class labels, which are names, not numbers the model computes with", () => {
    const read = readField(1e39, label);
    expect(read).toEqual({ ok: true, value: { kind: "labels", labels: ["1e+39"] } });
  });
});
