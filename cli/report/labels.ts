// What to call each run on the page: its directory, and when several runs are compared, the
// settings in which they differ (`runs/names/2 (lr 0.01, H 64)`), since a legend of bare run
// numbers would send the reader to the settings tables to tell the curves apart.
import type { Run } from "./read.ts";

/** At most this many differing settings in a label; the tables below have them all. */
const MAX_DIFFERENCES = 3;

/** A run's settings as flat `path → value text`: the train settings, the --set overrides, the model and the data. */
export function flatSettings(run: Run): Map<string, string> {
  const flat = new Map<string, string>();
  const s = run.settings;
  if (s.model !== undefined) flat.set("model", String(s.model));
  flatten(s.settings ?? {}, "", flat);
  for (const [name, value] of Object.entries(s.overrides ?? {})) if (!flat.has(name)) flat.set(name, String(value));
  if (s.data?.train !== undefined) flat.set("data", s.data.train);
  return flat;
}

function flatten(value: unknown, path: string, into: Map<string, string>): void {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flatten(inner, path ? `${path}.${key}` : key, into);
  } else into.set(path, Array.isArray(value) ? value.join(" ") || "none" : String(value));
}

/** The label of each run, in order: its directory, and what sets it apart from the others. */
export function runLabels(runs: readonly Run[]): string[] {
  if (runs.length < 2) return runs.map((r) => r.dir);
  const flats = runs.map(flatSettings);
  const keys = [...new Set(flats.flatMap((f) => [...f.keys()]))];
  const differing = keys.filter((k) => new Set(flats.map((f) => f.get(k) ?? "none")).size > 1);
  // `optimizer.lr` reads as `lr`, unless another differing setting ends the same way.
  const leaf = (k: string) => k.slice(k.lastIndexOf(".") + 1);
  const short = (k: string) => (differing.filter((other) => leaf(other) === leaf(k)).length > 1 ? k : leaf(k));
  return runs.map((run, i) => {
    const parts = differing.slice(0, MAX_DIFFERENCES).map((k) => `${short(k)} ${flats[i].get(k) ?? "none"}`);
    if (differing.length > MAX_DIFFERENCES) parts.push("…");
    return parts.length ? `${run.dir} (${parts.join(", ")})` : run.dir;
  });
}
