// Works out which bytes a faulting instruction touches, so a page-granular KVMI PF event can be
// compared with byte-precise watchpoints. The PF event (KVMI reference section 5, "PF payload")
// gives the gpa and the kind of access but not its width; the width comes from decoding the
// instruction at RIP with iced-x86 (operand memory size; element size for string instructions).
import { Decoder, DecoderOptions, InstructionInfoFactory, MemorySizeExt, OpAccess } from 'iced-x86';
import { PAGE_R, PAGE_W, PAGE_X } from '../target';

export interface AccessedRange {
  /** Bytes touched by this access from the event's address (at least 1). */
  width: number;
  /** How the width was found: decoded operand, string element, instruction (execute), or a guess. */
  source: 'operand' | 'stringElement' | 'instruction' | 'unknown';
  /** Text of the decoded instruction, when it decoded. */
  instruction?: string;
  /** For REP string instructions, the bytes the remaining iterations cover (RCX x element size). */
  repeatBytes?: bigint;
}

const READS = new Set<OpAccess>([OpAccess.Read, OpAccess.CondRead, OpAccess.ReadWrite, OpAccess.ReadCondWrite]);
const WRITES = new Set<OpAccess>([OpAccess.Write, OpAccess.CondWrite, OpAccess.ReadWrite, OpAccess.ReadCondWrite]);

let infoFactory: InstructionInfoFactory | undefined;

/**
 * The width of the access `accessBit` (PAGE_R/W/X) made by the instruction in `code` (bytes at
 * RIP), decoded with `bitness` 16/32/64. `rcx` gives the iteration count of REP string forms.
 */
export function accessedRange(code: Uint8Array, bitness: 16 | 32 | 64, rip: bigint, accessBit: number, rcx = 0n): AccessedRange {
  if (code.length === 0) return { width: 1, source: 'unknown' };
  const decoder = new Decoder(bitness, code, DecoderOptions.None);
  decoder.ip = rip;
  const insn = decoder.decode();
  try {
    if (insn.isInvalid) return { width: 1, source: 'unknown' };
    const text = insn.toString();
    if (accessBit === PAGE_X) return { width: 1, source: 'instruction', instruction: text };
    const wanted = accessBit === PAGE_W ? WRITES : accessBit === PAGE_R ? READS : new Set<OpAccess>();
    infoFactory ??= new InstructionInfoFactory();
    const info = infoFactory.info(insn);
    let width = 0;
    for (const used of info.usedMemory()) {
      if (wanted.has(used.access)) width = Math.max(width, MemorySizeExt.size(used.memorySize));
      used.free();
    }
    info.free();
    const isString = insn.isStringInstruction;
    if (width === 0 && isString) width = MemorySizeExt.size(insn.memorySize);
    if (width === 0) return { width: 1, source: 'unknown', instruction: text };
    const repeated = isString && (insn.hasRepPrefix || insn.hasRepePrefix || insn.hasRepnePrefix);
    return {
      width, source: isString ? 'stringElement' : 'operand', instruction: text,
      repeatBytes: repeated ? rcx * BigInt(width) : undefined,
    };
  } finally {
    insn.free();
    decoder.free();
  }
}

/** Decoder bitness for a KVMI mode (address size in bytes). */
export function bitnessOfMode(mode: 2 | 4 | 8): 16 | 32 | 64 { return mode === 8 ? 64 : mode === 4 ? 32 : 16; }
