// JS source for the forms the block compiler performs inline instead of calling the handler:
// 32/64-bit MOV r,r / MOV r,imm / MOV r,m / MOV m,r (64-bit addresses) and the eight ALU operations
// on registers, immediates and memory (SDM Vol. 2A ADD/ADC/SUB/SBB/CMP/AND/OR/XOR, Vol. 2B MOV). Flags come
// from the same helpers the handlers use (exec/alu.ts add/sub/logicFlags), and memory goes through
// core.linear/read/write (segment, TLB, KVMI checks), so both paths behave identically.

import { NO_REG, RIP_BASE, type DecodedInsn } from './decodedInsn';

/** Names the generated source expects in scope: `c` (the CPU), `r` (c.regs), and these helpers. */
export const INLINE_HELPERS = ['add', 'sub', 'logicFlags'] as const;

/**
 * Source performing `d` on `r` and `c.flags`, or undefined when the handler must be called
 * (memory operands, 8/16-bit sizes, other instructions). None of these forms can fault.
 */
export function inlineSource(d: DecodedInsn): string | undefined {
  const size = d.size;
  if (size !== 4 && size !== 8) return undefined;
  if (d.hasMem) return memoryMove(d) ?? memoryAlu(d);
  const imm = d.imm >>> 0, immHi = size === 8 ? d.immHi >>> 0 : 0;
  switch (d.entry.handler) {
    case 'movEG': return move(d.rm, d.reg, size);
    case 'movGE': return move(d.reg, d.rm, size);
    case 'movZI': return `r[${d.opReg * 2}] = ${imm}; r[${d.opReg * 2 + 1}] = ${immHi};`;
    case 'aluEG': return alu(d.param, size, d.rm, `r[${d.reg * 2}]`, `r[${d.reg * 2 + 1}]`);
    case 'aluGE': return alu(d.param, size, d.reg, `r[${d.rm * 2}]`, `r[${d.rm * 2 + 1}]`);
    case 'aluEI': return alu(d.param, size, d.rm, `${imm}`, `${immHi}`);
    case 'aluAI': return alu(d.param, size, 0, `${imm}`, `${immHi}`);
    default: return undefined;
  }
}

/**
 * MOV between a register and memory with a 64-bit address (stack-frame, structure, array and
 * RIP-relative accesses). The address arithmetic is that of core.effectiveAddress (SDM Vol. 1 3.7.5,
 * Vol. 2A 2.2.1.6); a faulting read or write throws before any register changes.
 */
function memoryMove(d: DecodedInsn): string | undefined {
  const h = d.entry.handler;
  if ((h !== 'movGE' && h !== 'movEG') || d.adsize !== 8) return undefined;
  const size = d.size, reg = d.reg * 2;
  const ea = `${effectiveAddress64(d)} const lin = c.linear(${d.seg}, ea);`;
  if (h === 'movGE') return `{ ${ea} const v = c.read(lin, ${size}); r[${reg}] = v; r[${reg + 1}] = ${size === 8 ? 'c.hi' : '0'}; }`;
  return `{ ${ea} c.write(lin, ${size}, r[${reg}], ${size === 8 ? `r[${reg + 1}]` : '0'}); }`;
}

/** Source that declares `ea`, the 64-bit effective address of `d` as a signed number. */
function effectiveAddress64(d: DecodedInsn): string {
  if (d.index === NO_REG && d.base >= 0 && d.base < 16) {
    // [base + disp]: carry or borrow between the halves without a division.
    return `let lo = r[${d.base * 2}] + ${d.disp}, hi = r[${d.base * 2 + 1}] | 0;`
      + ' if (lo >= 4294967296) { lo -= 4294967296; hi = (hi + 1) | 0; } else if (lo < 0) { lo += 4294967296; hi = (hi - 1) | 0; }'
      + ' const ea = hi * 4294967296 + lo;';
  }
  let src = `let lo = ${d.disp}, hi = ${d.moffsHi};`;
  if (d.base === RIP_BASE) src += ` const next = c.rip + ${d.len}; lo += next >>> 0; hi += Math.floor(next / 4294967296);`;
  else if (d.base !== NO_REG) src += ` lo += r[${d.base * 2}]; hi += r[${d.base * 2 + 1}];`;
  if (d.index !== NO_REG) src += ` lo += r[${d.index * 2}] * ${1 << d.scale}; hi += r[${d.index * 2 + 1}] * ${1 << d.scale};`;
  return `${src} hi = (hi + Math.floor(lo / 4294967296)) | 0; const ea = hi * 4294967296 + (lo >>> 0);`;
}

