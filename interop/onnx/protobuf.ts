// The protocol buffers wire format, the part an encoder needs: varints, length-delimited fields
// (strings, bytes, nested messages, packed repeated numbers) and 32-bit floats. No decoding, no
// schema: onnx-proto.ts says which field number holds what.
// https://protobuf.dev/programming-guides/encoding/

const WireType = { Varint: 0, LengthDelimited: 2, Fixed32: 5 } as const;
type WireType = (typeof WireType)[keyof typeof WireType];

/** Appends fields to a growing buffer; `finish` returns the message's bytes. */
export class ProtoWriter {
  private bytes = new Uint8Array(256);
  private length = 0;

  private reserve(n: number) {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  private byte(b: number) {
    this.reserve(1);
    this.bytes[this.length++] = b;
  }

  /** A varint: 7 bits a byte, low first. Negative int64s take ten bytes (two's complement). */
  private varint(value: number | bigint) {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
  }

  private tag(field: number, wire: WireType) {
    this.varint((field << 3) | wire);
  }

  private raw(data: Uint8Array) {
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  /** int32, int64 and enum fields. */
  int(field: number, value: number | bigint): this {
    this.tag(field, WireType.Varint);
    this.varint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WireType.Fixed32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.raw(b);
    return this;
  }

  bytesField(field: number, data: Uint8Array): this {
    this.tag(field, WireType.LengthDelimited);
    this.varint(data.length);
    this.raw(data);
    return this;
  }

  string(field: number, text: string): this {
    return this.bytesField(field, new TextEncoder().encode(text));
  }

  /** A nested message, written by `write` into a writer of its own. */
  message(field: number, write: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    write(inner);
    return this.bytesField(field, inner.finish());
  }

  /** A packed repeated int32/int64 field (parsers accept packed and unpacked alike). */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    if (values.length === 0) return this;
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytesField(field, inner.finish());
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: readonly number[]): this {
    if (values.length === 0) return this;
    const b = new Uint8Array(4 * values.length);
    const view = new DataView(b.buffer);
    values.forEach((v, i) => view.setFloat32(4 * i, v, true));
    return this.bytesField(field, b);
  }

  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}
