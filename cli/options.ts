// Every command of rnnc and its options, in one table: the parser (cli/args.ts), the help
// (cli/help.ts) and the types of the values a command receives (Values, below) are all derived
// from it, so they cannot disagree. Adding an option is one row here; its value reaches the
// command under its camelCased name (--max-length → maxLength). This module imports nothing, so
// that `rnnc --help` loads no compiler code.

export interface OptionSpec {
  /** The long name, without the dashes. `no-kernels` is a flag of its own, not a negation. */
  readonly name: string;
  /** A one-letter alias: -o for --output. */
  readonly short?: string;
  /** What the value looks like, for the help (FILE, N); without it the option is a flag that takes none. */
  readonly value?: string;
  /** May be given again: every value is kept, in order. */
  readonly multiple?: boolean;
  /** The help text; "\n" starts another line of it. */
  readonly help: string;
}

export interface CommandSpec {
  /** What follows `rnnc NAME` in the usage line. */
  readonly usage: string;
  /** One line, for `rnnc --help` and the command's own help. */
  readonly summary: string;
  /** "model": exactly one positional argument, the .rnn file (none with --resume, for the second); "any": all of them go to the command. */
  readonly operands: "model" | "model unless resuming" | "any";
  readonly options: readonly OptionSpec[];
}

// Rows several commands share.
const setDim = { name: "set", value: "NAME=VALUE", multiple: true, help: "override a dim (repeatable)" } as const;
const setAny = { name: "set", value: "NAME=VALUE", multiple: true, help: "override a dim or a train setting (repeatable)" } as const;
const checkpoint = { name: "checkpoint", value: "PATH", help: "the trained model: a checkpoint, or a run directory (its best);\ndefault: the newest run's, runs/MODEL/N/best.ckpt" } as const;
const limit = { name: "limit", value: "N", help: "use the first N examples of the data" } as const;
const skipInvalid = { name: "skip-invalid", help: "use the good lines of the data when some are bad" } as const;
const memoryLimit = {
  name: "memory-limit",
  value: "SIZE",
  help: "refuse a run that needs more memory than SIZE (2GB, 512MiB),\nsaid before anything is allocated; default: 80% of this machine's",
} as const;
// How train and evaluate read their data (cli/data-source.ts). The data sets are data/datasets.ts's,
// named here so that help loads none of them (a test checks the list).
const textData = { name: "text", value: "FILE.txt", help: "plain text for a model whose one field is a seq<token> target:\nan example a line (the same as --data FILE.txt)" } as const;
const dataset = (parts: string) =>
  ({ name: "dataset", value: "NAME", help: `a data set: names, brown, cmudict, co2, parity, caption, spam\nor moby-dick (${parts}),\nwritten into data/generated/ on first use` }) as const;
const format = { name: "format", value: "F", help: "jsonl, csv, tsv or text (default: by the file's ending:\n.csv, .tsv, .txt, and JSON Lines for any other)" } as const;
const tokens = { name: "tokens", value: "chars|words", help: "CSV, TSV and text: a sequence's tokens are its characters\n(the default) or its whitespace-separated words" } as const;
const chunk = { name: "chunk", value: "N", help: "text: cut the whole text into examples of N tokens\n(for a long text and bptt) instead of an example a line" } as const;
const backend = {
  name: "backend",
  value: "NAME",
  help: "compiled (default: float32, WebAssembly SIMD products),\ncompiled-ts (no WebAssembly), compiled64, or interpreted (the reference)",
} as const;

