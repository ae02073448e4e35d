// Mauna Loa CO2 (data/co2.ts): the package's CSV, the gap filling, the 90/10 split by time, the
// standardisation, the baselines (hand-computed on a small series, plausible on the real one) and
// the JSON Lines files as the data layer reads them.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  applyStandardisation, co2CsvPath, co2Stats, fillMonthlyGaps, invertStandardisation, loadCo2, nextStepRecord,
  parseCo2Csv, persistenceRmse, seasonalDifferenceRmse, seasonalNaiveRmse, standardise, writeCo2Data,
} from "../../data/co2.ts";
import { loadExamples } from "../../data/load-examples.ts";
import type { DataField } from "../../data/fields.ts";

const data = loadCo2();
const monthNumber = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;

describe("the package's CSV", () => {
  it("has a header Date,CO2,adjusted CO2 and one row a measured month", () => {
    const text = readFileSync(co2CsvPath(), "utf8");
    expect(text.split("\n")[0]).toBe("Date,CO2,adjusted CO2");
    expect(text.split("\n")[1]).toBe("1958-03-01,315.70,314.44");
    const measured = parseCo2Csv(text);
    expect(measured.dates).toHaveLength(741);
    expect(measured.values[0]).toBe(315.7);
  });

  it("is parsed strictly: wrong header, bad values and months out of order are errors", () => {
    expect(() => parseCo2Csv("Month,ppm\n1958-03-01,315.7\n")).toThrow(/header/);
    expect(() => parseCo2Csv("Date,CO2\n1958-03-01,\n")).toThrow(/:2: expected a CO2 value/);
    expect(() => parseCo2Csv("Date,CO2\n1958-03-01,-99.99\n")).toThrow(/CO2 value/);
    expect(() => parseCo2Csv("Date,CO2\n1958-04-01,1\n1958-03-01,2\n")).toThrow(/:3: 1958-03 does not come after 1958-04/);
    expect(parseCo2Csv("Date,CO2,adjusted CO2\r\n2000-12-01,370.5,369\r\n")).toEqual({ dates: ["2000-12"], values: [370.5] });
  });
});

describe("the monthly series", () => {
  it("fills missing months by linear interpolation, and refuses long gaps", () => {
    const filled = fillMonthlyGaps(["2000-11", "2001-01", "2001-05"], [1, 3, 11]);
    expect(filled.dates).toEqual(["2000-11", "2000-12", "2001-01", "2001-02", "2001-03", "2001-04", "2001-05"]);
    expect(filled.values).toEqual([1, 2, 3, 5, 7, 9, 11]);
    expect(filled.interpolated).toEqual(["2000-12", "2001-02", "2001-03", "2001-04"]);
    expect(() => fillMonthlyGaps(["2000-01", "2000-06"], [1, 2])).toThrow(/4 months missing between 2000-01 and 2000-06/);
  });

  it("covers every month 1958-03..2020-04, five of them interpolated", () => {
    expect(data.values).toHaveLength(746);
    expect([data.dates[0], data.dates[data.dates.length - 1]]).toEqual(["1958-03", "2020-04"]);
    for (let i = 1; i < data.dates.length; i++) expect(monthNumber(data.dates[i]!) - monthNumber(data.dates[i - 1]!)).toBe(1);
    expect(data.interpolated).toEqual(["1958-06", "1958-10", "1964-02", "1964-03", "1964-04"]);
    const at = (date: string) => data.values[data.dates.indexOf(date)]!;
    expect(at("1958-06")).toBeCloseTo((317.51 + 315.86) / 2, 10);
    expect(at("1964-03")).toBeCloseTo((319.57 + 322.26) / 2, 10);
    expect(Math.min(...data.values)).toBeGreaterThan(300);
    expect(Math.max(...data.values)).toBeLessThan(420);
  });

  it("is split 90/10 by time, dates increasing", () => {
    expect([data.train.length, data.test.length]).toEqual([671, 75]);
    expect(data.train.length).toBe(Math.round(0.9 * data.values.length));
    expect([...data.train, ...data.test]).toEqual(data.values);
    expect([...data.trainDates, ...data.testDates]).toEqual(data.dates);
    expect([data.trainDates[data.trainDates.length - 1], data.testDates[0]]).toEqual(["2014-01", "2014-02"]);
    for (const dates of [data.trainDates, data.testDates]) {
      for (let i = 1; i < dates.length; i++) expect(dates[i]! > dates[i - 1]!).toBe(true);
    }
    expect(data.interpolated.every((date) => data.trainDates.includes(date))).toBe(true);
  });
});

describe("standardisation", () => {
  it("uses the mean and population standard deviation, and round-trips", () => {
    const stats = standardise([1, 2, 3, 4]);
    expect(stats.mean).toBe(2.5);
    expect(stats.std).toBeCloseTo(Math.sqrt(1.25), 14);
    const z = applyStandardisation([1, 4, 10], stats);
    expect(z[0]).toBeCloseTo(-1.5 / Math.sqrt(1.25), 14);
    expect(invertStandardisation(z, stats).map((x) => +x.toFixed(10))).toEqual([1, 4, 10]);
    expect(() => standardise([5, 5])).toThrow(/all equal/);
  });

  it("on the real data comes from the training part only", () => {
    const stats = co2Stats(data);
    expect(stats).toMatchObject({ trainMonths: 671, testMonths: 75, firstTestStep: 670, firstTestMonth: "2014-02" });
    expect(stats.mean).toBeCloseTo(data.train.reduce((a, b) => a + b) / 671, 10);
    expect(stats.mean).toBeCloseTo(349.408, 3);
    expect(stats.std).toBeCloseTo(24.206, 3);
    const z = applyStandardisation(data.train, stats);
    expect(standardise(z).mean).toBeCloseTo(0, 12);
    expect(standardise(z).std).toBeCloseTo(1, 12);
    const back = invertStandardisation(applyStandardisation(data.values, stats), stats);
    back.forEach((x, i) => expect(x).toBeCloseTo(data.values[i]!, 10));
  });
});

