// An in-memory IntrospectionTarget for unit tests: sparse guest-physical memory, a page map for
// guest-virtual translation (identity by default), per-frame KVMI access bits, and vCPUs that the
// test drives: `access()` performs a guest memory access and raises a PF event exactly when KVMI
// would (PF enabled, frame restricted, access bit cleared); pauses and single-steps raise their
// events the same way. Every event waits for the adapter's reply.
import { EventEmitter } from 'node:events';
import {
  PAGE_R, PAGE_RWX, PAGE_W, PAGE_X, UNMAPPED,
  type EventAction, type GeneralRegisters, type IntrospectionTarget, type PageAccessEntry, type SegmentRegister,
  type VcpuEvent, type VcpuState,
} from '../../../../src/dap/target';

const seg = (selector: number, l = 1): SegmentRegister => ({ base: 0n, limit: 0xffffffff, selector, type: 11, present: 1, dpl: 0, db: 0, s: 1, l, g: 1, avl: 0, unusable: 0 });

export function initialState(rip = 0x100000n): VcpuState {
  const regs = {} as GeneralRegisters;
  for (const n of ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rsp', 'rbp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const) regs[n] = 0n;
  regs.rip = rip;
  regs.rsp = 0x80000n;
  regs.rflags = 0x246n;
  return {
    mode: 8, regs,
    sregs: {
      segments: { cs: seg(0x8), ds: seg(0x10, 0), es: seg(0x10, 0), fs: seg(0x10, 0), gs: seg(0x10, 0), ss: seg(0x10, 0), tr: seg(0x18, 0), ldt: seg(0, 0) },
      gdt: { base: 0x1000n, limit: 0x27 }, idt: { base: 0n, limit: 0 },
      cr0: 0x80000011n, cr2: 0n, cr3: 0x2000n, cr4: 0x20n, cr8: 0n, efer: 0x500n, apicBase: 0xfee00900n,
    },
    msrs: { sysenterCs: 0n, sysenterEsp: 0n, sysenterEip: 0n, efer: 0x500n, star: 0n, lstar: 0n, cstar: 0n, pat: 0x0007040600070406n, shadowGs: 0n },
  };
}

export interface SentEvent { event: VcpuEvent; action: Promise<EventAction> }

export class FakeTarget extends EventEmitter implements IntrospectionTarget {
  readonly memory = new Map<bigint, Uint8Array>();
  /** gva frame -> gpa frame; unmapped frames listed in `unmapped`. */
  readonly pageMap = new Map<bigint, bigint>();
  readonly unmapped = new Set<bigint>();
  readonly access = new Map<bigint, number>();
  readonly pfEnabled = new Set<number>();
  readonly singleStepping = new Set<number>();
  readonly states: VcpuState[];
  readonly log: string[] = [];
  canSingleStep = true;
  closed = false;
  /** How long a paused vCPU takes to report its PAUSE event (a busy VMM may take milliseconds). */
  pauseDelayMs = 0;
  private readonly running: boolean[];

  constructor(readonly vcpuCount = 1) {
    super();
    this.states = Array.from({ length: vcpuCount }, () => initialState());
    this.running = Array.from({ length: vcpuCount }, () => true);
  }

  // ---- test helpers ----

