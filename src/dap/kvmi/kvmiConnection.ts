// A typed, promise-based KVMI v12 session with one VMM: one method per command (KVMI reference §3),
// each resolving with the decoded reply or rejecting with KvmiCommandError (code and name), plus
// the events of KvmiPeer. Page-sized limits are the caller's concern except where noted.
import { KVMI_PAGE_SIZE, type ReplyOf } from '../../vmm/kvmi';
import type { KvmRegs } from '../../vmm/x86/kvmState';
import type { VmHandshakeInfo } from './clientHandshake';
import { KvmiUsageError } from './kvmiErrors';
import { KvmiPeer } from './kvmiPeer';

export interface PageAccess { gpa: bigint; access: number }
export type RegistersReply = ReplyOf<'KVMI_VCPU_GET_REGISTERS'>;

const on = (enable: boolean) => (enable ? 1 : 0);

export class KvmiConnection extends KvmiPeer {
  /** What the VMM sent in the handshake. */
  vm!: VmHandshakeInfo;

  getVersion() { return this.command('KVMI_GET_VERSION', undefined); }
  /** Resolves if the command exists and is allowed; rejects with -KVM_ENOENT / -KVM_EPERM otherwise. */
  checkCommand(id: number) { return this.command('KVMI_VM_CHECK_COMMAND', { id }); }
  checkEvent(id: number) { return this.command('KVMI_VM_CHECK_EVENT', { id }); }
  async getVmInfo() { return (await this.command('KVMI_VM_GET_INFO', undefined)).vcpu_count; }
  controlVmEvents(eventId: number, enable: boolean) { return this.command('KVMI_VM_CONTROL_EVENTS', { event_id: eventId, enable: on(enable) }); }

  /** One page-bounded read (1..4096 bytes, not crossing a page). */
  async readPhysical(gpa: bigint, size: number): Promise<Uint8Array> {
    return (await this.command('KVMI_VM_READ_PHYSICAL', { gpa, size })).data;
  }

  /** Any length: split into page-bounded READ_PHYSICAL commands sent back to back. */
  async readPhysicalRange(gpa: bigint, size: number): Promise<Uint8Array> {
    const out = new Uint8Array(size);
    const parts: Promise<void>[] = [];
    for (let done = 0; done < size;) {
      const at = gpa + BigInt(done);
      const chunk = Math.min(size - done, KVMI_PAGE_SIZE - Number(at & 0xfffn));
      const offset = done;
      parts.push(this.readPhysical(at, chunk).then((data) => out.set(data, offset)));
      done += chunk;
    }
    await Promise.all(parts);
    return out;
  }

  writePhysical(gpa: bigint, data: Uint8Array) {
    return this.command('KVMI_VM_WRITE_PHYSICAL', { gpa, size: data.length, data });
  }

  /** Asks for one PAUSE event from the vCPU. */
  pauseVcpu(vcpu: number, wait = false) { return this.command('KVMI_VM_PAUSE_VCPU', { vcpu, wait: on(wait) }); }
  controlCleanup(enable: boolean) { return this.command('KVMI_VM_CONTROL_CLEANUP', { enable: on(enable) }); }

  /** At most 511 entries per message (KVMI reference §5). */
  setPageAccess(entries: readonly PageAccess[]) {
    if (entries.length > 511) return Promise.reject(new KvmiUsageError(`setPageAccess takes at most 511 entries per call, got ${entries.length}`));
    return this.command('KVMI_VM_SET_PAGE_ACCESS', { count: entries.length, entries: entries.map((e) => ({ gpa: e.gpa, access: e.access })) });
  }

  async getVcpuInfo(vcpu: number) { return (await this.command('KVMI_VCPU_GET_INFO', undefined, vcpu)).tsc_speed; }
  controlEvents(vcpu: number, eventId: number, enable: boolean) {
    return this.command('KVMI_VCPU_CONTROL_EVENTS', { event_id: eventId, enable: on(enable) }, vcpu);
  }
  getRegisters(vcpu: number, msrs: readonly number[] = []): Promise<RegistersReply> {
    return this.command('KVMI_VCPU_GET_REGISTERS', { nmsrs: msrs.length, msrs_idx: [...msrs] }, vcpu);
  }
  /** Only valid while the vCPU waits for an event reply (else -KVM_EOPNOTSUPP). */
  setRegisters(vcpu: number, regs: KvmRegs) { return this.command('KVMI_VCPU_SET_REGISTERS', regs, vcpu); }
  getCpuid(vcpu: number, fn: number, index = 0) { return this.command('KVMI_VCPU_GET_CPUID', { function: fn, index }, vcpu); }
  controlCr(vcpu: number, cr: number, enable: boolean) { return this.command('KVMI_VCPU_CONTROL_CR', { cr, enable: on(enable) }, vcpu); }
  injectException(vcpu: number, nr: number, errorCode = 0, address = 0n) {
    return this.command('KVMI_VCPU_INJECT_EXCEPTION', { nr, error_code: errorCode, address }, vcpu);
  }
  async getXcr(vcpu: number, xcr = 0) { return (await this.command('KVMI_VCPU_GET_XCR', { xcr }, vcpu)).value; }
  async getXsave(vcpu: number) { return (await this.command('KVMI_VCPU_GET_XSAVE', undefined, vcpu)).xsave.region; }
  setXsave(vcpu: number, region: readonly number[]) { return this.command('KVMI_VCPU_SET_XSAVE', { xsave: { region: [...region] } }, vcpu); }
  async getMtrrType(vcpu: number, gpa: bigint) { return (await this.command('KVMI_VCPU_GET_MTRR_TYPE', { gpa }, vcpu)).type; }
  controlMsr(vcpu: number, msr: number, enable: boolean) { return this.command('KVMI_VCPU_CONTROL_MSR', { enable: on(enable), msr }, vcpu); }
  controlSinglestep(vcpu: number, enable: boolean) { return this.command('KVMI_VCPU_CONTROL_SINGLESTEP', { enable: on(enable) }, vcpu); }
  /** The gpa, or 0xffff_ffff_ffff_ffff (UNMAPPED_GVA) when the address is not mapped. */
  async translateGva(vcpu: number, gva: bigint) { return (await this.command('KVMI_VCPU_TRANSLATE_GVA', { gva }, vcpu)).gpa; }
}
