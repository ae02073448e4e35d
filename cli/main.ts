// rnnc: flags in, calls out. Each command is a few lines over the compiler's API.
import { parseArgs } from "node:util";
import { checkCommand } from "./check.ts";

const usage = `usage: rnnc <command> [options]

commands:
  check FILE.rnn...     check models; print diagnostics, or a summary of each model
                        --set NAME=VALUE   override a dim or a train setting (repeatable)

options:
  -h, --help            this text`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "-h" || command === "--help" || command === "help") {
    console.log(usage);
    return command ? 0 : 2;
  }
  try {
    switch (command) {
      case "check": {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: { set: { type: "string", multiple: true } },
        });
        return checkCommand(positionals, values.set ?? []);
      }
      default:
        console.error(`rnnc: unknown command '${command}'\n\n${usage}`);
        return 2;
    }
  } catch (error) {
    // Bad flags are the user's to fix; anything else is ours, said in one line, not a stack.
    const message = error instanceof Error ? error.message : String(error);
    const isUsage = (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
    console.error(isUsage ? `rnnc ${command}: ${message}\n\n${usage}` : `rnnc: internal error: ${message}`);
    return isUsage ? 2 : 70;
  }
}

process.exitCode = await main(process.argv.slice(2));
