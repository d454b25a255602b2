// The compact record the decoder produces for one instruction and the executor consumes. It is
// cached per guest-physical page, so it holds only values fixed by the bytes and the code size
// (never register contents); blockCompiler.ts compiles runs of them into JS functions.

import type { OpcodeEntry } from './opcodeTable';
import type { CompiledBlock } from './blockCompiler';

/** Semantic handler: executes one decoded instruction on the core (see exec/). */
export type InsnHandler<Core> = (core: Core, insn: DecodedInsn) => void;

/** Memory operand base/index value meaning "none" and "RIP-relative" (SDM Vol. 2A 2.2.1.6). */
export const NO_REG = -1;
export const RIP_BASE = 16;

const EMPTY = new Uint8Array(0);

/** A decoded instruction. All register numbers include the REX extension bits. */
export class DecodedInsn {
  /** Total length in bytes, prefixes included (at most 15, SDM Vol. 2A 2.3.11). */
  len = 0;
  entry!: OpcodeEntry;
  /** Bound semantic handler (set by the dispatcher from entry.handler). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bound to X86Cpu handlers by dispatch.ts (no import cycle here)
  exec: InsnHandler<any> = () => undefined;
  /** entry.param, copied for the handler. */
  param = 0;
  /** Size in bytes of the main (first) operand: 1, 2, 4, 8 or 16. */
  size = 4;
  /** Effective operand size (2, 4 or 8) and address size (2, 4 or 8). */
  opsize = 4;
  adsize = 4;
  /** ModRM fields; reg and rm include REX.R / REX.B (and rm is meaningless when hasMem). */
  mod = 0;
  reg = 0;
  rm = 0;
  hasModrm = false;
  hasMem = false;
  /** Memory operand: base and index register numbers or NO_REG / RIP_BASE, scale shift 0..3. */
  base = NO_REG;
  index = NO_REG;
  scale = 0;
  /** Signed displacement (or the moffs low 32 bits for A0-A3, with moffsHi). */
  disp = 0;
  moffsHi = 0;
  /** Segment of the memory operand (override or default, SDM Vol. 1 3.7.4). */
  seg = 3;
  /** Explicit segment-override prefix (-1 if none); string sources honour it. */
  segOverride = -1;
  /** First immediate: low 32 bits as a signed (sign-extended kinds) or unsigned number; immHi = upper half. */
  imm = 0;
  immHi = 0;
  /** Second immediate (ENTER's nesting level, far pointer selector). */
  imm2 = 0;
  /** Register coded in the opcode's low three bits plus REX.B (50+r, B8+r, ...). */
  opReg = 0;
  /** 0, 0xF3 (REP/REPE) or 0xF2 (REPNE) when the prefix is not the mandatory prefix of the form. */
  rep = 0;
  lock = false;
  /** A REX prefix is present (selects SPL/BPL/SIL/DIL instead of AH/CH/DH/BH). */
  rex = false;
  rexW = false;
  /** The instruction bytes, compared with guest memory before a cached copy is reused. */
  raw: Uint8Array = EMPTY;
  /** The code epoch (core.codeEpoch) in which `raw` last matched guest memory. */
  verifiedEpoch = -1;
  /** The handler completes every access that can fault before it writes a GPR (no snapshot needed). */
  faultSafe = false;
  /** Code size the bytes were decoded for (2, 4, 8). */
  mode = 4;
  /** Executions as the first instruction of a step (compiles a block when hot; negative: never). */
  hits = 0;
  /** The compiled block starting here (blockCompiler.ts), dropped with the page's decoded cache. */
  block: CompiledBlock | undefined = undefined;
}
