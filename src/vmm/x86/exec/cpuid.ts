// CPUID (SDM Vol. 2A CPUID). Advertised feature set, coherent with what exec/ implements:
// leaf 1 EDX: FPU PSE TSC MSR PAE CX8 SEP PGE CMOV PAT PSE36 CLFSH FXSR SSE SSE2;
// leaf 1 ECX: CX16 POPCNT XSAVE (OSXSAVE mirrors CR4.OSXSAVE); leaf 0xD: XCR0 = x87|SSE, 576 bytes;
// 0x80000001 EDX: SYSCALL NX PDPE1GB RDTSCP LM; ECX: LAHF-SAHF ABM(LZCNT). No MMX, SSE3+, AVX,
// BMI, APIC or hypervisor leaves. x87 arithmetic is not implemented: only FNINIT/FNSTCW/FLDCW/
// FNSTSW and FXSAVE/FXRSTOR touch the x87 state.

import type { CpuCore } from '../core';
import { CPU_SIGNATURE } from '../cpuState';
import { CR4_OSXSAVE, RAX, RBX, RCX, RDX } from '../registers';

/** Packs four ASCII characters little-endian into a register value. */
function ascii4(s: string): number {
  return (s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24)) >>> 0;
}

const VENDOR = 'GenuineIntel';
const BRAND = 'Software x86-64 CPU'.padEnd(48, '\0');
const LEAF1_EDX = (1 << 0) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 8) | (1 << 11) | (1 << 13) | (1 << 15)
  | (1 << 16) | (1 << 17) | (1 << 19) | (1 << 24) | (1 << 25) | (1 << 26);
const LEAF1_ECX = (1 << 13) | (1 << 23) | (1 << 26);
const EXT1_EDX = (1 << 11) | (1 << 20) | (1 << 26) | (1 << 27) | (1 << 29);
const EXT1_ECX = (1 << 0) | (1 << 5);

/** Returns [eax, ebx, ecx, edx] for a leaf and subleaf. */
export function cpuidLeaf(c: CpuCore, leaf: number, sub: number): [number, number, number, number] {
  switch (leaf) {
    case 0: return [0xd, ascii4(VENDOR.slice(0, 4)), ascii4(VENDOR.slice(8, 12)), ascii4(VENDOR.slice(4, 8))];
    case 1: return [CPU_SIGNATURE, (1 << 16) | (8 << 8), (LEAF1_ECX | (c.cr4 & CR4_OSXSAVE ? 1 << 27 : 0)) >>> 0, LEAF1_EDX >>> 0];
    case 0xd:
      if (sub === 0) return [3, 576, 576, 0];
      if (sub === 1) return [0, 0, 0, 0];
      return [0, 0, 0, 0];
    case 0x80000000: return [0x80000008, 0, 0, 0];
    case 0x80000001: return [0, 0, EXT1_ECX, EXT1_EDX >>> 0];
    case 0x80000002: case 0x80000003: case 0x80000004: {
      const base = (leaf - 0x80000002) * 16;
      return [0, 1, 2, 3].map((k) => ascii4(BRAND.slice(base + k * 4, base + k * 4 + 4))) as [number, number, number, number];
    }
    case 0x80000008: return [0x3028, 0, 0, 0];
    default: return [0, 0, 0, 0];
  }
}

export function cpuid(c: CpuCore): void {
  const [a, b, cc, d] = cpuidLeaf(c, c.regs[RAX << 1], c.regs[RCX << 1]);
  c.setReg(RAX, 4, false, a, 0);
  c.setReg(RBX, 4, false, b, 0);
  c.setReg(RCX, 4, false, cc, 0);
  c.setReg(RDX, 4, false, d, 0);
}
