// JS source for the instructions the region compiler (blockCompiler.ts) performs inline instead of
// calling their handler: 32/64-bit MOV (register, immediate, memory), ADD/SUB/CMP/AND/OR/XOR/TEST,
// INC/DEC, LEA, MOVZX/MOVSX/MOVSXD, CDQE/CQO and 64-bit PUSH/POP (SDM Vol. 2A/2B under each
// mnemonic). Status flags are deferred (regionFlags.ts): a producer stores its kind and operands in
// the locals fk/fa/fb/fah/fbh after its last access that can fault. Memory accesses that hit the
// TLB for the access kind (whose entries only grant what the frame's KVMI bits allow, core.ts) in
// RAM and, for writes, outside cached code pages use the RAM view directly; anything else goes
// through core.read/write (page walk, KVMI events, MMIO, code-page invalidation) and sets `sw`.

import { NO_REG, RIP_BASE, type DecodedInsn } from './decodedInsn';
import {
  FK_ADD32, FK_ADD64, FK_DEC32, FK_DEC64, FK_INC32, FK_INC64, FK_LOGIC32, FK_LOGIC64, FK_MUL32, FK_MUL64, FK_SAR32, FK_SAR64,
  FK_SHL32, FK_SHL64, FK_SHR32, FK_SHR64, FK_SUB32, FK_SUB64,
} from './regionFlags';

/** What the compiler needs to know about an inline form. */
export interface InlineForm {
  /** Statements; they may declare block-scoped constants (the compiler wraps them in braces). */
  src: string;
  /** The form reads or writes memory (it may throw a fault or KVMI event; code may have changed after it). */
  memory: boolean;
  /** Deferred-flag kind the form leaves in fk (FK_*), 0 when it does not touch the status flags, -1 when that depends on a register (shift by CL). */
  kind: number;
}

/** Where the form is compiled: the address of the instruction and the current carry flag. */
export interface InlineSite {
  /** JS expression of the instruction's RIP (RIP-relative operands use it plus the length). */
  rip: string;
  /** JS expression of CF before the instruction (INC/DEC keep it). */
  carry: string;
  /** For SETcc/CMOVcc: JS expression of the instruction's condition (fused or on RFLAGS). */
  cond?: string;
}

const SS = 2, FS = 4;
const TWO47 = 140737488355328;

/**
 * The linear address of an access: `decl` declares `lin`; `check` is what must run before the
 * address is used other than through the cached page: the exact wrap-around of a large index sum
 * and the canonical check (64-bit code, SDM Vol. 1 3.3.7.1), which call core.linear to fault.
 * An address within a cached page needs neither: the cached page is canonical, and an inexact
 * sum (|lin| >= 2^53) lies far from every canonical page.
 */
export interface Linear {
  decl: string;
  check: string;
}

/**
 * The page-cache lookup shared by loads and stores: declares `q`, the offset of `lin` in the cached
 * page (`page` linear, `frame` physical), or -1 when the access must take core.read/write. On a miss
 * of the cached page, a TLB hit granting `perm` (`extra`: further conditions on frame `tp[i]`) of a
 * frame wholly in RAM (`rs` = RAM size - 4096) becomes the cached page when the access stays in it.
 */
function cachedOffset(at: Linear, size: number, page: string, frame: string, perm: string, extra: string): string {
  const last = 4096 - size;
  return `let q = lin - ${page}; if (!(q >= 0 && q <= ${last})) { ${at.check} q = -1; const o = lin & 4095, pg = lin - o, i = (pg >>> 12) & 1023;`
    + ` if (o <= ${last} && tt[i] === pg && (tm[i] & ${perm}) !== 0 && tp[i] <= rs${extra}) { ${page} = pg; ${frame} = tp[i]; q = o; } }`;
}

/**
 * Statements declaring `v` (and `vh` for 8 bytes): `size` bytes at linear address `lin` (declared
 * by `at.decl` before). The page of the last read (`rp` linear, `rq` physical) is kept in locals
 * (cachedOffset). An access within it is read inline; anything else goes through core.read (which
 * faults, raises KVMI events, walks page tables or calls MMIO), forgets the cached pages and sets
 * `sw` so the caller checks the code epoch.
 */
