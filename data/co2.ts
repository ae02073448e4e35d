// Atmospheric CO2 at Mauna Loa, monthly: the data set behind examples/co2.rnn (a GRU that reads the
// series one month at a time and predicts the next month), from the npm package `vega-datasets`.
//
// Format of the package: `data/co2-concentration.csv`, UTF-8, "\n" line ends, a header line
// `Date,CO2,adjusted CO2`, then one row a month in date order: `1958-03-01,315.70,314.44`. CO2 is the
// monthly mean mole fraction in ppm (Scripps CO2 Program, in-situ record, 2012 SIO manometric
// scale; the package's datapackage.json: "adjusted to 24:00 hours on the 15th of each month", so
// the "-01" day of the Date column is only a label); "adjusted CO2" is the same with the seasonal
// cycle (a 4-harmonic fit) removed. Only the CO2 column is used. The package's JavaScript entry
// point fetches its files from a CDN; nothing here does: the CSV is read from node_modules.
//
// What the file holds, and what is done with it:
// - 741 rows, 1958-03 to 2020-04 (746 calendar months). No empty or non-numeric values; instead
//   ("Only includes rows with valid data") the rows of 5 months are absent: 1958-06, 1958-10 (each
//   alone) and 1964-02..1964-04 (three in a row).
// - Missing months are filled by linear interpolation between the two neighbouring measured months
//   (a run of k missing months gets the k evenly spaced points between them). Every filled month is
//   listed in `interpolated`. A run longer than MAX_GAP (3) months is refused, not guessed. The
//   three-month gap is not isolated, but it lies on the spring rise of the seasonal cycle, which
//   is close to linear: an estimate that respects the season (interpolate "adjusted CO2", add back
//   the mean seasonal offset CO2 − adjusted of that calendar month over the years around it)
//   differs from the linear one by 0.39 ppm (1958-06), 0.63 (1958-10), 0.11, 0.16, 0.19 (1964).
//   All five months are in the training part, long before the test months.
// - Split by time, not at random: the first 90% of the months (Math.round(0.9 × 746) = 671,
//   1958-03..2014-01) are the training part, the last 75 (2014-02..2020-04) the test part.
//
// Standardisation: mean and (population, ÷n) standard deviation of the TRAINING part only —
// 349.41 ppm and 24.21 ppm. The series rises throughout, so the test part lies above anything in
// training: up to 2.76 standard deviations above the mean (416.18 ppm), the training maximum being
// 2.09 (399.98 ppm). A model of levels has to extrapolate.
//
// The files (writeCo2Data). The model reads x[t] and predicts x[t+1]:
//     h[t] = cell(series[t], h[t-1]);  loss mse(out(h[t]), next[t])
// so a record is `series` = x[0..m-2] and `next` = x[1..m-1] (m−1 steps), standardised, as flat
// arrays of numbers (the data layer's form for seq<vec(1)>).
//   co2-train.jsonl  one record: the training part, 670 steps (next[669] is 2014-01, the last
//                    training month: nothing of the test part is in it).
//   co2-test.jsonl   one record: the whole series, 745 steps, standardised with the training stats,
//                    so a model can be run over the full history. Only the steps that predict a test
//                    month are scored: t = firstTestStep (670) .. 744, 75 steps, next[t] = x[t+1].
// RMSE in ppm = RMSE of the standardised values × std (the mean cancels in a difference).
//
// Baselines on the test months, in ppm (see the functions below):
//   seasonal naive       x[t-12]                      2.577
//   persistence          x[t-1]                       1.429
//   seasonal difference  x[t-1] + x[t-12] − x[t-13]   0.530
// The model predicts one month ahead from everything before it, so all three use only information
// the model has; the seasonal naive forecast ignores the ~2 ppm a year of growth and is the weakest.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The longest run of missing months that is filled by interpolation; a longer one is an error. */
export const MAX_GAP = 3;
/** The share of the months, from the start, that are the training part. */
export const TRAIN_SHARE = 0.9;

export interface Co2Series {
  /** Every calendar month from the first to the last row, "YYYY-MM", consecutive. */
  dates: string[];
  /** CO2 in ppm, one a month, missing months interpolated. */
  values: number[];
  /** The months that were missing from the file and were interpolated, "YYYY-MM". */
  interpolated: string[];
}

export interface Co2Split extends Co2Series {
  /** The first 90% of the months (ppm) and their dates. */
  train: number[];
  trainDates: string[];
  /** The last 10% of the months (ppm) and their dates. */
  test: number[];
  testDates: string[];
}

export interface Standardisation {
  mean: number;
  std: number;
}

/** The path of the CSV in the installed vega-datasets package. */
export function co2CsvPath(): string {
  // The package's "exports" hide package.json, so resolve its entry point (build/index.js).
  const entry = createRequire(import.meta.url).resolve("vega-datasets");
  return join(dirname(entry), "..", "data", "co2-concentration.csv");
}

