// The names the language gives meaning to: functions, losses, initializers, train settings.

/** Functions of one tensor that keep its shape. softmax and log_softmax need a vector. */
export const elementwiseFunctions = new Set(["sigmoid", "tanh", "relu", "exp", "log", "softmax", "log_softmax"]);
export const vectorFunctions = new Set(["softmax", "log_softmax"]);

/** Functions with their own typing rule in expressions.ts. */
export const structuralFunctions = new Set(["onehot", "concat"]);

/** Sizes bound from the training data. */
export const sizeFunctions = new Set(["vocab", "classes"]);

export const lossFunctions = ["cross_entropy", "binary_cross_entropy", "mse"] as const;
export type LossFunction = (typeof lossFunctions)[number];
export const isLossFunction = (name: string): name is LossFunction => (lossFunctions as readonly string[]).includes(name);

export const builtinFunctionNames = [...elementwiseFunctions, ...structuralFunctions];

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
