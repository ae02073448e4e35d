// Every example's program, forward and backward, is well formed; and a broken one is caught.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { lower } from "../../compiler/3-lower/index.ts";
import { differentiate } from "../../compiler/4-differentiate/index.ts";
import { validate } from "../../compiler/ir/validate.ts";

const sizes = new Map(Object.entries({ "vocab(bits)": 4, "vocab(words)": 9, "classes(tags)": 5, "vocab(name)": 7, "vocab(spelling)": 6, "vocab(phones)": 8 }));
const programOf = (name: string) => differentiate(lower(checkSource(readFileSync(`examples/${name}.rnn`, "utf8"), name).models[0], sizes));

describe("the IR validator", () => {
  it.each(["parity", "tagger", "names", "caption", "g2p", "co2"])("%s is well formed, forward and backward", (name) => {
    expect(validate(programOf(name))).toEqual([]);
  });

  it("names what is wrong in a broken program", () => {
    const program = programOf("parity");
    const matvec = program.blocks[0].nodes.findIndex((n) => n.op === "matvec");
    program.blocks[0].nodes[matvec] = { ...program.blocks[0].nodes[matvec], shape: [7] };
    program.blocks[0].nodes.push({ op: "read", args: [], shape: [16], batched: true, attrs: { name: "nothing" } });
    const add = program.blocks[0].nodes.findIndex((n) => n.op === "add" && n.args.includes(matvec));
    expect(validate(program)).toEqual([
      `block 0 (h: recurrence forward over t): %${matvec} matvec: shape [7], but its rule gives [16]`,
      `block 0 (h: recurrence forward over t): %${add} add: operands of shapes [7] and [16]`,
      `block 0 (h: recurrence forward over t): %${program.blocks[0].nodes.length - 1} read: no sequence named nothing`,
    ]);
  });
});
