// rnnc's help and its words for mistakes, as a user meets them: every command's --help exits 0
// and lists what options.ts says it takes; a mistyped option or command is answered with the one
// meant; and help and check run from the JavaScript bundle, never loading TypeScript through tsx.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exportFormats } from "../../cli/export.ts";
import { importFormats } from "../../cli/import.ts";
import { commands, type CommandName } from "../../cli/options.ts";

const rnnc = (args: string[], options: { env?: Record<string, string>; node?: string[] } = {}) => {
  const run = spawnSync(process.execPath, [...(options.node ?? []), "cli/rnnc.js", ...args], { encoding: "utf8", timeout: 30_000, env: { ...process.env, ...options.env } });
  return { code: run.status, out: run.stdout, err: run.stderr };
};
const stackTrace = /\n\s+at .+:\d+:\d+/;
const names = Object.keys(commands) as CommandName[];

describe("rnnc COMMAND --help", () => {
  it.each(names)("%s --help and -h exit 0 and list every option of the command", (name) => {
    for (const flag of ["--help", "-h"]) {
      const { code, out, err } = rnnc([name, flag]);
      expect(err).toBe("");
      expect(code).toBe(0);
      expect(out).toContain(`usage: rnnc ${name} ${commands[name].usage}`);
      for (const option of commands[name].options) expect(out).toMatch(new RegExp(`^  (-${"short" in option ? option.short : "."}, )?--${option.name}\\b`, "m"));
    }
  });

  it("wins over a mistake beside it, and `rnnc help COMMAND` says the same", () => {
    const help = rnnc(["train", "--vaild", "--help"]);
    expect(help.code).toBe(0);
    expect(rnnc(["help", "train"]).out).toBe(help.out);
  });

  it("names every export and import format (the table names them without loading the formats)", () => {
    const usage = rnnc(["--help"]).out;
    for (const format of Object.keys(exportFormats)) expect(rnnc(["export", "--help"]).out + usage).toContain(format);
    for (const format of Object.keys(importFormats)) expect(rnnc(["import", "--help"]).out + usage).toContain(format);
  });
});

describe("rnnc --help", () => {
  it("lists the commands and exits 0, as `rnnc help` does; bare `rnnc` prints it and exits 2", () => {
    const help = rnnc(["--help"]);
    expect(help.code).toBe(0);
    for (const name of names) expect(help.out).toMatch(new RegExp(`^  ${name} `, "m"));
    expect(rnnc(["-h"])).toEqual(help);
    expect(rnnc(["help"])).toEqual(help);
    const bare = rnnc([]);
    expect(bare.code).toBe(2);
    expect(bare.out).toBe(help.out);
  });
});

describe("mistakes, in words", () => {
  it("an unknown option: the one meant, exit 2", () => {
    const { code, out, err } = rnnc(["train", "examples/parity.rnn", "--vaild", "v.jsonl"]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toBe("rnnc train: unknown option --vaild; did you mean --valid?\n(rnnc train --help lists its options)\n");
    expect(rnnc(["sample", "m.rnn", "--topk", "3"]).err).toMatch(/^rnnc sample: unknown option --topk; did you mean --top-k\?\n/);
    expect(rnnc(["compile", "m.rnn", "--check", "c.json"]).err).toMatch(/^rnnc compile: unknown option --check; did you mean --checkpoint\?\n/);
    expect(rnnc(["check", "m.rnn", "--frobnicate"]).err).toMatch(/^rnnc check: unknown option --frobnicate\n/);
    expect(rnnc(["train", "m.rnn", "-z"]).err).toMatch(/^rnnc train: unknown option -z\n/);
  });

  it("an unknown command: the one meant, exit 2", () => {
    const { code, err } = rnnc(["trian", "examples/parity.rnn"]);
    expect(code).toBe(2);
    expect(err).toBe("rnnc: unknown command 'trian'; did you mean train?\n(rnnc --help lists the commands)\n");
    expect(rnnc(["frobnicate"]).err).toMatch(/^rnnc: unknown command 'frobnicate'\n/);
    expect(rnnc(["help", "evalute"]).err).toMatch(/^rnnc help: unknown command 'evalute'; did you mean evaluate\?\n/);
    expect(rnnc(["--data", "x"]).err).toMatch(/^rnnc: unknown option --data: options go after the command\n/);
  });

  it("a missing value, a value given to a flag, a missing or extra model: exit 2, no stack trace", () => {
    const cases: [string[], string][] = [
      [["train", "m.rnn", "--data"], "rnnc train: --data needs a value: --data TRAIN.jsonl\n"],
      [["train", "m.rnn", "--data", "--valid", "v.jsonl"], "rnnc train: --data needs a value: --data TRAIN.jsonl (got --valid; if that is the value, write --data=--valid)\n"],
      [["compile", "m.rnn", "-o"], "rnnc compile: -o needs a value: -o FILE.ts\n"],
      [["train", "m.rnn", "--quiet=yes"], "rnnc train: --quiet takes no value (got --quiet=yes)\n"],
      [["sample"], "rnnc sample: name the model, e.g. rnnc sample examples/parity.rnn\n"],
      [["evaluate", "a.rnn", "b.rnn"], "rnnc evaluate: one model at a time (got a.rnn, b.rnn)\n"],
    ];
    for (const [args, first] of cases) {
      const { code, out, err } = rnnc(args);
      expect(code, args.join(" ")).toBe(2);
      expect(out).toBe("");
      expect(err.startsWith(first), err).toBe(true);
      expect(err).not.toMatch(stackTrace);
    }
  });
});

describe("the fast path", () => {
  // What the process resolves, as the preloaded hooks of trace-imports.mjs record it.
  const loaded = (args: string[], env: Record<string, string> = {}) => {
    const trace = join(mkdtempSync(join(tmpdir(), "rnnc-trace-")), "modules.txt");
    const run = rnnc(args, { node: ["--import", "./test/cli/trace-imports.mjs"], env: { ...env, RNNC_TRACE_FILE: trace } });
    return { ...run, modules: readFileSync(trace, "utf8").trim().split("\n") };
  };
  const typescript = (url: string) => url.includes("/node_modules/tsx/") || /\.[cm]?ts$/.test(url);

  it.each([[["--help"]], [["train", "--help"]], [["check", "examples/parity.rnn"]]])("rnnc %j runs the bundle and loads no TypeScript", (args) => {
    const { code, modules } = loaded(args);
    expect(code).toBe(0);
    expect(modules.filter(typescript)).toEqual([]);
    expect(modules.some((url) => /\/node_modules\/\.cache\/rnnc\/[0-9a-f]{16}\/main\.js$/.test(url))).toBe(true);
  });

  it("sample registers tsx, for the model module it imports (and so the trace sees tsx when it is loaded)", () => {
    const { code, err, modules } = loaded(["sample", "examples/parity.rnn", "--checkpoint", "no/such/checkpoint.json"]);
    expect(code).not.toBe(0);
    expect(err).not.toMatch(stackTrace);
    expect(modules.some((url) => url.includes("/node_modules/tsx/"))).toBe(true);
  });

  it("without a bundle (RNNC_NO_BUNDLE=1) the sources run under tsx, as they did before", () => {
    const { code, out, modules } = loaded(["train", "--help"], { RNNC_NO_BUNDLE: "1" });
    expect(code).toBe(0);
    expect(out).toContain("usage: rnnc train");
    expect(modules).toContain(new URL("../../cli/main.ts", import.meta.url).href);
  });
});