/** "1958-03" → a month number (year × 12 + month − 1), and back. */
function monthNumber(date: string): number {
  return Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
}
function monthLabel(month: number): string {
  return `${String(Math.floor(month / 12)).padStart(4, "0")}-${String((month % 12) + 1).padStart(2, "0")}`;
}

/** The measured months of the CSV text: dates "YYYY-MM" (strictly increasing) and CO2 in ppm. */
export function parseCo2Csv(text: string, file = "co2-concentration.csv"): { dates: string[]; values: number[] } {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  const header = lines[0]?.split(",").map((name) => name.trim());
  const column = header?.indexOf("CO2") ?? -1;
  if (!header || header[0] !== "Date" || column < 0) throw new Error(`${file}:1: expected a header "Date,CO2,…", got ${JSON.stringify(lines[0])}`);
  const dates: string[] = [], values: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const cells = lines[i]!.split(",");
    const where = `${file}:${i + 1}`;
    const date = /^(\d{4})-(\d{2})-\d{2}$/.exec(cells[0]!.trim());
    if (!date || Number(date[2]) < 1 || Number(date[2]) > 12) throw new Error(`${where}: expected a date YYYY-MM-DD, got ${JSON.stringify(cells[0])}`);
    const cell = cells[column]?.trim() ?? "";
    const value = Number(cell);
    if (cell === "" || !Number.isFinite(value) || value <= 0) throw new Error(`${where}: expected a CO2 value in ppm, got ${JSON.stringify(cell)}`);
    const label = `${date[1]}-${date[2]}`;
    if (dates.length > 0 && monthNumber(label) <= monthNumber(dates[dates.length - 1]!)) {
      throw new Error(`${where}: ${label} does not come after ${dates[dates.length - 1]} (the rows must be in date order, one a month)`);
    }
    dates.push(label);
    values.push(value);
  }
  if (dates.length === 0) throw new Error(`${file}: no data rows`);
  return { dates, values };
}

/**
 * Measured months → one value for every calendar month from the first to the last: a run of k
 * missing months between measured months a and b (months i and j) gets
 * a + (b − a)·(m − i)/(j − i) for each missing month m. Runs longer than maxGap are an error.
 */
export function fillMonthlyGaps(dates: readonly string[], values: readonly number[], maxGap = MAX_GAP): Co2Series {
  const series: Co2Series = { dates: [], values: [], interpolated: [] };
  for (let k = 0; k < dates.length; k++) {
    if (k > 0) {
      const from = monthNumber(dates[k - 1]!), to = monthNumber(dates[k]!);
      if (to - from - 1 > maxGap) {
        throw new Error(`co2: ${to - from - 1} months missing between ${dates[k - 1]} and ${dates[k]} (at most ${maxGap} are interpolated)`);
      }
      for (let month = from + 1; month < to; month++) {
        const a = values[k - 1]!, b = values[k]!;
        series.dates.push(monthLabel(month));
        series.values.push(a + ((b - a) * (month - from)) / (to - from));
        series.interpolated.push(monthLabel(month));
      }
    }
    series.dates.push(dates[k]!);
    series.values.push(values[k]!);
  }
  return series;
}

/** The number of training months for a series of n months: the first 90%, rounded. */
export function trainMonthsOf(n: number): number {
  return Math.round(TRAIN_SHARE * n);
}

/** The monthly series from the package, gaps interpolated, split 90/10 by time. */
export function loadCo2(path = co2CsvPath()): Co2Split {
  const measured = parseCo2Csv(readFileSync(path, "utf8"), path);
  const series = fillMonthlyGaps(measured.dates, measured.values);
  const cut = trainMonthsOf(series.values.length);
  return {
    ...series,
    train: series.values.slice(0, cut),
    trainDates: series.dates.slice(0, cut),
    test: series.values.slice(cut),
    testDates: series.dates.slice(cut),
  };
}

// ---------------------------------------------------------------------------------------------
// Standardisation.

/** Mean and population standard deviation (÷n) of `values` — pass the TRAINING part only. */
export function standardise(values: readonly number[]): Standardisation {
  if (values.length === 0) throw new RangeError("standardise: no values");
  const mean = values.reduce((sum, x) => sum + x, 0) / values.length;
  const std = Math.sqrt(values.reduce((sum, x) => sum + (x - mean) ** 2, 0) / values.length);
  if (!(std > 0)) throw new RangeError("standardise: the values are all equal (standard deviation 0)");
  return { mean, std };
}

/** (x − mean) / std, elementwise. */
export function applyStandardisation(values: readonly number[], stats: Standardisation): number[] {
  return values.map((x) => (x - stats.mean) / stats.std);
}

/** z · std + mean, elementwise: standardised values back to ppm. */
export function invertStandardisation(values: readonly number[], stats: Standardisation): number[] {
  return values.map((z) => z * stats.std + stats.mean);
}

// ---------------------------------------------------------------------------------------------
// Baselines: one-month-ahead forecasts scored on the test months, RMSE in the series' units (ppm).

