// Every user-facing message in one table. A message is a function of its details; it returns
// the message, or [message, hint]. Codes are stable: tests and tools refer to them.

type Message = (...args: any[]) => string | [string, string | undefined];

const didYouMean = (candidate: string | undefined) => (candidate ? `did you mean \`${candidate}\`?` : undefined);

export const messages = {
  // ---- reading the file -------------------------------------------------------------------
  unreadableFile: (file: string, reason: string) => `cannot read ${file}: ${reason}`,
  binaryFile: () => [
    "this does not look like a .rnn file: it contains binary data",
    "a .rnn file is text: models, cells and layers",
  ],

  // ---- lexing ---------------------------------------------------------------------------------
  unexpectedCharacter: (ch: string) => `unexpected character ${ch}`,
  unexpectedCharacters: (text: string) => `unexpected characters ${text}`,
  unterminatedComment: () => ["unterminated comment: `/*` has no closing `*/`", "close the comment with `*/`"],
  unterminatedString: () => ["unterminated string: a string ends with `\"` on the same line", undefined],

  // ---- parsing ---------------------------------------------------------------------------------
  emptyFile: () => ["empty file: expected a `model`, `cell` or `layer` definition", "start with `model NAME { ... }`"],
  expected: (what: string, found: string) => `expected ${what} but found ${found}`,
  unexpected: (found: string, where: string) => `unexpected ${found} ${where}`,
  unclosed: (open: string, close: string) => [`\`${open}\` is never closed`, `add the matching \`${close}\``],
  tooManyErrors: (shown: number) => [`too many syntax errors: stopping after ${shown}`, "fix the first ones and try again"],
  nestedTooDeeply: (what: string, limit: number) => `${what} nested too deeply (more than ${limit} levels)`,
  definitionInModel: (keyword: string, name: string) => [
    `a \`${keyword}\` definition cannot be inside a model`,
    `define \`${name}\` at the top level of the file, then use it in the model: \`layer NAME = ${name}(...)\``,
  ],
  layerOutsideModel: () => [
    "`layer NAME = ...` makes a layer for a model and belongs inside one",
    "to define a new kind of layer, write `layer NAME(sizes) { ... }`",
  ],
  parserFailure: (reason: string) => `internal error while parsing: ${reason}`,

  // ---- names and declarations (check) ------------------------------------------------------
  unknownName: (name: string, candidate?: string) => [`unknown name \`${name}\``, didYouMean(candidate)],
  layerHidesFunction: (name: string) => [`a layer cannot be called \`${name}\`: that is a built-in function, and \`${name}(...)\` would call the layer instead`, `give the layer another name (${name}_layer)`],
  duplicate: (name: string, line: number) => [`\`${name}\` is already defined`, `the first definition is on line ${line}`],
  shadowsPrelude: (name: string) => [`\`${name}\` is already defined by the prelude`, "give your own cell or layer another name"],
  unknownType: (name: string, candidate?: string) => [`unknown type \`${name}\``, didYouMean(candidate) ?? "types are token, class, vec(N), seq<...> and shapes such as [H]"],
  badDataType: (role: string, type: string, allowed: string) => [`\`${type}\` cannot be the type of an ${role}`, `an ${role} is ${allowed}`],
  badCellType: (type: string) => [`\`${type}\` cannot be the type of a cell's input, state or param`, "write a shape such as [H] or [4*H, I + H], or token(V) for a token input"],
  unknownInitializer: (name: string, candidate?: string) => [`unknown initializer \`${name}\``, didYouMean(candidate) ?? "initializers are glorot, orthogonal, zeros, ones, lstm_bias, normal(std) and uniform(limit)"],
  initializerShape: (name: string, shape: string, needs: string) => `initializer \`${name}\` needs ${needs}, but the param is ${shape}`,
  initializerArgs: (name: string, expected: number) => `initializer \`${name}\` takes ${expected === 0 ? "no arguments" : `${expected} number${expected > 1 ? "s" : ""}`}`,

  // ---- sizes ----------------------------------------------------------------------------------
  notASize: (text: string) => [`\`${text}\` is not a size`, "a size is a whole number, a dim, vocab(x), classes(y), or a sum or product of them"],
  sizeNotPositive: (text: string, value: string) => `\`${text}\` is ${value}, but a size must be at least 1`,
  dimNotWhole: (name: string) => [`dim \`${name}\` must be a whole number of at least 1`, undefined],
  dimTooLarge: (name: string, value: string, limit: string) => [`dim \`${name}\` is ${value}, more than a size can be (${limit})`, "a size is below 2^31; a model that large would not fit in memory either"],
  dimOverride: (name: string, value: string, limit: string) => [`--set ${name}=${value}: dim \`${name}\` must be a whole number from 1 to ${limit}`, undefined],
  paramTooLarge: (layer: string, param: string, shape: string, count: string, limit: string) => [
    `\`${layer}\` makes a parameter ${param} of ${shape} = ${count} numbers, more than an array can hold (${limit})`,
    "lower the dims it is made from",
  ],
  vocabArg: (fn: string, name: string, wanted: string) => [`${fn}(${name}): \`${name}\` is not ${wanted}`, `${fn}() names ${wanted}`],

  // ---- shapes -----------------------------------------------------------------------------------
  matvecShape: (a: string, sa: string, b: string, sb: string) => [`\`${a} @ ${b}\`: ${a} is ${sa} but ${b} is ${sb}`, `the columns of ${a} must match the size of ${b}`],
  matvecRank: (a: string, sa: string, b: string, sb: string) => [`\`@\` takes a matrix and a vector, but ${a} is ${sa} and ${b} is ${sb}`, undefined],
  elementwiseShape: (op: string, a: string, sa: string, b: string, sb: string) => [`\`${a} ${op} ${b}\`: ${a} is ${sa} but ${b} is ${sb}`, "elementwise operands have the same shape, or one of them is a scalar"],
  idInArithmetic: (text: string, kind: string) => [`\`${text}\` is a ${kind} id, not a vector`, `turn it into a vector with an embedding layer or onehot(${text}, N)`],
  stringHere: (text: string) => [`a string cannot stand here: ${text}`, "strings only name special tokens such as \"<eos>\""],
  sliceOfNonVector: (text: string, type: string) => `only a vector can be sliced, but \`${text}\` is ${type}`,
  sliceOutOfRange: (text: string, from: string, to: string, size: string) => [`slice [${from}:${to}] is out of range: \`${text}\` has ${size} entries`, undefined],
  sliceEmpty: (from: string, to: string) => `slice [${from}:${to}] is empty: its end must be after its start`,
  sliceRowsOutOfRange: (text: string, from: string, to: string, size: string) => [`rows [${from}:${to}] are out of range: \`${text}\` has ${size} rows`, undefined],
  matrixRowsOutsideProduct: (text: string, target: string, type: string) => [
    `\`${text}\`: \`${target}\` is a matrix, ${type}, and a matrix's rows can be sliced only as the matrix of \`@\``,
    `rows of stacked weights are used in a product: \`${text} @ x\``,
  ],
  concatArg: (text: string, type: string) => `concat joins vectors, but \`${text}\` is ${type}`,
  functionArgs: (fn: string, expected: string, got: number) => `${fn} takes ${expected}, but was given ${got}`,
  functionArgType: (fn: string, text: string, type: string, expected: string) => `${fn}(${text}): \`${text}\` is ${type}, but ${fn} takes ${expected}`,
  dropoutRate: (fn: string, text: string) => [
    `${fn}(x, ${text}): the rate must be a number written out, at least 0 and below 1`,
    `the share of features dropped while training, such as ${fn}(x, 0.25)`,
  ],
  namedArgHere: (name: string) => `\`${name}:\` names an argument, but this call takes its arguments by position`,
  pairShape: (fn: string, a: string, sa: string, b: string, sb: string) => [`\`${fn}(${a}, ${b})\`: ${a} is ${sa} but ${b} is ${sb}`, `${fn} is elementwise: its operands have the same shape, or one of them is a scalar`],
  numberArgument: (fn: string, text: string) => [`${fn}(x, ${text}): \`${text}\` must be a finite number, written out`, `the second argument of ${fn} is a constant of the function, such as ${fn}(x, ${fn === "elu" ? "1.0" : "0.01"})`],

  // ---- calls ----------------------------------------------------------------------------------
  unknownFunction: (name: string, candidate?: string) => [`unknown function or layer \`${name}\``, didYouMean(candidate)],
  notCallable: (name: string, what: string) => `\`${name}\` is ${what}, not a function or layer`,
  callArgCount: (callee: string, expected: string, got: number) => [`\`${callee}\` takes ${expected}, but was given ${got}`, undefined],
  cellArgCount: (cell: string, inputs: string, states: string, expected: number, got: number) => [`\`${cell}\` is a cell with ${inputs} and ${states}: it takes ${expected} arguments, but was given ${got}`, "a cell call passes each input, then each state's previous value: cell(x[t], h[t-1])"],
  callArgType: (callee: string, position: number, param: string, expected: string, text: string, actual: string) => `argument ${position} of \`${callee}\` (${param}) must be ${expected}, but \`${text}\` is ${actual}`,
  tupleCount: (cell: string, states: string, got: number) => [`\`${cell}\` returns ${states}, but ${got} ${got === 1 ? "value is" : "values are"} assigned`, "assign every state, in declaration order: (h[t], c[t]) = cell(...)"],
  tupleNotCell: (text: string) => [`a tuple is assigned from a cell call, but \`${text}\` is not one`, undefined],
  cellInExpression: (cell: string, count: number) => [`\`${cell}\` returns ${count} states, so its call must be the whole right side of a tuple assignment`, undefined],
  definitionNotLayer: (name: string, example: string) => [`\`${name}\` is a definition, not a layer of this model`, `instantiate it first: layer ${example} = ${name}(...)`],
  layerNotDefinition: (name: string) => [`\`${name}\` is a layer of this model; \`layer\` instantiates a cell or layer definition`, undefined],
  unknownDefinition: (name: string, candidate?: string) => [`unknown cell or layer \`${name}\``, didYouMean(candidate) ?? "the prelude has rnn, rnn_relu, lstm, gru, dense and embedding"],
  definitionSizeCount: (name: string, params: string, got: number) => `\`${name}\` takes ${params}, but was given ${got} size${got === 1 ? "" : "s"}`,

  // ---- cells ----------------------------------------------------------------------------------
  cellNoState: (name: string) => [`cell \`${name}\` has no state`, `a stateless layer is written \`layer ${name}(...) { ... return ... }\``],
  cellNoUpdate: (cell: string, state: string) => [`cell \`${cell}\` never sets \`${state}'\`: each state needs its next value`, `add \`${state}' = ...\``],
  cellReturn: () => ["a cell gives its next states (`h' = ...`), not a `return`", undefined],
  layerState: (name: string) => [`layer \`${name}\` declares a state`, `a recurrence is written \`cell ${name}(...) { ... }\``],
  layerNoReturn: (name: string) => [`layer \`${name}\` has no \`return\``, "end it with `return` and the layer's value"],
  secondReturn: () => "a layer has one `return`",
  primedDeclaration: (name: string) => [`\`${name}\` cannot be declared with a \`'\``, `\`'\` marks a state's next value in a cell's equations; declare \`${name.slice(0, -1)}\``],
  primedNotState: (name: string) => [`\`${name}'\` is not the next value of a state`, `only states get a next value; \`${name}\` is not a state of this cell`],
  primedOutsideCell: (name: string) => [`\`${name}'\` is a cell's next state, but this is not a cell`, `in a model, index the value by time: ${name}[t]`],
  assignToDeclared: (name: string, what: string) => `\`${name}\` is ${what}; it cannot be assigned`,
  timeIndexInCell: (text: string) => [`\`${text}\` has a time index, but a cell is one step`, "inside a cell, a state `h` is its previous value and `h'` its next"],
  stateInputInModel: (keyword: string) => [`\`${keyword}\` belongs in a cell or layer definition`, "a model declares `input` and `target` with their types"],

  // ---- time -----------------------------------------------------------------------------------
  badTimeIndex: (text: string) => [`\`${text}\` is not a time index that can be computed`, "write t, t-k, t+k (k a whole number), first or last; s likewise on a second axis"],
  timeOffsetTooLarge: (text: string, limit: string) => [`\`${text}\` reaches further than any sequence can be long (${limit} steps)`, "a sequence is shorter than 2^31 steps; write a smaller k in t-k or t+k"],
  lhsIndex: (text: string) => [`\`${text}\` cannot be defined: the left side is indexed by the step itself`, "write h[t] (or h[s] on a second time axis)"],
  notASequence: (name: string) => [`\`${name}\` is not a sequence, so it has no time index`, undefined],
  sequenceWithoutIndex: (name: string) => [`\`${name}\` is a sequence: read one of its steps`, `write ${name}[t], ${name}[t-1] or ${name}[last]`],
  axisNotHere: (axis: string) => [`\`${axis}\` is not a step of this equation`, "an equation without a time index reads sequences at first or last"],
  axisMismatch: (text: string, axis: string, here: string) => [`\`${text}\` reads the axis ${axis}, but this equation runs over ${here}`, `a value on ${axis} is read here at first or last`],
  dataAxisConflict: (name: string, axis: string, other: string) => `\`${name}\` is read along ${axis} here but along ${other} elsewhere`,
  selfDependency: (chain: string) => [`${chain.split(" → ")[0]} depends on itself at the same step: ${chain}`, "a recurrence reads an earlier step, such as h[t-1]"],
  mixedDirections: (name: string) => [`the recurrence of \`${name}\` reads both earlier and later steps of itself`, "a recurrence runs forward in time (t-k) or backward (t+k), not both"],
  wholeSequenceCycle: (name: string, read: string) => [`\`${name}\` depends on \`${read}\`, which is only known once every step of ${name} is computed`, undefined],
  noInitialState: (name: string, text: string) => [`\`${text}\` reads ${name} before its first step, but ${name} has no initial state and its size cannot be inferred`, `give it one: init ${name} = ...`],
  recurrentTypeChanges: (name: string, before: string, after: string) => [`\`${name}\` changes from step to step: ${name}[t] is ${after} but its previous step is ${before}`, undefined],
  initNotRecurrent: (name: string) => [`\`init ${name}\`: no step reads ${name} before it is computed, so it has no initial value to set`, "init sets the state a recurrence starts from, such as h[-1] for h[t-1]"],
  initType: (name: string, expected: string, actual: string) => `\`init ${name}\` is ${actual}, but ${name} is ${expected}`,
  initTwice: (name: string) => `\`${name}\` already has an init`,
  stateUpdateType: (state: string, expected: string, actual: string) => `\`${state}'\` is ${actual}, but the state ${state} is ${expected}`,

  // ---- data, targets and losses -----------------------------------------------------------
  targetLeak: (name: string, text: string) => [`\`${text}\` reads the target ${name} at the step where it is predicted: the model would see its answer`, `read the step before: ${name}[t-1] (the target is then autoregressive)`],
  targetAsInput: (name: string) => [`target \`${name}\` is what the model predicts; its equations cannot read it`, "declare it an input if the model reads it"],
  targetLeakThrough: (name: string, text: string) => [`\`${text}\` has seen ${name}[t] or later steps, and the loss predicts ${name}[t] from it: the model would see its answer`, `what reads ${name}[t-1] may only run forward in time: read it at an earlier step (h[t-1]), not a later one (h[t+1]) or the whole sequence (h[last])`],
  autoregressiveNotTokens: (text: string, name: string, type: string) => [`\`${text}\` reads the target ${name} at an earlier step, but only a seq<token> target can be read so (its earlier tokens are fed back when generating); ${name} is ${type}`, `give the earlier values to the model as an input of their own`],
  autoregressiveWithoutLoss: (name: string) => [`\`${name}\` is read at an earlier step, but no loss predicts ${name}[t]`, `add loss cross_entropy(..., ${name}[t])`],
  noLoss: (model: string) => [`model \`${model}\` has no loss: there is nothing to train`, "add one, such as loss cross_entropy(head(h[last]), y)"],
  unknownLoss: (name: string, candidate?: string) => [`unknown loss \`${name}\``, didYouMean(candidate) ?? "losses are cross_entropy, binary_cross_entropy and mse"],
  lossArgs: (fn: string) => `${fn} takes a prediction and a target: ${fn}(prediction, y)`,
  lossTargetNotTarget: (fn: string, text: string, what: string) => [`the second argument of ${fn} must be a target, but \`${text}\` is ${what}`, undefined],
  lossPrediction: (fn: string, text: string, type: string, expected: string) => `${fn}: the prediction \`${text}\` is ${type}, but ${expected}`,
  lossTargetIndex: (name: string, axis: string) => [`a loss compares each step with the target at that step`, `write ${name}[${axis}]`],
  lossConstraint: (size: string, a: string, b: string) => `${size} would have to be both ${a} and ${b}`,
  lossStepMismatch: (target: string, text: string) => [`\`${text}\` changes at every step, but the target ${target} is one per example`, "predict it from one step, such as h[last]"],
  reductionWord: (word: string) => [`\`mean over ${word}\` is not a reduction`, "write `mean over tokens` (or nothing, to sum over steps and average over examples)"],
  duplicateOutput: (name: string, line: number) => [`output \`${name}\` is already declared`, `the first is on line ${line}`],
  outputIndex: (name: string, text: string) => [`\`output ${text}\`: an output is one value per example, or one per step of an axis`, `write output ${name} or output ${name}[t]`],
  outputStepMismatch: (name: string, text: string, axis: string) => [`\`${text}\` changes at every step, but output ${name} is one per example`, `write output ${name}[${axis}] for one per step, or read one step, such as h[last]`],
  outputType: (name: string, text: string, type: string) => [`output ${name}: \`${text}\` is ${type}, but an output is a number or a vector of numbers`, undefined],
  unusedTarget: (name: string) => `target \`${name}\` is not used by any loss`,
  unusedData: (name: string) => `input \`${name}\` is never read`,

  // ---- train block ------------------------------------------------------------------------
  unknownSetting: (name: string, candidate?: string) => [`unknown train setting \`${name}\``, didYouMean(candidate) ?? "settings are optimizer, batch, epochs, clip_norm, weight_decay, bptt, seed, freeze, early_stop, lr_schedule and warmup"],
  settingValue: (name: string, expected: string) => `\`${name}\` takes ${expected}`,
  settingTwice: (name: string) => `\`${name}\` is set twice`,
  unknownOptimizer: (name: string, candidate?: string) => [`unknown optimizer \`${name}\``, didYouMean(candidate) ?? "optimizers are adam(lr, beta1, beta2, eps) and sgd(lr, momentum)"],
  optimizerArg: (optimizer: string, arg: string, candidate?: string) => [`${optimizer} has no argument \`${arg}\``, didYouMean(candidate)],
  freezeUnknown: (name: string, candidate?: string) => [`\`freeze ${name}\`: the model has no layer \`${name}\``, didYouMean(candidate)],
  bpttWithInit: (name: string) => [`\`bptt\` carries ${name}'s state from window to window, so \`init ${name}\` would apply to the first window only`, `drop \`init ${name}\` (the first window starts from zeros), or train without bptt`],
  bpttNeedsForward: () => [`\`bptt\` cuts forward recurrences into windows, but this model has a backward one`, undefined],
  bpttReadsAhead: (text: string) => [`\`${text}\` reads a later step of t, but \`bptt\` trains one window of t at a time and the later steps lie in the next window`, "under bptt a step reads only earlier steps (t-k), which the windows carry over; or train without bptt"],
  bpttFirstOrLast: (text: string, which: string) => [`\`${text}\` reads the ${which} step of t, but \`bptt\` cuts t into windows, each with a ${which} step of its own`, "under bptt a step reads only its own and earlier steps; or train without bptt"],
  bpttLossOutsideT: (text: string) => [`\`loss ${text}\` is not one per step of t, but \`bptt\` trains one window of t at a time: this loss would count once per window`, "under bptt every loss compares each step of t with its target; or train without bptt"],
} satisfies Record<string, Message>;

export type MessageCode = keyof typeof messages;
