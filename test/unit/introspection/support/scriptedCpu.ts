// A scripted CPU for the KVMI host tests, loaded into the software engine's real vCPU threads in
// place of the x86 core. It runs byte programs from guest RAM so every KVMI event kind can be
// raised on demand. Opcodes (little-endian operands):
//   01 b  OUT b to COM1        02 b  exit with status b     03 a32  store 0x55 at a32 (PF W)
//   04    HLT                  05    spin (jump to self)    06      INT3 (BREAKPOINT)
//   07    triple fault         08 a32  load byte a32 into RAX (PF R)
//   0a c v32  MOV CRc, v32 (CR)  0b m32 v32  WRMSR (MSR)    0c  VMCALL (HYPERCALL; RAX = 0 or -1000)
//   0d d w  descriptor-table access (DESCRIPTOR)          0e v32  XSETBV XCR0 (XSETBV)
//   0f    RAX += 1                10 a32  jump to a32
// Injected exceptions are appended to INJECTED_LOG in RAM (one vector byte each, count at +0).
import { CpuBus, CpuCore, CpuExit, CpuFactory, noIntercepts } from '../../../../src/vmm/engine/cpuCore';
import { emptyRegs, emptySregs, KvmRegs, KvmSregs } from '../../../../src/vmm/x86/kvmState';

export const INJECTED_LOG = 0x600;
const KVM_ENOSYS = 0xffff_ffff_ffff_fc18n;   // -1000 as u64

type Pending = Extract<CpuExit, { kind: 'pf' | 'breakpoint' | 'cr' | 'msr' | 'hypercall' | 'descriptor' | 'xsetbv' | 'singlestep' }>;

class ScriptedCpu implements CpuCore {
  intercepts = noIntercepts();
  instructions = 0;
  private regs: KvmRegs = emptyRegs();
  private sregs: KvmSregs = emptySregs();
  private readonly msrs = new Map<number, bigint>([[0x140, 0n]]);
  private xcr0 = 1n;
  private stop = false;
  private pending: { exit: Pending; length: number } | undefined;
  private permitGfn: number | undefined;

  constructor(private readonly bus: CpuBus, private readonly access: Uint8Array) {}

  run(max: number): CpuExit {
    for (let n = 0; n < max; n++) {
      if (this.stop) { this.stop = false; return { kind: 'stopRequested' }; }
      const exit = this.step();
      if (exit) return exit;
      if (this.intercepts.singlestep) { this.pending = { exit: { kind: 'singlestep' }, length: 0 }; return { kind: 'singlestep' }; }
    }
    return { kind: 'budget' };
  }

  private u32(at: number): number {
    const r = this.bus.ram;
    return (r[at] | (r[at + 1] << 8) | (r[at + 2] << 16) | (r[at + 3] << 24)) >>> 0;
  }

  private advance(length: number): void { this.regs.rip += BigInt(length); this.instructions++; }

  private event(exit: Pending, length: number): CpuExit { this.pending = { exit, length }; return exit; }

  private memory(gpa: number, bit: 1 | 2, length: number): CpuExit | undefined {
    const gfn = gpa >>> 12;
    if (this.intercepts.pf && !(this.access[gfn] & bit) && this.permitGfn !== gfn) {
      return this.event({ kind: 'pf', gva: BigInt(gpa), gpa: BigInt(gpa), access: bit }, length);
    }
    this.permitGfn = undefined;
    if (bit === 2) this.bus.ram[gpa] = 0x55; else this.regs.rax = BigInt(this.bus.ram[gpa]);
    this.advance(length);
    return undefined;
  }

