// A KVM vCPU behind the CpuCore contract the shared vCPU runner drives (engine/cpuCore.ts). run()
// loops on KVM_RUN inside the vCPU thread and handles the common exits there (api.rst section 5):
// port I/O and MMIO go to the device buses, interrupt windows and kick signals (KVM_EXIT_INTR)
// return to the runner, HLT and shutdown are reported, and internal errors or failed entries
// become KvmError with KVM's diagnostic data. Hybrid step for watched pages: a natively executed
// access to a frame restricted by KVMI page access makes KVM_RUN fail with EFAULT before the
// instruction (pageProtection.ts); the state then moves to the software x86 core, which executes
// that instruction with full KVMI semantics (the PF event, CONTINUE/RETRY), and back to KVM.
// With `softwareKernel` (for PVM hosts, where KVM emulates guest ring 0 at under 1 MIPS) the software
// core runs all guest code at CPL 0-2 and KVM only ring 3: the frames of the kernel's entry points
// (kernelEntries.ts) are hidden from KVM, so an exception or SYSCALL from ring 3 stops inside KVM
// at the entry's first instruction (an emulation failure, nothing executed) and comes back here.
// When the faulting instruction is a general one (generalInstruction.ts), only the general registers
// move (and the segment registers when the software core does not hold them already); MSRs and
// XSAVE stay in KVM, which answers for them until the instruction has retired.
// Intercepts this core cannot honour exactly are refused with a KvmError (see kvmIntercepts).
import type { CpuBus, CpuCore, CpuExit, CpuIntercepts } from '../engine/cpuCore';
import { KvmRegs, KvmSregs, KvmiEventMsrs, MSR } from '../x86/kvmState';
import { walk, WalkHost, WALK_NOT_PRESENT } from '../x86/mmu';
import { KVM_EXIT, KVM_INTERNAL_ERROR_EMULATION, KVM_RUN_OFFSET as R } from './kvmAbi';
import { KernelEntryCache } from './kernelEntries';
import { ring3InterruptBeforeUd } from './ring3SoftwareInterrupt';
import { generalInstructionLength } from './generalInstruction';
import { kvmIntercepts, needsSoftwareRing3 } from './kvmIntercepts';
import { handleMmio, handlePortIo } from './runExits';
import { KvmError } from './kvmError';
import { KvmVcpuFd } from './kvmVcpuFd';
import { KickTimer } from './kickTimer';
import { EmulationCounter } from './emulationCounter';
import { hostMappingLimit, PageProtection } from './pageProtection';
import { Ring3Placement } from './ring3Placement';
import { keptByKvm, KvmOnlyState, kvmToSoftware, kvmToSoftwareGeneral, kvmToSoftwareRest, softwareToKvm } from './stateTransfer';
import { libc } from './libc';

const EINTR = 4;
const EAGAIN = 11;
const EFAULT = 14;

/** Exits handled inside run() before it returns to the runner (serial flush, command check). */
const EXITS_PER_SLICE = 256;
/** How often a natively running vCPU is kicked out of KVM_RUN to serve commands. */
export const KICK_PERIOD_MS = 10;
const RFLAGS_IF = 0x200n;
const RFLAGS_TF = 0x100n;
const MAX_INSTRUCTION_BYTES = 15;
const EFER_LMA = 0x400n;
const CR0_PE = 1n;

const EVENT_MSRS = [MSR.IA32_SYSENTER_CS, MSR.IA32_SYSENTER_ESP, MSR.IA32_SYSENTER_EIP, MSR.IA32_EFER, MSR.STAR, MSR.LSTAR, MSR.CSTAR, MSR.IA32_PAT, MSR.KERNEL_GS_BASE];

export interface KvmRunCounters {
  exits: number; ioExits: number; mmioExits: number; kicks: number;
  /** Instructions run by the software core after a watched-page fault. */
  softwareSteps: number;
  /** Accesses to restricted RAM that KVM's own emulator performed (MMIO exits inside RAM): no event. */
  lateAccesses: number;
  /** Hand-overs of the vCPU from the software core to KVM (software kernel mode). */
  toKvm: number;
  /** Kernel entries caught at a hidden entry frame and continued in the software core. */
  kernelEntries: number;
  /** Times ring-3 code moved to the software core because it entered the kernel too often (ring3Placement.ts). */
  ring3Moves: number;
  /** Times the vCPU moved to the software core because KVM's mapping could not carry every restriction. */
  overMappingLimit: number;
  /** Hidden entry frames given back to KVM because ring-3 code executes from them. */
  unhiddenFrames: number;
  /** Ring-3 INT n that PVM delivered as #UD, re-executed as INT n by the software core. */
  ring3Interrupts: number;
  /** Watched-page faults whose general instruction ran with only the general registers moved. */
  generalSteps: number;
  /** Instructions KVM's own emulator executed (its insn_emulation statistic; 0 where unreadable). */
  emulatedInstructions: number;
}

