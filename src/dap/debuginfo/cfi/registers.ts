// DWARF register numbering for x86 (System V AMD64 psABI Figure 3.36; i386 psABI Table 2.14):
// maps debugger register names to the column numbers CFI rules and location expressions use.

export type Architecture = 'x86_64' | 'i386';

const X86_64 = ['rax', 'rdx', 'rcx', 'rbx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip'];
const I386 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eip'];

export interface RegisterLayout {
  names: readonly string[];
  pc: string;
  sp: string;
  fp: string;
  /** Preserved across calls (psABI): unwound by "same value" when CFI has no rule for them. */
  calleeSaved: ReadonlySet<string>;
  wordSize: 4 | 8;
}

export const LAYOUTS: Record<Architecture, RegisterLayout> = {
  x86_64: { names: X86_64, pc: 'rip', sp: 'rsp', fp: 'rbp', wordSize: 8, calleeSaved: new Set(['rbx', 'rbp', 'r12', 'r13', 'r14', 'r15']) },
  i386: { names: I386, pc: 'eip', sp: 'esp', fp: 'ebp', wordSize: 4, calleeSaved: new Set(['ebx', 'ebp', 'esi', 'edi']) },
};

export function dwarfRegisterName(arch: Architecture, n: number): string | undefined { return LAYOUTS[arch].names[n]; }
export function dwarfRegisterNumber(arch: Architecture, name: string): number { return LAYOUTS[arch].names.indexOf(name); }
