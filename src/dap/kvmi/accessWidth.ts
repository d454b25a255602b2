// How many bytes the faulting instruction touches at a PF address (KVMI reference §4 PF event: the
// gpa is where the access starts, so a wide access that begins below a watched range can still
// overlap it). Data accesses take the widest memory operand iced-x86 reports for the instruction
// (SDM Vol. 2 operand sizes, implicit stack operands included); a fetch takes the instruction length.
import { Decoder, DecoderOptions, InstructionInfoFactory, MemorySizeExt } from 'iced-x86';
import { KVMI_PAGE_ACCESS } from '../../vmm/kvmi';

/**
 * Bytes accessed from the PF address by the instruction at the start of `bytes`, decoded for
 * `mode` (kvmi_vcpu_event_arch.mode: 2, 4 or 8); 1 when the bytes hold no decodable instruction.
 */
export function accessWidth(bytes: Uint8Array, mode: number, rip: bigint, access: number): number {
  if (bytes.length === 0) return 1;
  const decoder = new Decoder(mode === 8 ? 64 : mode === 4 ? 32 : 16, bytes, DecoderOptions.None);
  decoder.ip = rip;
  const instruction = decoder.decode();
  const infoFactory = new InstructionInfoFactory();
  try {
    if (instruction.isInvalid) return 1;
    if ((access & KVMI_PAGE_ACCESS.X) !== 0) return instruction.length;
    const used = infoFactory.info(instruction).usedMemory();
    const widest = used.reduce((max, m) => Math.max(max, MemorySizeExt.size(m.memorySize)), 0);
    used.forEach((m) => m.free());
    return Math.max(widest, 1);
  } finally {
    infoFactory.free();
    instruction.free();
    decoder.free();
  }
}