/** Every counter at zero: a vCPU's start, and the VM's sum before any vCPU reported. */
export function emptyKvmCounters(): KvmRunCounters {
  return {
    exits: 0, ioExits: 0, mmioExits: 0, kicks: 0, softwareSteps: 0, lateAccesses: 0, toKvm: 0, kernelEntries: 0, ring3Moves: 0,
    overMappingLimit: 0, unhiddenFrames: 0, ring3Interrupts: 0, generalSteps: 0, emulatedInstructions: 0,
  };
}

/** What the hybrid step needs besides the vCPU and the buses. */
export interface HybridSupport {
  /** KVMI page access per frame, shared with the VMM core. */
  access: Uint8Array;
  /** Host address of the KVM-side RAM mapping (protected per frame). */
  kvmMappingAddress: bigint;
  /** Makes the software core (X86Cpu) on the VMM-side RAM mapping. */
  createSoftwareCpu(): SoftwareCore;
  /** Run guest code at CPL 0-2 in the software core and only ring 3 in KVM. */
  softwareKernel: boolean;
}

/** A host protection fault's site, read once (KvmCpuCore.hostFaultSite). */
interface HostFaultSite {
  regs: KvmRegs;
  sregs: KvmSregs;
  /** kvm_sregs as KVM reported them (kvm_run's sync area), if synced. */
  kvmSregs: Uint8Array | undefined;
  /** `sregs` is the software core's copy, which equals kvmSregs. */
  held: boolean;
  mode: 2 | 4 | 8;
  /** The guest-physical address of RIP, undefined if unmapped. */
  ripGpa: bigint | undefined;
}

/** The software core, with its current privilege level (X86Cpu.cpl). */
export type SoftwareCore = CpuCore & { readonly cpl: number; stopAtUserMode: boolean; readonly userToKernel: number };

/** Instructions the software core runs per run() call in software kernel mode. */
const SOFTWARE_SLICE = 20_000;
const PAGE_SHIFT = 12n;

export class KvmCpuCore {
  readonly intercepts: CpuIntercepts;
  readonly instructions = 0;
  readonly counters = emptyKvmCounters();
  private stopRequested = false;
  private irqLine = false;
  private acknowledge: (() => number) | undefined;
  private readonly pendingVectors: number[] = [];
  private kick: KickTimer | undefined;
  /** KVM's count of instructions it emulated (diagnostics: countersNow()). */
  private readonly emulation: EmulationCounter | undefined;
  /**
   * The event MSRs as last read from KVM, kept while KVM can run no guest kernel code (software
   * kernel with every entry frame hidden: kernel entries stop before their first instruction), since
   * ring-3 code cannot change them. Dropped whenever this VMM writes MSRs or sregs to KVM.
   */
  private eventMsrCache: KvmiEventMsrs | undefined;
  private kickArmed = false;
  private readonly protection: PageProtection;
  private software: SoftwareCore | undefined;
  private started = false;
  /** Entry frames ring-3 code executes from: never hidden again (kernel entries there stay in KVM). */
  private readonly ring3CodeFrames = new Set<number>();
  private readonly kernelEntries = new KernelEntryCache();
  private overLimitSaid = false;
  /** Where ring-3 code runs in software kernel mode (KVM unless it enters the kernel too often). */
  private readonly placement: Ring3Placement | undefined;
  /** The transferred MSRs as softwareToKvm last left them in KVM (see kvmMsrsWhileRing3). */
  private kvmMsrs: Map<number, bigint> | undefined;
  /** The software core ran kernel code since it took over: the entry points may have changed. */
  private ranKernelCode = false;
  /** Set while the software core owns the vCPU state (between a watched-page fault and its end). */
  private kvmKept: KvmOnlyState | undefined;
  /**
   * Set while the software core holds only the general and segment registers, to run the general
   * instruction at `rip` (`length` bytes, at privilege level `cpl`); the MSRs and the XSAVE image
   * are still KVM's (completeSoftwareState() moves them when the software core must do more).
   */
  private generalStep: { rip: bigint; length: number; cpl: number; mode: 2 | 4 | 8; sregs: KvmSregs } | undefined;
  /** The last instruction bytes classified as general, and their length (faults repeat at one place). */
  private lastGeneral: { code: Uint8Array; mode: 2 | 4 | 8; length: number } | undefined;
  /** KVM's kvm_sregs bytes (and their decoding) the software core was loaded with, while it has not changed them since. */
  private softSregsFrom: { bytes: Uint8Array; sregs: KvmSregs } | undefined;

