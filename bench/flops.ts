// The useful floating-point work of a workload: the products of the model, counted the same way
// for every engine (a multiply and an add are 2 FLOPs; elementwise gates, softmax, lookups and
// the optimizer are not counted). A training step is counted as 3× its forward products: the
// forward product, and in the backward pass one product for the input's gradient and one for the
// weight's. What an engine computes on top (tfjs-wasm's one-hot product in place of a lookup) is
// not credited: GFLOP/s here is useful work per second.

export type Cell = "lstm" | "gru";

/** Gate blocks of a cell's product with [x; h]: LSTM i, f, o, g; GRU z, r, candidate. */
export const gateCount = (cell: Cell): number => (cell === "lstm" ? 4 : 3);

/** Forward FLOPs of one recurrent step for one example: G·H × (E + H) multiply-adds. */
export const cellFlops = (cell: Cell, E: number, H: number): number => 2 * gateCount(cell) * H * (E + H);

/** Forward FLOPs of the output layer on one state: V × H multiply-adds. */
export const headFlops = (H: number, outputs: number): number => 2 * outputs * H;

/**
 * A language model's forward FLOPs per token: 2·(G·H·(E+H) + V·H). For the LSTM (G = 4) at
 * V = 64, E = 32, H = 128: 2·(4·128·160 + 64·128) = 180,224.
 */
export const lmForwardFlopsPerToken = (cell: Cell, V: number, E: number, H: number): number => cellFlops(cell, E, H) + headFlops(H, V);

/** Training FLOPs per token: 3 × forward. LSTM, V = 64, E = 32, H = 128: 540,672. */
export const lmTrainFlopsPerToken = (cell: Cell, V: number, E: number, H: number): number => 3 * lmForwardFlopsPerToken(cell, V, E, H);

/** Many-to-one: forward FLOPs of one sequence of T steps, the classifier read once at the end. */
export const classifierForwardFlopsPerSequence = (cell: Cell, T: number, E: number, H: number, classes: number): number =>
  T * cellFlops(cell, E, H) + headFlops(H, classes);

export const classifierTrainFlopsPerSequence = (cell: Cell, T: number, E: number, H: number, classes: number): number =>
  3 * classifierForwardFlopsPerSequence(cell, T, E, H, classes);
