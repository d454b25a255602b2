// How many instructions KVM's own instruction emulator has executed for one vCPU: the vCPU's
// `insn_emulation` statistic, read from its binary statistics file (KVM_GET_STATS_FD, api.rst 4.133
// and "KVM binary statistics"; struct kvm_stats_header / kvm_stats_desc). Reading it is a plain
// pread, not a vCPU ioctl (though about 12 us through FFI on PVM, as much as KVM_GET_MSRS, so it is
// read for diagnostics, not on the event path). On PVM every guest instruction at CPL 0 is
// emulated, so the count shows how much guest kernel code KVM itself ran (kvm-facts.md).
import { FIELD_OFFSET, KVM_IOCTL, SIZEOF } from './kvmAbi';
import { libc } from './libc';

const STAT_NAME = 'insn_emulation';

export class EmulationCounter {
  private readonly buffer = new Uint8Array(8);
  private readonly view = new DataView(this.buffer.buffer);

  private constructor(private readonly fd: number, private readonly dataAt: number) {}

  /** The counter of the vCPU behind `vcpuFd`, or undefined where KVM offers no such statistic. */
  static open(vcpuFd: number): EmulationCounter | undefined {
    const c = libc();
    const fd = c.ioctlInt(vcpuFd, KVM_IOCTL.KVM_GET_STATS_FD, 0);
    if (fd < 0) return undefined;
    const at = statOffset(fd);
    if (at === undefined) { c.close(fd); return undefined; }
    return new EmulationCounter(fd, at);
  }

  /** The current count, or undefined if the read failed. */
  read(): number | undefined {
    if (libc().pread(this.fd, this.buffer, 8, this.dataAt) !== 8) return undefined;
    return Number(this.view.getBigUint64(0, true));
  }

  close(): void { libc().close(this.fd); }
}

/** File offset of the insn_emulation value (a u64 cumulative counter), found by name. */
function statOffset(fd: number): number | undefined {
  const c = libc();
  const header = new Uint8Array(SIZEOF.kvm_stats_header);
  if (c.pread(fd, header, header.length, 0) !== header.length) return undefined;
  const h = new DataView(header.buffer);
  const H = FIELD_OFFSET.kvm_stats_header;
  const nameSize = h.getUint32(H.name_size, true);
  const count = h.getUint32(H.num_desc, true);
  const descSize = SIZEOF.kvm_stats_desc + nameSize;
  const descs = new Uint8Array(descSize * count);
  if (c.pread(fd, descs, descs.length, h.getUint32(H.desc_offset, true)) !== descs.length) return undefined;
  const d = new DataView(descs.buffer);
  const D = FIELD_OFFSET.kvm_stats_desc;
  for (let i = 0; i < count; i++) {
    const at = i * descSize;
    const nameBytes = descs.subarray(at + D.name, at + D.name + nameSize);
    const end = nameBytes.indexOf(0);
    const name = Buffer.from(nameBytes.subarray(0, end < 0 ? nameSize : end)).toString('latin1');
    if (name === STAT_NAME && d.getUint16(at + D.size, true) === 1) return h.getUint32(H.data_offset, true) + d.getUint32(at + D.offset, true);
  }
  return undefined;
}