export function loadFrom(at: Linear, size: number, v: string, vh: string): string {
  const get = size === 1 ? 'ram[rq + q]' : size === 2 ? 'dv.getUint16(rq + q, true)' : 'dv.getUint32(rq + q, true)';
  return `let ${v} = 0${size === 8 ? `, ${vh} = 0` : ''}; { ${cachedOffset(at, size, 'rp', 'rq', 'rn', '')}`
    + ` if (q >= 0) { ${v} = ${get};${size === 8 ? ` ${vh} = dv.getUint32(rq + q + 4, true);` : ''} }`
    + ` else { ${v} = c.read(lin, ${size});${size === 8 ? ` ${vh} = c.hi;` : ''} sw = true; rp = wp = NaN; } }`;
}

/**
 * Statements writing (lo, hi) as `size` bytes at `lin`, inline when the page is the last one written
 * (`wp`, `wq`) or a TLB hit granting writes to a frame wholly in RAM without cached code fills them;
 * else core.write as above.
 */
export function storeTo(at: Linear, size: number, lo: string, hi: string): string {
  const set = size === 1 ? `ram[wq + q] = ${lo};` : size === 2 ? `dv.setUint16(wq + q, ${lo}, true);` : size === 4 ? `dv.setUint32(wq + q, ${lo}, true);`
    : `dv.setUint32(wq + q, ${lo}, true); dv.setUint32(wq + q + 4, ${hi}, true);`;
  return `{ ${cachedOffset(at, size, 'wp', 'wq', 'wn', ' && cp[tp[i] / 4096] === 0')}`
    + ` if (q >= 0) { ${set} }`
    + ` else { c.write(lin, ${size}, ${lo}, ${hi}); sw = true; rp = wp = NaN; } }`;
}

/** `at.decl` followed by loadFrom. */
export function loadAt(at: Linear, size: number, v: string, vh: string): string {
  return `${at.decl} ${loadFrom(at, size, v, vh)}`;
}

/** `at.decl` followed by storeTo. */
export function storeAt(at: Linear, size: number, lo: string, hi: string): string {
  return `${at.decl} ${storeTo(at, size, lo, hi)}`;
}

/** The signed 64-bit value of high-half sum `h0` and low-half sum `l0` (both exact integers), wrapped modulo 2^64. */
export function wrapAddress(h0: number, l0: number): number {
  return ((h0 + Math.floor(l0 / 4294967296)) | 0) * 4294967296 + (l0 >>> 0);
}

/** Statements declaring `lin` for segment `seg` and offset `ea`: 64-bit code without an FS/GS base checks only canonicality (SDM Vol. 1 3.3.7.1). */
export function linearFrom(seg: number, ea: string, mode64: boolean): Linear {
  if (mode64 && seg < FS) return { decl: `const lin = ${ea};`, check: canonical(seg) };
  return { decl: `const lin = c.linear(${seg}, ${ea});`, check: '' };
}

/** The canonical check of `lin` in 64-bit code: core.linear raises #GP or #SS (SDM Vol. 3A 6.15). */
function canonical(seg: number): string {
  return `if (lin < ${-TWO47} || lin >= ${TWO47}) c.linear(${seg}, lin);`;
}

