// Guest page frames an object occupies. The guest-physical address comes from the ELF's PT_LOAD
// program headers (p_paddr + offset into the segment, gABI ch. 5); frames are 4 KiB (Intel SDM
// Vol. 3A §4.3/§4.5 4-KByte pages), which is the granularity of KVMI page access restrictions.
import type { ElfProgramHeader } from '../debuginfo/index';
import { hex } from './addresses';

const PT_LOAD = 1;
export const pageShift = 12n;

/** Guest-physical address of a virtual address, through the loadable segment containing it. */
export function physicalAddress(programHeaders: readonly ElfProgramHeader[], address: bigint): bigint | undefined {
  for (const p of programHeaders) {
    if (p.type === PT_LOAD && address >= p.virtualAddress && address < p.virtualAddress + p.memorySize) {
      return p.physicalAddress + (address - p.virtualAddress);
    }
  }
  return undefined;
}

export interface FrameSpan {
  first: bigint;
  last: bigint;
  count: number;
}

/** Frames covering [physical, physical + size); a zero-sized object still touches one frame. */
export function framesOf(physical: bigint, size: number): FrameSpan {
  const first = physical >> pageShift;
  const last = (physical + BigInt(Math.max(size, 1)) - 1n) >> pageShift;
  return { first, last, count: Number(last - first) + 1 };
}

/** "gfn 0x116" or "gfn 0x104-0x107 (4 frames)"; up to 4 frames are listed one by one. */
export function describeFrames(span: FrameSpan): string {
  if (span.count === 1) return `gfn ${hex(span.first)}`;
  if (span.count <= 4) {
    const all: string[] = [];
    for (let f = span.first; f <= span.last; f++) all.push(hex(f));
    return `gfns ${all.join(', ')}`;
  }
  return `gfns ${hex(span.first)}-${hex(span.last)} (${span.count} frames)`;
}
