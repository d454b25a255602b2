// One KVM vCPU file descriptor and its state ioctls (api.rst 4.7-4.14, 4.18-4.21, 4.42, 4.73):
// creation, the mmap'ed struct kvm_run page, CPUID from KVM_GET_SUPPORTED_CPUID, and typed
// get/set of registers, segment/control registers, MSRs, XSAVE and XCRs. Each call is one ioctl
// (8-10 us on a PVM host), so callers batch where they can. Where KVM offers KVM_CAP_SYNC_REGS
// (api.rst 4.40 / section 5 "kvm_valid_regs"), regs and sregs travel in kvm_run instead: KVM stores
// them there at every return from KVM_RUN and loads those marked dirty at the next entry.
import { KvmRegs, KvmSregs } from '../x86/kvmState';
import { FIELD_OFFSET, KVM_CAP, KVM_IOCTL, KVM_RUN_OFFSET, KVM_SYNC_X86, SIZEOF } from './kvmAbi';
import { KvmError } from './kvmError';
import { cpuidBuffer, cpuidEntryCount, decodeMsrs, decodeRegs, decodeSregs, encodeMsrs, encodeRegs, encodeSregs } from './kvmStructs';
import { check, libc, MAP_SHARED, PROT_READ, PROT_WRITE } from './libc';

const E2BIG = 7;
const CPUID_LEAF1 = 1;

export class KvmVcpuFd {
  readonly fd: number;
  /** struct kvm_run, shared with the kernel. */
  readonly run: Uint8Array;
  readonly runView: DataView;
  private readonly regsBuffer = new Uint8Array(SIZEOF.kvm_regs);
  private readonly runPointer: unknown;
  private readonly runSize: number;
  /** KVM keeps regs and sregs in kvm_run (KVM_CAP_SYNC_REGS); they are read and written there. */
  readonly syncRegs: boolean;
  /** The sync area holds the vCPU's state: KVM_RUN has returned at least once. */
  private synced = false;
  private readonly syncedRegs: Uint8Array;
  private readonly syncedSregs: Uint8Array;

  constructor(kvmFd: number, vmFd: number, readonly index: number) {
    const c = libc();
    this.fd = check(c.ioctlInt(vmFd, KVM_IOCTL.KVM_CREATE_VCPU, index), 'vmSetup', `KVM_CREATE_VCPU ${index}`);
    const size = check(c.ioctlInt(kvmFd, KVM_IOCTL.KVM_GET_VCPU_MMAP_SIZE, 0), 'vmSetup', 'KVM_GET_VCPU_MMAP_SIZE');
    const pointer = c.mmap(null, size, PROT_READ | PROT_WRITE, MAP_SHARED, this.fd, 0);
    if (pointer === null || c.koffi.address(pointer) === -1n) throw new KvmError('vmSetup', `mmap of vCPU ${index}'s kvm_run failed: ${c.strerror(c.koffi.errno())}`);
    this.runPointer = pointer;
    this.runSize = size;
    this.run = new Uint8Array(c.koffi.view(pointer, size));
    this.runView = new DataView(this.run.buffer, this.run.byteOffset, this.run.byteLength);
    this.syncedRegs = this.run.subarray(KVM_RUN_OFFSET.sync_regs, KVM_RUN_OFFSET.sync_regs + SIZEOF.kvm_regs);
    this.syncedSregs = this.run.subarray(KVM_RUN_OFFSET.sync_sregs, KVM_RUN_OFFSET.sync_sregs + SIZEOF.kvm_sregs);
    const syncable = c.ioctlInt(vmFd, KVM_IOCTL.KVM_CHECK_EXTENSION, KVM_CAP.KVM_CAP_SYNC_REGS);
    const wanted = KVM_SYNC_X86.REGS | KVM_SYNC_X86.SREGS;
    this.syncRegs = syncable > 0 && (syncable & wanted) === wanted;
    if (this.syncRegs) this.runView.setBigUint64(KVM_RUN_OFFSET.kvm_valid_regs, BigInt(wanted), true);
    this.setCpuid(kvmFd);
  }

  /** One KVM_RUN (api.rst 4.10); returns the ioctl result (errno from koffi when negative). */
  runGuest(): number {
    const rc = libc().ioctlInt(this.fd, KVM_IOCTL.KVM_RUN, 0);
    // KVM stores the sync area on every return from KVM_RUN, error returns included.
    if (this.syncRegs) this.synced = true;
    return rc;
  }

  /** kvm_sregs exactly as KVM reported them at the last exit (a view into kvm_run), if synced. */
  syncedSregBytes(): Uint8Array | undefined { return this.synced ? this.syncedSregs : undefined; }

  private markDirty(bits: number): void {
    const at = KVM_RUN_OFFSET.kvm_dirty_regs;
    this.runView.setBigUint64(at, this.runView.getBigUint64(at, true) | BigInt(bits), true);
  }

  /** The CPUID KVM supports, with the initial APIC ID (leaf 1 EBX[31:24]) set to the vCPU index. */
  private setCpuid(kvmFd: number): void {
    const c = libc();
    let buf: Uint8Array | undefined;
    for (let capacity = 64; capacity <= 4096; capacity *= 2) {
      const candidate = cpuidBuffer(capacity);
      if (c.ioctlPtr(kvmFd, KVM_IOCTL.KVM_GET_SUPPORTED_CPUID, candidate) >= 0) { buf = candidate; break; }
      if (c.koffi.errno() !== E2BIG) check(-1, 'vmSetup', 'KVM_GET_SUPPORTED_CPUID');
    }
    if (!buf) throw new KvmError('vmSetup', 'KVM_GET_SUPPORTED_CPUID wants more than 4096 entries');
    const v = new DataView(buf.buffer);
    const e = FIELD_OFFSET.kvm_cpuid_entry2;
    for (let i = 0; i < cpuidEntryCount(buf); i++) {
      const at = FIELD_OFFSET.kvm_cpuid2.entries + i * SIZEOF.kvm_cpuid_entry2;
      if (v.getUint32(at + e.function, true) === CPUID_LEAF1) {
        v.setUint32(at + e.ebx, ((v.getUint32(at + e.ebx, true) & 0x00ffffff) | (this.index << 24)) >>> 0, true);
      }
    }
    check(c.ioctlPtr(this.fd, KVM_IOCTL.KVM_SET_CPUID2, buf), 'vmSetup', 'KVM_SET_CPUID2');
  }

