// rnnc: arguments in, a command's exit code out. What each command takes is the table in
// options.ts (which also writes the help); here each command is run. A command's module is
// imported only when that command runs, so that help and mistakes answer without loading the
// compiler. cli/rnnc.js calls main().
import { UsageError, didYouMean, parseCommandLine } from "./args.ts";
import { commandHelp, usage } from "./help.ts";
import { commands, type CommandName, type Values } from "./options.ts";
import { printable } from "../compiler/escape.ts";
import { grouped } from "../compiler/limits.ts";

/** What the launcher (cli/rnnc.js) provides. */
export interface Launcher {
  /** Makes import() of TypeScript files work (registers tsx's loader, unless the CLI already runs under it). */
  loadTypeScript(): Promise<void>;
}

interface Runner<N extends CommandName> {
  /** Imports TypeScript at run time: the emitted model module (cli/compiled-model.ts), so it needs the loader. */
  typescript?: boolean;
  run(values: Values<(typeof commands)[N]>, operands: string[]): Promise<number>;
}

// Each command's values arrive under the names its Args interface uses (options.ts camelCases
// them); only --set is renamed (sets), and the defaults that live with the commands are filled in.
const runners: { [N in CommandName]: Runner<N> } = {
  check: {
    run: async (v, files) => (await import("./check.ts")).checkCommand(files, v.set),
  },
  compile: {
    run: async (v, [file]) => (await import("./compile.ts")).compileCommand({ ...v, file, sets: v.set }),
  },
  train: {
    typescript: true,
    run: async (v, [file]) => (await import("./train.ts")).trainCommand({ ...v, file, sets: v.set, backend: v.backend ?? (await defaultBackend()) }),
  },
  sample: {
    typescript: true,
    run: async (v, [file]) => (await import("./sample.ts")).sampleCommand({ ...v, file, sets: v.set }),
  },
  evaluate: {
    typescript: true,
    run: async (v, [file]) => (await import("./evaluate.ts")).evaluateCommand({ ...v, file, sets: v.set, backend: v.backend ?? (await defaultBackend()) }),
  },
  predict: {
    typescript: true,
    run: async (v, [file]) => (await import("./predict.ts")).predictCommand({ ...v, file, sets: v.set, backend: v.backend ?? (await defaultBackend()) }),
  },
  export: {
    run: async (v, [file]) => (await import("./export.ts")).exportCommand({ ...v, file, sets: v.set }),
  },
  import: {
    run: async (v, positionals) => (await import("./import.ts")).importCommand({ ...v, positionals, sets: v.set }),
  },
  report: {
    run: async (v, dirs) => (await import("./report.ts")).reportCommand(dirs, v.output),
  },
};

const defaultBackend = async () => (await import("./backends.ts")).DEFAULT_BACKEND;

const noLauncher: Launcher = { loadTypeScript: async () => {} };

export async function main(argv: string[], launcher: Launcher = noLauncher): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    console.log(usage());
    return 2;
  }
  if (first === "-h" || first === "--help") {
    console.log(usage());
    return 0;
  }
  if (first === "help") return help(rest[0]);
  if (!isCommand(first)) {
    const problem = first.startsWith("-") ? `unknown option ${first}: options go after the command` : `unknown command '${first}'${didYouMean(first, [...Object.keys(commands), "help"])}`;
    console.error(printable(`rnnc: ${problem}\n(rnnc --help lists the commands)`, "\n"));
    return 2;
  }
  return run(first, rest, launcher);
}

async function run<N extends CommandName>(name: N, args: string[], launcher: Launcher): Promise<number> {
  try {
    const parsed = parseCommandLine(commands[name], args);
    if (parsed.help) {
      console.log(commandHelp(name));
      return 0;
    }
    const operands: string = commands[name].operands;
    const resuming = (parsed.values as { resume?: string }).resume !== undefined;
    if (operands === "model" || (operands === "model unless resuming" && !resuming)) oneModel(name, parsed.operands);
    if (resuming && parsed.operands.length > 0) throw new UsageError(`--resume continues the run's own model: drop ${parsed.operands.join(" ")}`);
    const runner: Runner<N> = runners[name];
    if (runner.typescript) await launcher.loadTypeScript();
    return await runner.run(parsed.values, parsed.operands);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(printable(`rnnc ${name}: ${error.message}\n(rnnc ${name} --help lists its options)`, "\n"));
      return 2;
    }
    // Memory running out is the run's size, not a bug: said so, with the figure the error gives (cli/memory.ts checks before, this is the backstop).
    const outOfMemory = outOfMemoryMessage(error);
    if (outOfMemory) {
      console.error(`rnnc ${name}: ${outOfMemory}`);
      return 1;
    }
    // A user's problem is a command's Stop, printed by the command; anything else is ours, said in one line, not a stack.
    console.error(printable(`rnnc: internal error: ${error instanceof Error ? error.message : String(error)}`, "\n"));
    return 70;
  }
}

/** `rnnc help` and `rnnc help COMMAND`. */
function help(name: string | undefined): number {
  if (name === undefined) {
    console.log(usage());
    return 0;
  }
  if (!isCommand(name)) {
    console.error(printable(`rnnc help: unknown command '${name}'${didYouMean(name, Object.keys(commands))}\n(rnnc --help lists the commands)`, "\n"));
    return 2;
  }
  console.log(commandHelp(name));
  return 0;
}

const isCommand = (name: string): name is CommandName => Object.hasOwn(commands, name);

function oneModel(command: string, operands: string[]): void {
  if (operands.length === 0) throw new UsageError(`name the model, e.g. rnnc ${command} examples/parity.rnn${command === "train" || command === "evaluate" ? " --data …" : ""}`);
  if (operands.length > 1) throw new UsageError(`one model at a time (got ${operands.join(", ")})`);
}

/** An allocation that failed (a typed array, an ArrayBuffer, WebAssembly memory, the heap) in words; undefined for any other error. */
export function outOfMemoryMessage(error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  if (!/Invalid typed array length|Array buffer allocation failed|WebAssembly\.Memory\.grow|Invalid array length|Array buffer size|allocation failed|out of memory/i.test(message)) return undefined;
  const length = /Invalid typed array length: (\d+)/.exec(message)?.[1];
  const bytes = /(\d+) bytes/.exec(message)?.[1];
  const figure = length ? `an array of ${grouped(Number(length))} numbers` : bytes ? `${grouped(Number(bytes))} bytes` : "more memory";
  return `out of memory: the run needed ${figure}, more than could be allocated (${message}); lower the dims, --batch or the sequence length (--memory-limit sets what a run may use)`;
}
