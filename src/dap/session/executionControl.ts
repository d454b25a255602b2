// Run control over the introspected machine, independent of DAP: KVMI vCPU events in, stops out.
// All-stop: when one vCPU stops, every other vCPU is paused (KVMI_VM_PAUSE_VCPU) and its PAUSE
// event is held unanswered until the user continues (KVMI reference 4.3). A PF event on a watched
// frame is compared byte by byte with the watchpoints (access width from the instruction at RIP);
// a non-matching access is answered CONTINUE, which lets it complete while the frame stays
// restricted (reference section 5, "CONTINUE vs RETRY"), and is counted in `filteredAccesses`.
import { EventEmitter } from 'node:events';
import type { IntrospectionTarget, PageFaultEvent, VcpuEvent, VcpuState } from '../target';
import { PAGE_X } from '../target';
import type { GuestMemory } from '../memory/guestMemory';
import { accessedRange, bitnessOfMode } from '../watch/accessWidth';
import { parseHitCondition } from '../watch/hitConditions';
import { accessName, type Watchpoint } from '../watch/watchpoint';
import type { WatchpointTable } from '../watch/watchpointTable';
import { pageAccessText, type StopInfo, type StopReason } from './stopInfo';

/**
 * Decides, after each single-step, whether a step request has arrived (true), goes on (false), or
 * should run at full speed to a return address (`runTo`, reached with RSP >= `minRsp`) and judge again
 * there: stepping over a call does not single-step through the callee.
 */
export type StepVerdict = boolean | { runTo: bigint; minRsp: bigint };
export type StepPredicate = (state: VcpuState) => StepVerdict | Promise<StepVerdict>;

/** Sets and clears the execute watchpoint a step over a call runs to. */
export interface ReturnBreakpoints {
  set(address: bigint, vcpu: number): Promise<number>;
  clear(id: number): Promise<void>;
}

/** What the controller needs from the session to judge conditions and log messages. */
export interface HitJudge {
  /** Evaluates a condition or log-message expression in the vCPU state; throws on errors. */
  evaluate(vcpu: number, state: VcpuState, expression: string): Promise<bigint>;
  formatLogMessage(vcpu: number, state: VcpuState, template: string): Promise<string>;
}

/** Most single-steps one step request may take before it stops anyway. */
export const STEP_LIMIT = 200_000;

interface Stepping { vcpu: number; done: StepPredicate; count: number; runTo?: { id: number; address: bigint; minRsp: bigint } }

/** Events: a stop to report, and text for the debug console. */
interface ControlEvents {
  stopped: [stop: StopInfo];
  output: [text: string, category: 'console' | 'important'];
}

export class ExecutionControl extends EventEmitter<ControlEvents> {
  /** Events not yet answered: their vCPUs are stopped. */
  private readonly held = new Map<number, VcpuEvent>();
  private readonly pauseRequested = new Set<number>();
  private readonly pendingStops: StopInfo[] = [];
  /** Per vCPU: ignore one execute fault at this RIP (the instruction resumed from a stop). */
  private readonly skipExecuteAt = new Map<number, bigint>();
  private stepping: Stepping | undefined;
  private current: StopInfo | undefined;
  private userPause = false;
  filteredAccesses = 0;
  /** The same count by kind of access. */
  readonly filteredByAccess = { read: 0, write: 0, execute: 0 };

  constructor(
    private readonly target: IntrospectionTarget,
    private readonly memory: GuestMemory,
    private readonly watchpoints: WatchpointTable,
    private readonly judge: HitJudge,
    private readonly returnBreakpoints?: ReturnBreakpoints,
  ) {
    super();
  }

  get stop(): StopInfo | undefined { return this.current; }
  get isStopped(): boolean { return this.current !== undefined; }
  isHeld(vcpu: number): boolean { return this.held.has(vcpu); }
  /** The latest state of a stopped vCPU (from the event that stopped it). */
  heldState(vcpu: number): VcpuState | undefined { return this.held.get(vcpu)?.state; }

  /** Entry point for the target's 'vcpuEvent'. Never throws: failures answer CONTINUE. */
  async handleEvent(event: VcpuEvent): Promise<void> {
    try {
      await this.dispatch(event);
    } catch (error) {
      this.emit('output', `vCPU ${event.vcpu}: ${(error as Error).message}\n`, 'important');
      if (!this.held.has(event.vcpu)) await event.reply('continue').catch(() => undefined);
    }
  }