  getRegs(): KvmRegs {
    if (this.synced) return decodeRegs(this.syncedRegs);
    check(libc().ioctlPtr(this.fd, KVM_IOCTL.KVM_GET_REGS, this.regsBuffer), 'ioctl', 'KVM_GET_REGS');
    return decodeRegs(this.regsBuffer);
  }

  setRegs(r: KvmRegs): void {
    if (this.synced) { encodeRegs(r, this.syncedRegs); this.markDirty(KVM_SYNC_X86.REGS); return; }
    check(libc().ioctlPtr(this.fd, KVM_IOCTL.KVM_SET_REGS, encodeRegs(r)), 'ioctl', 'KVM_SET_REGS');
  }

  getSregs(): KvmSregs {
    if (this.synced) return decodeSregs(this.syncedSregs);
    const b = new Uint8Array(SIZEOF.kvm_sregs);
    check(libc().ioctlPtr(this.fd, KVM_IOCTL.KVM_GET_SREGS, b), 'ioctl', 'KVM_GET_SREGS');
    return decodeSregs(b);
  }

  setSregs(s: KvmSregs): void {
    if (this.synced) { this.syncedSregs.set(encodeSregs(s)); this.markDirty(KVM_SYNC_X86.SREGS); return; }
    check(libc().ioctlPtr(this.fd, KVM_IOCTL.KVM_SET_SREGS, encodeSregs(s)), 'ioctl', 'KVM_SET_SREGS');
  }

  /** Reads the listed MSRs in one ioctl; MSRs KVM refuses are absent from the result. */
  getMsrs(indices: readonly number[]): Map<number, bigint> {
    const b = encodeMsrs(indices.map((index) => ({ index })));
    const n = check(libc().ioctlPtr(this.fd, KVM_IOCTL.KVM_GET_MSRS, b), 'ioctl', 'KVM_GET_MSRS');
    return new Map(decodeMsrs(b, n).map((e) => [e.index, e.data]));
  }

  /** Writes MSRs in order; returns how many KVM accepted (it stops at the first refusal). */
  setMsrs(entries: readonly { index: number; data: bigint }[]): number {
    return check(libc().ioctlPtr(this.fd, KVM_IOCTL.KVM_SET_MSRS, encodeMsrs(entries)), 'ioctl', 'KVM_SET_MSRS');
  }

  getXsave(): Uint8Array {
    const b = new Uint8Array(SIZEOF.kvm_xsave);
    check(libc().ioctlPtr(this.fd, KVM_IOCTL.KVM_GET_XSAVE, b), 'ioctl', 'KVM_GET_XSAVE');
    return b;
  }

  setXsave(area: Uint8Array): void {
    if (area.length > SIZEOF.kvm_xsave) throw new KvmError('badArgument', `an XSAVE area for KVM_SET_XSAVE is at most ${SIZEOF.kvm_xsave} bytes, got ${area.length}`);
    const b = new Uint8Array(SIZEOF.kvm_xsave);
    b.set(area);
    check(libc().ioctlPtr(this.fd, KVM_IOCTL.KVM_SET_XSAVE, b), 'ioctl', 'KVM_SET_XSAVE');
  }

  /** XCR0 from KVM_GET_XCRS (1 when the host reports no XCRs, i.e. only x87 state). */
  getXcr0(): bigint {
    const b = new Uint8Array(SIZEOF.kvm_xcrs);
    check(libc().ioctlPtr(this.fd, KVM_IOCTL.KVM_GET_XCRS, b), 'ioctl', 'KVM_GET_XCRS');
    const v = new DataView(b.buffer);
    const n = v.getUint32(FIELD_OFFSET.kvm_xcrs.nr_xcrs, true);
    for (let i = 0; i < n; i++) {
      const at = FIELD_OFFSET.kvm_xcrs.xcrs + i * 16;   // struct kvm_xcr { u32 xcr; u32 reserved; u64 value; }
      if (v.getUint32(at, true) === 0) return v.getBigUint64(at + 8, true);
    }
    return 1n;
  }

  /** KVM_INTERRUPT: queues an external interrupt (only without an in-kernel irqchip). */
  interrupt(vector: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, vector, true);
    check(libc().ioctlPtr(this.fd, KVM_IOCTL.KVM_INTERRUPT, b), 'ioctl', `KVM_INTERRUPT vector ${vector}`);
  }

  /** Unmaps kvm_run and closes the vCPU; no method may be called afterwards. */
  /** The vCPU's TSC frequency in kHz (KVM_GET_TSC_KHZ, api.rst 4.56), or undefined when KVM does not say. */
  tscKhz(): number | undefined {
    const rc = libc().ioctlInt(this.fd, KVM_IOCTL.KVM_GET_TSC_KHZ, 0);
    return rc > 0 ? rc : undefined;
  }

  close(): void {
    const c = libc();
    c.munmap(this.runPointer, this.runSize);
    c.close(this.fd);
  }
}
