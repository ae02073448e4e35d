// The names the language gives meaning to: functions, losses, initializers, train settings.
// Functions and losses are the IR's ops as the language spells them (ir/ops.ts): a new op with a
// spelling is a new function here, with no list to update.
import { lossOps, numberArgumentFunctions, ops, ownRuleFunctions, pairFunctions, shapeKeepingFunctions, type Op } from "../ir/ops.ts";

/** Functions of one tensor that keep its shape (softmax and log_softmax need a vector). */
export const elementwiseFunctions = new Set(shapeKeepingFunctions.keys());
export const vectorFunctions = new Set([...shapeKeepingFunctions].filter(([, f]) => f.vector).map(([name]) => name));
/** Elementwise functions of a tensor and a number written out: elu(x, 1.0), leaky_relu(x, 0.01). */
export const numberArgumentFunctionNames = new Set(numberArgumentFunctions.keys());
/** Elementwise functions of two operands, broadcast as `+`: max(a, b), min(a, b). */
export const pairFunctionNames = new Set(pairFunctions.keys());

/** Functions with their own typing rule in expressions.ts. */
export const structuralFunctions = new Set(ownRuleFunctions.keys());

/** Sizes bound from the training data. */
export const sizeFunctions = new Set(["vocab", "classes"]);

/** The losses, as the ops that compute them. */
export type LossFunction = { [K in Op]: (typeof ops)[K]["spelling"] extends { loss: string } ? K : never }[Op];
export const lossFunctions = [...lossOps.keys()] as LossFunction[];
export const isLossFunction = (name: string): name is LossFunction => lossOps.has(name);

export const builtinFunctionNames = [...elementwiseFunctions, ...numberArgumentFunctionNames, ...pairFunctionNames, ...structuralFunctions];

/** Initializer → how many numeric arguments it takes. */
export const initializers: Record<string, number> = {
  glorot: 0,
  orthogonal: 0,
  zeros: 0,
  ones: 0,
  lstm_bias: 0,
  normal: 1,
  uniform: 1,
};

/** Words that stand for time steps inside an index. */
export const axisNames = new Set(["t", "s"]);
export const stepNames = new Set(["first", "last"]);