/** The inline form of `d`, or undefined when its handler must be called. */
export function inlineForm(d: DecodedInsn, site: InlineSite): InlineForm | undefined {
  const h = d.entry.handler;
  if (d.rep !== 0 || d.lock) return undefined;
  // RIP-relative addressing with a 32-bit address size is left to the handler.
  if (d.hasMem && d.base === RIP_BASE && d.adsize !== 8) return undefined;
  switch (h) {
    case 'lea': return lea(d, site);
    case 'movzx': case 'movsx': return extend(d, site, h === 'movsx');
    case 'movsxd': return d.opsize === 8 ? extendDword(d, site) : undefined;
    case 'cbw': return d.opsize === 8 ? reg('r[1] = (r[0] & 0x80000000) !== 0 ? 4294967295 : 0;') : undefined;
    case 'cwd': return d.opsize === 8 ? reg('r[4] = r[5] = (r[1] & 0x80000000) !== 0 ? 4294967295 : 0;')
      : d.opsize === 4 ? reg('r[4] = (r[0] & 0x80000000) !== 0 ? 4294967295 : 0; r[5] = 0;') : undefined;
    case 'pushZ': return d.mode === 8 && d.opsize === 8 ? push(`r[${d.opReg * 2}]`, `r[${d.opReg * 2 + 1}]`) : undefined;
    case 'popZ': return d.mode === 8 && d.opsize === 8 ? pop(d.opReg) : undefined;
    case 'nop': return reg('');
    case 'shift': return d.entry.op === 0xd3 ? shiftByCl(d) : shiftByConstant(d);
    case 'imul2': case 'imul3': return multiply(d, site);
    case 'mul': return multiplyUnsigned(d, site);
    case 'leave': return d.mode === 8 && d.opsize === 8 ? leave() : undefined;
    case 'setcc': return site.cond === undefined ? undefined : setByte(d, site, site.cond);
    case 'cmovcc': return site.cond === undefined ? undefined : conditionalMove(d, site, site.cond);
    default: break;
  }
  const size = d.size;
  if (size !== 4 && size !== 8) return undefined;
  if (d.hasMem) return memoryForm(d, site);
  const imm = d.imm >>> 0, immHi = size === 8 ? d.immHi >>> 0 : 0;
  switch (h) {
    case 'movEG': return reg(move(d.rm, d.reg, size));
    case 'movGE': return reg(move(d.reg, d.rm, size));
    case 'movZI': return reg(`r[${d.opReg * 2}] = ${imm}; r[${d.opReg * 2 + 1}] = ${immHi};`);
    case 'movEI': return reg(`r[${d.rm * 2}] = ${imm}; r[${d.rm * 2 + 1}] = ${immHi};`);
    case 'aluEG': return alu(d.param, size, d.rm, `r[${d.reg * 2}]`, `r[${d.reg * 2 + 1}]`, false);
    case 'aluGE': return alu(d.param, size, d.reg, `r[${d.rm * 2}]`, `r[${d.rm * 2 + 1}]`, false);
    case 'aluEI': return alu(d.param, size, d.rm, `${imm}`, `${immHi}`, false);
    case 'aluAI': return alu(d.param, size, 0, `${imm}`, `${immHi}`, false);
    case 'testEG': return alu(4, size, d.rm, `r[${d.reg * 2}]`, `r[${d.reg * 2 + 1}]`, true);
    case 'testEI': return alu(4, size, d.rm, `${imm}`, `${immHi}`, true);
    case 'testAI': return alu(4, size, 0, `${imm}`, `${immHi}`, true);
    case 'incE': return incDec(d.rm, size, false, site.carry);
    case 'decE': return incDec(d.rm, size, true, site.carry);
    case 'incZ': return incDec(d.opReg, size, false, site.carry);
    case 'decZ': return incDec(d.opReg, size, true, site.carry);
    default: return undefined;
  }
}

function reg(src: string, kind = 0): InlineForm {
  return { src, memory: false, kind };
}

function mem(src: string, kind = 0): InlineForm {
  return { src, memory: true, kind };
}

/** dst <- src; a 32-bit write clears the upper half (SDM Vol. 1 3.4.1.1). */
function move(dst: number, src: number, size: number): string {
  return `r[${dst * 2}] = r[${src * 2}]; r[${dst * 2 + 1}] = ${size === 8 ? `r[${src * 2 + 1}]` : '0'};`;
}

/** Flag-recording statements of a producer: kind, then the operands (a, ah) and (b, bh). */
function defer(kind: number, a: string, b: string, ah: string, bh: string): string {
  const wide = kind >= FK_ADD64;
  return `fk = ${kind}; fa = ${a}; fb = ${b};${wide ? ` fah = ${ah}; fbh = ${bh};` : ''}`;
}

/**
 * Statements computing `t` (and `u` for 64-bit) of ALU operation `op` (0 ADD, 1 OR, 4 AND, 5 SUB,
 * 6 XOR, 7 CMP) on (a, ah) and (b, bh), and the deferred-flag record. ADC/SBB are not inline.
 */
function aluCore(op: number, size: number): { src: string; kind: number } | undefined {
  const wide = size === 8;
  switch (op) {
    case 0:
      return wide
        ? { src: 'const s = a + b, t = s >>> 0, u = (ah + bh + (s > 4294967295 ? 1 : 0)) >>> 0;', kind: FK_ADD64 }
        : { src: 'const t = (a + b) >>> 0, u = 0;', kind: FK_ADD32 };
    case 5: case 7:
      return wide
        ? { src: 'const s = a - b, t = s >>> 0, u = (ah - bh - (s < 0 ? 1 : 0)) >>> 0;', kind: FK_SUB64 }
        : { src: 'const t = (a - b) >>> 0, u = 0;', kind: FK_SUB32 };
    case 1: case 4: case 6: {
      const js = op === 1 ? '|' : op === 4 ? '&' : '^';
      return { src: `const t = (a ${js} b) >>> 0, u = ${wide ? `(ah ${js} bh) >>> 0` : '0'};`, kind: wide ? FK_LOGIC64 : FK_LOGIC32 };
    }
    default: return undefined;
  }
}

