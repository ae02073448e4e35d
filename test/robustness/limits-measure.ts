// Run by limits.test.ts in a process of its own (`tsx limits-measure.ts MODEL BACKEND H B T`): what
// a compiled model really allocates for one training batch — typed arrays (process.memoryUsage's
// arrayBuffers) for compiled-ts, the resident size for compiled (its WebAssembly memory is not an
// ArrayBuffer Node counts) — beside cli/memory.ts's estimate, as one JSON line.
import { readFileSync } from "node:fs";
import { checkSource, differentiatedProgram } from "../../compiler/index.ts";
import { compiledModel } from "../../cli/compiled-model.ts";
import { estimate, layoutFor } from "../../cli/memory.ts";
import type { ModelBatch } from "../../runtime/model.ts";

const [file, backend, H, B, T] = process.argv.slice(2);
const source = readFileSync(file, "utf8");
const checked = checkSource(source, file, { overrides: new Map([["H", Number(H)]]) }).models[0];
const sizes = new Map<string, number>();
for (const d of checked.data) sizes.set(d.type.element.kind === "class" ? `classes(${d.name})` : `vocab(${d.name})`, 60);
const program = differentiatedProgram(checked, sizes);
const model = await compiledModel(program, "float32", backend === "compiled");
const [b, t] = [Number(B), Number(T)];
const measure = () => (backend === "compiled" ? process.memoryUsage().rss : process.memoryUsage().arrayBuffers);
const before = measure();
const params = model.createParams();
const grads = model.createParams();
const fields = new Map<string, Float32Array>();
for (const d of model.data) fields.set(d.name, new Float32Array((d.sequence ? t : 1) * b * (d.kind === "ids" ? 1 : d.size)));
const lengths: ModelBatch["lengths"] = {};
for (const d of model.data) if (d.axis) lengths[d.axis] = new Int32Array(b).fill(t);
model.lossAndGrad(params, grads, { size: b, fields, lengths });
const measured = measure() - before;
const estimated = estimate(layoutFor(program, backend), { batch: b, steps: { t, s: t }, moments: 0 }).total;
console.log(JSON.stringify({ measured, estimated }));