  /** The page walker's view of guest RAM and the control registers (set per walk by translateWith). */
  private readonly walkHost: WalkHost;

  constructor(private readonly vcpu: KvmVcpuFd, private readonly bus: CpuBus, private readonly hybrid: HybridSupport) {
    const ram = bus.ram;
    const dv = new DataView(ram.buffer, ram.byteOffset, ram.byteLength);
    this.walkHost = {
      cr0: 0, cr3: 0, cr4: 0, efer: 0,
      ptRead32: (gpa) => (gpa >= 0 && gpa + 4 <= ram.length ? dv.getUint32(gpa, true) : 0),
      ptWrite32: () => { throw new KvmError('badArgument', 'translate() must not write page tables'); },
    };
    this.protection = new PageProtection(hybrid.kvmMappingAddress, hybrid.access);
    if (hybrid.softwareKernel) this.placement = new Ring3Placement();
    this.intercepts = kvmIntercepts(hybrid.softwareKernel);
    this.emulation = EmulationCounter.open(vcpu.fd);
  }

  /** The core that holds the vCPU state right now. */
  private get soft(): CpuCore | undefined { return this.kvmKept ? this.software : undefined; }

  run(_maxInstructions: number): CpuExit {
    if (!this.started) {
      this.started = true;
      if (this.hybrid.softwareKernel && this.vcpu.getSregs().cs.dpl !== 3) this.enterSoftware(false);
    }
    // An intercept ring-3 code can trigger was turned on while the vCPU ran in KVM, or KVM's mapping
    // cannot carry every restriction (pageProtection.ts overLimit).
    if (!this.kvmKept && ((this.hybrid.softwareKernel && needsSoftwareRing3(this.intercepts)) || this.kvmMappingOverLimit())) this.enterSoftware(false);
    if (this.kvmKept) {
      const exit = this.runInSoftware();
      if (exit) return exit;
    }
    // Armed once and left running between run() calls (re-arming costs two system calls per
    // call); the runner calls idle() before it sleeps. A kick outside KVM_RUN is harmless.
    if (!this.kickArmed) {
      this.kick ??= new KickTimer();
      this.kick.start(KICK_PERIOD_MS);
      this.kickArmed = true;
    }
    return this.runLoop();
  }

  /** The runner is about to sleep (paused, halted, waiting for a reply): the kick timer stops. */
  idle(): void {
    if (!this.kickArmed) return;
    this.kick!.stop();
    this.kickArmed = false;
  }

  private runLoop(): CpuExit {
    const c = libc();
    const v = this.vcpu.runView;
    for (let handled = 0; handled < EXITS_PER_SLICE; handled++) {
      if (this.stopRequested) { this.stopRequested = false; return { kind: 'stopRequested' }; }
      if (this.kvmMappingOverLimit()) return this.enterSoftware(false) ?? this.runInSoftware() ?? { kind: 'budget' };
      this.offerInterrupt();
      const rc = this.vcpu.runGuest();
      this.counters.exits++;
      if (rc < 0) {
        const errno = c.koffi.errno();
        if (errno === EINTR || errno === EAGAIN) { this.counters.kicks++; return { kind: 'budget' }; }
        if (errno === EFAULT && this.protection.anyRestricted) {
          const site = this.hostFaultSite();
          if (this.unhideCodeFrame(site)) continue;
          const exit = this.enterSoftware(site) ?? this.runInSoftware();
          if (exit) return exit;
          continue;
        }
        throw new KvmError('ioctl', `KVM_RUN failed: ${c.strerror(errno)} (errno ${errno})`, errno);
      }
      const reason = v.getUint32(R.exit_reason, true);
      switch (reason) {
        case KVM_EXIT.IO: this.portIo(); break;
        case KVM_EXIT.MMIO: this.mmio(); break;
        case KVM_EXIT.IRQ_WINDOW_OPEN: case KVM_EXIT.INTR: break;
        case KVM_EXIT.HLT: return { kind: 'hlt' };
        case KVM_EXIT.SHUTDOWN: return { kind: 'shutdown', reason: 'triple fault (KVM_EXIT_SHUTDOWN)' };
        case KVM_EXIT.SYSTEM_EVENT: return { kind: 'shutdown', reason: `KVM system event ${v.getUint32(R.system_event_type, true)}` };
        case KVM_EXIT.INTERNAL_ERROR: {
          if (!this.caughtProtectedFetch()) throw this.internalError();
          const entered = this.enterSoftware(false);
          this.redoRing3Interrupt();
          const exit = entered ?? this.runInSoftware();
          if (exit) return exit;
          break;
        }
        case KVM_EXIT.FAIL_ENTRY:
          throw new KvmError('badExit', `KVM_EXIT_FAIL_ENTRY: hardware entry failure reason 0x${v.getBigUint64(R.fail_entry_hardware_entry_failure_reason, true).toString(16)}`);
        default: throw new KvmError('badExit', `KVM_RUN returned exit reason ${reason}, which this VMM does not handle`);
      }
    }
    return { kind: 'budget' };
  }

