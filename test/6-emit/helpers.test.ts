// The functions a generated module carries for itself (6-emit/helpers.ts): normalCdf, Φ for gelu,
// written from the same coefficient arrays as the compiler's Φ (ir/normal-cdf.ts), must compute
// exactly what the interpreter's does; it is in a module only when the module calls it; and a
// module with it type-checks under tsc --strict.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { emitModule } from "../../compiler/6-emit/index.ts";
import { normalCdfCode } from "../../compiler/6-emit/helpers.ts";
import { lower } from "../../compiler/3-lower/index.ts";
import { differentiate } from "../../compiler/4-differentiate/index.ts";
import { checkSource } from "../../compiler/index.ts";
import { normalCdf } from "../../compiler/ir/normal-cdf.ts";

const OUT = "test/6-emit/.generated";

/** The module's normalCdf on its own, written out and imported as the modules are (harness.ts). */
async function emittedNormalCdf(): Promise<(x: number) => number> {
  const file = `${OUT}/helper-normal-cdf.ts`;
  writeFileSync(file, `${normalCdfCode}\nexport default normalCdf;\n`);
  return (await import(/* @vite-ignore */ `${pathToFileURL(resolve(file)).href}?${Date.now()}`)).default;
}

const model = (activation: string) => `
model helper {
  dims { H = 3 }
  input  x: seq<vec(2)>
  target y: seq<vec(1)>
  layer inp = dense(2, H)
  layer out = dense(H, 1)
  h[t] = ${activation}(inp(x[t]) + h[t-1])
  loss mse(out(h[t]), y[t])
}`;

const moduleFor = (activation: string) => {
  const checked = checkSource(model(activation), "helper.rnn");
  return emitModule(differentiate(lower(checked.models[0], new Map())), { dtype: "float32", runtime: "../../../runtime/model.ts" });
};

describe("the helpers generated modules carry", () => {
  it("normalCdf computes exactly the compiler's Φ, across its three ranges and its tails", async () => {
    const phi = await emittedNormalCdf();
    const points = [0, -0, 1e-300, 0.3, 0.66, 0.67, 5.6, 5.7, 37.5, 38, -38, -40, Infinity, -Infinity];
    for (let x = -40; x <= 40; x += 0.0137) points.push(x);
    const differing = points.filter((x) => !Object.is(phi(x), normalCdf(x)));
    expect(differing).toEqual([]);
    expect(Number.isNaN(phi(NaN))).toBe(true);
  });

  it("Φ is accurate: symmetric to 1e-16, and against known values", () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 15);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 15);
    expect(normalCdf(-10) / 7.619853024160527e-24).toBeCloseTo(1, 12); // the left tail keeps its relative accuracy
    for (let x = 0; x < 8; x += 0.1) expect(Math.abs(normalCdf(x) + normalCdf(-x) - 1)).toBeLessThan(2e-16);
  });

  it("is in a module only when the module calls it, and type-checks there under tsc --strict", () => {
    expect(moduleFor("tanh")).not.toContain("normalCdf");
    const code = moduleFor("gelu");
    expect(code).toContain("const normalCdf = ");
    const file = `${OUT}/helper-gelu-float32.ts`;
    writeFileSync(file, code);
    const tsc = "node_modules/.bin/tsc";
    const output = (() => {
      try {
        return execFileSync(tsc, ["--ignoreConfig", "--noEmit", "--strict", "--target", "ES2022", "--module", "NodeNext", "--moduleResolution", "NodeNext", "--allowImportingTsExtensions", "--skipLibCheck", file], { encoding: "utf8" });
      } catch (error) {
        return (error as { stdout: string }).stdout;
      }
    })();
    expect(output).toBe("");
  }, 60_000);
});
