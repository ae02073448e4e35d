// One way of writing each field in a whole file. Two forms that each read well on their own
// mean different things when a file mixes them, and nothing downstream could tell:
//
//   seq<token>  a string (a token per character) or an array of strings (a token per string):
//               "abc" on one line and ["ab", "c"] on another would grow one vocabulary with both.
//   class       numbers or strings: labels 1 and "meh" would silently become two classes of one
//               target. A string that spells a number ("2") goes with either: "2" and 2 are one
//               class, as vocabulary.ts sorts them.
//
// The first line that gives a field sets its form; a later line that departs from it is an error
// naming that first line. Values reach here already checked by read-field.ts.

import type { DataField } from "./fields.ts";
import { isNumberLabel } from "./vocabulary.ts";

interface Seen {
  line: number;
  form: string; // how the value was written, in words: "a string (a token per character)"
  example?: string; // the label that set the form, for class fields: `the number 1`
}

/** Remembers how the lines read so far wrote each field; one per file. */
export class WrittenForms {
  private readonly seen = new Map<string, Seen>();

  /** A message when `value` (field `field` of line `line`) is written unlike the earlier lines; else undefined. */
  check(field: DataField, value: unknown, line: number): string | undefined {
    const name = `field ${JSON.stringify(field.name)}`;
    if (field.element.kind === "token" && field.sequence) {
      const form = typeof value === "string" ? "a string (a token per character)" : "an array of strings (a token each)";
      const first = this.first(field.name, { line, form });
      if (first.form === form) return undefined;
      return `${name} is ${form}, but line ${first.line} gave it as ${first.form}; write it the same way on every line`;
    }
    if (field.element.kind !== "class") return undefined;
    const labels = field.sequence && Array.isArray(value) ? value : [value];
    for (const [i, label] of labels.entries()) {
      const form = labelForm(label);
      if (!form) continue;
      const written = `the ${form} ${JSON.stringify(label)}`;
      const first = this.first(field.name, { line, form, example: written });
      if (first.form === form) continue;
      const where = field.sequence ? `${name}[${i}]` : name;
      const earlier = first.line === line ? "this line" : `line ${first.line}`;
      return `${where} is ${written}, but ${earlier} gave ${first.example}; a class field's labels are all numbers or all strings`;
    }
    return undefined;
  }

  private first(field: string, here: Seen): Seen {
    const seen = this.seen.get(field);
    if (seen) return seen;
    this.seen.set(field, here);
    return here;
  }
}

/** "number" or "string"; undefined for a string that spells a number, which fits with either. */
function labelForm(label: unknown): "number" | "string" | undefined {
  if (typeof label === "number") return "number";
  return typeof label === "string" && !isNumberLabel(label) ? "string" : undefined;
}