/** √(mean over t = testStart..n−1 of (x[t] − forecast(t))²). */
export function forecastRmse(series: readonly number[], testStart: number, forecast: (t: number) => number): number {
  if (!(Number.isInteger(testStart) && testStart >= 0 && testStart < series.length)) {
    throw new RangeError(`forecastRmse: testStart ${testStart} is not a month of a series of ${series.length}`);
  }
  let sum = 0;
  for (let t = testStart; t < series.length; t++) sum += (series[t]! - forecast(t)) ** 2;
  return Math.sqrt(sum / (series.length - testStart));
}

function needHistory(testStart: number, months: number, what: string): void {
  if (testStart < months) throw new RangeError(`${what}: the first test month needs ${months} months before it (testStart = ${testStart})`);
}

/** "The value 12 months earlier": RMSE over the test months of x[t] − x[t−12]. */
export function seasonalNaiveRmse(series: readonly number[], testStart: number): number {
  needHistory(testStart, 12, "seasonalNaiveRmse");
  return forecastRmse(series, testStart, (t) => series[t - 12]!);
}

/** "Last month's value": RMSE over the test months of x[t] − x[t−1]. */
export function persistenceRmse(series: readonly number[], testStart: number): number {
  needHistory(testStart, 1, "persistenceRmse");
  return forecastRmse(series, testStart, (t) => series[t - 1]!);
}

/** "Last month plus last year's change from this month to the next": x[t−1] + x[t−12] − x[t−13]. */
export function seasonalDifferenceRmse(series: readonly number[], testStart: number): number {
  needHistory(testStart, 13, "seasonalDifferenceRmse");
  return forecastRmse(series, testStart, (t) => series[t - 1]! + series[t - 12]! - series[t - 13]!);
}

// ---------------------------------------------------------------------------------------------
// Files.

export const DEFAULT_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), "generated");

export interface Co2Stats extends Standardisation {
  trainMonths: number;
  testMonths: number;
  /** In co2-test.jsonl, the first step whose `next` is a test month (= trainMonths − 1). */
  firstTestStep: number;
  firstTestMonth: string;
}

/** The training mean and std (ppm) and the split sizes: RMSE_ppm = RMSE_standardised × std. */
export function co2Stats(data: Co2Split = loadCo2()): Co2Stats {
  return {
    ...standardise(data.train),
    trainMonths: data.train.length,
    testMonths: data.test.length,
    firstTestStep: data.train.length - 1,
    firstTestMonth: data.testDates[0]!,
  };
}

/** A record for `series: seq<vec(1)>`, `next: seq<vec(1)>`: x[0..m−2] and x[1..m−1]. */
export function nextStepRecord(values: readonly number[]): { series: number[]; next: number[] } {
  if (values.length < 2) throw new RangeError("nextStepRecord: a series of at least 2 values is needed");
  return { series: values.slice(0, -1), next: values.slice(1) };
}

/**
 * Writes `co2-train.jsonl` (one record: the standardised training part) and `co2-test.jsonl` (one
 * record: the whole series, standardised with the training stats) into `directory`.
 * Returns one line of summary per file.
 */
export function writeCo2Data(directory: string, data: Co2Split = loadCo2()): string[] {
  mkdirSync(directory, { recursive: true });
  const stats = standardise(data.train);
  const summary: string[] = [];
  const files = [
    ["co2-train.jsonl", data.train, `${data.trainDates[0]}..${data.trainDates[data.trainDates.length - 1]}`],
    ["co2-test.jsonl", data.values, `${data.dates[0]}..${data.dates[data.dates.length - 1]}, steps ${data.train.length - 1}.. predict the ${data.test.length} test months`],
  ] as const;
  for (const [file, values, note] of files) {
    const record = nextStepRecord(applyStandardisation(values, stats));
    const path = join(directory, file);
    writeFileSync(path, JSON.stringify(record) + "\n");
    summary.push(`${path}: 1 record, ${record.series.length} steps (${note})`);
  }
  return summary;
}

//   npx tsx data/co2.ts [directory]      writes the two files (default data/generated/) and prints the baselines
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const data = loadCo2();
  for (const line of writeCo2Data(process.argv[2] ?? DEFAULT_DIRECTORY, data)) console.log(line);
  const stats = co2Stats(data);
  const start = stats.trainMonths;
  console.log(`${data.values.length} months ${data.dates[0]}..${data.dates[data.dates.length - 1]}, interpolated: ${data.interpolated.join(" ") || "none"}; ` +
    `train ${stats.trainMonths} months, test ${stats.testMonths} (from ${stats.firstTestMonth}); mean ${stats.mean.toFixed(3)} ppm, std ${stats.std.toFixed(3)} ppm`);
  console.log(`RMSE on the test months (ppm): seasonal naive ${seasonalNaiveRmse(data.values, start).toFixed(3)}, ` +
    `persistence ${persistenceRmse(data.values, start).toFixed(3)}, seasonal difference ${seasonalDifferenceRmse(data.values, start).toFixed(3)}`);
}
