// A recognised cell's param between the program's row order and the reference's (the prelude
// cell's gate order): exporters lay weights out from the reference's order, and an import gives
// them back in the program's. `rows[i]` is the program's row holding the reference's row i
// (match.ts); without `rows` the orders are the same.

/** The param's values with its rows in the reference's order. */
export function inReferenceOrder(values: ArrayLike<number>, rows: readonly number[] | undefined): Float32Array {
  if (!rows) return Float32Array.from(values);
  const cols = values.length / rows.length;
  const out = new Float32Array(values.length);
  rows.forEach((from, i) => {
    for (let j = 0; j < cols; j++) out[i * cols + j] = values[from * cols + j];
  });
  return out;
}

/** The param's values with its rows back in the program's order. */
export function inProgramOrder(values: ArrayLike<number>, rows: readonly number[] | undefined): Float32Array {
  if (!rows) return Float32Array.from(values);
  const cols = values.length / rows.length;
  const out = new Float32Array(values.length);
  rows.forEach((to, i) => {
    for (let j = 0; j < cols; j++) out[to * cols + j] = values[i * cols + j];
  });
  return out;
}
