// Cutting a batch into parts: examples [start, start + count) of a batch written into a part's
// region (the header that says the part's shape, then its lengths, fields and carries), for the
// part's thread to read as a batch of its own. Only what the part needs is copied: the steps of
// its longest example, not the batch's.
import type { DataLayout, ModelBatch } from "../model.ts";
import { H_AXIS, H_BYTES, H_CARRY, H_STEPS, headerLength, regionBytes, type PartSpec, type PartView } from "./region.ts";
import { copyRows, partSteps } from "./split.ts";

export class PartWriter {
  /** A part's header, made here before it is copied into its region (whose size it decides). */
  private readonly header: Int32Array;

  constructor(
    private readonly spec: PartSpec,
    private readonly data: readonly DataLayout[],
  ) {
    this.header = new Int32Array(headerLength(spec));
  }

  /**
   * Writes the part into `region` through `view`; into a bigger region, made by `allocate` (half
   * as big again at least, so that growing is rare), when it does not fit. Returns the region
   * written: the caller keeps it for the next step.
   */
  write<R extends ArrayBufferLike>(batch: ModelBatch, start: number, count: number, view: PartView, region: R, allocate: (bytes: number) => R): R {
    const { spec, header } = this;
    header[0] = count;
    for (let i = 0; i < spec.fields.length; i++) {
      const field = batch.fields.get(spec.fields[i].name);
      header[H_STEPS(i)] = field ? partSteps(batch, this.data[i], field, start, count) : -1;
      header[H_BYTES(i)] = field instanceof Float64Array ? 8 : 4;
    }
    for (let a = 0; a < spec.axes.length; a++) header[H_AXIS(spec, a)] = batch.lengths[spec.axes[a]] ? 1 : 0;
    for (let c = 0; c < spec.carried.length; c++) header[H_CARRY(spec, c)] = batch.carry?.has(spec.carried[c].name) ? 1 : 0;
    const needed = regionBytes(spec, header);
    if (needed > region.byteLength) region = allocate(Math.max(needed, Math.ceil(region.byteLength * 1.5)));
    view.headerOf(region).set(header);
    view.read(region);
    const B = batch.size;
    for (let a = 0; a < spec.axes.length; a++) {
      const to = view.lengths[a];
      if (to) copyRows(batch.lengths[spec.axes[a]]!, B, 1, start, count, 1, to);
    }
    for (let i = 0; i < spec.fields.length; i++) {
      const to = view.fields[i];
      const width = spec.fields[i].width;
      if (to && to.length > 0) copyRows(batch.fields.get(spec.fields[i].name)!, B, width, start, count, to.length / (count * width), to);
    }
    for (let c = 0; c < spec.carried.length; c++) {
      const to = view.carry[c];
      if (to) copyRows(batch.carry!.get(spec.carried[c].name)!, B, spec.carried[c].size, start, count, 1, to);
    }
    return region;
  }
}
