// Deferred status flags of compiled regions (blockCompiler.ts). An inline ADD/SUB/CMP/logic/INC/DEC
// does not compute RFLAGS: it records its kind and operands in locals of the region function, and
// the flags are computed from them only where something reads them (a Jcc that cannot use the
// operands directly, a handler call, an exit, a fault). A result overwritten before any reader is
// never computed. The arithmetic is that of exec/alu.ts add/sub/logicFlags (SDM Vol. 1 3.4.3,
// Appendix B; Vol. 2A ADD/SUB/CMP/AND/OR/XOR/TEST/INC/DEC).

import { PARITY } from './registers';

/**
 * Kinds of deferred flag producers. Operands are uint32 halves: (a, ah) and (b, bh). For LOGIC, (a, ah)
 * is the result. For INC/DEC, (a, ah) is the operand and b the carry flag before the instruction
 * (INC/DEC leave CF unchanged). NONE: RFLAGS in the CPU is exact.
 */
export const FK_NONE = 0, FK_ADD32 = 1, FK_SUB32 = 2, FK_LOGIC32 = 3, FK_INC32 = 4, FK_DEC32 = 5;
export const FK_ADD64 = 6, FK_SUB64 = 7, FK_LOGIC64 = 8, FK_INC64 = 9, FK_DEC64 = 10;
/**
 * SHL/SHR/SAR by a count of 1..31 (32-bit) or 1..63 (64-bit): (a, ah) is the operand, b the count.
 * IMUL (truncating forms): (a, ah) is the result, b is 1 when the product overflowed.
 */
export const FK_SHL32 = 11, FK_SHR32 = 12, FK_SAR32 = 13, FK_SHL64 = 14, FK_SHR64 = 15, FK_SAR64 = 16;
export const FK_MUL32 = 17, FK_MUL64 = 18;

const STATUS = 0x8d5;

/** RFLAGS with the status flags of the deferred producer applied to `flags`. */
export function materializeFlags(flags: number, kind: number, a: number, b: number, ah: number, bh: number): number {
  if (kind >= FK_SHL32) return kind >= FK_MUL32 ? mulFlags(flags, kind, a, ah, b) : shiftFlags(flags, kind, a, ah, b);
  let t: number, u = 0, cf: number, of: number, af: number;
  switch (kind) {
    case FK_ADD32: { const s = a + b; t = s >>> 0; cf = s > 4294967295 ? 1 : 0; af = (a ^ b ^ t) & 16; of = (((a ^ t) & (b ^ t)) >>> 20) & 2048; break; }
    case FK_SUB32: { const s = a - b; t = s >>> 0; cf = s < 0 ? 1 : 0; af = (a ^ b ^ t) & 16; of = (((a ^ b) & (a ^ t)) >>> 20) & 2048; break; }
    case FK_INC32: t = (a + 1) >>> 0; cf = b; af = (a ^ 1 ^ t) & 16; of = t === 0x80000000 ? 2048 : 0; break;
    case FK_DEC32: t = (a - 1) >>> 0; cf = b; af = (a ^ 1 ^ t) & 16; of = t === 0x7fffffff ? 2048 : 0; break;
    case FK_LOGIC32: t = a; cf = 0; af = 0; of = 0; break;
    case FK_ADD64: {
      const s = a + b; t = s >>> 0;
      const sh = ah + bh + (s > 4294967295 ? 1 : 0); u = sh >>> 0;
      cf = sh > 4294967295 ? 1 : 0; af = (a ^ b ^ t) & 16; of = (((ah ^ u) & (bh ^ u)) >>> 20) & 2048; break;
    }
    case FK_SUB64: {
      const s = a - b; t = s >>> 0;
      const sh = ah - bh - (s < 0 ? 1 : 0); u = sh >>> 0;
      cf = sh < 0 ? 1 : 0; af = (a ^ b ^ t) & 16; of = (((ah ^ bh) & (ah ^ u)) >>> 20) & 2048; break;
    }
    case FK_INC64:
      t = (a + 1) >>> 0; u = t === 0 ? (ah + 1) >>> 0 : ah; cf = b; af = (a ^ 1 ^ t) & 16;
      of = t === 0 && u === 0x80000000 ? 2048 : 0; break;
    case FK_DEC64:
      t = (a - 1) >>> 0; u = a === 0 ? (ah - 1) >>> 0 : ah; cf = b; af = (a ^ 1 ^ t) & 16;
      of = t === 0xffffffff && u === 0x7fffffff ? 2048 : 0; break;
    case FK_LOGIC64: t = a; u = ah; cf = 0; af = 0; of = 0; break;
    default: return flags;
  }
  const wide = kind >= FK_ADD64;
  const zf = (wide ? (t | u) : t) === 0 ? 64 : 0;
  const sf = ((wide ? u : t) >>> 24) & 128;
  return (flags & ~STATUS) | cf | PARITY[t & 255] | af | zf | sf | of;
}