function deferAlu(kind: number): string {
  return kind === FK_LOGIC32 || kind === FK_LOGIC64 ? defer(kind, 't', '0', 'u', '0') : defer(kind, 'a', 'b', 'ah', 'bh');
}

/** op dst, (b, bh) on registers; `test` (or CMP) writes no register. */
function alu(op: number, size: number, dst: number, b: string, bh: string, test: boolean): InlineForm | undefined {
  const core = aluCore(op, size);
  if (core === undefined) return undefined;
  const operands = `const a = r[${dst * 2}], ah = ${size === 8 ? `r[${dst * 2 + 1}]` : '0'}, b = ${b}, bh = ${size === 8 ? bh : '0'};`;
  const store = test || op === 7 ? '' : ` r[${dst * 2}] = t; r[${dst * 2 + 1}] = u;`;
  return reg(`${operands} ${core.src}${store} ${deferAlu(core.kind)}`, core.kind);
}

/** INC/DEC of a register (CF is kept: recorded as b of the deferred flags). */
function incDec(dst: number, size: number, dec: boolean, carry: string): InlineForm {
  const lo = `r[${dst * 2}]`, hi = `r[${dst * 2 + 1}]`;
  if (size === 8) {
    const kind = dec ? FK_DEC64 : FK_INC64;
    const t = dec ? 'const t = (a - 1) >>> 0, u = a === 0 ? (ah - 1) >>> 0 : ah;' : 'const t = (a + 1) >>> 0, u = t === 0 ? (ah + 1) >>> 0 : ah;';
    return reg(`const cy = ${carry}, a = ${lo}, ah = ${hi}; ${t} ${lo} = t; ${hi} = u; ${defer(kind, 'a', 'cy', 'ah', '0')}`, kind);
  }
  const kind = dec ? FK_DEC32 : FK_INC32;
  return reg(`const cy = ${carry}, a = ${lo}; ${lo} = (a ${dec ? '-' : '+'} 1) >>> 0; ${hi} = 0; ${defer(kind, 'a', 'cy', '0', '0')}`, kind);
}

/**
 * Statements declaring `lo` and `hi`: the exact 64-bit effective address of `d` as uint32 halves
 * (SDM Vol. 1 3.7.5, Vol. 2A 2.2.1.6), or with a 32-bit address size the 32-bit offset in `lo`.
 */
function addressHalves(d: DecodedInsn, site: InlineSite): string {
  const scale = 1 << d.scale;
  if (d.adsize === 4) {
    let e = `${d.disp}`;
    if (d.base === RIP_BASE) e += ` + ${site.rip} + ${d.len}`;
    else if (d.base !== NO_REG) e += ` + r[${d.base * 2}]`;
    if (d.index !== NO_REG) e += ` + r[${d.index * 2}] * ${scale}`;
    return `const lo = (${e}) >>> 0, hi = 0;`;
  }
  let lo = `${d.disp}`, hi = `${d.moffsHi}`;
  if (d.base === RIP_BASE) {
    lo += ` + (nx >>> 0)`;
    hi += ` + Math.floor(nx / 4294967296)`;
  } else if (d.base !== NO_REG) {
    lo += ` + r[${d.base * 2}]`;
    hi += ` + r[${d.base * 2 + 1}]`;
  }
  if (d.index !== NO_REG) {
    lo += ` + r[${d.index * 2}] * ${scale}`;
    hi += ` + r[${d.index * 2 + 1}] * ${scale}`;
  }
  const next = d.base === RIP_BASE ? `const nx = ${site.rip} + ${d.len}; ` : '';
  return `${next}const l0 = ${lo}, lo = l0 >>> 0, hi = (${hi} + Math.floor(l0 / 4294967296)) >>> 0;`;
}

/** Statements declaring `lin`, the linear address of the memory operand (core.linear checks). */
function linearOf(d: DecodedInsn, site: InlineSite): Linear {
  const halves = (ea: string): Linear => {
    const at = linearFrom(d.seg, ea, d.mode === 8);
    return { decl: `${addressHalves(d, site)} ${at.decl}`, check: at.check };
  };
  if (d.adsize === 4) return halves('lo');
  if (d.mode === 8 && d.seg < FS && d.moffsHi === 0) {
    const at = signedAddress(d, site);
    return { decl: at.decl, check: `${at.check} ${canonical(d.seg)}` };
  }
  return halves('(hi | 0) * 4294967296 + lo');
}

