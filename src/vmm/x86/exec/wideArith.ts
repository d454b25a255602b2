// 64 x 64 -> 128-bit multiplication on (lo, hi) uint32 halves without bigint, for the 64-bit forms
// of MUL and IMUL (SDM Vol. 2A/2B). The operands are split into 16-bit limbs so that every partial
// product and column sum stays an exact integer in a double.

/** The four 32-bit words of the last product, least significant first (w0 = bits 0-31). */
export const product = new Float64Array(4);

/** Unsigned (ah:a) * (bh:b); the 128-bit result goes to `product`. */
export function mulU64(a: number, ah: number, b: number, bh: number): void {
  const a0 = a & 0xffff, a1 = a >>> 16, a2 = ah & 0xffff, a3 = ah >>> 16;
  const b0 = b & 0xffff, b1 = b >>> 16, b2 = bh & 0xffff, b3 = bh >>> 16;
  // Column k holds the sum of a_i * b_j with i + j = k (below 2^34 each), then carries propagate.
  let c = a0 * b0;
  const r0 = c % 65536; c = (c - r0) / 65536;
  c += a0 * b1 + a1 * b0;
  const r1 = c % 65536; c = (c - r1) / 65536;
  c += a0 * b2 + a1 * b1 + a2 * b0;
  const r2 = c % 65536; c = (c - r2) / 65536;
  c += a0 * b3 + a1 * b2 + a2 * b1 + a3 * b0;
  const r3 = c % 65536; c = (c - r3) / 65536;
  c += a1 * b3 + a2 * b2 + a3 * b1;
  const r4 = c % 65536; c = (c - r4) / 65536;
  c += a2 * b3 + a3 * b2;
  const r5 = c % 65536; c = (c - r5) / 65536;
  c += a3 * b3;
  const r6 = c % 65536; c = (c - r6) / 65536;
  product[0] = r0 + r1 * 65536;
  product[1] = r2 + r3 * 65536;
  product[2] = r4 + r5 * 65536;
  product[3] = r6 + c * 65536;
}

/** Signed (ah:a) * (bh:b) as two's complement; the 128-bit result goes to `product`. */
export function mulS64(a: number, ah: number, b: number, bh: number): void {
  mulU64(a, ah, b, bh);
  // Signed high half = unsigned high half - (a < 0 ? b : 0) - (b < 0 ? a : 0), modulo 2^64.
  if (ah & 0x80000000) subHigh(b, bh);
  if (bh & 0x80000000) subHigh(a, ah);
}

function subHigh(lo: number, hi: number): void {
  let l = product[2] - (lo >>> 0), h = product[3] - (hi >>> 0);
  if (l < 0) { l += 4294967296; h -= 1; }
  if (h < 0) h += 4294967296;
  product[2] = l;
  product[3] = h;
}
