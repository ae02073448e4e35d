// The one place a name from the user's source becomes part of generated code. Identifiers are
// reduced to [A-Za-z0-9_] and carry a number that keeps them distinct, so no input can break
// out of them or collide; text that must stay as written goes into a string literal (JSON) or a
// comment that cannot be ended early.

/** `enc.W`, 3 → `p3_enc_W`: readable, unique by its number, and only ever [A-Za-z0-9_]. */
export function identifier(prefix: string, index: number, name: string): string {
  return `${prefix}${index}_${name.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

/** A string literal holding exactly `text`. */
export const literal = (text: string) => JSON.stringify(text);

/** A comment holding `text` on one line, with nothing that could end it early. */
export const comment = (text: string) => `// ${text.replace(/[\r\n\u2028\u2029]+/g, " ")}`;