/** IMUL: CF = OF = overflow, SF/ZF/PF of the truncated result, AF cleared (exec/mulDiv.ts setMulFlags). */
function mulFlags(flags: number, kind: number, t: number, u: number, overflow: number): number {
  const wide = kind === FK_MUL64;
  const zf = (wide ? (t | u) : t) === 0 ? 64 : 0;
  const sf = ((wide ? u : t) >>> 24) & 128;
  return (flags & ~STATUS) | (overflow ? 2049 : 0) | PARITY[t & 255] | zf | sf;
}

/** SHL/SHR/SAR flags for a count n != 0, as exec/shift.ts shiftSmall and shift64 compute them (AF cleared). */
function shiftFlags(flags: number, kind: number, a: number, ah: number, n: number): number {
  let t: number, u = 0, cf: number, of: number;
  switch (kind) {
    case FK_SHL32: t = (a << n) >>> 0; cf = (a >>> (32 - n)) & 1; of = (t >>> 31) ^ cf; break;
    case FK_SHR32: t = a >>> n; cf = (a >>> (n - 1)) & 1; of = a >>> 31; break;
    case FK_SAR32: t = ((a | 0) >> n) >>> 0; cf = ((a | 0) >> (n - 1)) & 1; of = 0; break;
    case FK_SHL64:
      if (n < 32) { u = ((ah << n) | (a >>> (32 - n))) >>> 0; t = (a << n) >>> 0; cf = (ah >>> (32 - n)) & 1; }
      else if (n === 32) { u = a; t = 0; cf = ah & 1; }
      else { u = (a << (n - 32)) >>> 0; t = 0; cf = (a >>> (64 - n)) & 1; }
      of = (u >>> 31) ^ cf;
      break;
    default: {
      const fill = kind === FK_SAR64 && (ah & 0x80000000) !== 0 ? 0xffffffff : 0;
      if (n < 32) {
        t = ((a >>> n) | (ah << (32 - n))) >>> 0;
        u = kind === FK_SAR64 ? (ah >> n) >>> 0 : ah >>> n;
        cf = (a >>> (n - 1)) & 1;
      } else if (n === 32) { t = ah; u = fill; cf = a >>> 31; }
      else { t = kind === FK_SAR64 ? (ah >> (n - 32)) >>> 0 : ah >>> (n - 32); u = fill; cf = (ah >>> (n - 33)) & 1; }
      of = kind === FK_SHR64 ? ah >>> 31 : 0;
    }
  }
  const wide = kind >= FK_SHL64;
  const zf = (wide ? (t | u) : t) === 0 ? 64 : 0;
  const sf = ((wide ? u : t) >>> 24) & 128;
  return (flags & ~STATUS) | cf | (of << 11) | PARITY[t & 255] | zf | sf;
}

/** CF of a deferred producer (what INC/DEC preserve). */
export function carryOf(flags: number, kind: number, a: number, b: number, ah: number, bh: number): number {
  switch (kind) {
    case FK_NONE: return flags & 1;
    case FK_ADD32: return a + b > 4294967295 ? 1 : 0;
    case FK_SUB32: return a < b ? 1 : 0;
    case FK_ADD64: return ah + bh + (a + b > 4294967295 ? 1 : 0) > 4294967295 ? 1 : 0;
    case FK_SUB64: return ah < bh || (ah === bh && a < b) ? 1 : 0;
    case FK_INC32: case FK_DEC32: case FK_INC64: case FK_DEC64: return b;
    case FK_LOGIC32: case FK_LOGIC64: return 0;
    default: return materializeFlags(flags, kind, a, b, ah, bh) & 1;
  }
}

