// Decoding of the KVM_RUN exits that reach device models (api.rst section 5, struct kvm_run):
// KVM_EXIT_IO (port I/O; string instructions arrive as `count` items) and KVM_EXIT_MMIO. An MMIO
// exit inside guest RAM is KVM's own instruction emulator (ring-0 and real-mode code on PVM)
// touching a frame the VMM restricted: a write is reported only after the instruction
// (kvm-facts.md), so no exact KVMI event can be made from it; the access is completed on RAM.
import type { CpuBus } from '../engine/cpuCore';
import { KVM_EXIT_IO_OUT, KVM_RUN_OFFSET as R } from './kvmAbi';

/** KVM_EXIT_IO: `count` items of `size` bytes at data_offset in kvm_run, to or from the port bus. */
export function handlePortIo(v: DataView, bus: CpuBus): void {
  const size = v.getUint8(R.io_size) as 1 | 2 | 4;
  const port = v.getUint16(R.io_port, true);
  const count = v.getUint32(R.io_count, true);
  let at = Number(v.getBigUint64(R.io_data_offset, true));
  const out = v.getUint8(R.io_direction) === KVM_EXIT_IO_OUT;
  for (let i = 0; i < count; i++, at += size) {
    if (out) bus.ioWrite(port, size, size === 1 ? v.getUint8(at) : size === 2 ? v.getUint16(at, true) : v.getUint32(at, true));
    else {
      const value = bus.ioRead(port, size);
      if (size === 1) v.setUint8(at, value); else if (size === 2) v.setUint16(at, value, true); else v.setUint32(at, value, true);
    }
  }
}

/** KVM_EXIT_MMIO: little-endian data in kvm_run.mmio.data, `len` bytes at `phys_addr`. */
export function handleMmio(v: DataView, bus: CpuBus): 'device' | 'lateRamAccess' {
  const gpa = Number(v.getBigUint64(R.mmio_phys_addr, true));
  const len = v.getUint32(R.mmio_len, true) as 1 | 2 | 4 | 8;
  const write = v.getUint8(R.mmio_is_write) !== 0;
  if (gpa + len <= bus.ram.length) {
    if (write) for (let i = 0; i < len; i++) bus.ram[gpa + i] = v.getUint8(R.mmio_data + i);
    else for (let i = 0; i < len; i++) v.setUint8(R.mmio_data + i, bus.ram[gpa + i]);
    return 'lateRamAccess';
  }
  if (write) {
    let value = 0n;
    for (let i = len - 1; i >= 0; i--) value = (value << 8n) | BigInt(v.getUint8(R.mmio_data + i));
    bus.mmioWrite(gpa, len, value);
  } else {
    let value = bus.mmioRead(gpa, len);
    for (let i = 0; i < len; i++, value >>= 8n) v.setUint8(R.mmio_data + i, Number(value & 0xffn));
  }
  return 'device';
}
