// The structure the code keeps, checked from its own imports: small files, no import cycles,
// and layers that lean one way (the IR below the phases that make it, the runtime and the
// grammar below the compiler). A change that breaks one of these fails here, named.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SOURCE_ROOTS = ["compiler", "interop", "runtime", "cli", "data", "grammar", "browser", "bench"];
const MAX_LINES = 400;
const SIZE_LIMITED = ["compiler", "interop", "runtime", "cli"];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return filesUnder(path);
    return /\.(ts|js|mts)$/.test(name) && !name.endsWith(".d.ts") ? [path] : [];
  });
}

const files = SOURCE_ROOTS.flatMap(filesUnder);

/** The repository files a file imports (static, re-exports and literal dynamic imports; types too). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm)].map((m) => m[1] ?? m[2] ?? m[3]);
  return specifiers.filter((s) => s.startsWith(".")).map((s) => normalize(join(dirname(file), s)));
}

const graph = new Map(files.map((f) => [f, importsOf(f).filter((to) => files.includes(to))]));

/** Strongly connected components of more than one file (or a file importing itself). */
function cycles(): string[][] {
  const index = new Map<string, number>(), low = new Map<string, number>(), onStack = new Set<string>(), stack: string[] = [];
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next), low.set(v, next++), stack.push(v), onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) visit(w), low.set(v, Math.min(low.get(v)!, low.get(w)!));
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do (w = stack.pop()!), onStack.delete(w), component.push(w);
    while (w !== v);
    if (component.length > 1 || graph.get(v)!.includes(v)) found.push(component.sort());
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return found;
}

/** Which folders a folder must not import from: the direction the layers lean. */
const forbidden: [string, string[], string][] = [
  ["compiler/ir", ["compiler/1-parse", "compiler/2-check", "compiler/3-lower", "compiler/4-differentiate", "compiler/6-emit", "runtime", "cli", "interop", "data"], "the IR is below the phases that make it, and knows no runtime"],
  ["grammar", ["compiler", "cli", "runtime", "interop"], "the grammar is pure: meaning lives in the compiler"],
  ["runtime", ["compiler", "cli", "interop", "bench"], "the runtime is what generated code and the training loop use, never the compiler or a build tool"],
  ["compiler", ["cli", "interop", "bench"], "the compiler is a library the commands call"],
  ["data", ["compiler", "cli", "interop"], "data loaders know fields and files, not the compiler"],
];

describe("the structure of the code", () => {
  it(`no file in ${SIZE_LIMITED.join("/, ")}/ is over ${MAX_LINES} lines`, () => {
    const long = files
      .filter((f) => SIZE_LIMITED.some((root) => f.startsWith(`${root}/`)))
      .map((f) => [f, readFileSync(f, "utf8").split("\n").length - 1] as const)
      .filter(([, lines]) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });

  it("no import cycles", () => expect(cycles()).toEqual([]));

  it.each(forbidden)("%s imports nothing from %j (%s)", (from, notFrom) => {
    const wrong = files
      .filter((f) => f.startsWith(`${from}/`))
      .flatMap((f) => graph.get(f)!.filter((to) => notFrom.some((n) => to.startsWith(`${n}/`))).map((to) => `${f} → ${relative(".", to)}`));
    expect(wrong).toEqual([]);
  });

  it("reads the imports it judges (the parser of this test is not blind)", () => {
    expect(graph.get("compiler/index.ts")!.length).toBeGreaterThan(3);
    expect(files.length).toBeGreaterThan(150);
  });
});