  /** KVM_EXIT_IO, handled by the device models of this thread. */
  private portIo(): void {
    this.counters.ioExits++;
    handlePortIo(this.vcpu.runView, this.bus);
  }

  /** KVM_EXIT_MMIO: device MMIO, or (inside RAM) a late access by KVM's emulator to a restricted frame. */
  private mmio(): void {
    this.counters.mmioExits++;
    if (handleMmio(this.vcpu.runView, this.bus) === 'lateRamAccess') this.counters.lateAccesses++;
  }

  /**
   * What a host protection fault (EFAULT from KVM_RUN) is looked at with, read once: the registers,
   * the segment registers (the software core's decoded copy when KVM's bytes did not change), and
   * the frame RIP lies on.
   */
  private hostFaultSite(): HostFaultSite {
    const regs = this.vcpu.getRegs();
    const kvmSregs = this.vcpu.syncedSregBytes();
    const held = kvmSregs !== undefined && this.softSregsFrom !== undefined && sameBytes(this.softSregsFrom.bytes, kvmSregs);
    const sregs = held ? this.softSregsFrom!.sregs : this.vcpu.getSregs();
    const mode = modeOf(sregs);
    const ripGpa = this.translateWith(sregs, mode === 8 ? regs.rip : BigInt.asUintN(32, sregs.cs.base + regs.rip));
    return { regs, sregs, kvmSregs, held, mode, ripGpa };
  }

  /**
   * EFAULT from ring 3 with RIP on a hidden entry frame: ring-3 code lives on that frame, so it is
   * given back to KVM (entries through it are then run by KVM, not caught). True if so.
   */
  private unhideCodeFrame(site: HostFaultSite): boolean {
    const gpa = site.ripGpa;
    if (gpa === undefined || !this.protection.isHidden(Number(gpa >> PAGE_SHIFT))) return false;
    this.ring3CodeFrames.add(Number(gpa >> PAGE_SHIFT));
    this.protection.unhide(Number(gpa >> PAGE_SHIFT));
    this.protection.sync();
    this.counters.unhiddenFrames++;
    return true;
  }

  /**
   * An emulation failure (KVM's emulator could not fetch the instruction) with RIP on a frame this
   * VMM protected: nothing was executed. On a hidden entry frame at CPL 0 it is a kernel entry; on a
   * frame whose KVMI access is restricted (an execute watch on code KVM emulates) the software core
   * runs the instruction and raises the exact event. True if the software core takes over.
   */
  private caughtProtectedFetch(): boolean {
    if (this.vcpu.runView.getUint32(R.internal_suberror, true) !== KVM_INTERNAL_ERROR_EMULATION) return false;
    const gpa = this.translate(this.vcpu.getRegs().rip);
    if (gpa === undefined) return false;
    const gfn = Number(gpa >> PAGE_SHIFT);
    if (this.hybrid.softwareKernel && this.protection.isHidden(gfn) && this.vcpu.getSregs().cs.dpl !== 3) {
      this.counters.kernelEntries++;
      this.placement?.kernelEntered();
      return true;
    }
    return this.protection.isRestricted(gfn);
  }

  /**
   * After a kernel entry was caught: if it is PVM's #UD for a ring-3 `INT n`, puts the software core
   * back at that instruction in ring 3 (ring3SoftwareInterrupt.ts), so it executes INT n itself.
   */
  private redoRing3Interrupt(): void {
    const sw = this.software;
    if (!sw || !this.kvmKept || !this.hybrid.softwareKernel) return;
    const sregs = sw.getSregs();
    const atInt = ring3InterruptBeforeUd({ regs: sw.getRegs(), sregs, ram: this.bus.ram, translate: (gva) => this.translateWith(sregs, gva) });
    if (!atInt) return;
    sw.setSregs(atInt.sregs);
    sw.setRegs(atInt.regs);
    this.counters.ring3Interrupts++;
  }

