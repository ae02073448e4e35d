// The train block: settings with their defaults, and the command line's overrides.
import type * as ast from "../1-parse/ast.ts";
import { closest, diagnostic, type Diagnostic } from "../diagnostics.ts";
import type { TrainSettings } from "./checked.ts";

export const defaultTrainSettings = (): TrainSettings => ({
  optimizer: { name: "adam", lr: 0.001, beta1: 0.9, beta2: 0.999, eps: 1e-8, momentum: 0 },
  batch: 32,
  epochs: 10,
  clipNorm: 5, // recurrent nets explode without it (Pascanu et al. 2013); `clip_norm 0` turns it off
  weightDecay: 0,
  seed: 1,
  freeze: [],
  monitor: "loss",
  warmup: 0,
});

type NumberSetting = "batch" | "epochs" | "clip_norm" | "weight_decay" | "bptt" | "seed" | "warmup";
const numberSettings: Record<NumberSetting, { whole: boolean; min: number; describe: string }> = {
  batch: { whole: true, min: 1, describe: "a whole number of examples, at least 1" },
  epochs: { whole: true, min: 1, describe: "a whole number, at least 1" },
  clip_norm: { whole: false, min: 0, describe: "a number, at least 0 (0 turns clipping off)" },
  weight_decay: { whole: false, min: 0, describe: "a number, at least 0" },
  bptt: { whole: true, min: 1, describe: "a whole number of steps, at least 1" },
  seed: { whole: true, min: 0, describe: "a whole number" },
  warmup: { whole: true, min: 0, describe: "a whole number of updates, at least 0" },
};
const optimizerArgs: Record<"adam" | "sgd", string[]> = { adam: ["lr", "beta1", "beta2", "eps"], sgd: ["lr", "momentum"] };
export const settingNames = ["optimizer", ...Object.keys(numberSettings), "freeze", "early_stop", "lr_schedule"];
const monitors = ["loss", "accuracy", "rmse"] as const;

export function checkTrain(
  blocks: ast.TrainBlock[],
  layerNames: string[],
  report: (d: Diagnostic) => void,
): TrainSettings {
  const settings = defaultTrainSettings();
  const seen = new Set<string>();
  for (const s of blocks.flatMap((b) => b.settings)) {
    const name = s.name.text;
    if (seen.has(name)) report(diagnostic("settingTwice", s.name.span, name));
    seen.add(name);
    if (name === "optimizer") optimizer(s, settings, report);
    else if (name === "early_stop") earlyStop(s, settings, report);
    else if (name === "lr_schedule") lrSchedule(s, settings, report);
    else if (name === "freeze") {
      if (s.values.length === 0) report(diagnostic("settingValue", s.span, name, "the names of layers"));
      for (const v of s.values) {
        if (v.kind !== "ref") report(diagnostic("settingValue", v.span, name, "the names of layers"));
        else if (!layerNames.includes(v.name)) report(diagnostic("freezeUnknown", v.span, v.name, closest(v.name, layerNames)));
        else settings.freeze.push(v.name);
      }
    } else if (Object.hasOwn(numberSettings, name)) {
      const rule = numberSettings[name as NumberSetting];
      const value = s.values.length === 1 ? numberOf(s.values[0]) : undefined;
      if (value === undefined || value < rule.min || (rule.whole && !Number.isInteger(value)))
        report(diagnostic("settingValue", s.span, name, rule.describe));
      else setNumber(settings, name as NumberSetting, value);
    } else report(diagnostic("unknownSetting", s.name.span, name, closest(name, settingNames)));
  }
  return settings;
}

/** `--set epochs=2`, `--set lr=0.01`, `--set early_stop=5` (the patience): returns false for a name that is no setting. */
export function overrideSetting(settings: TrainSettings, name: string, value: number): boolean {
  if (Object.hasOwn(numberSettings, name)) setNumber(settings, name as NumberSetting, value);
  else if (name === "early_stop") settings.earlyStop = { patience: value };
  else if (name === "lr" || name === "momentum" || name === "beta1" || name === "beta2" || name === "eps")
    settings.optimizer[name] = value;
  else return false;
  return true;
}

function setNumber(settings: TrainSettings, name: NumberSetting, value: number) {
  if (name === "clip_norm") settings.clipNorm = value === 0 ? undefined : value;
  else if (name === "weight_decay") settings.weightDecay = value;
  else settings[name] = value;
}