/**
 * Statements declaring `lin` as the signed 64-bit effective address computed directly in a double:
 * base and index are taken as signed values, which is exact whenever the high halves are small
 * (every canonical address). RIP-relative and [base + disp] forms cannot lose a canonical result;
 * with an index, larger high halves take the exact wrap-around sum of wrapAddress.
 */
function signedAddress(d: DecodedInsn, site: InlineSite): Linear {
  if (d.base === RIP_BASE) return { decl: `const lin = ${site.rip} + ${d.len + d.disp};`, check: '' };
  const baseLo = d.base === NO_REG ? '' : ` + r[${d.base * 2}]`, baseHi = d.base === NO_REG ? '0' : `(r[${d.base * 2 + 1}] | 0)`;
  if (d.index === NO_REG) return { decl: `const lin = ${baseHi} * 4294967296${baseLo} + ${d.disp};`, check: '' };
  const scale = 1 << d.scale;
  return {
    decl: `const h0 = ${baseHi} + (r[${d.index * 2 + 1}] | 0) * ${scale}, l0 = ${d.disp}${baseLo} + r[${d.index * 2}] * ${scale};`
      + ' let lin = h0 * 4294967296 + l0;',
    check: 'if (h0 >= 2097152 || h0 <= -2097152) lin = wrapAddress(h0, l0);',
  };
}

/** LEA: the effective address truncated to the operand size, no memory access (SDM Vol. 2A LEA). */
function lea(d: DecodedInsn, site: InlineSite): InlineForm | undefined {
  if ((d.opsize !== 4 && d.opsize !== 8) || (d.adsize !== 4 && d.adsize !== 8)) return undefined;
  const dst = d.reg * 2;
  return reg(`${addressHalves(d, site)} r[${dst}] = lo; r[${dst + 1}] = ${d.opsize === 8 ? 'hi' : '0'};`);
}

/** Source value of MOVZX/MOVSX: a byte (AH..BH without REX) or word register, or memory. */
function narrowSource(d: DecodedInsn, size: number): string {
  if (!d.hasMem) {
    const rm = d.rm;
    if (size === 2) return `r[${rm * 2}] & 0xffff`;
    return rm < 4 || d.rex || rm > 7 ? `r[${rm * 2}] & 0xff` : `(r[${(rm - 4) * 2}] >>> 8) & 0xff`;
  }
  return 'm';
}

function extend(d: DecodedInsn, site: InlineSite, signed: boolean): InlineForm | undefined {
  if (d.opsize !== 4 && d.opsize !== 8) return undefined;
  if (d.hasMem && d.adsize !== 4 && d.adsize !== 8) return undefined;
  const size = (d.entry.op & 1) === 0 ? 1 : 2, dst = d.reg * 2;
  const shift = size === 1 ? 24 : 16;
  const value = signed ? `const x = ((${narrowSource(d, size)}) << ${shift}) >> ${shift};` : `const x = ${narrowSource(d, size)};`;
  const hi = signed && d.opsize === 8 ? '(x < 0 ? 4294967295 : 0)' : '0';
  const src = `${d.hasMem ? `${loadAt(linearOf(d, site), size, 'm', 'mh')} ` : ''}${value} r[${dst}] = x >>> 0; r[${dst + 1}] = ${hi};`;
  return d.hasMem ? mem(src) : reg(src);
}

/** MOVSXD r64, r/m32. */
function extendDword(d: DecodedInsn, site: InlineSite): InlineForm | undefined {
  const dst = d.reg * 2;
  const set = `r[${dst}] = x; r[${dst + 1}] = (x & 0x80000000) !== 0 ? 4294967295 : 0;`;
  if (!d.hasMem) return reg(`const x = r[${d.rm * 2}]; ${set}`);
  if (d.adsize !== 4 && d.adsize !== 8) return undefined;
  return mem(`${loadAt(linearOf(d, site), 4, 'x', 'xh')} ${set}`);
}

