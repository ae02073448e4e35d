// Shared by the tests: check a source text and read its diagnostics as a user sees them.
import { checkSource } from "../compiler/index.ts";
import { positionOf } from "../compiler/diagnostics.ts";

export interface Seen {
  line: number;
  column: number;
  message: string;
  hint?: string;
  severity: string;
}

export function diagnose(source: string, file = "test.rnn"): Seen[] {
  return checkSource(source, file).diagnostics.map((d) => ({
    ...positionOf(source, d.span.start),
    message: d.message,
    ...(d.hint ? { hint: d.hint } : {}),
    severity: d.severity,
  }));
}

export const errors = (source: string) => diagnose(source).filter((d) => d.severity === "error");

/** Line and column where `marker` (its `nth` occurrence, from 1) starts in `source`. */
export function at(source: string, marker: string, nth = 1): { line: number; column: number } {
  let offset = -1;
  for (let i = 0; i < nth; i++) {
    offset = source.indexOf(marker, offset + 1);
    if (offset < 0) throw new Error(`marker ${JSON.stringify(marker)} (occurrence ${nth}) is not in the source`);
  }
  return positionOf(source, offset);
}
