// A command's arguments, read against its row of the table in options.ts. node:util's parseArgs
// splits them into tokens (loosely: strict mode would throw its own wording, which names neither
// the command nor the option meant); every problem is then said here, in words, with the option
// the user probably meant.
import { parseArgs } from "node:util";
import { closest } from "../compiler/diagnostics.ts";
import { helpOption, type Camel, type CommandSpec, type OptionSpec, type Values } from "./options.ts";

/** A mistake in how the command was called: printed after "rnnc COMMAND: ", exit code 2. */
export class UsageError extends Error {}

export type Parsed<C extends CommandSpec> = { help: true } | { help: false; values: Values<C>; operands: string[] };

export function parseCommandLine<C extends CommandSpec>(command: C, args: string[]): Parsed<C> {
  const specs: readonly OptionSpec[] = [...command.options, helpOption];
  const config = Object.fromEntries(specs.map((o) => [o.name, { type: o.value ? "string" : "boolean", ...(o.short ? { short: o.short } : {}), multiple: o.multiple ?? false }] as const));
  const { tokens } = parseArgs({ args, options: config, strict: false, allowPositionals: true, tokens: true });
  // --help wins over any mistake next to it: whoever asks for help gets it.
  if (tokens.some((t) => t.kind === "option" && t.name === helpOption.name)) return { help: true };

  const values: Record<string, string | string[] | boolean | undefined> = {};
  for (const o of command.options) values[camel(o.name)] = o.multiple ? [] : o.value ? undefined : false;
  const operands: string[] = [];
  for (const token of tokens) {
    if (token.kind === "positional") operands.push(token.value);
    if (token.kind !== "option") continue;
    const spec = specs.find((o) => o.name === token.name);
    if (!spec) throw new UsageError(unknownOption(token.rawName, specs));
    if (!spec.value) {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value (got ${token.rawName}=${token.value})`);
      values[camel(spec.name)] = true;
      continue;
    }
    const example = `${token.rawName} ${spec.value}`;
    if (token.value === undefined) throw new UsageError(`${token.rawName} needs a value: ${example}`);
    // `--data --valid v.jsonl` most likely forgot the data, rather than naming a file "--valid".
    if (!token.inlineValue && token.value.length > 1 && token.value.startsWith("-")) {
      throw new UsageError(`${token.rawName} needs a value: ${example} (got ${token.value}; if that is the value, write ${token.rawName}=${token.value})`);
    }
    const key = camel(spec.name);
    const previous = values[key];
    values[key] = Array.isArray(previous) ? [...previous, token.value] : token.value;
  }
  return { help: false, values: values as Values<C>, operands };
}

/** "unknown option --vaild; did you mean --valid?" */
function unknownOption(raw: string, specs: readonly OptionSpec[]): string {
  const long = raw.startsWith("--");
  const meant = long ? closest(raw.slice(2), specs.map((o) => o.name)) : undefined;
  return `unknown option ${raw}${meant ? `; did you mean --${meant}?` : ""}`;
}

/** "did you mean train?" among `names`, or nothing. */
export function didYouMean(word: string, names: Iterable<string>): string {
  const meant = closest(word, names);
  return meant ? `; did you mean ${meant}?` : "";
}

export const camel = <S extends string>(name: S) => name.replace(/-(.)/g, (_, c: string) => c.toUpperCase()) as Camel<S>;