const numberOf = (e: ast.Expr): number | undefined =>
  e.kind === "number" ? e.value : e.kind === "unary" && e.operand.kind === "number" ? -e.operand.value : undefined;

function optimizer(s: ast.TrainSetting, settings: TrainSettings, report: (d: Diagnostic) => void) {
  const call = s.values[0];
  if (s.values.length !== 1 || (call.kind !== "call" && call.kind !== "ref")) {
    report(diagnostic("settingValue", s.span, "optimizer", "adam(lr, beta1, beta2, eps) or sgd(lr, momentum)"));
    return;
  }
  const kind = call.kind === "call" ? call.callee.text : call.name;
  if (kind !== "adam" && kind !== "sgd") {
    report(diagnostic("unknownOptimizer", call.kind === "call" ? call.callee.span : call.span, kind, closest(kind, ["adam", "sgd"])));
    return;
  }
  const names = optimizerArgs[kind];
  settings.optimizer = { ...defaultTrainSettings().optimizer, name: kind, ...(kind === "sgd" ? { lr: 0.01 } : {}) };
  const args = call.kind === "call" ? call.args : [];
  args.forEach((arg, i) => {
    const argName = arg.name?.text ?? names[i];
    const value = numberOf(arg.value);
    if (!argName || !names.includes(argName)) {
      report(diagnostic("optimizerArg", (arg.name ?? arg).span, kind, argName ?? `number ${i + 1}`, closest(argName ?? "", names)));
    } else if (value === undefined || value < 0 || (argName === "lr" && value === 0)) {
      report(diagnostic("settingValue", arg.value.span, argName, argName === "lr" ? "a number above 0" : "a number, at least 0"));
    } else settings.optimizer[argName as "lr"] = value;
  });
}

/** `early_stop patience 5`, `early_stop patience 5 on accuracy`. */
function earlyStop(s: ast.TrainSetting, settings: TrainSettings, report: (d: Diagnostic) => void) {
  const [word, n, on, what, ...rest] = s.values;
  const patience = n && numberOf(n);
  const monitor = what?.kind === "ref" ? monitors.find((m) => m === what.name) : undefined;
  const wellFormed = word?.kind === "ref" && word.name === "patience" && patience !== undefined && Number.isInteger(patience) && patience >= 1;
  if (!wellFormed || (on && !(on.kind === "ref" && on.name === "on" && monitor)) || rest.length > 0) {
    report(diagnostic("settingValue", s.span, "early_stop", "`patience N` (N epochs, at least 1), optionally followed by `on loss`, `on accuracy` or `on rmse`"));
    return;
  }
  settings.earlyStop = { patience: patience! };
  if (monitor) settings.monitor = monitor;
}

/** `lr_schedule step(every: 10, factor: 0.5)`, `lr_schedule cosine`, `lr_schedule plateau(patience: 2, factor: 0.5)`. */
function lrSchedule(s: ast.TrainSetting, settings: TrainSettings, report: (d: Diagnostic) => void) {
  const value = s.values.length === 1 ? s.values[0] : undefined;
  const name = value?.kind === "ref" ? value.name : value?.kind === "call" ? value.callee.text : undefined;
  const expected = "step(every: N, factor: F), cosine or plateau(patience: N, factor: F)";
  if (name !== "step" && name !== "cosine" && name !== "plateau") {
    report(diagnostic("settingValue", s.span, "lr_schedule", expected));
    return;
  }
  if (name === "cosine") {
    if (value!.kind === "call" && value!.args.length > 0) report(diagnostic("settingValue", s.span, "lr_schedule", "`cosine` without arguments (it decays from lr to 0 over the run)"));
    else settings.lrSchedule = { name };
    return;
  }
  const count = name === "step" ? "every" : "patience";
  const args = new Map((value!.kind === "call" ? value!.args : []).map((a) => [a.name?.text ?? "", numberOf(a.value)]));
  const n = args.get(count), factor = args.get("factor");
  const ok = args.size === 2 && n !== undefined && Number.isInteger(n) && n >= 1 && factor !== undefined && factor > 0 && factor < 1;
  if (!ok) {
    report(diagnostic("settingValue", s.span, "lr_schedule", `${name}(${count}: N, factor: F) with N a whole number of epochs, at least 1, and F between 0 and 1`));
    return;
  }
  settings.lrSchedule = name === "step" ? { name, every: n!, factor: factor! } : { name, patience: n!, factor: factor! };
}