/** SHL/SAL/SHR/SAR of a 32/64-bit register by 1 or imm8 (SDM Vol. 2B SAL/SAR/SHL/SHR); a masked count of 0 is left to the handler. */
function shiftByConstant(d: DecodedInsn): InlineForm | undefined {
  const size = d.size, kind = d.param, op = d.entry.op;
  if (d.hasMem || (size !== 4 && size !== 8) || kind < 4 || (op !== 0xc1 && op !== 0xd1)) return undefined;
  const n = (op === 0xd1 ? 1 : d.imm & 0xff) & (size === 8 ? 63 : 31);
  if (n === 0) return undefined;
  const lo = `r[${d.rm * 2}]`, hi = `r[${d.rm * 2 + 1}]`;
  const left = kind === 4 || kind === 6, arith = kind === 7;
  if (size === 4) {
    const fk = left ? FK_SHL32 : arith ? FK_SAR32 : FK_SHR32;
    const t = left ? `(a << ${n}) >>> 0` : arith ? `(a >> ${n}) >>> 0` : `a >>> ${n}`;
    return reg(`const a = ${lo}; ${lo} = ${t}; ${hi} = 0; ${defer(fk, 'a', `${n}`, '0', '0')}`, fk);
  }
  const fk = left ? FK_SHL64 : arith ? FK_SAR64 : FK_SHR64;
  let t: string, u: string;
  if (left) {
    if (n < 32) { t = `(a << ${n}) >>> 0`; u = `((ah << ${n}) | (a >>> ${32 - n})) >>> 0`; }
    else { t = '0'; u = n === 32 ? 'a' : `(a << ${n - 32}) >>> 0`; }
  } else {
    const fill = arith ? '(ah >> 31) >>> 0' : '0';
    if (n < 32) { t = `((a >>> ${n}) | (ah << ${32 - n})) >>> 0`; u = arith ? `(ah >> ${n}) >>> 0` : `ah >>> ${n}`; }
    else { t = n === 32 ? 'ah' : arith ? `(ah >> ${n - 32}) >>> 0` : `ah >>> ${n - 32}`; u = fill; }
  }
  return reg(`const a = ${lo}, ah = ${hi}; ${lo} = ${t}; ${hi} = ${u}; fk = ${fk}; fa = a; fah = ah; fb = ${n};`, fk);
}

/** SHL/SAL/SHR/SAR of a 32/64-bit register by CL: a masked count of 0 changes no flags (a 32-bit destination is still zero-extended). */
function shiftByCl(d: DecodedInsn): InlineForm | undefined {
  const size = d.size, kind = d.param;
  if (d.hasMem || (size !== 4 && size !== 8) || kind < 4) return undefined;
  const lo = `r[${d.rm * 2}]`, hi = `r[${d.rm * 2 + 1}]`;
  const left = kind === 4 || kind === 6, arith = kind === 7;
  if (size === 4) {
    const fk = left ? FK_SHL32 : arith ? FK_SAR32 : FK_SHR32;
    const t = left ? '(a << n) >>> 0' : arith ? '(a >> n) >>> 0' : 'a >>> n';
    return reg(`const a = ${lo}, n = r[2] & 31; ${hi} = 0; if (n !== 0) { ${lo} = ${t}; fk = ${fk}; fa = a; fb = n; }`, -1);
  }
  const fk = left ? FK_SHL64 : arith ? FK_SAR64 : FK_SHR64;
  const t = left ? 'n < 32 ? (a << n) >>> 0 : 0'
    : `n < 32 ? ((a >>> n) | (ah << (32 - n))) >>> 0 : ${arith ? '(ah >> (n - 32)) >>> 0' : 'ah >>> (n - 32)'}`;
  const u = left ? 'n < 32 ? ((ah << n) | (a >>> (32 - n))) >>> 0 : (a << (n - 32)) >>> 0'
    : arith ? 'n < 32 ? (ah >> n) >>> 0 : (ah >> 31) >>> 0' : 'n < 32 ? ah >>> n : 0';
  return reg(`const a = ${lo}, ah = ${hi}, n = r[2] & 63; if (n !== 0) { ${lo} = ${t}; ${hi} = ${u}; fk = ${fk}; fa = a; fah = ah; fb = n; }`, -1);
}

