// 64 x 64 -> 128-bit multiplication on (lo, hi) uint32 halves without bigint, for the 64-bit forms
// of MUL and IMUL (SDM Vol. 2A/2B). 32 x 32-bit partial products are formed exactly (low half by
// Math.imul, high half from 16-bit pieces), then summed by 32-bit columns.

/** The four 32-bit words of the last product, least significant first (w0 = bits 0-31). */
export const product = new Float64Array(4);

/** High 32 bits of the unsigned product of two uint32 values (16-bit partial products, all exact). */
export function mulHigh32(x: number, y: number): number {
  const x0 = x & 0xffff, x1 = x >>> 16, y0 = y & 0xffff, y1 = y >>> 16;
  const p01 = x0 * y1, p10 = x1 * y0;
  const mid = ((x0 * y0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (x1 * y1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) >>> 0;
}

/** Unsigned (ah:a) * (bh:b); the 128-bit result goes to `product`. */
export function mulU64(a: number, ah: number, b: number, bh: number): void {
  // Four 32 x 32 -> 64 products (low halves by Math.imul), summed by 32-bit columns with carries.
  const l1 = mulHigh32(a, b), m0 = Math.imul(a, bh) >>> 0, m1 = mulHigh32(a, bh);
  let n0 = 0, n1 = 0, o0 = 0, o1 = 0;
  if (ah !== 0) { n0 = Math.imul(ah, b) >>> 0; n1 = mulHigh32(ah, b); o0 = Math.imul(ah, bh) >>> 0; o1 = mulHigh32(ah, bh); }
  const s1 = l1 + m0 + n0, w1 = s1 >>> 0;
  const s2 = m1 + n1 + o0 + (s1 - w1) / 4294967296, w2 = s2 >>> 0;
  product[0] = Math.imul(a, b) >>> 0;
  product[1] = w1;
  product[2] = w2;
  product[3] = (o1 + (s2 - w2) / 4294967296) >>> 0;
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

/**
 * The truncating 64-bit IMUL (SDM Vol. 2A IMUL, two- and three-operand forms) of (a, ah) and (b, bh):
 * returns the low word; product[1] is the high word of the 64-bit result and product[2] 1 when the
 * signed product does not fit in 64 bits (CF = OF), else 0. The low 64 bits come from 32-bit partial
 * products; the double magnitude of the signed product decides the overflow unless it lies near
 * 2^63 (relative error 2^-52), where the full 128-bit product does.
 */
export function imulTruncated64(a: number, ah: number, b: number, bh: number): number {
  const t = Math.imul(a, b) >>> 0, u = (mulHigh32(a, b) + Math.imul(a, bh) + Math.imul(ah, b)) >>> 0;
  let overflow = 0;
  const m = Math.abs(((ah | 0) * 4294967296 + a) * ((bh | 0) * 4294967296 + b));
  if (m >= 4611686018427387904) {
    if (m > 18446744073709551616) overflow = 1;
    else {
      mulS64(a, ah, b, bh);
      const x = u >= 0x80000000 ? 0xffffffff : 0;
      overflow = product[2] !== x || product[3] !== x ? 1 : 0;
    }
  }
  product[1] = u;
  product[2] = overflow;
  return t;
}