/** dst <- src; a 32-bit write clears the upper half (SDM Vol. 1 3.4.1.1). */
function move(dst: number, src: number, size: number): string {
  return `r[${dst * 2}] = r[${src * 2}]; r[${dst * 2 + 1}] = ${size === 8 ? `r[${src * 2 + 1}]` : '0'};`;
}

/** ALU operation `op` (ADD OR ADC SBB AND SUB XOR CMP) on register `dst` and operand (b, bh). */
function alu(op: number, size: number, dst: number, b: string, bh: string): string {
  const a = `r[${dst * 2}]`, ah = `r[${dst * 2 + 1}]`;
  return `{ ${aluValue(op, size, a, ah, b, bh)}${op === 7 ? '' : ` ${a} = t; ${ah} = u;`} }`;
}

/**
 * ALU operations with a memory operand and a 64-bit address: op r, m (read, then the register) and
 * op m, r / op m, imm (read, flags, write; a faulting write leaves memory unchanged and the run
 * loop restores RFLAGS). Same access order as exec/alu.ts rmw(): the read before the write.
 */
function memoryAlu(d: DecodedInsn): string | undefined {
  const h = d.entry.handler, size = d.size, op = d.param;
  if (d.adsize !== 8 || (h !== 'aluGE' && h !== 'aluEG' && h !== 'aluEI')) return undefined;
  const ea = `${effectiveAddress64(d)} const lin = c.linear(${d.seg}, ea);`;
  if (h === 'aluGE') {
    const a = `r[${d.reg * 2}]`, ah = `r[${d.reg * 2 + 1}]`;
    return `{ ${ea} const b = c.read(lin, ${size}), bh = c.hi; ${aluValue(op, size, a, ah, 'b', 'bh')}${op === 7 ? '' : ` ${a} = t; ${ah} = u;`} }`;
  }
  const b = h === 'aluEG' ? `r[${d.reg * 2}]` : `${d.imm >>> 0}`;
  const bh = h === 'aluEG' ? `r[${d.reg * 2 + 1}]` : `${size === 8 ? d.immHi >>> 0 : 0}`;
  return `{ ${ea} const a = c.read(lin, ${size}), ah = c.hi; ${aluValue(op, size, 'a', 'ah', b, bh)}${op === 7 ? '' : ` c.write(lin, ${size}, t, u);`} }`;
}

/** Statements that compute `t` (low half) and `u` (high half) of `op` and set RFLAGS like exec/alu.ts alu(). */
function aluValue(op: number, size: number, a: string, ah: string, b: string, bh: string): string {
  const high = size === 8 ? 'c.hi' : '0';
  switch (op) {
    case 0: return `const t = add(c, ${size}, ${a}, ${ah}, ${b}, ${bh}, 0), u = ${high};`;
    case 2: return `const t = add(c, ${size}, ${a}, ${ah}, ${b}, ${bh}, c.flags & 1), u = ${high};`;
    case 3: return `const t = sub(c, ${size}, ${a}, ${ah}, ${b}, ${bh}, c.flags & 1), u = ${high};`;
    case 5: return `const t = sub(c, ${size}, ${a}, ${ah}, ${b}, ${bh}, 0), u = ${high};`;
    case 7: return `sub(c, ${size}, ${a}, ${ah}, ${b}, ${bh}, 0);`;
    default: {
      const js = op === 1 ? '|' : op === 4 ? '&' : '^';
      const hi = size === 8 ? `(${ah} ${js} ${bh}) >>> 0` : '0';
      return `const t = (${a} ${js} ${b}) >>> 0, u = ${hi}; logicFlags(c, ${size}, t, u); c.hi = u;`;
    }
  }
}