describe("the baselines", () => {
  // 15 months: a trend of 1 a month plus a season of +3 in the months t % 12 === 2.
  const series = Array.from({ length: 15 }, (_, t) => t + (t % 12 === 2 ? 3 : 0));

  it("seasonal naive equals a hand computation", () => {
    // test months 12, 13, 14: x[t] − x[t−12] = 12−0, 13−1, (14+3)−(2+3) → all 12
    expect(seasonalNaiveRmse(series, 12)).toBe(12);
    // test months 13, 14 of [0..12, 20, 10]: errors 20−1 = 19, 10−2 = 8 → √((361 + 64) / 2)
    const other = [...Array.from({ length: 13 }, (_, t) => t), 20, 10];
    expect(seasonalNaiveRmse(other, 13)).toBeCloseTo(Math.sqrt((361 + 64) / 2), 14);
    expect(() => seasonalNaiveRmse(series, 11)).toThrow(/12 months before/);
  });

  it("persistence and seasonal difference equal hand computations", () => {
    // months 12, 13, 14: x[t] − x[t−1] = 1, 1, 4 → √(18/3)
    expect(persistenceRmse(series, 12)).toBeCloseTo(Math.sqrt(6), 14);
    // month 13: x[12] + x[1] − x[0] = 12 + 1 − 0 = 13 (exact); month 14: 13 + 5 − 1 = 17 (exact)
    expect(seasonalDifferenceRmse(series, 13)).toBe(0);
  });

  it("on the real test months are plausible, in ppm", () => {
    const start = data.train.length;
    const naive = seasonalNaiveRmse(data.values, start);
    expect(naive).toBeCloseTo(2.577, 3);
    // about one year of growth (~2.3 ppm a year in 2014–2020), not more than a season's swing
    expect(naive).toBeGreaterThan(1.5);
    expect(naive).toBeLessThan(4);
    expect(persistenceRmse(data.values, start)).toBeCloseTo(1.429, 3);
    expect(seasonalDifferenceRmse(data.values, start)).toBeCloseTo(0.530, 3);
  });
});

describe("writeCo2Data", () => {
  const fields: DataField[] = [
    { name: "series", role: "input", sequence: true, element: { kind: "vector", size: 1 }, axis: "t" },
    { name: "next", role: "target", sequence: true, element: { kind: "vector", size: 1 }, axis: "t" },
  ];

  it("builds records whose next is series shifted by one", () => {
    expect(nextStepRecord([1, 2, 3])).toEqual({ series: [1, 2], next: [2, 3] });
    expect(() => nextStepRecord([1])).toThrow();
  });

  it("writes one record per file, standardised with the training stats, read by the data layer", async () => {
    const directory = mkdtempSync(join(tmpdir(), "rnnc-co2-"));
    expect(writeCo2Data(directory, data)).toHaveLength(2);
    const stats = standardise(data.train);
    for (const [file, values] of [["co2-train.jsonl", data.train], ["co2-test.jsonl", data.values]] as const) {
      const lines = readFileSync(join(directory, file), "utf8").trimEnd().split("\n");
      expect(lines).toHaveLength(1);
      const record = JSON.parse(lines[0]!) as { series: number[]; next: number[] };
      const z = applyStandardisation(values, stats);
      expect(record.series).toEqual(z.slice(0, -1));
      expect(record.next).toEqual(z.slice(1));
      expect(record.series.slice(1)).toEqual(record.next.slice(0, -1));

      const loaded = await loadExamples(join(directory, file), fields);
      expect(loaded.errors).toEqual([]);
      expect(loaded.examples).toHaveLength(1);
      const series = loaded.examples[0]!.fields.get("series")!, next = loaded.examples[0]!.fields.get("next")!;
      if (series.kind !== "vectors" || next.kind !== "vectors") throw new Error("seq<vec(1)> fields should be vectors");
      expect([series.steps, series.size, next.steps]).toEqual([values.length - 1, 1, values.length - 1]);
      expect(Array.from(series.values.subarray(1))).toEqual(Array.from(next.values.subarray(0, -1)));
    }
    // in the test record, step firstTestStep predicts the first test month
    const { firstTestStep } = co2Stats(data);
    const test = JSON.parse(readFileSync(join(directory, "co2-test.jsonl"), "utf8")) as { next: number[] };
    expect(test.next.length - firstTestStep).toBe(75);
    expect(invertStandardisation([test.next[firstTestStep]!], stats)[0]).toBeCloseTo(data.test[0]!, 10);
    // the training record ends at the last training month
    const train = JSON.parse(readFileSync(join(directory, "co2-train.jsonl"), "utf8")) as { next: number[] };
    expect(invertStandardisation([train.next[train.next.length - 1]!], stats)[0]).toBeCloseTo(data.train[670]!, 10);
  });
});
