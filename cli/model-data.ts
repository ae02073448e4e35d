// Between a checked model and its data: the fields the data layer reads, the sizes the data
// binds (`vocab(x)`, `classes(y)`) and the minibatches the model runs on.
import type { CheckedModel, DataItem } from "../compiler/2-check/checked.ts";
import { numeric } from "../compiler/2-check/sizes.ts";
import type { DataSizes } from "../compiler/3-lower/index.ts";
import type { DataField } from "../data/fields.ts";
import type { Vocabulary } from "../data/vocabulary.ts";

/** The model's inputs and targets as the data layer describes them. */
export function modelFields(model: CheckedModel): DataField[] {
  return model.data.map((d) => ({
    name: d.name,
    role: d.role,
    sequence: d.type.sequence,
    element: elementOf(d),
    ...(d.axis ? { axis: d.axis } : {}),
    ...(d.autoregressive ? { autoregressive: true } : {}),
  }));
}

function elementOf(d: DataItem): DataField["element"] {
  const e = d.type.element;
  if (e.kind === "token" || e.kind === "class") return { kind: e.kind };
  const size = e.kind === "tensor" && e.shape.length === 1 ? numeric(e.shape[0]) : undefined;
  if (size === undefined) throw new Error(`the size of ${d.name} is not a number after checking`);
  return { kind: "vector", size };
}

/** `vocab(x)` for a token field, `classes(y)` for a class field. */
export const sizeKey = (d: DataItem): string | undefined =>
  d.type.element.kind === "token" ? `vocab(${d.name})` : d.type.element.kind === "class" ? `classes(${d.name})` : undefined;

/**
 * The sizes the vocabularies bind, for `lower`. A size the model fixes (`dense(H, 2)` for
 * `classes(even)`) stays as the model says, and the data may not have more ids than that.
 */
export function dataSizes(model: CheckedModel, vocabularies: ReadonlyMap<string, Vocabulary>, file: string): { sizes: DataSizes; errors: string[] } {
  const sizes: DataSizes = new Map();
  const errors: string[] = [];
  for (const d of model.data) {
    const key = sizeKey(d);
    const vocabulary = vocabularies.get(d.name);
    if (!key || !vocabulary) continue;
    const fixed = model.sizeConstraints.get(key);
    const n = fixed ? numeric(fixed) : undefined;
    if (n === undefined) {
      sizes.set(key, vocabulary.size);
      continue;
    }
    sizes.set(key, n);
    if (vocabulary.size > n) {
      const what = d.type.element.kind === "class" ? "classes" : "ids (tokens and specials)";
      const shown = vocabulary.tokens.slice(0, 10).join(", ") + (vocabulary.size > 10 ? ", …" : "");
      errors.push(`${file}: ${d.name} has ${vocabulary.size} ${what} (${shown}), but the model fixes ${key} = ${n}`);
    }
  }
  return { sizes, errors };
}
