// Trains examples/co2.rnn with truncated BPTT (bptt 64: the state carried from window to window)
// on the Mauna Loa CO2 monthly series of vega-datasets (data/co2-concentration.csv), the last
// 10% of the months held out, and prints the held-out RMSE next to the seasonal-naive baseline
// (the value 12 months earlier), both computed here on the same months.
//
// What the model reads and predicts: the month-to-month change, standardised on the training
// months (the level itself leaves the training range in the test years, where a tanh-bounded
// state would have to extrapolate). Its one-month-ahead forecast of the level is the last
// level plus the predicted change. Extra arguments go to `rnnc train`.
import { mkdirSync, writeFileSync } from "node:fs";
import { checkpointVocabularies, readCheckpoint, restoreParams } from "../cli/checkpoints.ts";
import { modelFields } from "../cli/model-data.ts";
import { toModelBatch } from "../data/batches.ts";
import { backendNamed, compileModel, loadModel } from "../cli/setup.ts";
import { trainCommand } from "../cli/train.ts";
import { encodeExamples } from "../data/examples.ts";
import { forecastRmse, loadCo2, persistenceRmse, seasonalDifferenceRmse, seasonalNaiveRmse, standardise } from "../data/co2.ts";

const dir = "out/co2";
mkdirSync(dir, { recursive: true });
const co2 = loadCo2();
const x = co2.values;
const testStart = co2.train.length; // the first held-out month
const change = x.map((v, t) => (t === 0 ? 0 : v - x[t - 1])); // change[t] = x[t] − x[t−1]
const stats = standardise(change.slice(1, testStart));
const z = change.map((d) => (d - stats.mean) / stats.std);
// The model reads z[t] and predicts z[t+1]: training uses the training months only.
const record = (from: number, to: number) => ({ series: z.slice(from, to - 1), next: z.slice(from + 1, to) });
writeFileSync(`${dir}/co2-train.jsonl`, JSON.stringify(record(1, testStart)) + "\n");
console.log(`CO2: ${x.length} months (${co2.dates[0]} to ${co2.dates.at(-1)}), ${co2.test.length} held out from ${co2.testDates[0]}`);

const extra = process.argv.slice(2);
const sets = extra.flatMap((a, i) => (extra[i - 1] === "--set" ? [a] : []));
const checkpoint = `${dir}/co2.ckpt.json`;
const code = await trainCommand({ file: "examples/co2.rnn", data: `${dir}/co2-train.jsonl`, sets, checkpoint, overwrite: true, backend: "compiled", quiet: false, skipInvalid: false });
if (code !== 0) process.exit(code);

// Run the trained model over the whole series (its state carried through the training years
// into the test years), and score its forecasts of the held-out months in ppm.
const saved = readCheckpoint(checkpoint);
const { model: checked } = loadModel("examples/co2.rnn", new Map(Object.entries((saved.meta.overrides ?? {}) as Record<string, number>)));
const fields = modelFields(checked);
const model = await compileModel(checked, checkpointVocabularies(saved, fields, checkpoint), checkpoint, backendNamed("compiled"));
const params = restoreParams(readCheckpoint(checkpoint, model), model);
const whole = encodeExamples([{ line: 1, value: record(1, x.length) }], fields, new Map(), { file: "co2" });
const [predicted] = model.predict(params, toModelBatch(whole.examples, [0], model.data, { arrays: Float32Array }));
// predicted[i] is z at step i + 2 (the record starts at month 1 and predicts the month after).
const forecast = (t: number) => x[t - 1] + (predicted[t - 2] * stats.std + stats.mean);
const rmse = forecastRmse(x, testStart, forecast);
console.log(`held-out RMSE over ${co2.test.length} months: co2.rnn ${rmse.toFixed(3)} ppm; seasonal naive ${seasonalNaiveRmse(x, testStart).toFixed(3)} ppm ` +
  `(persistence ${persistenceRmse(x, testStart).toFixed(3)}, seasonal difference ${seasonalDifferenceRmse(x, testStart).toFixed(3)})`);