  /**
   * Moves the vCPU state into the software core. `hostFault`: KVM_RUN stopped on a host protection
   * fault before a natively executed instruction (watched page), whose single instruction is then
   * run in software before going back to KVM.
   */
  private enterSoftware(hostFault: HostFaultSite | false): CpuExit | undefined {
    if (!this.software) {
      this.software = this.hybrid.createSoftwareCpu();
      this.software.intercepts = this.intercepts;
      this.software.stopAtUserMode = this.hybrid.softwareKernel;
    }
    this.software.accessChanged();
    if (hostFault && this.enterForGeneralInstruction(hostFault)) return this.stepInSoftware(1);
    this.softSregsFrom = undefined;
    this.kvmKept = kvmToSoftware(this.vcpu, this.software, hostFault !== false, this.kvmMsrsWhileRing3());
    return hostFault ? this.stepInSoftware(1) : undefined;
  }

  /**
   * The host fault's fast path: when the instruction at RIP is a general one (and RFLAGS.TF is
   * clear), only the general registers go to the software core, and kvm_sregs only if it does not
   * hold them already. Needs kvm_run's sync area (KVM_CAP_SYNC_REGS). True if taken.
   */
  private enterForGeneralInstruction(site: HostFaultSite): boolean {
    const { regs, sregs, kvmSregs, held, mode } = site;
    if (!kvmSregs || (regs.rflags & RFLAGS_TF)) return false;
    const code = this.codeAt(sregs, mode, regs.rip, site.ripGpa);
    const length = code && this.generalLength(code, mode);
    if (!length) return false;
    kvmToSoftwareGeneral(this.software!, regs, held ? undefined : sregs);
    if (!held) this.softSregsFrom = { bytes: kvmSregs.slice(), sregs };
    this.generalStep = { rip: regs.rip, length, cpl: sregs.cs.dpl, mode, sregs };
    this.kvmKept = keptByKvm(sregs);
    this.counters.generalSteps++;
    return true;
  }

  private generalLength(code: Uint8Array, mode: 2 | 4 | 8): number | undefined {
    const last = this.lastGeneral;
    if (last && last.mode === mode && sameBytes(last.code.subarray(0, last.length), code.subarray(0, last.length))) return last.length;
    const length = generalInstructionLength(code, mode);
    if (length) this.lastGeneral = { code: code.slice(0, length), mode, length };
    return length;
  }

  /**
   * Up to 15 bytes of code at `rip` (CS-relative), across a page boundary; undefined if unmapped.
   * `ripGpa`: the translation of `rip`, when the caller has it already.
   */
  private codeAt(sregs: KvmSregs, mode: 2 | 4 | 8, rip: bigint, ripGpa?: bigint): Uint8Array | undefined {
    const linear = mode === 8 ? rip : BigInt.asUintN(32, sregs.cs.base + rip);
    const ram = this.bus.ram;
    const out = new Uint8Array(MAX_INSTRUCTION_BYTES);
    let filled = 0;
    while (filled < out.length) {
      const gpa = filled === 0 && ripGpa !== undefined ? ripGpa : this.translateWith(sregs, linear + BigInt(filled));
      if (gpa === undefined) return filled > 0 ? out.subarray(0, filled) : undefined;
      const at = Number(gpa);
      const n = Math.min(out.length - filled, 4096 - (at & 4095), ram.length - at);
      if (n <= 0) return filled > 0 ? out.subarray(0, filled) : undefined;
      out.set(ram.subarray(at, at + n), filled);
      filled += n;
    }
    return out;
  }

  /** The software core is to run more than the one general instruction: it gets the MSRs and XSAVE too. */
  private completeSoftwareState(): void {
    if (!this.generalStep) return;
    this.kvmKept!.held = kvmToSoftwareRest(this.vcpu, this.software!, this.kvmMsrsWhileRing3());
    this.generalStep = undefined;
    this.softSregsFrom = undefined;
  }

  /** Runs the software core until it may hand back to KVM, or returns its exit. */
  private runInSoftware(): CpuExit | undefined {
    return this.stepInSoftware(this.hybrid.softwareKernel || this.protection.overLimit ? SOFTWARE_SLICE : 1);
  }

