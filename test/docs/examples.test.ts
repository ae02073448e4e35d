// Every program in the documentation is real. In docs/*.md:
//   ```rnn          checks with no diagnostic at all (no error, no warning); when the next block
//                   (after a ```sh block with the command, if any) is a ```text block that starts
//                   with `model `, it is exactly the summary `rnnc check` prints for it;
//   ```rnn-error    has at least one error, and the ```text block right after it is exactly what
//                   `rnnc check FILE.rnn` prints for it: every diagnostic, then `FILE.rnn: N errors`
//                   (FILE.rnn is read from that block);
//   ```rnn-prelude  is a part of compiler/prelude.rnn, copied exactly.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "../../compiler/diagnostics.ts";
import { checkSource, PRELUDE_FILE } from "../../compiler/index.ts";
import { summarize } from "../../cli/summary.ts";
import { fences, type Fence } from "./markdown.ts";

const DOCS = fileURLToPath(new URL("../../docs", import.meta.url));
const prelude = readFileSync(PRELUDE_FILE, "utf8");

/** What `rnnc check` prints on stderr for a file with errors. */
function checkOutput(source: string, file: string): { errors: number; printed: string } {
  const { diagnostics } = checkSource(source, file);
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const lines = diagnostics.map((d) => formatDiagnostic(d, file, source));
  if (errors > 0) lines.push(`${file}: ${errors} error${errors === 1 ? "" : "s"}`);
  return { errors, printed: lines.join("\n") + "\n" };
}

const pages = readdirSync(DOCS).filter((f) => f.endsWith(".md")).sort();

describe("programs in docs/", () => {
  it("there are some, of each kind", () => {
    const all = pages.flatMap((page) => fences(readFileSync(join(DOCS, page), "utf8")));
    for (const kind of ["rnn", "rnn-error", "rnn-prelude"]) expect(all.filter((f) => f.info === kind).length).toBeGreaterThan(0);
  });

  for (const page of pages) {
    const blocks = fences(readFileSync(join(DOCS, page), "utf8"));
    const where = (block: Fence) => `docs/${page}:${block.line}`;
    blocks.forEach((block, i) => {
      if (block.info === "rnn") {
        it(`${where(block)} checks`, () => {
          expect(checkOutput(block.text, where(block)).printed).toBe("\n");
          const next = blocks[i + 1]?.info === "sh" ? blocks[i + 2] : blocks[i + 1];
          if (next?.info !== "text" || !next.text.startsWith("model ")) return;
          const { models } = checkSource(block.text, where(block));
          expect(next.text).toBe(models.map((m) => summarize(m, block.text)).join("\n") + "\n");
        });
      } else if (block.info === "rnn-error") {
        it(`${where(block)} gives the errors shown after it`, () => {
          const shown = blocks[i + 1];
          expect(shown?.info, `a \`\`\`text block of rnnc check's output after ${where(block)}`).toBe("text");
          const file = /^([^:\s]+\.rnn):/.exec(shown!.text)?.[1] ?? "example.rnn";
          const { errors, printed } = checkOutput(block.text, file);
          expect(errors).toBeGreaterThan(0);
          expect(shown!.text).toBe(printed);
        });
      } else if (block.info === "rnn-prelude") {
        it(`${where(block)} is in compiler/prelude.rnn as written`, () => {
          expect(prelude).toContain(block.text);
        });
      }
    });
  }
});
