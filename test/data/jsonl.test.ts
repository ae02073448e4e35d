// JSON Lines: line numbers in errors, blank lines skipped, reading goes on after a bad line.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatDataError, formatDataErrors } from "../../data/errors.ts";
import { parseJsonLines, readJsonLines } from "../../data/jsonl.ts";

const text = ['{"a": 1}', "", '{"a": 2', "   ", "[1, 2]", "nope", '"just a string"', ""].join("\n");

describe("readJsonLines", () => {
  it("reads a file as a stream: records and errors carry their line numbers", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "rnnc-jsonl-")), "train.jsonl");
    writeFileSync(path, text);
    const { records, errors } = await readJsonLines(path, "train.jsonl");
    expect(records).toEqual([
      { line: 1, value: { a: 1 } },
      { line: 5, value: [1, 2] },
      { line: 7, value: "just a string" },
    ]);
    expect(errors.map((e) => [e.file, e.line])).toEqual([["train.jsonl", 3], ["train.jsonl", 6]]);
    expect(formatDataError(errors[0]!)).toMatch(/^train\.jsonl:3: not valid JSON: .+/);
    expect(formatDataError(errors[1]!)).toMatch(/^train\.jsonl:6: not valid JSON: .+/);
  });

  it("handles CRLF line ends and a byte-order mark", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "rnnc-jsonl-")), "crlf.jsonl");
    writeFileSync(path, '\ufeff{"x": "a"}\r\n\r\n{"x": "b"}\r\n');
    const { records, errors } = await readJsonLines(path);
    expect(errors).toEqual([]);
    expect(records).toEqual([{ line: 1, value: { x: "a" } }, { line: 3, value: { x: "b" } }]);
  });

  it("reports a file that cannot be read instead of throwing", async () => {
    const { records, errors } = await readJsonLines("/no/such/dir/missing.jsonl", "missing.jsonl");
    expect(records).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(formatDataError(errors[0]!)).toMatch(/^missing\.jsonl: cannot read the file: .*ENOENT/);
  });
});

describe("parseJsonLines and the error printer", () => {
  it("gives the same records and errors for text in memory", () => {
    const { records, errors } = parseJsonLines(text, "inline.jsonl");
    expect(records.map((r) => r.line)).toEqual([1, 5, 7]);
    expect(errors.map((e) => e.line)).toEqual([3, 6]);
  });

  it("prints at most `limit` errors, then how many were left out", () => {
    const errors = Array.from({ length: 25 }, (_, i) => ({ file: "big.jsonl", line: i + 1, message: "bad" }));
    const printed = formatDataErrors(errors).split("\n");
    expect(printed).toHaveLength(21);
    expect(printed[0]).toBe("big.jsonl:1: bad");
    expect(printed[19]).toBe("big.jsonl:20: bad");
    expect(printed[20]).toBe("… and 5 more errors (25 in all)");
    expect(formatDataErrors(errors.slice(0, 3))).toBe("big.jsonl:1: bad\nbig.jsonl:2: bad\nbig.jsonl:3: bad");
  });
});