  private async dispatch(event: VcpuEvent): Promise<void> {
    const skip = this.skipExecuteAt.get(event.vcpu);
    this.skipExecuteAt.delete(event.vcpu);
    if (event.kind === 'pause') return this.onPause(event);
    if (event.kind === 'singlestep') return this.onSingleStep(event);
    if (event.kind === 'breakpoint') return this.stopWith(event, 'breakpoint', `vCPU ${event.vcpu}: guest INT3 at 0x${event.state.regs.rip.toString(16)}`, []);
    if (event.access === PAGE_X && skip === event.state.regs.rip) return void (await event.reply('continue'));
    return this.onPageFault(event);
  }

  private async onPause(event: VcpuEvent): Promise<void> {
    this.pauseRequested.delete(event.vcpu);
    if (this.current || this.stepping) {
      this.held.set(event.vcpu, event);
      return;
    }
    if (this.userPause) {
      this.userPause = false;
      return this.stopWith(event, this.pendingEntry ? 'entry' : 'pause', this.pendingEntry ? 'Paused at the guest entry' : `Paused vCPU ${event.vcpu}`, []);
    }
    await event.reply('continue');
  }

  /** Set before the first pause so the stop reads as `entry`. */
  pendingEntry = false;

  private async onSingleStep(event: VcpuEvent): Promise<void> {
    const s = this.stepping;
    if (!s || s.vcpu !== event.vcpu) {
      await this.target.controlSingleStep(event.vcpu, false).catch(() => undefined);
      return void (await event.reply('continue'));
    }
    s.count++;
    return this.judgeStep(s, event);
  }

  /** Applies the step predicate at the vCPU's current state (a single-step or a return address). */
  private async judgeStep(s: Stepping, event: VcpuEvent): Promise<void> {
    const verdict = s.count >= STEP_LIMIT ? true : await s.done(event.state);
    if (verdict === true) {
      if (s.count >= STEP_LIMIT) this.emit('output', `step stopped after ${STEP_LIMIT} instructions\n`, 'important');
      return this.stopWith(event, 'step', `Stepped vCPU ${event.vcpu}`, []);
    }
    if (verdict !== false && this.returnBreakpoints) {
      const id = await this.returnBreakpoints.set(verdict.runTo, event.vcpu);
      s.runTo = { id, address: verdict.runTo, minRsp: verdict.minRsp };
      await this.target.controlSingleStep(event.vcpu, false);
    }
    await event.reply('continue');
  }

  /** An execute fault at the return address a step over a call runs to. */
  private async onStepReturn(s: Stepping, event: PageFaultEvent): Promise<void> {
    const r = s.runTo!;
    if (event.state.regs.rsp < r.minRsp) return void (await event.reply('continue')); // a deeper (recursive) frame
    s.runTo = undefined;
    await this.returnBreakpoints!.clear(r.id);
    await this.target.controlSingleStep(event.vcpu, true);
    return this.judgeStep(s, event);
  }

  private async onPageFault(event: PageFaultEvent): Promise<void> {
    const { regs, mode, sregs } = event.state;
    let width = 1;
    let instruction: string | undefined;
    let repeatBytes: bigint | undefined;
    if (event.access !== PAGE_X) {
      const code = await this.memory.read(event.vcpu, { space: 'virtual', address: sregs.segments.cs.base + regs.rip }, 15);
      const range = accessedRange(code.bytes, bitnessOfMode(mode), regs.rip, event.access, regs.rcx);
      width = range.width;
      instruction = range.instruction;
      repeatBytes = range.repeatBytes;
    }
    const s = this.stepping;
    if (s?.runTo && s.vcpu === event.vcpu && event.access === PAGE_X && event.state.regs.rip === s.runTo.address) return this.onStepReturn(s, event);
    const candidates = this.watchpoints.matching(event.gpa, width, event.access).filter((w) => w.origin !== 'stepReturn');
    const stopping: Watchpoint[] = [];
    for (const wp of candidates) if (await this.counts(wp, event)) stopping.push(wp);
    if (stopping.length === 0) {
      if (candidates.length === 0) { this.filteredAccesses++; this.filteredByAccess[accessName(event.access)]++; }
      return void (await event.reply('continue'));
    }
    const access = accessName(event.access);
    const pageAccess = this.watchpoints.appliedAccess(event.gpa);
    const reason: StopReason = stopping.every((w) => w.origin === 'source') ? 'breakpoint'
      : stopping.every((w) => w.origin === 'instruction') ? 'instruction breakpoint' : 'data breakpoint';
    const names = stopping.map((w) => `#${w.id} ${w.label}`).join(', ');
    const description = access === 'execute'
      ? `execute at 0x${event.gva.toString(16)} (gpa 0x${event.gpa.toString(16)}), ${names}`
      : `${access} of ${width} byte${width === 1 ? '' : 's'} at gva 0x${event.gva.toString(16)} gpa 0x${event.gpa.toString(16)}`
        + `${instruction ? ` by "${instruction}"` : ''}: watchpoint ${names} (page ${pageAccessText(pageAccess)})`;
    return this.stopWith(event, reason, description, stopping.map((w) => w.id), {
      access, gva: event.gva, gpa: event.gpa, width, instruction, pageAccess, repeatBytes,
    });
  }

