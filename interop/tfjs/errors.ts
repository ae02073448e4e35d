// A user's problem with a tfjs export or import: a model that has no tfjs counterpart, files
// that are not a tfjs layers model, weights that do not fit. The CLI prints the message as is.
export class TfjsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TfjsError";
  }
}
