// Golden files: `rnnc check`'s summary of each example, as reviewed by a person. After an
// intended change, regenerate with UPDATE_GOLDEN=1 and read the diff before committing it.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkSource } from "../../compiler/index.ts";
import { summarize } from "../../cli/summary.ts";

const examples = readdirSync("examples").filter((f) => f.endsWith(".rnn"));

describe("summaries of the examples", () => {
  it.each(examples)("%s", (file) => {
    const source = readFileSync(`examples/${file}`, "utf8");
    const summary = checkSource(source, file).models.map((m) => summarize(m, source)).join("\n") + "\n";
    const golden = `test/2-check/summaries/${file.replace(/\.rnn$/, ".txt")}`;
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, summary);
    expect(summary).toBe(readFileSync(golden, "utf8"));
  });
});
