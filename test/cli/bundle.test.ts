// The CLI's cached bundle (cli/bundle.js): built on first use, reused while its sources are as they
// were, built again when one differs; and when no bundle can be had, rnnc still runs (from the
// sources, under tsx). Each case uses a cache of its own, so as not to disturb the shared one.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

// Inside the package, as the bundle imports packages from the node_modules above it.
mkdirSync("node_modules/.cache", { recursive: true });
const cache = mkdtempSync("node_modules/.cache/rnnc-test-");
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const rnnc = (cacheDir: string, ...args: string[]) => {
  const run = spawnSync(process.execPath, ["cli/rnnc.js", ...args], { encoding: "utf8", timeout: 30_000, env: { ...process.env, RNNC_CACHE_DIR: cacheDir } });
  return { code: run.status, out: run.stdout, err: run.stderr };
};
interface Manifest {
  build: string;
  builtAt: string;
  inputs: Record<string, [number, number]>;
}
const manifest = (): Manifest => JSON.parse(readFileSync(join(cache, "manifest.json"), "utf8")) as Manifest;

describe("the bundle's cache", () => {
  it("is built on first use from the files check imports, then reused, and built again when a source differs", () => {
    expect(rnnc(cache, "check", "examples/parity.rnn").code).toBe(0);
    const first = manifest();
    expect(existsSync(join(cache, first.build, "main.js"))).toBe(true);
    for (const file of ["cli/main.ts", "cli/options.ts", "cli/check.ts", "compiler/index.ts", "cli/bundle.js", "node_modules/chevrotain/package.json"]) {
      expect(first.inputs[file], file).toEqual([statSync(file).mtimeMs, statSync(file).size]);
    }

    expect(rnnc(cache, "--help").code).toBe(0);
    expect(manifest()).toEqual(first);

    // As if cli/options.ts had been edited since the build.
    writeFileSync(join(cache, "manifest.json"), JSON.stringify({ ...first, inputs: { ...first.inputs, "cli/options.ts": [1, 1] } }));
    expect(rnnc(cache, "--help").code).toBe(0);
    const second = manifest();
    expect(second.builtAt).not.toBe(first.builtAt);
    expect(second.inputs["cli/options.ts"]).toEqual(first.inputs["cli/options.ts"]);
  });

  it("cannot be written: rnnc runs all the same", () => {
    const file = join(mkdtempSync(join(tmpdir(), "rnnc-")), "a-file");
    writeFileSync(file, "");
    const { code, out } = rnnc(join(file, "cache"), "check", "examples/parity.rnn");
    expect(code).toBe(0);
    expect(out).toContain("model parity");
  });
});
