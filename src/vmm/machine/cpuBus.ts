// Adapts the port and MMIO buses to the CpuBus the x86 core executes against. MMIO accesses of
// 8 bytes are split into two 4-byte device accesses (low half first); the unclaimed rule of the
// buses (all-ones on read) therefore also holds for 8-byte reads.
import { AccessSize, Bus } from '../devices/bus';
import { CpuBus } from '../engine/cpuCore';

export function makeCpuBus(ram: Uint8Array, portBus: Bus, mmioBus: Bus): CpuBus {
  return {
    ram,
    ioRead: (port, size) => portBus.read(port, size),
    ioWrite: (port, size, value) => portBus.write(port, size, value),
    mmioRead: (gpa, size) => {
      if (size !== 8) return BigInt(mmioBus.read(gpa, size as AccessSize) >>> 0);
      const lo = mmioBus.read(gpa, 4) >>> 0;
      const hi = mmioBus.read(gpa + 4, 4) >>> 0;
      return (BigInt(hi) << 32n) | BigInt(lo);
    },
    mmioWrite: (gpa, size, value) => {
      if (size !== 8) { mmioBus.write(gpa, size as AccessSize, Number(value & 0xffffffffn)); return; }
      mmioBus.write(gpa, 4, Number(value & 0xffffffffn));
      mmioBus.write(gpa + 4, 4, Number((value >> 32n) & 0xffffffffn));
    },
  };
}
