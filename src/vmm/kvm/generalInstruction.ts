// Decides from an instruction's bytes whether it is a "general" instruction: one that reads and
// writes only general-purpose registers, RFLAGS, RIP and memory, never branches, and never touches
// segment registers, x87/MMX/SSE/AVX state, MSRs, control, debug or descriptor-table registers,
// interrupts or I/O ports. The hybrid step (kvmCpuCore.ts) moves only the general registers between
// KVM and the software core for such an instruction. Opcode maps: SDM Vol. 2D Appendix A, tables
// A-2 (one-byte) and A-3 (two-byte, 0F); legacy and REX prefixes: SDM Vol. 2A 2.1.1 and 2.2.1.
import { decode } from '../x86/decoder';

/** One-byte opcodes that qualify whatever their ModRM.reg (exceptions are handled below). */
const ONE_BYTE = new Uint8Array(256);
/** 0F xx opcodes that qualify. */
const TWO_BYTE = new Uint8Array(256);

function allow(table: Uint8Array, from: number, to = from): void {
  for (let op = from; op <= to; op++) table[op] = 1;
}

// ALU r/m,r / r,r/m / AL|eAX,imm (00-05 ADD ... 38-3D CMP).
for (let row = 0x00; row <= 0x38; row += 8) allow(ONE_BYTE, row, row + 5);
allow(ONE_BYTE, 0x40, 0x4f);   // INC/DEC r (32-bit code; REX prefixes in 64-bit code never reach here)
allow(ONE_BYTE, 0x50, 0x5f);   // PUSH/POP r
allow(ONE_BYTE, 0x63);         // MOVSXD (64-bit) / ARPL (32-bit: a general operand and ZF)
allow(ONE_BYTE, 0x68, 0x6b);   // PUSH imm, IMUL r,r/m,imm
allow(ONE_BYTE, 0x80, 0x8d);   // group-1 ALU imm, TEST, XCHG, MOV, MOV r/m,Sreg (reads only), LEA
allow(ONE_BYTE, 0x90, 0x99);   // NOP/XCHG, CBW/CWDE/CDQE, CWD/CDQ/CQO
allow(ONE_BYTE, 0x9c);         // PUSHF
allow(ONE_BYTE, 0x9e, 0x9f);   // SAHF, LAHF
allow(ONE_BYTE, 0xa0, 0xaf);   // MOV moffs, MOVS/CMPS, TEST, STOS/LODS/SCAS
allow(ONE_BYTE, 0xb0, 0xbf);   // MOV r,imm
allow(ONE_BYTE, 0xc0, 0xc1);   // shift group 2, imm8
allow(ONE_BYTE, 0xc6, 0xc7);   // MOV r/m,imm
allow(ONE_BYTE, 0xc8, 0xc9);   // ENTER, LEAVE
allow(ONE_BYTE, 0xd0, 0xd3);   // shift group 2, 1 / CL
allow(ONE_BYTE, 0xd7);         // XLAT
allow(ONE_BYTE, 0xf5);         // CMC
allow(ONE_BYTE, 0xf6, 0xf7);   // group 3: TEST/NOT/NEG/MUL/IMUL/DIV/IDIV
allow(ONE_BYTE, 0xf8, 0xf9);   // CLC, STC
allow(ONE_BYTE, 0xfc, 0xfe);   // CLD, STD, group 4 INC/DEC r/m8

allow(TWO_BYTE, 0x0d);         // PREFETCHW (a hint)
allow(TWO_BYTE, 0x18, 0x1f);   // PREFETCHh, hint NOPs
allow(TWO_BYTE, 0x40, 0x4f);   // CMOVcc
allow(TWO_BYTE, 0x90, 0x9f);   // SETcc
allow(TWO_BYTE, 0xa3);         // BT
allow(TWO_BYTE, 0xa4, 0xa5);   // SHLD
allow(TWO_BYTE, 0xab);         // BTS
allow(TWO_BYTE, 0xac, 0xad);   // SHRD
allow(TWO_BYTE, 0xaf);         // IMUL r,r/m
allow(TWO_BYTE, 0xb0, 0xb1);   // CMPXCHG
allow(TWO_BYTE, 0xb3);         // BTR
allow(TWO_BYTE, 0xb6, 0xb8);   // MOVZX, POPCNT (F3)
allow(TWO_BYTE, 0xba, 0xbf);   // BT group 8, BTC, BSF/TZCNT, BSR/LZCNT, MOVSX
allow(TWO_BYTE, 0xc0, 0xc1);   // XADD
allow(TWO_BYTE, 0xc8, 0xcf);   // BSWAP

const PREFIXES = new Set([0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65, 0x66, 0x67]);

/**
 * The length of the instruction at the start of `code` if it is a general instruction in code of
 * size `mode` (2, 4 or 8 bytes), else undefined. `code` holds the bytes at RIP (up to 15).
 */
export function generalInstructionLength(code: Uint8Array, mode: 2 | 4 | 8): number | undefined {
  let at = 0;
  while (at < code.length && PREFIXES.has(code[at])) at++;
  if (mode === 8 && at < code.length && (code[at] & 0xf0) === 0x40) at++;   // REX
  if (at + 1 >= code.length) return undefined;
  const op = code[at];
  if (mode === 8 && (op & 0xf0) === 0x40) return undefined;                // a second REX byte
  const modrmReg = (code[at + 1] >> 3) & 7;
  let general: boolean;
  if (op === 0x0f) {
    const op2 = code[at + 1];
    const reg2 = at + 2 < code.length ? (code[at + 2] >> 3) & 7 : -1;
    general = TWO_BYTE[op2] === 1 || (op2 === 0xc7 && reg2 === 1);   // CMPXCHG8B/16B is 0F C7 /1
  } else if (op === 0x8f) {
    general = modrmReg === 0;                                          // POP r/m (else XOP)
  } else if (op === 0xff) {
    general = modrmReg === 0 || modrmReg === 1 || modrmReg === 6;      // INC, DEC, PUSH r/m
  } else {
    general = ONE_BYTE[op] === 1;
  }
  if (!general) return undefined;
  const d = decode(code, 0, code.length, mode);
  return 'len' in d && d.len > 0 ? d.len : undefined;
}
