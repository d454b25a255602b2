// Disassembles the one instruction at a guest RIP for event reports: reads up to 15 bytes through
// the vCPU's page tables (TRANSLATE_GVA, then READ_PHYSICAL per page) and formats them in Intel
// syntax with iced-x86. The bitness follows kvmi_vcpu_event_arch.mode (2, 4 or 8 bytes).
import { Decoder, DecoderOptions, Formatter, FormatterSyntax } from 'iced-x86';
import { UNMAPPED_GVA } from '../../vmm/kvmi';
import type { KvmiConnection } from './kvmiConnection';

const MAX_INSTRUCTION_BYTES = 15;

/** Up to 15 bytes at `rip`, fewer if a page is unmapped. */
export async function readInstructionBytes(conn: KvmiConnection, vcpu: number, rip: bigint): Promise<Uint8Array> {
  const out: number[] = [];
  let at = rip;
  while (out.length < MAX_INSTRUCTION_BYTES) {
    const gpa = await conn.translateGva(vcpu, at);
    if (gpa === UNMAPPED_GVA) break;
    const chunk = Math.min(MAX_INSTRUCTION_BYTES - out.length, 4096 - Number(gpa & 0xfffn));
    try {
      out.push(...await conn.readPhysical(gpa, chunk));
    } catch {
      break;
    }
    at += BigInt(chunk);
  }
  return new Uint8Array(out);
}

/** The instruction at the start of `bytes`, or undefined when they hold no valid instruction. */
export function formatInstruction(bytes: Uint8Array, mode: number, rip: bigint): string | undefined {
  if (bytes.length === 0) return undefined;
  const decoder = new Decoder(mode === 8 ? 64 : mode === 4 ? 32 : 16, bytes, DecoderOptions.None);
  decoder.ip = rip;
  const instruction = decoder.decode();
  const formatter = new Formatter(FormatterSyntax.Intel);
  try {
    return instruction.isInvalid ? undefined : formatter.format(instruction);
  } finally {
    formatter.free();
    instruction.free();
    decoder.free();
  }
}