  /**
   * True while some restriction could not be applied to KVM's mapping (the host's limit of memory
   * mappings, vm.max_map_count, was reached): KVM would touch those frames unseen, so the vCPU runs
   * in the software core, with exact KVMI semantics, until a sync applies everything. Said once on
   * stderr, counted in `overMappingLimit`.
   */
  private kvmMappingOverLimit(): boolean {
    if (!this.protection.overLimit) { this.overLimitSaid = false; return false; }
    if (!this.overLimitSaid) {
      this.overLimitSaid = true;
      this.counters.overMappingLimit++;
      process.stderr.write(`kvmi-vmm: vCPU ${this.vcpu.index}: KVM's view of guest RAM cannot carry this many separate restricted ranges `
        + `(the host allows ${hostMappingLimit()} memory mappings, vm.max_map_count); the vCPU runs in the software engine until fewer are restricted\n`);
    }
    return true;
  }

  /**
   * Runs up to `budget` instructions in the software core: ring-3 code one instruction at a time,
   * kernel code until it returns to ring 3 (X86Cpu.stopAtUserMode) or the budget ends. An event or another stop
   * is returned with the state still in software (the runner answers it, then calls run() again).
   * The state goes back to KVM once an instruction has retired and -- in software kernel mode --
   * the vCPU is in ring 3 with no intercept on that ring-3 code can trigger (breakpoint, hypercall,
   * descriptor, single-step: KVM would run those instructions unseen); the kernel's entry frames
   * are then hidden from KVM again.
   */
  private stepInSoftware(budget: number): CpuExit | undefined {
    const sw = this.software!;
    for (let i = 0; i < budget;) {
      if (this.stopRequested) { this.stopRequested = false; return { kind: 'stopRequested' }; }
      if (i > 0) this.completeSoftwareState();
      // One instruction at a time in ring 3 (back to KVM as soon as it retired); kernel code runs
      // until the instruction that returns to ring 3 (X86Cpu.stopAtUserMode) or the budget. Unless
      // ring-3 code is placed in the software core (ring3Placement.ts): then both run here.
      const ring3Here = this.kvmMappingOverLimit() || (this.placement?.ring3InSoftware() ?? false);
      sw.stopAtUserMode = this.hybrid.softwareKernel && !ring3Here;
      const chunk = sw.cpl === 3 && !ring3Here ? 1 : budget - i;
      const before = sw.instructions;
      const entriesBefore = sw.userToKernel;
      if (sw.cpl !== 3 || ring3Here) this.ranKernelCode = true;
      const exit = withoutStackTraces(() => sw.run(chunk));
      i += chunk;
      this.counters.softwareSteps += sw.instructions - before;
      if (ring3Here && sw.userToKernel !== entriesBefore) this.placement!.kernelEntered(sw.userToKernel - entriesBefore);
      if (exit.kind !== 'budget') return exit;
      const mayLeave = !ring3Here && (!this.hybrid.softwareKernel || (sw.cpl === 3 && !needsSoftwareRing3(this.intercepts)));
      if (mayLeave && this.leaveSoftware()) return undefined;
    }
    return { kind: 'budget' };
  }

  /** Hands the vCPU back to KVM; false (the state stays in software) if KVM's mapping cannot carry the hidden frames. */
  private leaveSoftware(): boolean {
    const sw = this.software!;
    let sregs: KvmSregs | undefined;
    if (this.hybrid.softwareKernel && this.ranKernelCode) {
      sregs = sw.getSregs();
      const entries = this.kernelEntries.frames({
        sregs, lstar: sw.getMsr(MSR.LSTAR) ?? 0n,
        sysenterCs: sw.getMsr(MSR.IA32_SYSENTER_CS) ?? 0n, sysenterEip: sw.getMsr(MSR.IA32_SYSENTER_EIP) ?? 0n,
      }, this.bus.ram, (gva) => sw.translate(gva));
      for (const f of this.ring3CodeFrames) entries.delete(f);
      this.protection.setHidden(entries);
      this.protection.sync();
      if (this.kvmMappingOverLimit()) return false;
      this.ranKernelCode = false;
    }
    if (this.hybrid.softwareKernel) this.counters.toKvm++;
    if (this.generalStep) this.leaveAfterGeneralInstruction(sw);
    else {
      this.kvmMsrs = softwareToKvm(sw, this.vcpu, this.kvmKept!, true, sregs ?? sw.getSregs());
      this.eventMsrCache = undefined;
    }
    this.kvmKept = undefined;
    return true;
  }

  /**
   * Back to KVM after the fast path. If the instruction simply retired (RIP right after it, same
   * privilege level) only the general registers go back. Otherwise (an exception or interrupt was
   * delivered, a REP string instruction stopped early) the segment registers go back too; MSRs and
   * XSAVE never left KVM, and neither an instruction of this kind nor an event delivery changes them.
   */
  private leaveAfterGeneralInstruction(sw: SoftwareCore): void {
    const step = this.generalStep!;
    this.generalStep = undefined;
    const regs = sw.getRegs();
    const next = BigInt.asUintN(step.mode === 8 ? 64 : 32, step.rip + BigInt(step.length));
    if (sw.cpl === step.cpl && regs.rip === next) {
      this.vcpu.setRegs(regs);
      return;
    }
    this.softSregsFrom = undefined;
    this.eventMsrCache = undefined;
    softwareToKvm(sw, this.vcpu, this.kvmKept!, false);
  }

