// Port I/O: IN/OUT with immediate or DX port, and the I/O permission check (SDM Vol. 1 19.5):
// with CPL > IOPL (or in virtual-8086 mode) every byte of the access must be allowed by the TSS
// I/O permission bitmap, else #GP(0).

import type { CpuCore } from '../core';
import type { DecodedInsn } from '../decodedInsn';
import { CpuException } from '../faults';
import { IOPL, RAX, RDX, TR, VEC_GP, VM } from '../registers';

/** Raises #GP(0) unless the current privilege may access ports [port, port+size). */
export function checkIoPermission(c: CpuCore, port: number, size: number): void {
  if (!c.protectedMode) return;
  if (!(c.flags & VM) && c.cpl <= (c.flags & IOPL) >>> 12) return;
  const tr = c.seg[TR];
  if (tr.unusable || tr.limit < 0x67) throw new CpuException(VEC_GP, 0);
  const mapBase = c.readSystem(tr.base + 0x66, 2);
  const byteOff = mapBase + (port >>> 3);
  if (byteOff + 1 > tr.limit) throw new CpuException(VEC_GP, 0);
  const bits = c.readSystem(tr.base + byteOff, 2);
  const mask = ((1 << size) - 1) << (port & 7);
  if (bits & mask) throw new CpuException(VEC_GP, 0);
}

function ioSize(d: DecodedInsn): 1 | 2 | 4 {
  return d.param === 1 ? 1 : d.opsize === 2 ? 2 : 4;
}

function doIn(c: CpuCore, d: DecodedInsn, port: number): void {
  const size = ioSize(d);
  checkIoPermission(c, port, size);
  const v = c.ioRead(port, size);
  c.setReg(RAX, size, false, size === 4 ? v >>> 0 : v & (size === 1 ? 0xff : 0xffff), 0);
}

function doOut(c: CpuCore, d: DecodedInsn, port: number): void {
  const size = ioSize(d);
  checkIoPermission(c, port, size);
  c.ioWrite(port, size, c.getReg(RAX, size, false));
}

export function inI(c: CpuCore, d: DecodedInsn): void { doIn(c, d, d.imm & 0xff); }
export function inDX(c: CpuCore, d: DecodedInsn): void { doIn(c, d, c.regs[RDX << 1] & 0xffff); }
export function outI(c: CpuCore, d: DecodedInsn): void { doOut(c, d, d.imm & 0xff); }
export function outDX(c: CpuCore, d: DecodedInsn): void { doOut(c, d, c.regs[RDX << 1] & 0xffff); }
