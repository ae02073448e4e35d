// Float arrays as base64 text of their little-endian bytes: exact (every bit, NaN payloads
// included), a third larger than the bytes, several times smaller than decimal JSON. Browser-safe:
// no Buffer, no atob.

import type { FloatArray } from "./types.ts";

export type FloatType = "float32" | "float64";

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const codes = Uint8Array.from(alphabet, (c) => c.charCodeAt(0));
const valueOf = new Int16Array(128).fill(-1);
for (let i = 0; i < alphabet.length; i++) valueOf[alphabet.charCodeAt(i)] = i;
const PAD = "=".charCodeAt(0);

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function floatTypeOf(values: FloatArray): FloatType {
  return values instanceof Float32Array ? "float32" : "float64";
}

export function floatsToBase64(values: FloatArray): string {
  return bytesToBase64(littleEndianBytes(values));
}

/** The floats in `text`, or why they cannot be read (worded to follow "values are"). */
export function base64ToFloats(text: string, type: FloatType): FloatArray | string {
  const bytes = base64ToBytes(text);
  if (!bytes) return "not valid base64";
  const size = type === "float32" ? 4 : 8;
  if (bytes.length % size !== 0) return `${bytes.length} bytes long, not a whole number of ${type} values`;
  const count = bytes.length / size;
  if (littleEndian) return type === "float32" ? new Float32Array(bytes.buffer, 0, count) : new Float64Array(bytes.buffer, 0, count);
  const view = new DataView(bytes.buffer);
  const values = type === "float32" ? new Float32Array(count) : new Float64Array(count);
  for (let i = 0; i < count; i++) values[i] = type === "float32" ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
  return values;
}

function littleEndianBytes(values: FloatArray): Uint8Array {
  if (littleEndian) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const view = new DataView(new ArrayBuffer(values.byteLength));
  const isFloat32 = values instanceof Float32Array;
  for (let i = 0; i < values.length; i++) {
    if (isFloat32) view.setFloat32(i * 4, values[i], true);
    else view.setFloat64(i * 8, values[i], true);
  }
  return new Uint8Array(view.buffer);
}

export function bytesToBase64(bytes: Uint8Array): string {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = codes[n >>> 18];
    out[o++] = codes[(n >>> 12) & 63];
    out[o++] = codes[(n >>> 6) & 63];
    out[o++] = codes[n & 63];
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = (bytes[i] << 16) | (rest === 2 ? bytes[i + 1] << 8 : 0);
    out[o++] = codes[n >>> 18];
    out[o++] = codes[(n >>> 12) & 63];
    out[o++] = rest === 2 ? codes[(n >>> 6) & 63] : PAD;
    out[o++] = PAD;
  }
  return new TextDecoder().decode(out); // ASCII bytes: UTF-8 decoding is the identity
}

/** Strict: the standard alphabet, padded to a multiple of 4, nothing else. Undefined if invalid. */
export function base64ToBytes(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const c = text.charCodeAt(i + k);
      const isPadding = c === PAD && i + k >= text.length - padding;
      const v = isPadding ? 0 : c < 128 ? valueOf[c] : -1;
      if (v < 0) return undefined;
      n = (n << 6) | v;
    }
    bytes[o++] = n >>> 16;
    if (o < bytes.length) bytes[o++] = (n >>> 8) & 255;
    if (o < bytes.length) bytes[o++] = n & 255;
  }
  return bytes;
}
