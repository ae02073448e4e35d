// Data errors: one type for every problem found in a data file, printed as `file:line: message`.
//
// The data layer never throws on bad user data: it collects every problem as a DataError,
// skips the offending example and goes on, like the compiler does with diagnostics.

export interface DataError {
  file: string;
  /** 1-based line of the file; 0 when the problem is about the whole file (e.g. it cannot be read). */
  line: number;
  message: string;
}

/** `train.jsonl:17: not valid JSON: …`, or `train.jsonl: …` for a whole-file problem. */
export function formatDataError(error: DataError): string {
  return error.line > 0 ? `${error.file}:${error.line}: ${error.message}` : `${error.file}: ${error.message}`;
}

/** The first `limit` errors, one a line, then a count of the ones left out. */
export function formatDataErrors(errors: readonly DataError[], limit = 20): string {
  const shown = errors.slice(0, limit).map(formatDataError);
  const hidden = errors.length - shown.length;
  if (hidden > 0) shown.push(`… and ${hidden} more error${hidden === 1 ? "" : "s"} (${errors.length} in all)`);
  return shown.join("\n");
}
