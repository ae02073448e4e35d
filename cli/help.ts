// The help texts, written from the table of commands and options (options.ts): `rnnc --help`
// lists the commands, `rnnc COMMAND --help` that command's options.
import { commands, helpOption, type CommandName, type CommandSpec, type OptionSpec } from "./options.ts";

/** Where the help column starts, unless a left column is wider. */
const COLUMN = 24;

export function usage(): string {
  const rows = (Object.entries(commands) as [CommandName, CommandSpec][]).map(([name, c]) => [`${name} ${c.usage}`, c.summary] as const);
  return [
    "usage: rnnc <command> [options]",
    "",
    "commands:",
    ...table(rows),
    "",
    "options:",
    ...table([optionRow(helpOption)]),
    "",
    "rnnc COMMAND --help lists the options of a command.",
  ].join("\n");
}

export function commandHelp(name: CommandName): string {
  const command: CommandSpec = commands[name];
  return [
    `usage: rnnc ${name} ${command.usage} [options]`,
    "",
    command.summary,
    "",
    "options:",
    ...table([...command.options, helpOption].map(optionRow)),
  ].join("\n");
}

function optionRow(o: OptionSpec): readonly [string, string] {
  const names = o.short ? `-${o.short}, --${o.name}` : `--${o.name}`;
  return [o.value ? `${names} ${o.value}` : names, o.help];
}

/** Two columns; a left cell too wide for its column puts its text on the lines below. */
function table(rows: readonly (readonly [string, string])[]): string[] {
  const lines: string[] = [];
  const indent = " ".repeat(COLUMN);
  for (const [left, text] of rows) {
    const [first, ...rest] = text.split("\n");
    const cell = `  ${left}`;
    if (cell.length + 2 <= COLUMN) lines.push(cell.padEnd(COLUMN) + first);
    else lines.push(cell, indent + first);
    for (const line of rest) lines.push(indent + line);
  }
  return lines;
}