/** MUL r/m (F7 /4, 32/64-bit): rDX:rAX <- rAX * src unsigned; CF = OF = a non-zero high half (exec/mulDiv.ts mul). */
function multiplyUnsigned(d: DecodedInsn, site: InlineSite): InlineForm | undefined {
  const size = d.size;
  if ((size !== 4 && size !== 8) || (d.hasMem && d.adsize !== 4 && d.adsize !== 8)) return undefined;
  const wide = size === 8;
  const src = d.hasMem ? `${loadAt(linearOf(d, site), size, 'b', 'bh')}`
    : `const b = r[${d.rm * 2}]${wide ? `, bh = r[${d.rm * 2 + 1}]` : ''};`;
  const body = wide
    ? 'mulU64(r[0], r[1], b, bh); const t = pr[0], u = pr[1]; r[0] = t; r[1] = u; r[4] = pr[2]; r[5] = pr[3];'
      + ` fk = ${FK_MUL64}; fa = t; fah = u; fb = pr[2] + pr[3] !== 0 ? 1 : 0;`
    : `mulU64(r[0], 0, b, 0); const t = pr[0]; r[0] = t; r[1] = 0; r[4] = pr[1]; r[5] = 0; fk = ${FK_MUL32}; fa = t; fb = pr[1] !== 0 ? 1 : 0;`;
  const kind = wide ? FK_MUL64 : FK_MUL32;
  return d.hasMem ? mem(`${src} ${body}`, kind) : reg(`${src} ${body}`, kind);
}

/** SETcc r/m8 (SDM Vol. 2B SETcc): 1 or 0 into a byte register (AH..BH without REX) or memory. */
function setByte(d: DecodedInsn, site: InlineSite, cond: string): InlineForm | undefined {
  if (!d.hasMem) {
    const rm = d.rm;
    if (rm < 4 || d.rex || rm > 7) return reg(`r[${rm * 2}] = ((r[${rm * 2}] & 0xffffff00) | (${cond} ? 1 : 0)) >>> 0;`);
    return reg(`r[${(rm - 4) * 2}] = ((r[${(rm - 4) * 2}] & 0xffff00ff) | (${cond} ? 256 : 0)) >>> 0;`);
  }
  if (d.adsize !== 4 && d.adsize !== 8) return undefined;
  return mem(`${storeAt(linearOf(d, site), 1, `${cond} ? 1 : 0`, '0')}`);
}

/** CMOVcc r, r/m (32/64-bit): the source is read either way; a 32-bit destination is zero-extended either way (exec/move.ts cmovcc). */
function conditionalMove(d: DecodedInsn, site: InlineSite, cond: string): InlineForm | undefined {
  const size = d.size;
  if ((size !== 4 && size !== 8) || (d.hasMem && d.adsize !== 4 && d.adsize !== 8)) return undefined;
  const wide = size === 8, dst = d.reg * 2;
  const src = d.hasMem ? `${loadAt(linearOf(d, site), size, 'v', 'vh')}` : `const v = r[${d.rm * 2}]${wide ? `, vh = r[${d.rm * 2 + 1}]` : ''};`;
  const move = wide ? `if (${cond}) { r[${dst}] = v; r[${dst + 1}] = vh; }` : `if (${cond}) r[${dst}] = v; r[${dst + 1}] = 0;`;
  return d.hasMem ? mem(`${src} ${move}`) : reg(`${src} ${move}`);
}

/** LEAVE in 64-bit code: RSP <- RBP, then POP RBP (SDM Vol. 2A LEAVE); the read happens before any register changes. */
function leave(): InlineForm {
  return mem(`const bp = (r[11] | 0) * 4294967296 + r[10]; ${loadAt(linearFrom(SS, 'bp', true), 8, 'vl', 'vh')} const np = bp + 8;`
    + ' r[8] = np >>> 0; r[9] = Math.floor(np / 4294967296) >>> 0; r[10] = vl; r[11] = vh;');
}

/**
 * IMUL r, r/m and IMUL r, r/m, imm with 32/64-bit operands (SDM Vol. 2A IMUL): the truncated product;
 * CF = OF = the product did not fit (exec/mulDiv.ts imulTrunc). 64-bit products use wideArith.ts imulTruncated64.
 */
