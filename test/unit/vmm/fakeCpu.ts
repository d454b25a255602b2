// A scripted stand-in for the x86 core, loaded into real vCPU threads to test the engine's
// threading, command serving and KVMI event flow without the instruction set. It runs a byte
// program from guest RAM at RIP, one "instruction" per opcode:
//   01 b: OUT b to COM1 (0x3f8)        02 b: OUT b to the exit port (0xf4)
//   03 a32: write 0x55 to gpa a32 (W access, KVMI PF checked first)
//   04: HLT    05: jump to self (spin)    06: INT3    07: triple fault    08: STI    09: CLI
import { CpuBus, CpuCore, CpuExit, CpuFactory } from '../../../src/vmm/engine/cpuCore';
import { noIntercepts } from '../../../src/vmm/x86/cpu';
import { emptyRegs, emptySregs, KvmRegs, KvmSregs } from '../../../src/vmm/x86/kvmState';

export const FAKE_UNMAPPED_GVA = 0xffffffffffffffffn;

class FakeCpu implements CpuCore {
  intercepts = noIntercepts();
  instructions = 0;
  private regs: KvmRegs = emptyRegs();
  private sregs: KvmSregs = emptySregs();
  private stopRequested = false;
  private permit: number | undefined;          // gfn allowed once after a CONTINUE
  private lastExit: CpuExit['kind'] | undefined;
  interrupts: number[] = [];

  constructor(private readonly bus: CpuBus, private readonly access: Uint8Array) {}

  run(max: number): CpuExit {
    for (let n = 0; n < max; n++) {
      if (this.stopRequested) { this.stopRequested = false; return { kind: 'stopRequested' }; }
      const exit = this.step();
      if (exit) return exit;
    }
    return { kind: 'budget' };
  }

  private step(): CpuExit | undefined {
    const ram = this.bus.ram;
    const rip = Number(this.regs.rip);
    const op = ram[rip];
    const next = (len: number) => { this.regs.rip = BigInt(rip + len); this.instructions++; };
    switch (op) {
      case 0x01: this.bus.ioWrite(0x3f8, 1, ram[rip + 1]); next(2); return undefined;
      case 0x02: this.bus.ioWrite(0xf4, 1, ram[rip + 1]); next(2); return undefined;
      case 0x03: {
        const gpa = ram[rip + 1] | (ram[rip + 2] << 8) | (ram[rip + 3] << 16) | (ram[rip + 4] << 24);
        const gfn = gpa >>> 12;
        if (this.intercepts.pf && !(this.access[gfn] & 2) && this.permit !== gfn) {
          this.lastExit = 'pf';
          return { kind: 'pf', gva: BigInt(gpa), gpa: BigInt(gpa), access: 2 };
        }
        this.permit = undefined;
        ram[gpa] = 0x55;
        next(5);
        return undefined;
      }
      case 0x04: next(1); return { kind: 'hlt' };
      case 0x05: this.instructions++; return undefined;
      case 0x06:
        if (this.intercepts.breakpoint) { this.lastExit = 'breakpoint'; return { kind: 'breakpoint', gpa: BigInt(rip), insnLen: 1 }; }
        next(1); return undefined;
      case 0x07: return { kind: 'shutdown', reason: 'triple fault' };
      case 0x08: this.regs.rflags |= 0x200n; next(1); return undefined;
      case 0x09: this.regs.rflags &= ~0x200n; next(1); return undefined;
      default: throw new Error(`fake CPU: unknown opcode 0x${op.toString(16)} at 0x${rip.toString(16)}`);
    }
  }

  resume(action: 'continue' | 'retry'): void {
    if (this.lastExit === 'pf' && action === 'continue') {
      const rip = Number(this.regs.rip);
      const ram = this.bus.ram;
      this.permit = (ram[rip + 1] | (ram[rip + 2] << 8) | (ram[rip + 3] << 16) | (ram[rip + 4] << 24)) >>> 12;
    }
    if (this.lastExit === 'breakpoint' && action === 'continue') this.regs.rip += 1n;
    this.lastExit = undefined;
  }

  requestStop(): void { this.stopRequested = true; }
  getRegs(): KvmRegs { return { ...this.regs }; }
  setRegs(r: KvmRegs): void { this.regs = { ...r }; }
  getSregs(): KvmSregs { return this.sregs; }
  setSregs(s: KvmSregs): void { this.sregs = s; }
  getMsr(): bigint | undefined { return undefined; }
  setMsr(): boolean { return false; }
  getEventMsrs() { return { sysenter_cs: 0n, sysenter_esp: 0n, sysenter_eip: 0n, efer: 0n, star: 0n, lstar: 0n, cstar: 0n, pat: 0n, shadow_gs: 0n }; }
  getXcr0(): bigint { return 1n; }
  getXsave(): Uint8Array { return new Uint8Array(4096); }
  setXsave(): void {}
  mode(): 2 | 4 | 8 { return 4; }
  translate(gva: bigint): bigint | undefined { return gva < BigInt(this.bus.ram.length) ? gva : undefined; }
  injectException(): void {}
  raiseInterrupt(vector: number): void { this.interrupts.push(vector); }
  setIrqLine(): void {}
  interruptDeliverable(): boolean { return false; }
  memoryWritten(): void {}
  accessChanged(): void {}
  reset(): void { this.regs = emptyRegs(); }
}

export const createCpu: CpuFactory = (bus, access) => new FakeCpu(bus, access);