/**
 * A JS boolean expression for condition `cc` (tttn, SDM Vol. 1 Table B-1) computed directly from the
 * operands of a producer of kind `kind` held in the locals fa, fb, fah, fbh; undefined when the
 * condition needs the materialised flags.
 */
export function fusedCondition(kind: number, cc: number): string | undefined {
  const base = fusedTrue(kind, cc & 14);
  if (base === undefined) return undefined;
  return (cc & 1) === 0 ? `(${base})` : `!(${base})`;
}

function fusedTrue(kind: number, cc: number): string | undefined {
  switch (kind) {
    case FK_SUB32:
      switch (cc) {
        case 2: return 'fa < fb';
        case 4: return 'fa === fb';
        case 6: return 'fa <= fb';
        case 8: return '((fa - fb) | 0) < 0';
        case 12: return '(fa | 0) < (fb | 0)';
        case 14: return '(fa | 0) <= (fb | 0)';
        default: return undefined;
      }
    case FK_SUB64:
      switch (cc) {
        case 2: return 'fah < fbh || (fah === fbh && fa < fb)';
        case 4: return 'fa === fb && fah === fbh';
        case 6: return 'fah < fbh || (fah === fbh && fa <= fb)';
        case 12: return '(fah | 0) < (fbh | 0) || (fah === fbh && fa < fb)';
        case 14: return '(fah | 0) < (fbh | 0) || (fah === fbh && fa <= fb)';
        default: return undefined;
      }
    case FK_LOGIC32:
      switch (cc) {
        case 0: case 2: return 'false';
        case 4: case 6: return 'fa === 0';
        case 8: case 12: return '(fa | 0) < 0';
        case 14: return '(fa | 0) <= 0';
        default: return undefined;
      }
    case FK_LOGIC64:
      switch (cc) {
        case 0: case 2: return 'false';
        case 4: case 6: return '(fa | fah) === 0';
        case 8: case 12: return '(fah | 0) < 0';
        case 14: return '(fah | 0) < 0 || (fa | fah) === 0';
        default: return undefined;
      }
    case FK_ADD32:
      switch (cc) {
        case 2: return 'fa + fb > 4294967295';
        case 4: return '((fa + fb) >>> 0) === 0';
        case 8: return '((fa + fb) | 0) < 0';
        default: return undefined;
      }
    case FK_INC32:
      switch (cc) {
        case 4: return 'fa === 4294967295';
        case 8: return '((fa + 1) | 0) < 0';
        default: return undefined;
      }
    case FK_DEC32:
      switch (cc) {
        case 4: return 'fa === 1';
        case 8: return '((fa - 1) | 0) < 0';
        default: return undefined;
      }
    case FK_INC64:
      return cc === 4 ? 'fa === 4294967295 && fah === 4294967295' : undefined;
    case FK_DEC64:
      return cc === 4 ? 'fa === 1 && fah === 0' : undefined;
    default:
      return undefined;
  }
}

/** A JS boolean expression for condition `cc` on the materialised flags in `f`. */
export function flagsCondition(f: string, cc: number): string {
  let e: string;
  switch (cc >> 1) {
    case 0: e = `(${f} & 2048) !== 0`; break;
    case 1: e = `(${f} & 1) !== 0`; break;
    case 2: e = `(${f} & 64) !== 0`; break;
    case 3: e = `(${f} & 65) !== 0`; break;
    case 4: e = `(${f} & 128) !== 0`; break;
    case 5: e = `(${f} & 4) !== 0`; break;
    case 6: e = `(((${f} >>> 7) ^ (${f} >>> 11)) & 1) !== 0`; break;
    default: e = `((${f} & 64) !== 0 || (((${f} >>> 7) ^ (${f} >>> 11)) & 1) !== 0)`; break;
  }
  return (cc & 1) === 0 ? `(${e})` : `!(${e})`;
}