function multiply(d: DecodedInsn, site: InlineSite): InlineForm | undefined {
  const size = d.size;
  if ((size !== 4 && size !== 8) || (d.hasMem && d.adsize !== 4 && d.adsize !== 8)) return undefined;
  const three = d.entry.handler === 'imul3';
  const wide = size === 8;
  const src = d.hasMem ? `${loadAt(linearOf(d, site), size, 'b', 'bh')}`
    : `const b = r[${d.rm * 2}]${wide ? `, bh = r[${d.rm * 2 + 1}]` : ''};`;
  const other = three ? `const a = ${d.imm >>> 0}, ah = ${wide ? d.immHi >>> 0 : 0};` : `const a = r[${d.reg * 2}], ah = ${wide ? `r[${d.reg * 2 + 1}]` : '0'};`;
  const dst = d.reg * 2;
  const body = wide
    // Non-negative operands whose product stays below 2^53 multiply exactly in a double (no overflow
    // possible); anything else takes wideArith.ts imulTruncated64 (`im`).
    ? 'let t = 0, u = 0, v = 0; const q = a * b; if (ah === 0 && bh === 0 && q < 9007199254740992) { t = q >>> 0; u = Math.floor(q / 4294967296); }'
      + ' else { t = im(a, ah, b, bh); u = pr[1]; v = pr[2]; }'
      + ` r[${dst}] = t; r[${dst + 1}] = u; fk = ${FK_MUL64}; fa = t; fah = u; fb = v;`
    : `const t = Math.imul(a, b) >>> 0, v = (a | 0) * (b | 0) !== (t | 0) ? 1 : 0; r[${dst}] = t; r[${dst + 1}] = 0; fk = ${FK_MUL32}; fa = t; fb = v;`;
  const code = `${src} ${other} ${body}`;
  return d.hasMem ? mem(code, wide ? FK_MUL64 : FK_MUL32) : reg(code, wide ? FK_MUL64 : FK_MUL32);
}

/** PUSH r64 (64-bit stack): memory is written before RSP changes (SDM Vol. 1 6.2.2). */
function push(lo: string, hi: string): InlineForm {
  return mem(`const vl = ${lo}, vh = ${hi}, sp = (r[9] | 0) * 4294967296 + r[8] - 8; `
    + ` ${storeAt(linearFrom(SS, 'sp', true), 8, 'vl', 'vh')} r[8] = sp >>> 0; r[9] = Math.floor(sp / 4294967296) >>> 0;`);
}

/** POP r64 (64-bit stack): RSP is incremented, then the register written (POP RSP keeps the value read). */
function pop(dst: number): InlineForm {
  return mem(`const sp = (r[9] | 0) * 4294967296 + r[8]; ${loadAt(linearFrom(SS, 'sp', true), 8, 'vl', 'vh')} const np = sp + 8;`
    + ` r[8] = np >>> 0; r[9] = Math.floor(np / 4294967296) >>> 0; r[${dst * 2}] = vl; r[${dst * 2 + 1}] = vh;`);
}

/** MOV and ALU/TEST forms with a memory operand (32- or 64-bit address size). */
function memoryForm(d: DecodedInsn, site: InlineSite): InlineForm | undefined {
  if (d.adsize !== 4 && d.adsize !== 8) return undefined;
  const h = d.entry.handler, size = d.size, op = d.param;
  const ea = linearOf(d, site);
  const wide = size === 8;
  const regLo = `r[${d.reg * 2}]`, regHi = `r[${d.reg * 2 + 1}]`;
  switch (h) {
    case 'movGE': return mem(`${ea.decl} ${loadFrom(ea, size, 'v', 'vh')} ${regLo} = v; ${regHi} = ${wide ? 'vh' : '0'};`);
    case 'movEG': return mem(`${ea.decl} ${storeTo(ea, size, regLo, wide ? regHi : '0')}`);
    case 'movEI': return mem(`${ea.decl} ${storeTo(ea, size, `${d.imm >>> 0}`, `${wide ? d.immHi >>> 0 : 0}`)}`);
    case 'aluGE': {
      const core = aluCore(op, size);
      if (core === undefined) return undefined;
      const store = op === 7 ? '' : ` ${regLo} = t; ${regHi} = u;`;
      return mem(`${ea.decl} ${loadFrom(ea, size, 'b', 'bh')} const a = ${regLo}, ah = ${wide ? regHi : '0'};`
        + ` ${core.src}${store} ${deferAlu(core.kind)}`, core.kind);
    }
    case 'aluEG': case 'aluEI': case 'testEG': case 'testEI': {
      const test = h === 'testEG' || h === 'testEI';
      const core = aluCore(test ? 4 : op, size);
      if (core === undefined) return undefined;
      const fromReg = h === 'aluEG' || h === 'testEG';
      const b = fromReg ? regLo : `${d.imm >>> 0}`, bh = wide ? (fromReg ? regHi : `${d.immHi >>> 0}`) : '0';
      const store = test || op === 7 ? '' : ` ${storeTo(ea, size, 't', 'u')}`;
      return mem(`${ea.decl} ${loadFrom(ea, size, 'a', 'ah')} const b = ${b}, bh = ${bh};`
        + ` ${core.src}${store} ${deferAlu(core.kind)}`, core.kind);
    }
    default: return undefined;
  }
}