  /** Applies condition, hit count, hit condition and log message; true when the hit stops. */
  private async counts(wp: Watchpoint, event: VcpuEvent): Promise<boolean> {
    if (wp.condition) {
      try {
        if ((await this.judge.evaluate(event.vcpu, event.state, wp.condition)) === 0n) return false;
      } catch (error) {
        this.emit('output', `watchpoint #${wp.id}: condition "${wp.condition}" failed: ${(error as Error).message}; stopping\n`, 'important');
        return true;
      }
    }
    wp.hits++;
    if (wp.hitCondition && !parseHitCondition(wp.hitCondition)(wp.hits)) return false;
    if (wp.logMessage !== undefined) {
      this.emit('output', `${await this.judge.formatLogMessage(event.vcpu, event.state, wp.logMessage)}\n`, 'console');
      return false;
    }
    return true;
  }

  private async stopWith(event: VcpuEvent, reason: StopReason, description: string, ids: number[], access?: StopInfo['access']): Promise<void> {
    this.held.set(event.vcpu, event);
    const info: StopInfo = { vcpu: event.vcpu, reason, description, hitBreakpointIds: ids, access, state: event.state };
    if (this.stepping?.vcpu === event.vcpu) {
      const runTo = this.stepping.runTo;
      this.stepping = undefined;
      await this.target.controlSingleStep(event.vcpu, false).catch(() => undefined);
      if (runTo) await this.returnBreakpoints?.clear(runTo.id).catch(() => undefined);
    }
    if (this.current) {
      this.pendingStops.push(info);
      return;
    }
    this.pendingEntry = false;
    this.current = info;
    await this.pauseOthers();
    this.emit('stopped', info);
  }

  private async pauseOthers(): Promise<void> {
    for (let v = 0; v < this.target.vcpuCount; v++) {
      if (this.held.has(v) || this.pauseRequested.has(v)) continue;
      this.pauseRequested.add(v);
      await this.target.pauseVcpu(v).catch(() => this.pauseRequested.delete(v));
    }
  }

  /** Stops every vCPU; the first to stop is reported with reason `pause` (or `entry`). */
  async pauseAll(entry = false): Promise<void> {
    if (this.current) return;
    this.userPause = true;
    this.pendingEntry = entry;
    await this.pauseOthers();
  }

  /** Resumes every vCPU (or reports the next queued stop instead). */
  async continueAll(): Promise<void> {
    this.current = undefined;
    const next = this.pendingStops.shift();
    if (next) {
      this.current = next;
      this.emit('stopped', next);
      return;
    }
    const events = [...this.held.values()];
    this.held.clear();
    for (const e of events) {
      if (e.kind !== 'pf' || e.access !== PAGE_X) this.skipExecuteAt.set(e.vcpu, e.state.regs.rip);
      await e.reply('continue');
    }
  }

  /**
   * Single-steps `vcpu` (KVMI_VCPU_CONTROL_SINGLESTEP) until `done` holds; the other vCPUs stay
   * paused. Requires a stop.
   */
  async step(vcpu: number, done: StepPredicate): Promise<void> {
    const event = this.held.get(vcpu);
    if (!event) throw new Error(`vCPU ${vcpu} is not stopped`);
    if (!this.target.canSingleStep) throw new Error('this host cannot single-step (KVMI features.singlestep is 0)');
    this.current = undefined;
    this.stepping = { vcpu, done, count: 0 };
    this.held.delete(vcpu);
    if (event.kind !== 'pf' || event.access !== PAGE_X) this.skipExecuteAt.set(vcpu, event.state.regs.rip);
    await this.target.controlSingleStep(vcpu, true);
    await event.reply('continue');
  }

  describeRestrictions(): string {
    const lines = [...this.watchpoints.restrictedFrames()].map(([frame, bits]) => `  frame 0x${frame.toString(16)}: ${pageAccessText(bits)}`);
    return lines.length ? lines.join('\n') : '  (no restricted frames)';
  }
}