export const commands = {
  check: {
    usage: "FILE.rnn...",
    summary: "check models; print diagnostics, or a summary of each model",
    operands: "any",
    options: [setAny],
  },
  compile: {
    usage: "MODEL.rnn",
    summary: "the model as a TypeScript module (forward, backward, predict)",
    operands: "model",
    options: [
      { name: "output", short: "o", value: "FILE.ts", help: "write it there (default: standard output)" },
      { name: "data", value: "TRAIN.jsonl", help: "vocabulary sizes from the training data, or" },
      { name: "checkpoint", value: "PATH", help: "from a trained model's checkpoint" },
      { name: "dtype", value: "float64", help: "Float64Array code (default float32)" },
      { name: "no-kernels", help: "no WebAssembly: products in plain TypeScript too (float32\nmodules embed SIMD kernels, whose source goes to FILE.kernels.as)" },
      { name: "runtime", value: "SPECIFIER", help: "where the module imports the runtime from (rnnc/runtime)" },
      { name: "target", value: "browser", help: "one JavaScript ES module for a web page, importing nothing:\nthe model with loadCheckpoint and sample (-o FILE.js)" },
      { name: "dump-ir", help: "print the IR (forward and backward) instead" },
      setDim,
    ],
  },
  train: {
    usage: "MODEL.rnn --data TRAIN.jsonl   (or: rnnc train --resume RUN_DIR)",
    summary: "train a model into a run directory (runs/MODEL/N/): checkpoints, metrics, report",
    operands: "model unless resuming",
    options: [
      { name: "data", value: "TRAIN.jsonl", help: "the training examples: JSON Lines, or CSV or TSV with a header row" },
      { name: "valid", value: "VALID.jsonl", help: "loss and accuracy on held-out data after each epoch" },
      textData,
      dataset("its train and valid parts"),
      format,
      tokens,
      chunk,
      { name: "epochs", value: "N", help: "how many passes over the data (the same as --set epochs=N)" },
      { name: "batch", value: "N", help: "examples per step (the same as --set batch=N)" },
      { name: "seed", value: "N", help: "the random seed of initialization and shuffling (the same as --set seed=N)" },
      setAny,
      { name: "run-dir", value: "DIR", help: "the run's directory (default: runs/MODEL/N/, the next free N)" },
      { name: "resume", value: "RUN_DIR", help: "continue an interrupted run where it stopped (its model, data and settings)" },
      {
        name: "init-from",
        value: "CKPT",
        help: "start from another model's checkpoint (or run directory: its best):\ncopy each parameter of the same layer, name and shape, initialize\nthe others; the copied ones keep their vocabularies (transfer learning)",
      },
      { name: "checkpoint", value: "PATH", help: "also copy the last checkpoint there after every epoch" },
      { name: "overwrite", help: "replace the files of another run at --run-dir or --checkpoint" },
      { name: "save-every", value: "MINUTES", help: "also save the last checkpoint inside long epochs, every MINUTES" },
      limit,
      skipInvalid,
      backend,
      {
        name: "threads",
        value: "N",
        help: "cut each batch among N threads (data-parallel); default auto:\n2 with the compiled backend, batches of 16 or more and 2 cores,\nif the first batches run faster so",
      },
      memoryLimit,
      { name: "quiet", help: "print only problems and where the run directory is" },
    ],
  },
  sample: {
    usage: "MODEL.rnn",
    summary: "sequences generated by a trained model, one per line",
    operands: "model",
    options: [
      checkpoint,
      { name: "count", value: "N", help: "how many sequences (default 10)" },
      { name: "max-length", value: "N", help: "at most this many steps each, after the prompt (default 40)" },
      { name: "seed", value: "N", help: "the random seed (default: the clock)" },
      { name: "temperature", value: "X", help: "1 samples the model; lower is safer; 0 is greedy" },
      { name: "top-k", value: "K", help: "sample among the K likeliest tokens only" },
      { name: "input", value: "'{...}'", help: "the model's inputs (an image vector, a spelling), as JSON" },
      { name: "beam", value: "K", help: "the best sequence by beam search of width K" },
      { name: "prompt", value: "TEXT", help: "begin every sequence with TEXT (read, not generated) and continue it;\ncut into characters or words as the target's vocabulary is" },
      memoryLimit,
      setDim,
    ],
  },
  evaluate: {
    usage: "MODEL.rnn --data DATA.jsonl",
    summary: "loss and accuracy (or RMSE) of a trained model",
    operands: "model",
    options: [
      { name: "data", value: "DATA.jsonl", help: "the examples to evaluate on (JSON Lines, CSV or TSV)" },
      textData,
      dataset("its test part, or --split's"),
      { name: "split", value: "PART", help: "the --dataset's part to evaluate on: test (the default; valid\nfor a data set without one), valid or train" },
      format,
      tokens,
      chunk,
      checkpoint,
      { name: "batch", value: "N", help: "examples per step (the same as --set batch=N)" },
      limit,
      setAny,
      skipInvalid,
      backend,
      memoryLimit,
    ],
  },
  predict: {
    usage: "MODEL.rnn (--data DATA.jsonl | --input '{...}')",
    summary: "a trained model's predictions, a line per example (classes, tags, values)",
    operands: "model",
    options: [
      { name: "data", value: "DATA.jsonl", help: "the examples, written as in the training data (targets absent, or ignored)" },
      { name: "input", value: "'{...}'", help: "or one example, as JSON" },
      checkpoint,
      { name: "top", value: "K", help: "the K likeliest classes, with their probabilities (default 1)" },
      { name: "json", help: "JSON Lines: an object per example, keyed by target, with probabilities" },
      { name: "batch", value: "N", help: "examples per step (default: the model's batch)" },
      setDim,
      backend,
      memoryLimit,
    ],
  },
  export: {
    usage: "MODEL.rnn --format F -o OUT",
    // The formats are export.ts's exportFormats, named here so that help loads none of them (a test checks the list).
    summary: "a trained model in another format (tfjs, onnx)",
    operands: "model",
    options: [
      { name: "format", value: "F", help: "tfjs (a directory: model.json and weights.bin) or onnx (a file)" },
      { name: "output", short: "o", value: "OUT", help: "where to write it" },
      checkpoint,
      setDim,
    ],
  },
  import: {
    usage: "PATH MODEL.rnn --format F -o CKPT",
    summary: "another format's weights (tfjs) as a checkpoint of MODEL",
    operands: "any",
    options: [
      { name: "format", value: "F", help: "the format of PATH: tfjs" },
      { name: "output", short: "o", value: "CKPT", help: "the checkpoint to write" },
      { name: "data", value: "TRAIN.jsonl", help: "vocabularies, when PATH was not written by rnnc export" },
      setDim,
    ],
  },
  report: {
    usage: "RUN_DIR...",
    summary: "a web page of training runs: loss, metrics, learning rate, gradient flow",
    operands: "any",
    options: [{ name: "output", short: "o", value: "FILE.html", help: "write it there (default: RUN_DIR/report.html for one run,\nreport.html here for several)" }],
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof commands;

/** The option every command has: handled by the parser, never passed to a command. */
export const helpOption = { name: "help", short: "h", help: "this text" } as const satisfies OptionSpec;

/** --max-length → maxLength: the name under which a command receives an option's value. */
export type Camel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}${Capitalize<Camel<B>>}` : S;

type ValueOf<O> = O extends { multiple: true } ? string[] : O extends { value: string } ? string | undefined : boolean;

/** What a command receives: a repeatable option as a list ([] when absent), a flag as a boolean, any other option's value or undefined. */
export type Values<C extends CommandSpec> = { [O in C["options"][number] as Camel<O["name"]>]: ValueOf<O> };
