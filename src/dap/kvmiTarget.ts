// The IntrospectionTarget over the KVMI client (src/dap/kvmi): listens where the VMM will connect,
// asks vCPU 0 to pause as soon as the handshake completes (so the guest's first instruction waits
// for the debugger, KVMI reference 4.3 PAUSE), and converts the client's decoded events and
// command replies into the adapter's own types.
import { EventEmitter } from 'node:events';
import { KVMI_EVENT } from '../vmm/kvmi';
import type { KvmiAddress } from '../vmm/kvmi/transportAddress';
import type { KvmRegs, KvmSregs } from '../vmm/x86/kvmState';
import { listen } from './kvmi/kvmiListener';
import type { KvmiConnection } from './kvmi/kvmiConnection';
import type { KvmiVcpuEvent } from './kvmi/kvmiEvent';
import type { TargetConnector, TargetListener } from './session/targetConnection';
import {
  SEGMENT_NAMES, type EventAction, type EventMsrs, type GeneralRegisters, type IntrospectionTarget, type PageAccessEntry,
  type SegmentName, type SegmentRegister, type SpecialRegisters, type VcpuEvent, type VcpuState,
} from './target';

function specialRegisters(s: KvmSregs): SpecialRegisters {
  const segments = {} as Record<SegmentName, SegmentRegister>;
  for (const name of SEGMENT_NAMES) segments[name] = { ...s[name] };
  return {
    segments, gdt: { ...s.gdt }, idt: { ...s.idt },
    cr0: s.cr0, cr2: s.cr2, cr3: s.cr3, cr4: s.cr4, cr8: s.cr8, efer: s.efer, apicBase: s.apic_base,
  };
}

function vcpuState(mode: number, regs: KvmRegs, sregs: KvmSregs, msrs: EventMsrs | undefined): VcpuState {
  return { mode: mode === 2 || mode === 4 ? mode : 8, regs: { ...regs }, sregs: specialRegisters(sregs), msrs };
}

export class KvmiTarget extends EventEmitter implements IntrospectionTarget {
  private constructor(private readonly connection: KvmiConnection, readonly vcpuCount: number, readonly canSingleStep: boolean) {
    super();
    connection.on('close', (reason: unknown) => this.emit('closed', reason));
    // Events stay queued in the client until the first 'vcpuEvent' listener exists.
    let pumping = false;
    this.on('newListener', (name: string) => {
      if (name !== 'vcpuEvent' || pumping) return;
      pumping = true;
      setImmediate(() => void this.pump());
    });
  }

  static async open(connection: KvmiConnection): Promise<KvmiTarget> {
    const version = await connection.getVersion();
    return new KvmiTarget(connection, await connection.getVmInfo(), version.features.singlestep === 1);
  }

  /** Hands every event to 'vcpuEvent' listeners (queued in the client until this loop starts). */
  private async pump(): Promise<void> {
    for await (const event of this.connection.events()) {
      if (event.scope === 'vm') { this.emit('unhook'); continue; }
      const converted = this.convert(event);
      if (converted) this.emit('vcpuEvent', converted);
      else if (!event.replied) event.reply('continue');
    }
  }

  private convert(event: KvmiVcpuEvent): VcpuEvent | undefined {
    const arch = event.common.arch;
    const base = {
      vcpu: event.vcpu,
      state: vcpuState(arch.mode, arch.regs, arch.sregs, {
        sysenterCs: arch.msrs.sysenter_cs, sysenterEsp: arch.msrs.sysenter_esp, sysenterEip: arch.msrs.sysenter_eip,
        efer: arch.msrs.efer, star: arch.msrs.star, lstar: arch.msrs.lstar, cstar: arch.msrs.cstar, pat: arch.msrs.pat, shadowGs: arch.msrs.shadow_gs,
      }),
      reply: async (action: EventAction) => { if (!event.replied) event.reply(action); },
    };
    switch (event.name) {
      case 'KVMI_VCPU_EVENT_PF': return { ...base, kind: 'pf', gva: event.payload.gva, gpa: event.payload.gpa, access: event.payload.access };
      case 'KVMI_VCPU_EVENT_BREAKPOINT': return { ...base, kind: 'breakpoint', gpa: event.payload.gpa, insnLength: event.payload.insn_len };
      case 'KVMI_VCPU_EVENT_SINGLESTEP': return { ...base, kind: 'singlestep', failed: event.payload.failed !== 0 };
      case 'KVMI_VCPU_EVENT_PAUSE': return { ...base, kind: 'pause' };
      default: return undefined;
    }
  }

  async getRegisters(vcpu: number, msrIndexes: readonly number[] = []): Promise<{ state: VcpuState; msrs: Map<number, bigint> }> {
    const reply = await this.connection.getRegisters(vcpu, msrIndexes);
    const msrs = new Map<number, bigint>(reply.entries.map((e) => [e.index, e.data]));
    return { state: vcpuState(reply.mode, reply.regs, reply.sregs, undefined), msrs };
  }

  async setRegisters(vcpu: number, regs: GeneralRegisters): Promise<void> { await this.connection.setRegisters(vcpu, regs); }
  translate(vcpu: number, gva: bigint): Promise<bigint> { return this.connection.translateGva(vcpu, gva); }
  readPhysical(gpa: bigint, size: number): Promise<Uint8Array> { return this.connection.readPhysicalRange(gpa, size); }
  async writePhysical(gpa: bigint, data: Uint8Array): Promise<void> {
    for (let done = 0; done < data.length;) {
      const at = gpa + BigInt(done);
      const chunk = Math.min(data.length - done, 0x1000 - Number(at & 0xfffn));
      await this.connection.writePhysical(at, data.subarray(done, done + chunk));
      done += chunk;
    }
  }
  async setPageAccess(entries: readonly PageAccessEntry[]): Promise<void> { await this.connection.setPageAccess(entries); }
  async controlEvent(vcpu: number, event: 'pf' | 'breakpoint', enable: boolean): Promise<void> {
    const id = event === 'pf' ? KVMI_EVENT.KVMI_VCPU_EVENT_PF : KVMI_EVENT.KVMI_VCPU_EVENT_BREAKPOINT;
    await this.connection.controlEvents(vcpu, id, enable);
  }
  async controlSingleStep(vcpu: number, enable: boolean): Promise<void> { await this.connection.controlSinglestep(vcpu, enable); }
  async pauseVcpu(vcpu: number): Promise<void> { await this.connection.pauseVcpu(vcpu); }
  async close(): Promise<void> { this.connection.close(); }
}

/** Listens with the KVMI client; vCPU 0 is asked to pause in the same write as the handshake answer. */
export const kvmiConnector: TargetConnector = async (address: KvmiAddress): Promise<TargetListener> => {
  const listener = await listen(address, { onOpen: (c) => void c.pauseVcpu(0).catch(() => undefined) });
  return {
    accept: async () => KvmiTarget.open(await listener.accept()),
    close: () => listener.close(),
  };
};