  poke(gpa: bigint, bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) {
      const a = gpa + BigInt(i);
      const frame = a & ~0xfffn;
      let page = this.memory.get(frame);
      if (!page) { page = new Uint8Array(4096); this.memory.set(frame, page); }
      page[Number(a - frame)] = bytes[i];
    }
  }

  /**
   * The guest on `vcpu` accesses `gva` (`bit` = PAGE_R/W/X) with the instruction at RIP. Resolves
   * with the adapter's reply, or 'none' when KVMI would raise no event.
   */
  async guestAccess(vcpu: number, gva: bigint, bit: number): Promise<EventAction | 'none'> {
    const gpa = this.translateSync(gva);
    if (gpa === UNMAPPED) throw new Error('fake guest touched unmapped memory');
    const allowed = this.access.get(gpa & ~0xfffn) ?? PAGE_RWX;
    if (!this.pfEnabled.has(vcpu) || (allowed & bit) !== 0) return 'none';
    return this.raise({ kind: 'pf', vcpu, gva, gpa, access: bit } as const);
  }

  /** Moves RIP to the next instruction and raises SINGLESTEP if stepping is on. */
  async guestStep(vcpu: number, nextRip: bigint): Promise<EventAction | 'none'> {
    this.states[vcpu].regs.rip = nextRip;
    if (!this.singleStepping.has(vcpu)) return 'none';
    return this.raise({ kind: 'singlestep', vcpu, failed: false } as const);
  }

  isRunning(vcpu: number): boolean { return this.running[vcpu]; }

  private raise(fields: { kind: VcpuEvent['kind']; vcpu: number } & Record<string, unknown>): Promise<EventAction> {
    const vcpu = fields.vcpu;
    this.running[vcpu] = false;
    return new Promise((resolve) => {
      const event = {
        ...fields,
        state: structuredClone(this.states[vcpu]),
        reply: async (action: EventAction) => {
          this.log.push(`reply ${fields.kind} vcpu${vcpu} ${action}`);
          this.running[vcpu] = true;
          resolve(action);
        },
      } as unknown as VcpuEvent;
      this.log.push(`event ${fields.kind} vcpu${vcpu}`);
      this.emit('vcpuEvent', event);
    });
  }

  private translateSync(gva: bigint): bigint {
    const frame = gva & ~0xfffn;
    if (this.unmapped.has(frame)) return UNMAPPED;
    return (this.pageMap.get(frame) ?? frame) + (gva & 0xfffn);
  }

  // ---- IntrospectionTarget ----

  async getRegisters(vcpu: number): Promise<{ state: VcpuState; msrs: Map<number, bigint> }> {
    return { state: structuredClone(this.states[vcpu]), msrs: new Map() };
  }

  async setRegisters(vcpu: number, regs: GeneralRegisters): Promise<void> {
    this.log.push(`setRegisters vcpu${vcpu}`);
    this.states[vcpu].regs = { ...regs };
  }

  async translate(_vcpu: number, gva: bigint): Promise<bigint> { return this.translateSync(gva); }

  async readPhysical(gpa: bigint, size: number): Promise<Uint8Array> {
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      const a = gpa + BigInt(i);
      out[i] = this.memory.get(a & ~0xfffn)?.[Number(a & 0xfffn)] ?? 0;
    }
    return out;
  }

  async writePhysical(gpa: bigint, data: Uint8Array): Promise<void> { this.poke(gpa, data); }

  async setPageAccess(entries: readonly PageAccessEntry[]): Promise<void> {
    for (const e of entries) {
      this.log.push(`access 0x${e.gpa.toString(16)}=${e.access}`);
      if (e.access === PAGE_RWX) this.access.delete(e.gpa & ~0xfffn); else this.access.set(e.gpa & ~0xfffn, e.access);
    }
  }

  async controlEvent(vcpu: number, event: 'pf' | 'breakpoint', enable: boolean): Promise<void> {
    if (event === 'pf') { if (enable) this.pfEnabled.add(vcpu); else this.pfEnabled.delete(vcpu); }
  }

  async controlSingleStep(vcpu: number, enable: boolean): Promise<void> {
    if (enable) this.singleStepping.add(vcpu); else this.singleStepping.delete(vcpu);
  }

  async pauseVcpu(vcpu: number): Promise<void> {
    this.log.push(`pause vcpu${vcpu}`);
    const raise = () => void this.raise({ kind: 'pause', vcpu });
    if (this.pauseDelayMs > 0) setTimeout(raise, this.pauseDelayMs); else setImmediate(raise);
  }

  async close(): Promise<void> { this.closed = true; this.emit('closed', 'closed by the tool'); }
}

export { PAGE_R, PAGE_W, PAGE_X };