  private step(): CpuExit | undefined {
    const ram = this.bus.ram;
    const rip = Number(this.regs.rip);
    const i = this.intercepts;
    switch (ram[rip]) {
      case 0x01: this.bus.ioWrite(0x3f8, 1, ram[rip + 1]); this.advance(2); return undefined;
      case 0x02: this.bus.ioWrite(0xf4, 1, ram[rip + 1]); this.advance(2); return undefined;
      case 0x03: return this.memory(this.u32(rip + 1), 2, 5);
      case 0x04: this.advance(1); return { kind: 'hlt' };
      case 0x05: this.instructions++; return undefined;
      case 0x06:
        if (i.breakpoint) return this.event({ kind: 'breakpoint', gpa: BigInt(rip), insnLen: 1 }, 1);
        this.logInjected(3); this.advance(1); return undefined;
      case 0x07: return { kind: 'shutdown', reason: 'triple fault' };
      case 0x08: return this.memory(this.u32(rip + 1), 1, 5);
      case 0x0a: {
        const cr = ram[rip + 1];
        const value = BigInt(this.u32(rip + 2));
        const old = this.crValue(cr);
        if (i.crWrite.has(cr) && value !== old) return this.event({ kind: 'cr', cr, oldValue: old, newValue: value }, 6);
        this.setCr(cr, value); this.advance(6); return undefined;
      }
      case 0x0b: {
        const msr = this.u32(rip + 1);
        const value = BigInt(this.u32(rip + 5));
        const old = this.msrs.get(msr) ?? 0n;
        if (i.msrWrite.has(msr) && value !== old) return this.event({ kind: 'msr', msr, oldValue: old, newValue: value }, 9);
        this.msrs.set(msr, value); this.advance(9); return undefined;
      }
      case 0x0c:
        if (i.hypercall) return this.event({ kind: 'hypercall' }, 1);
        this.regs.rax = KVM_ENOSYS; this.advance(1); return undefined;
      case 0x0d:
        if (i.descriptor) return this.event({ kind: 'descriptor', descriptor: ram[rip + 1] as 1 | 2 | 3 | 4, write: ram[rip + 2] === 1 }, 3);
        this.advance(3); return undefined;
      case 0x0e: {
        const value = BigInt(this.u32(rip + 1));
        if (i.xsetbv && value !== this.xcr0) return this.event({ kind: 'xsetbv', xcr: 0, oldValue: this.xcr0, newValue: value }, 5);
        this.xcr0 = value; this.advance(5); return undefined;
      }
      case 0x0f: this.regs.rax += 1n; this.advance(1); return undefined;
      case 0x10: this.regs.rip = BigInt(this.u32(rip + 1)); this.instructions++; return undefined;
      default: throw new Error(`scripted CPU: unknown opcode 0x${ram[rip].toString(16)} at 0x${rip.toString(16)}`);
    }
  }

  resume(action: 'continue' | 'retry', reply?: { newValue?: bigint }): void {
    const p = this.pending;
    this.pending = undefined;
    if (!p || action === 'retry' || p.exit.kind === 'singlestep') return;
    const e = p.exit;
    switch (e.kind) {
      case 'pf': this.permitGfn = Number(e.gpa >> 12n); return;
      case 'breakpoint': this.logInjected(3); break;
      case 'cr': this.setCr(e.cr, reply?.newValue ?? e.newValue); break;
      case 'msr': this.msrs.set(e.msr, reply?.newValue ?? e.newValue); break;
      case 'xsetbv': this.xcr0 = e.newValue; break;
      case 'hypercall': this.regs.rax = 0n; break;
      default: break;
    }
    this.advance(p.length);
  }

  private crValue(cr: number): bigint { return cr === 0 ? this.sregs.cr0 : cr === 3 ? this.sregs.cr3 : this.sregs.cr4; }
  private setCr(cr: number, v: bigint): void {
    if (cr === 0) this.sregs.cr0 = v; else if (cr === 3) this.sregs.cr3 = v; else this.sregs.cr4 = v;
  }

  private logInjected(vector: number): void {
    const ram = this.bus.ram;
    ram[INJECTED_LOG + 1 + ram[INJECTED_LOG]] = vector;
    ram[INJECTED_LOG]++;
  }

  requestStop(): void { this.stop = true; }
  getRegs(): KvmRegs { return { ...this.regs }; }
  setRegs(r: KvmRegs): void { this.regs = { ...r }; }
  getSregs(): KvmSregs { return structuredClone(this.sregs); }
  setSregs(s: KvmSregs): void { this.sregs = structuredClone(s); }
  getMsr(index: number): bigint | undefined { return this.msrs.get(index); }
  setMsr(index: number, value: bigint): boolean { this.msrs.set(index, value); return true; }
  getEventMsrs() { return { sysenter_cs: 0n, sysenter_esp: 0n, sysenter_eip: 0n, efer: 0n, star: 0n, lstar: 0n, cstar: 0n, pat: 0x7040600070406n, shadow_gs: 0n }; }
  getXcr0(): bigint { return this.xcr0; }
  private xsave = new Uint8Array(4096);
  getXsave(): Uint8Array { return this.xsave.slice(); }
  setXsave(buf: Uint8Array): void { this.xsave = buf.slice(); }
  mode(): 2 | 4 | 8 { return 8; }
  /** Identity paging over RAM; everything else is unmapped. */
  translate(gva: bigint): bigint | undefined { return gva >= 0n && gva < BigInt(this.bus.ram.length) ? gva : undefined; }
  injectException(vector: number): void { this.logInjected(vector); }
  raiseInterrupt(): void {}
  setIrqLine(): void {}
  interruptDeliverable(): boolean { return false; }
  memoryWritten(): void {}
  accessChanged(): void {}
  reset(): void { this.regs = emptyRegs(); }
}

export const createCpu: CpuFactory = (bus, access) => new ScriptedCpu(bus, access);