  private internalError(): KvmError {
    const v = this.vcpu.runView;
    const sub = v.getUint32(R.internal_suberror, true);
    const n = Math.min(v.getUint32(R.internal_ndata, true), 16);
    const data = Array.from({ length: n }, (_, i) => `0x${v.getBigUint64(R.internal_data + 8 * i, true).toString(16)}`);
    const what = sub === 1 ? 'KVM\'s instruction emulator failed' : `suberror ${sub}`;
    let rip = '';
    try { rip = ` at rip 0x${this.vcpu.getRegs().rip.toString(16)}`; } catch { /* registers unreadable */ }
    return new KvmError('badExit', `KVM_EXIT_INTERNAL_ERROR: ${what}${rip}${n ? ` (data ${data.join(' ')})` : ''}`);
  }

  /**
   * Without an in-kernel irqchip, user space injects external interrupts: with KVM_INTERRUPT when
   * kvm_run says the guest can take one now, else by asking for an interrupt-window exit.
   */
  private offerInterrupt(): void {
    const v = this.vcpu.runView;
    const wanted = this.pendingVectors.length > 0 || this.irqLine;
    if (!wanted) { v.setUint8(R.request_interrupt_window, 0); return; }
    if (v.getUint8(R.ready_for_interrupt_injection) && v.getUint8(R.if_flag)) {
      const vector = this.pendingVectors.shift() ?? this.acknowledge?.();
      if (vector !== undefined) this.vcpu.interrupt(vector);
      v.setUint8(R.request_interrupt_window, 0);
    } else {
      v.setUint8(R.request_interrupt_window, 1);
    }
  }

  requestStop(): void { this.stopRequested = true; }
  /** Answers an event of the software core (only it raises events). */
  resume(action: 'continue' | 'retry', reply?: { newValue?: bigint }): void { this.soft?.resume(action, reply); }

  // While the software core holds only the general state (generalStep), reads of the rest come from
  // KVM, whose copy it equals, and a write moves the rest over first (the write may change what runs).
  getRegs(): KvmRegs { return this.soft?.getRegs() ?? this.vcpu.getRegs(); }
  setRegs(regs: KvmRegs): void { if (this.soft) this.fullSoft().setRegs(regs); else this.vcpu.setRegs(regs); }
  getSregs(): KvmSregs { return this.generalStep?.sregs ?? this.soft?.getSregs() ?? this.vcpu.getSregs(); }
  setSregs(sregs: KvmSregs): void {
    if (this.soft) { this.fullSoft().setSregs(sregs); return; }
    this.eventMsrCache = undefined;
    this.vcpu.setSregs(sregs);
  }
  getMsr(index: number): bigint | undefined { return this.soft && !this.generalStep ? this.soft.getMsr(index) : this.vcpu.getMsrs([index]).get(index); }
  setMsr(index: number, value: bigint): boolean {
    if (this.soft) return this.fullSoft().setMsr(index, value);
    this.eventMsrCache = undefined;
    this.kvmMsrs = undefined;
    return this.vcpu.setMsrs([{ index, data: value }]) === 1;
  }

  /** The software core, holding the whole vCPU state (only while it owns the vCPU). */
  private fullSoft(): CpuCore {
    this.completeSoftwareState();
    return this.soft!;
  }

  /**
   * The transferred MSRs KVM holds, when they cannot have changed since softwareToKvm wrote them:
   * in software-kernel mode with every kernel entry hidden, KVM runs ring-3 code only, and WRMSR
   * and SWAPGS are privileged (SDM Vol. 2 WRMSR, SWAPGS). The same reasoning as eventMsrCache.
   */
  private kvmMsrsWhileRing3(): Map<number, bigint> | undefined {
    return this.hybrid.softwareKernel && this.ring3CodeFrames.size === 0 ? this.kvmMsrs : undefined;
  }

