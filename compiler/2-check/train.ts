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
});

type NumberSetting = "batch" | "epochs" | "clip_norm" | "weight_decay" | "bptt" | "seed";
const numberSettings: Record<NumberSetting, { whole: boolean; min: number; describe: string }> = {
  batch: { whole: true, min: 1, describe: "a whole number of examples, at least 1" },
  epochs: { whole: true, min: 1, describe: "a whole number, at least 1" },
  clip_norm: { whole: false, min: 0, describe: "a number, at least 0 (0 turns clipping off)" },
  weight_decay: { whole: false, min: 0, describe: "a number, at least 0" },
  bptt: { whole: true, min: 1, describe: "a whole number of steps, at least 1" },
  seed: { whole: true, min: 0, describe: "a whole number" },
};
const optimizerArgs: Record<"adam" | "sgd", string[]> = { adam: ["lr", "beta1", "beta2", "eps"], sgd: ["lr", "momentum"] };
export const settingNames = ["optimizer", ...Object.keys(numberSettings), "freeze"];

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

/** `--set epochs=2`, `--set lr=0.01`: returns false for a name that is no setting. */
export function overrideSetting(settings: TrainSettings, name: string, value: number): boolean {
  if (Object.hasOwn(numberSettings, name)) setNumber(settings, name as NumberSetting, value);
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
