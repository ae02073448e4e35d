// CRC-32 in plain TypeScript: the standard check value, and the same answers as zlib's (Node's
// native one) whatever the alignment of the bytes and however they are split into chunks.
import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32, crc32Hex } from "../../runtime/checksum.ts";
import { Rng } from "../../runtime/rng.ts";

describe("crc32", () => {
  it("gives the standard check value and zlib's answers", () => {
    expect(crc32Hex(crc32(new TextEncoder().encode("123456789")))).toBe("cbf43926");
    expect(crc32(new Uint8Array(0))).toBe(0);
    const rng = new Rng(3);
    const bytes = Uint8Array.from({ length: 4099 }, () => rng.int(256));
    for (const [from, to] of [[0, 4099], [1, 4099], [3, 4000], [5, 12], [7, 8], [2, 2]]) {
      expect(crc32(bytes.subarray(from, to)), `${from}..${to}`).toBe(zlibCrc32(bytes.subarray(from, to)));
    }
  });

  it("continues from a previous value, so chunks give the checksum of the whole", () => {
    const rng = new Rng(4);
    const bytes = Uint8Array.from({ length: 1000 }, () => rng.int(256));
    let crc = 0;
    for (const cut of [[0, 3], [3, 17], [17, 512], [512, 1000]]) crc = crc32(bytes.subarray(cut[0], cut[1]), crc);
    expect(crc).toBe(zlibCrc32(bytes));
  });
});