  getEventMsrs(): KvmiEventMsrs {
    if (this.soft && !this.generalStep) return this.soft.getEventMsrs();
    const keep = this.hybrid.softwareKernel && this.ring3CodeFrames.size === 0;
    if (keep && this.eventMsrCache) return { ...this.eventMsrCache };
    const m = this.vcpu.getMsrs(EVENT_MSRS);
    const g = (i: number) => m.get(i) ?? 0n;
    const msrs = {
      sysenter_cs: g(MSR.IA32_SYSENTER_CS), sysenter_esp: g(MSR.IA32_SYSENTER_ESP), sysenter_eip: g(MSR.IA32_SYSENTER_EIP),
      efer: g(MSR.IA32_EFER), star: g(MSR.STAR), lstar: g(MSR.LSTAR), cstar: g(MSR.CSTAR), pat: g(MSR.IA32_PAT), shadow_gs: g(MSR.KERNEL_GS_BASE),
    };
    this.eventMsrCache = keep ? { ...msrs } : undefined;
    return msrs;
  }

  getXcr0(): bigint { return this.soft?.getXcr0() ?? this.vcpu.getXcr0(); }
  getXsave(): Uint8Array { return this.soft && !this.generalStep ? this.soft.getXsave() : this.vcpu.getXsave(); }
  setXsave(buf: Uint8Array): void { if (this.soft) this.fullSoft().setXsave(buf); else this.vcpu.setXsave(buf); }

  mode(): 2 | 4 | 8 { return modeOf(this.getSregs()); }

  /** Guest page walk (SDM Vol. 3A chapter 4) over guest RAM, without setting accessed/dirty bits. */
  translate(gva: bigint): bigint | undefined { return this.translateWith(this.getSregs(), gva); }

  private translateWith(s: KvmSregs, gva: bigint): bigint | undefined {
    const host = this.walkHost;
    host.cr0 = Number(s.cr0 & 0xffffffffn);
    host.cr3 = Number(s.cr3);
    host.cr4 = Number(s.cr4 & 0xffffffffn);
    host.efer = Number(s.efer & 0xffffffffn);
    const out = { phys: 0, perms: 0 };
    if (walk(host, Number(BigInt.asIntN(64, gva)), false, out, true) === WALK_NOT_PRESENT) return undefined;
    return BigInt(out.phys);
  }

  /**
   * KVMI INJECT_EXCEPTION: the software core takes the vCPU over and delivers the exception at the
   * start of its next run (SDM Vol. 3A 6.12); the vCPU returns to KVM after the handler's first
   * instruction (or, with the software kernel, once back in ring 3).
   */
  injectException(vector: number, errorCode?: number, cr2?: bigint): void {
    if (!this.soft) this.enterSoftware(false);
    this.fullSoft().injectException(vector, errorCode, cr2);
  }

  raiseInterrupt(vector: number): void { this.pendingVectors.push(vector); }

  setIrqLine(asserted: boolean, acknowledge?: () => number): void {
    this.irqLine = asserted;
    if (acknowledge) this.acknowledge = acknowledge;
  }

  /** True when an interrupt is waiting and the guest had IF set at the last exit (kvm_run.if_flag). */
  interruptDeliverable(): boolean {
    return (this.irqLine || this.pendingVectors.length > 0) && (this.getRegs().rflags & RFLAGS_IF) !== 0n;
  }

  /** KVM executes from guest RAM directly: there is no decoded-code cache to drop. */
  memoryWritten(): void {}
  /** The KVMI access array changed: re-protect KVM's view; the software core drops its TLB. */
  accessChanged(): void {
    this.protection.syncAll();
    this.software?.accessChanged();
  }

  reset(): void { throw new KvmError('badArgument', 'resetting a vCPU is not supported by the KVM engine'); }

  /** The counters, with KVM's emulated-instruction count read now. */
  countersNow(): KvmRunCounters {
    return { ...this.counters, ring3Moves: this.placement?.moves ?? 0, emulatedInstructions: this.emulation?.read() ?? 0 };
  }

  /** Deletes the kick timer, closes the statistics file and the vCPU. */
  dispose(): void {
    this.kick?.dispose();
    this.emulation?.close();
    this.vcpu.close();
  }
}

/**
 * Runs `f` with V8's stack trace capture off. The software core reports KVMI access events (and
 * guest faults) by throwing Error subclasses; capturing each one's stack (and, where source maps
 * are on, mapping it) costs 15-30 us per watchpoint event on a PVM host, and the vCPU thread reports
 * errors by their message only.
 */
function withoutStackTraces<T>(f: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return f();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** KVMI mode: 8 in 64-bit code (EFER.LMA and CS.L), 4 in 32-bit protected mode (CS.D), else 2. */
function modeOf(s: KvmSregs): 2 | 4 | 8 {
  if ((s.efer & EFER_LMA) && s.cs.l) return 8;
  return (s.cr0 & CR0_PE) && s.cs.db ? 4 : 2;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
