// A minimal PVH loader and two-port bus for running the test guests (test/guests) on a bare
// X86Cpu: ELF PT_LOAD segments copied to their physical addresses, entry in 32-bit flat protected
// mode with EBX -> hvm_start_info, COM1 output collected, exit port 0xf4 ends the run.

import { readFileSync } from 'node:fs';
import { X86Cpu, type CpuBus, type CpuExit } from '../../../src/vmm/x86/cpu';
import { emptySegment, type KvmSegment } from '../../../src/vmm/x86/kvmState';

const RAM = 16 << 20;
const START_INFO = 0x6000;

export interface Booted {
  stdout: string;
  exitCode: number | undefined;
  cpu: X86Cpu;
}

/** Copies the PT_LOAD segments of an ELF64 image into RAM; returns the entry point. */
function loadElf(image: Buffer, ram: Uint8Array): number {
  if (image.readUInt32BE(0) !== 0x7f454c46 || image[4] !== 2) throw new Error('not an ELF64 image');
  const phoff = Number(image.readBigUInt64LE(0x20)), phentsize = image.readUInt16LE(0x36), phnum = image.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    if (image.readUInt32LE(ph) !== 1) continue;
    const offset = Number(image.readBigUInt64LE(ph + 8)), paddr = Number(image.readBigUInt64LE(ph + 0x18));
    const filesz = Number(image.readBigUInt64LE(ph + 0x20)), memsz = Number(image.readBigUInt64LE(ph + 0x28));
    ram.set(image.subarray(offset, offset + filesz), paddr);
    ram.fill(0, paddr + filesz, paddr + memsz);
  }
  return Number(image.readBigUInt64LE(0x18));
}

function flat(selector: number, type: number): KvmSegment {
  return { ...emptySegment(), selector, type, present: 1, s: 1, db: 1, g: 1, limit: 0xffffffff };
}

/** Address of a symbol in an ELF64 image's .symtab (undefined if absent). */
export function elfSymbol(image: Buffer, name: string): number | undefined {
  const shoff = Number(image.readBigUInt64LE(0x28)), shentsize = image.readUInt16LE(0x3a), shnum = image.readUInt16LE(0x3c);
  const section = (i: number) => shoff + i * shentsize;
  for (let i = 0; i < shnum; i++) {
    const sh = section(i);
    if (image.readUInt32LE(sh + 4) !== 2) continue; // SHT_SYMTAB
    const off = Number(image.readBigUInt64LE(sh + 0x18)), size = Number(image.readBigUInt64LE(sh + 0x20));
    const strtab = section(image.readUInt32LE(sh + 0x28));
    const stroff = Number(image.readBigUInt64LE(strtab + 0x18));
    for (let p = off; p < off + size; p += 24) {
      const nameOff = image.readUInt32LE(p);
      const end = image.indexOf(0, stroff + nameOff);
      if (image.toString('latin1', stroff + nameOff, end) === name) return Number(image.readBigUInt64LE(p + 8));
    }
  }
  return undefined;
}

/** What a test can do to the CPU before the guest starts (restrict frames, enable intercepts). */
export type BootHook = (cpu: X86Cpu, image: Buffer) => void;

/** Handles an event exit during the run; returns false to treat it as an error. */
export type ExitHandler = (cpu: X86Cpu, exit: CpuExit) => boolean;

/** Boots the ELF at `path` and runs it until it writes the exit port (or the budget runs out). */
export function bootGuest(path: string, budget = 200_000_000, hook?: BootHook, onExit?: ExitHandler): Booted {
  const ram = new Uint8Array(RAM);
  let stdout = '';
  let exitCode: number | undefined;
  const bus: CpuBus = {
    ram,
    ioRead: (port) => (port === 0x3fd ? 0x60 : 0xffffffff),
    ioWrite: (port, _size, value) => {
      if (port === 0x3f8) stdout += String.fromCharCode(value & 0xff);
      if (port === 0xf4) { exitCode = value; cpu.requestStop(); }
    },
    mmioRead: () => 0xffffffffffffffffn,
    mmioWrite: () => undefined,
  };
  const cpu = new X86Cpu(bus, new Uint8Array(RAM / 4096).fill(7));
  const image = readFileSync(path);
  const entry = loadElf(image, ram);
  new DataView(ram.buffer).setUint32(START_INFO, 0x336ec578, true); // hvm_start_info.magic
  const s = cpu.getSregs();
  s.cs = flat(0x08, 0xb);
  for (const k of ['ds', 'es', 'ss', 'fs', 'gs'] as const) s[k] = flat(0x10, 3);
  s.cr0 = 0x11n;
  cpu.setSregs(s);
  const r = cpu.getRegs();
  r.rip = BigInt(entry);
  r.rbx = BigInt(START_INFO);
  r.rflags = 2n;
  cpu.setRegs(r);
  hook?.(cpu, image);
  while (exitCode === undefined && cpu.instructions < budget) {
    const exit = cpu.run(1_000_000);
    if (exit.kind === 'stopRequested' || exit.kind === 'budget') continue;
    if (onExit?.(cpu, exit)) continue;
    throw new Error(`guest ${path} stopped with ${JSON.stringify(exit, (_k, v) => typeof v === 'bigint' ? `0x${v.toString(16)}` : v)} after: ${stdout}`);
  }
  return { stdout, exitCode, cpu };
}
