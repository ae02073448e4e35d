// rnnc: flags in, calls out. Each command is a few lines over the compiler's API.
import { parseArgs } from "node:util";
import { DEFAULT_BACKEND } from "./backends.ts";
import { checkCommand } from "./check.ts";
import { compileCommand } from "./compile.ts";
import { evaluateCommand } from "./evaluate.ts";
import { trainCommand } from "./train.ts";

const usage = `usage: rnnc <command> [options]

commands:
  check FILE.rnn...     check models; print diagnostics, or a summary of each model
                        --set NAME=VALUE   override a dim or a train setting (repeatable)
  compile MODEL.rnn     the model as a TypeScript module (forward, backward, predict)
                        -o FILE.ts            write it there (default: standard output)
                        --data TRAIN.jsonl    vocabulary sizes from the training data, or
                        --checkpoint PATH     from a trained model's checkpoint
                        --dtype float64       Float64Array code (default float32)
                        --runtime SPECIFIER   where the module imports the runtime from (rnnc/runtime)
                        --dump-ir             print the IR (forward and backward) instead
                        --set NAME=VALUE      override a dim (repeatable)
  train MODEL.rnn --data TRAIN.jsonl
                        train a model, saving a checkpoint after every epoch
                        --valid VALID.jsonl   loss and accuracy on held-out data after each epoch
                        --epochs N, --batch N, --seed N   (the same as --set epochs=N …)
                        --set NAME=VALUE      override a dim or a train setting (repeatable)
                        --checkpoint PATH     default: MODEL.ckpt.json next to the model
                        --limit N             use the first N training examples
                        --skip-invalid        train on the good lines when some are bad
                        --backend NAME        compiled (default), compiled64, or interpreted (the reference)
                        --quiet               print only problems and where the checkpoint is
  evaluate MODEL.rnn --data DATA.jsonl
                        loss and accuracy (or RMSE) of a trained model
                        --checkpoint PATH     default: MODEL.ckpt.json next to the model
                        --batch N, --limit N, --set NAME=VALUE, --skip-invalid, --backend NAME

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
      case "train": {
        const options = { ...dataOptions, valid: { type: "string" }, epochs: { type: "string" }, seed: { type: "string" }, quiet: { type: "boolean" } } as const;
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options });
        const file = oneModel(positionals, "train");
        if (!file) return 2;
        const { set = [], backend = DEFAULT_BACKEND, quiet = false, "skip-invalid": skipInvalid = false, ...flags } = values;
        return await trainCommand({ ...flags, file, sets: set, backend, quiet, skipInvalid });
      }
      case "compile": {
        const options = {
          output: { type: "string", short: "o" },
          data: { type: "string" },
          checkpoint: { type: "string" },
          dtype: { type: "string" },
          runtime: { type: "string" },
          "dump-ir": { type: "boolean" },
          set: { type: "string", multiple: true },
        } as const;
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options });
        const file = oneModel(positionals, "compile");
        if (!file) return 2;
        const { set = [], "dump-ir": dumpIr = false, ...flags } = values;
        return await compileCommand({ ...flags, file, sets: set, dumpIr });
      }
      case "evaluate": {
        const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: dataOptions });
        const file = oneModel(positionals, "evaluate");
        if (!file) return 2;
        const { set = [], backend = DEFAULT_BACKEND, "skip-invalid": skipInvalid = false, ...flags } = values;
        return await evaluateCommand({ ...flags, file, sets: set, backend, skipInvalid });
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

/** The flags `train` and `evaluate` share. */
const dataOptions = {
  data: { type: "string" },
  checkpoint: { type: "string" },
  batch: { type: "string" },
  limit: { type: "string" },
  set: { type: "string", multiple: true },
  backend: { type: "string" },
  "skip-invalid": { type: "boolean" },
} as const;

function oneModel(positionals: string[], command: string): string | undefined {
  if (positionals.length === 1) return positionals[0];
  console.error(positionals.length === 0 ? `rnnc ${command}: name the model, e.g. rnnc ${command} examples/parity.rnn --data …` : `rnnc ${command}: one model at a time (got ${positionals.join(", ")})`);
  return undefined;
}

process.exitCode = await main(process.argv.slice(2));
