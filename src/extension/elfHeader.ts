// Reads just enough of a file's ELF header to tell whether a guest is an x86 program: the identification
// bytes and e_machine. Layout from the System V gABI, "ELF Header": e_ident[EI_CLASS] at offset 4,
// e_ident[EI_DATA] at offset 5, e_machine (16 bits, in the file's byte order) at offset 18.
import { closeSync, openSync, readSync } from 'node:fs';

const elfMagic = [0x7f, 0x45, 0x4c, 0x46]; // "\x7fELF"
const EI_CLASS = 4, EI_DATA = 5, E_MACHINE = 18;
const ELFCLASS32 = 1, ELFCLASS64 = 2, ELFDATA2LSB = 1;
const EM_386 = 3, EM_X86_64 = 62;

export type ElfIdentity =
  | { kind: 'not-elf' }
  | { kind: 'elf'; bits: 32 | 64 | undefined; littleEndian: boolean; machine: number };

/** The identity of the file at `path` from its first 20 bytes (throws the fs error if unreadable). */
export function readElfIdentity(path: string): ElfIdentity {
  const header = Buffer.alloc(E_MACHINE + 2);
  const fd = openSync(path, 'r');
  let length: number;
  try {
    length = readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  return elfIdentityOf(header.subarray(0, length));
}

export function elfIdentityOf(header: Uint8Array): ElfIdentity {
  if (header.length < E_MACHINE + 2 || elfMagic.some((byte, i) => header[i] !== byte)) return { kind: 'not-elf' };
  const littleEndian = header[EI_DATA] === ELFDATA2LSB;
  const machine = littleEndian ? header[E_MACHINE] | (header[E_MACHINE + 1] << 8)
    : (header[E_MACHINE] << 8) | header[E_MACHINE + 1];
  const bits = header[EI_CLASS] === ELFCLASS32 ? 32 : header[EI_CLASS] === ELFCLASS64 ? 64 : undefined;
  return { kind: 'elf', bits, littleEndian, machine };
}

/** Why an ELF is not a guest we can run, or undefined for i386 (ELF32) and x86-64 (ELF64) programs. */
export function whyNotX86(identity: ElfIdentity & { kind: 'elf' }): string | undefined {
  if (!identity.littleEndian) return 'is a big-endian ELF; x86 programs are little-endian';
  if (identity.machine === EM_X86_64 && identity.bits === 64) return undefined;
  if (identity.machine === EM_386 && identity.bits === 32) return undefined;
  if (identity.machine === EM_X86_64 || identity.machine === EM_386) {
    return `has e_machine ${identity.machine} but ELF class ${identity.bits ?? 'invalid'}`;
  }
  return `is an ELF for e_machine ${identity.machine} (${machineName(identity.machine)}), not x86 (3) or x86-64 (62)`;
}

function machineName(machine: number): string {
  const names: Record<number, string> = { 8: 'MIPS', 20: 'PowerPC', 21: 'PowerPC64', 40: 'ARM', 183: 'AArch64', 243: 'RISC-V' };
  return names[machine] ?? 'unknown';
}
