// Where a part of a batch lies in its region of memory, which the main thread writes the part
// into and the part's thread reads it from (shared for a worker; the main thread's own part is an
// ordinary buffer, read the same way).
//
// A region: an Int32 header saying the part's shape, then the lengths, fields, carried states in
// and final states out, each on 8 bytes. Both sides compute the same layout from the header with
// `regionLayout`.
import type { Axis, DataLayout, ModelBatch } from "../model.ts";
import type { FloatArray } from "../types.ts";
import { widthOf } from "./split.ts";

/** What both sides know of the model's batches, from its layout. */
export interface PartSpec {
  fields: { name: string; width: number }[];
  axes: Axis[];
  carried: { name: string; size: number }[];
  losses: number;
  /** Bytes per value of the model's arrays (4: Float32Array, 8: Float64Array). */
  bytes: 4 | 8;
}

export function partSpec(data: readonly DataLayout[], carried: readonly { name: string; size: number }[], losses: number, bytes: 4 | 8): PartSpec {
  return { fields: data.map((d) => ({ name: d.name, width: widthOf(d) })), axes: ["t", "s"], carried: [...carried], losses, bytes };
}

/**
 * The header, in Int32s: B; per field its steps (-1 if absent) and its value bytes (4 or 8); per axis 1 if the
 * part has lengths on it; per carried state 1 if it has a carry.
 */
export const headerLength = (spec: PartSpec) => 1 + 2 * spec.fields.length + spec.axes.length + spec.carried.length;
export const H_STEPS = (f: number) => 1 + 2 * f;
export const H_BYTES = (f: number) => 2 + 2 * f;
export const H_AXIS = (spec: PartSpec, a: number) => 1 + 2 * spec.fields.length + a;
export const H_CARRY = (spec: PartSpec, c: number) => 1 + 2 * spec.fields.length + spec.axes.length + c;

const align8 = (n: number) => (n + 7) & ~7;

/** A Float32Array or Float64Array (bytes 4 or 8) of `length` values at byte `offset` of `buffer`. */
export const floatView = (bytes: 4 | 8, buffer: ArrayBufferLike, offset: number, length: number): FloatArray =>
  bytes === 8 ? new Float64Array(buffer, offset, length) : new Float32Array(buffer, offset, length);

export interface RegionLayout {
  /** Byte offset of each axis's lengths, -1 when absent. */
  lengths: number[];
  /** Each field's byte offset (-1 when the batch has none), values and bytes per value. */
  fields: { offset: number; count: number; bytes: 4 | 8 }[];
  /** Byte offset of each carried state's carry in, -1 when absent. */
  carry: number[];
  /** Byte offset of each carried state's final rows out. */
  final: number[];
  end: number;
}

/** The bytes a region needs for the part the header describes (regionLayout's `end`, allocating nothing). */
export function regionBytes(spec: PartSpec, header: Int32Array): number {
  const B = header[0];
  let at = align8(headerLength(spec) * 4);
  for (let a = 0; a < spec.axes.length; a++) if (header[H_AXIS(spec, a)]) at = align8(at + B * 4);
  for (let i = 0; i < spec.fields.length; i++) at = align8(at + Math.max(0, header[H_STEPS(i)]) * B * spec.fields[i].width * (header[H_BYTES(i)] === 8 ? 8 : 4));
  for (let c = 0; c < spec.carried.length; c++) {
    const rows = B * spec.carried[c].size * spec.bytes;
    if (header[H_CARRY(spec, c)]) at = align8(at + rows);
    at = align8(at + rows);
  }
  return at;
}

/** Where everything of the part the header describes lies, in bytes from the region's start. */
export function regionLayout(spec: PartSpec, header: Int32Array): RegionLayout {
  const B = header[0];
  let at = align8(headerLength(spec) * 4);
  const take = (bytes: number) => {
    const offset = at;
    at = align8(at + bytes);
    return offset;
  };
  const lengths = spec.axes.map((_, a) => (header[H_AXIS(spec, a)] ? take(B * 4) : -1));
  const fields = spec.fields.map((f, i) => {
    const bytes = header[H_BYTES(i)] === 8 ? 8 : 4;
    const steps = header[H_STEPS(i)]; // -1: the batch has no such field
    const count = Math.max(0, steps) * B * f.width;
    return { offset: steps < 0 ? -1 : take(count * bytes), count, bytes } as const;
  });
  const carry = spec.carried.map((c, i) => (header[H_CARRY(spec, i)] ? take(B * c.size * spec.bytes) : -1));
  const final = spec.carried.map((c) => take(B * c.size * spec.bytes));
  return { lengths, fields, carry, final, end: at };
}

/**
 * A part's batch as views of its region, made again only when the part's shape changes (the
 * views and the ModelBatch are reused from step to step otherwise). `denominators` is shared:
 * the caller fills it before each step.
 */
export class PartView {
  private header: Int32Array = new Int32Array(0); // the shape the views were made for
  private headerView: Int32Array = new Int32Array(0);
  private buffer: ArrayBufferLike | undefined;
  batch: ModelBatch | undefined;
  /** The same views by position in the spec (undefined where absent): what the main thread writes into. */
  lengths: (Int32Array | undefined)[] = [];
  fields: (FloatArray | undefined)[] = [];
  carry: (FloatArray | undefined)[] = [];
  final: FloatArray[] = [];

  constructor(
    private readonly spec: PartSpec,
    private readonly denominators: number[],
  ) {}

  /** The header of `buffer` (a view made once per buffer). */
  headerOf(buffer: ArrayBufferLike): Int32Array {
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.headerView = new Int32Array(buffer, 0, headerLength(this.spec));
      this.batch = undefined;
    }
    return this.headerView;
  }

  /** The batch in `buffer` (its header at byte 0). */
  read(buffer: ArrayBufferLike): ModelBatch {
    const header = this.headerOf(buffer);
    if (this.batch && sameValues(header, this.header)) return this.batch;
    this.header = header.slice();
    const layout = regionLayout(this.spec, header);
    const B = header[0];
    this.lengths = layout.lengths.map((offset) => (offset >= 0 ? new Int32Array(buffer, offset, B) : undefined));
    this.fields = layout.fields.map(({ offset, count, bytes }) => (offset >= 0 ? floatView(bytes, buffer, offset, count) : undefined));
    this.carry = this.spec.carried.map((c, i) => (layout.carry[i] >= 0 ? floatView(this.spec.bytes, buffer, layout.carry[i], B * c.size) : undefined));
    const lengths: Partial<Record<Axis, Int32Array>> = {};
    this.spec.axes.forEach((axis, a) => this.lengths[a] && (lengths[axis] = this.lengths[a]));
    const fields = new Map<string, FloatArray>();
    this.spec.fields.forEach((f, i) => this.fields[i] && fields.set(f.name, this.fields[i]));
    const batch: ModelBatch = { size: B, lengths, fields, denominators: this.denominators };
    const carry = new Map<string, FloatArray>();
    this.spec.carried.forEach((c, i) => this.carry[i] && carry.set(c.name, this.carry[i]));
    if (carry.size > 0) batch.carry = carry;
    this.final = this.spec.carried.map((c, i) => floatView(this.spec.bytes, buffer, layout.final[i], B * c.size));
    this.batch = batch;
    return batch;
  }
}

function sameValues(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
