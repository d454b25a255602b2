// The DAP session: launch/attach, threads (one per vCPU), stops, stack, scopes and run control.
// Watchpoint and breakpoint requests are in breakpointRequests.ts, memory/evaluate/disassemble in
// inspectionRequests.ts; this file owns the session's lifecycle and the stop -> DAP translation.
// Run control is all-stop: a stop on one vCPU pauses all of them (see executionControl.ts), so
// `supportsSingleThreadExecutionRequests` is false and `continue` resumes every vCPU.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ContinuedEvent, DebugSession, ExitedEvent, Handles, InitializedEvent, OutputEvent, Scope, Source, StackFrame,
  StoppedEvent, TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { DebugInfo } from '../debuginfo';
import type { VcpuState } from '../target';
import { GENERAL_REGISTER_NAMES } from '../target';
import {
  controlRegisterVariables, descriptorTableVariables, eventVariables, generalRegisterVariables, msrVariables,
  parseRegisterValue, segmentVariables,
} from '../state/stateVariables';
import { CustomEvent, CustomRequest, type EngineEventBody } from '../protocol/custom';
import { BreakpointRequests } from './breakpointRequests';
import { GuestConsole } from './guestConsole';
import { GuestSymbols } from './guestSymbols';
import { InspectionRequests } from './inspectionRequests';
import { attachSettings, ConfigurationError, launchSettings, type ConfiguredWatchpoint } from './launchConfig';
import { Machine } from './machine';
import { guestFrames, type GuestFrame } from './stackFrames';
import type { StopInfo } from './stopInfo';
import { frameLocals, localVariables } from './localVariables';
import { lineStepPredicate, type StepKind } from './stepping';
import type { TargetConnector, TargetListener } from './targetConnection';
import { VmmEngineReader } from './vmmEngineReport';
import { startVmm } from './vmmProcess';

/** Which part of a stopped vCPU a variablesReference shows. */
type ScopeRef =
  | { kind: 'registers' | 'segments' | 'control' | 'msrs' | 'tables' | 'event' | 'globals' | 'locals'; vcpu: number; frame: number };

/** How long `launch` waits for the VMM to connect before giving up. */
export const CONNECT_TIMEOUT_MS = 30_000;

export interface SessionOptions {
  connector: TargetConnector;
  /** The VMM program to start for `launch` (default: dist/vmm.js). */
  vmmScript?: string;
  /** The KVM device to check for `engine: "kvm"`. */
  kvmDevice?: string;
}

export const threadIdOf = (vcpu: number): number => vcpu + 1;
export const vcpuOf = (threadId: number): number => threadId - 1;

export class KvmiDebugSession extends DebugSession {
  machine: Machine | undefined;
  symbols = GuestSymbols.none();
  private listener: TargetListener | undefined;
  private vmm: ChildProcess | undefined;
  private socketDir: string | undefined;
  private isLaunch = false;
  private stopOnEntry = false;
  private configured = false;
  private entryStop: StopInfo | undefined;
  /** Resolves the wait in connected() when the entry stop has arrived. */
  private entryStopArrived: (() => void) | undefined;
  private terminated = false;
  private readonly scopes = new Handles<ScopeRef>();
  private frames = new Map<number, GuestFrame[]>();
  private readonly breakpoints = new BreakpointRequests(this);
  private readonly inspection = new InspectionRequests(this);
  private readonly guestConsole = new GuestConsole((event) => this.sendEvent(event));

  constructor(private readonly options: SessionOptions) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsDataBreakpoints: true,
      supportsDataBreakpointBytes: true,
      supportsInstructionBreakpoints: true,
      supportsDisassembleRequest: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsSetVariable: true,
      supportsSteppingGranularity: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsExceptionInfoRequest: true,
      supportsEvaluateForHovers: true,
      supportsTerminateRequest: true,
      // All-stop: a stop on one vCPU pauses every vCPU, and continue resumes them all.
      supportsSingleThreadExecutionRequests: false,
      breakpointModes: [
        { mode: 'virtual', label: 'Guest-virtual', description: 'The address is guest-virtual, translated when the watchpoint is set', appliesTo: ['data'] },
        { mode: 'physical', label: 'Guest-physical', description: 'The address is guest-physical', appliesTo: ['data'] },
        { mode: 'execute', label: 'Execute', description: 'Stop when an instruction in the range executes', appliesTo: ['data'] },
      ],
    };
    this.sendResponse(response);
  }

  // ---- sessions --------------------------------------------------------------------------

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: DebugProtocol.LaunchRequestArguments): Promise<void> {
    try {
      const settings = launchSettings((args ?? {}) as Record<string, unknown>, this.options.kvmDevice);
      this.symbols = loadSymbols(settings.guest);
      this.isLaunch = true;
      this.stopOnEntry = settings.stopOnEntry;
      this.socketDir = mkdtempSync(join(tmpdir(), 'kvmi-dap-'));
      const socketPath = join(this.socketDir, 'kvmi.sock');
      this.listener = await this.options.connector({ kind: 'unix', path: socketPath });
      let vmmExited: (reason: string) => void = () => undefined;
      const exitedEarly = new Promise<never>((_, reject) => { vmmExited = (why) => reject(new ConfigurationError('guest', why)); });
      let stderr = '';
      const engines = new VmmEngineReader((body) => this.sendEngine(body));
      this.vmm = startVmm(settings, `unix:${socketPath}`, {
        stdout: (text) => this.guestConsole.output(text),
        stderr: (text) => { stderr += text; engines.write(text); this.sendEvent(new OutputEvent(text, 'stderr')); },
        exit: (code, signal) => {
          this.guestConsole.vmmExited();
          vmmExited(`could not be started: the VMM exited (${signal ?? `code ${code}`}) before connecting${stderr ? `: ${stderr.trim()}` : ''}`);
          this.onVmmExit(code);
        },
      }, this.options.vmmScript);
      this.guestConsole.launched(settings.serial, this.vmm.stdin);
      // Only `auto` makes the VMM print its choice; a named engine is the one it runs.
      if (settings.engine !== 'auto') engines.known({ engine: settings.engine, reason: 'named by the launch configuration' });
      const target = await Promise.race([this.listener.accept(), exitedEarly, timeout(CONNECT_TIMEOUT_MS, 'the VMM did not connect')]);
      await this.connected(target, settings.watchpoints);
      this.sendResponse(response);
      this.sendEvent(new InitializedEvent());
    } catch (error) {
      await this.cleanup();
      this.sendErrorResponse(response, 3001, errorText(error));
    }
  }

  protected override async attachRequest(response: DebugProtocol.AttachResponse, args: DebugProtocol.AttachRequestArguments): Promise<void> {
    try {
      const settings = await attachSettings((args ?? {}) as Record<string, unknown>);
      this.symbols = settings.guest ? loadSymbols(settings.guest) : GuestSymbols.none();
      this.stopOnEntry = (args as { stopOnEntry?: boolean } | undefined)?.stopOnEntry === true;
      this.guestConsole.attached();
      this.listener = await this.options.connector(settings.listen);
      this.sendEvent(new OutputEvent(`Waiting for kvmi-vmm to connect on ${settings.listenText}\n`, 'console'));
      await this.connected(await this.listener.accept(), settings.watchpoints);
      this.sendResponse(response);
      this.sendEvent(new InitializedEvent());
    } catch (error) {
      await this.cleanup();
      this.sendErrorResponse(response, 3002, errorText(error));
    }
  }

  /** Hooks the target: events on, every vCPU held until configurationDone, startup watchpoints set. */
  private async connected(target: Machine['target'], watchpoints: ConfiguredWatchpoint[]): Promise<void> {
    const machine = new Machine(target, this.symbols);
    this.machine = machine;
    machine.control.on('stopped', (stop) => this.onStopped(stop));
    machine.control.on('output', (text, category) => this.sendEvent(new OutputEvent(text, category)));
    target.on('closed', () => { if (!this.isLaunch) this.terminate(); });
    target.on('unhook', () => void this.detach());
    const entryStopped = new Promise<void>((resolve, reject) => {
      this.entryStopArrived = resolve;
      target.once('closed', () => reject(new Error('the VMM closed the introspection connection before the guest entry stop')));
    });
    entryStopped.catch(() => undefined); // a failure before the wait below is reported by what failed
    // Before any event can be delivered: the handshake's PAUSE of vCPU 0 is the entry stop.
    const entry = machine.control.pauseAll(true);
    await machine.enableEvents();
    await entry;
    // The launch or attach is answered only once the entry stop is held: configurationDone resumes
    // it, and a PAUSE event arriving after configurationDone would read as a stop nobody asked for.
    await Promise.race([entryStopped, timeout(CONNECT_TIMEOUT_MS, 'the guest did not pause at its entry')]);
    for (const w of watchpoints) {
      const { condition, hitCondition, logMessage } = w;
      const spec = { ...this.breakpoints.configuredSpec(w), condition, hitCondition, logMessage };
      await machine.watchpoints.add(spec, 0);
    }
  }

  protected override async configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): Promise<void> {
    this.configured = true;
    this.sendResponse(response);
    const entry = this.entryStop;
    this.entryStop = undefined;
    if (!entry) return;
    if (this.stopOnEntry) this.onStopped(entry);
    else await this.machine?.control.continueAll();
  }

  private onStopped(stop: StopInfo): void {
    if (!this.configured && stop.reason === 'entry') {
      this.entryStop = stop;
      this.entryStopArrived?.();
      return;
    }
    this.frames.clear();
    const event = new StoppedEvent(stop.reason, threadIdOf(stop.vcpu)) as DebugProtocol.StoppedEvent;
    event.body.description = stop.description;
    event.body.text = stop.access ? `${stop.access.access} at 0x${stop.access.gva.toString(16)}` : undefined;
    event.body.allThreadsStopped = true;
    if (stop.hitBreakpointIds.length) event.body.hitBreakpointIds = stop.hitBreakpointIds;
    this.sendEvent(event);
  }

  private onVmmExit(code: number | null): void {
    if (this.terminated) return;
    this.sendEvent(new ExitedEvent(code ?? 1));
    this.terminate();
  }

  private terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.sendEvent(new TerminatedEvent());
    void this.cleanup();
  }

  /** Attach: lift every restriction, let the guest run, close introspection. */
  private async detach(): Promise<void> {
    const m = this.machine;
    if (!m) return;
    try {
      await m.watchpoints.clear();
      for (let v = 0; v < m.target.vcpuCount; v++) await m.target.controlEvent(v, 'pf', false).catch(() => undefined);
      await m.control.continueAll();
    } finally {
      await m.target.close().catch(() => undefined);
    }
  }

  protected override async disconnectRequest(response: DebugProtocol.DisconnectResponse, args: DebugProtocol.DisconnectArguments): Promise<void> {
    const kill = this.isLaunch ? args?.terminateDebuggee !== false : args?.terminateDebuggee === true;
    this.terminated = true;
    if (kill && this.vmm && this.vmm.exitCode === null) this.vmm.kill('SIGTERM');
    else await this.detach().catch(() => undefined);
    await this.cleanup();
    this.sendResponse(response);
  }

  protected override async terminateRequest(response: DebugProtocol.TerminateResponse): Promise<void> {
    if (this.vmm && this.vmm.exitCode === null) this.vmm.kill('SIGTERM');
    else this.terminate();
    this.sendResponse(response);
  }

  private async cleanup(): Promise<void> {
    const listener = this.listener;
    this.listener = undefined;
    await listener?.close().catch(() => undefined);
    if (this.machine && !this.isLaunch) await this.machine.target.close().catch(() => undefined);
    if (this.socketDir) rmSync(this.socketDir, { recursive: true, force: true });
    this.socketDir = undefined;
  }

  // ---- threads and run control ----------------------------------------------------------

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    const count = this.machine?.target.vcpuCount ?? 0;
    response.body = { threads: Array.from({ length: count }, (_, v) => new Thread(threadIdOf(v), `vCPU ${v}`)) };
    this.sendResponse(response);
  }

  protected override async continueRequest(response: DebugProtocol.ContinueResponse): Promise<void> {
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    this.frames.clear();
    await this.machine?.control.continueAll();
  }

  protected override async pauseRequest(response: DebugProtocol.PauseResponse): Promise<void> {
    await this.run(response, async (m) => m.control.pauseAll());
  }

  protected override async nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): Promise<void> {
    await this.step(response, args.threadId, args.granularity === 'instruction' ? 'instruction' : 'over');
  }

  protected override async stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): Promise<void> {
    await this.step(response, args.threadId, args.granularity === 'instruction' ? 'instruction' : 'in');
  }

  protected override async stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): Promise<void> {
    await this.step(response, args.threadId, 'out');
  }

  private async step(response: DebugProtocol.Response, threadId: number, kind: StepKind): Promise<void> {
    await this.run(response, async (m) => {
      const vcpu = vcpuOf(threadId);
      const state = m.control.heldState(vcpu);
      if (!state) throw new Error(`vCPU ${vcpu} is not stopped`);
      this.frames.clear();
      const frames = kind === 'out' ? await guestFrames(vcpu, state, this.symbols, m.memory) : [];
      const caller = frames[1]?.registers.rsp !== undefined ? { pc: frames[1].pc, sp: frames[1].registers.rsp } : undefined;
      const readStackWord = (address: bigint) => m.memory.readUnsigned(vcpu, { space: 'virtual', address }, state.mode === 8 ? 8 : 4).catch(() => undefined);
      await m.control.step(vcpu, lineStepPredicate(kind, state, this.symbols, readStackWord, caller));
    });
  }

  /** Runs a request body that needs a connected machine; errors become DAP error responses. */
  async run(response: DebugProtocol.Response, body: (m: Machine) => Promise<void>): Promise<void> {
    try {
      if (!this.machine) throw new Error('no guest is connected');
      await body(this.machine);
      this.sendResponse(response);
    } catch (error) {
      this.sendErrorResponse(response, 3000, errorText(error));
    }
  }

  /** The state of a stopped vCPU, or an error naming why it is not available. */
  stoppedState(vcpu: number): VcpuState {
    const state = this.machine?.control.heldState(vcpu);
    if (!state) throw new Error(`vCPU ${vcpu} is running; pause it first`);
    return state;
  }

  // ---- stack, scopes, variables ---------------------------------------------------------

  async framesOf(vcpu: number): Promise<GuestFrame[]> {
    const cached = this.frames.get(vcpu);
    if (cached) return cached;
    const frames = await guestFrames(vcpu, this.stoppedState(vcpu), this.symbols, this.machine!.memory);
    this.frames.set(vcpu, frames);
    return frames;
  }

  protected override async stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): Promise<void> {
    await this.run(response, async () => {
      const vcpu = vcpuOf(args.threadId);
      const all = await this.framesOf(vcpu);
      const start = args.startFrame ?? 0;
      const slice = all.slice(start, args.levels ? start + args.levels : undefined);
      response.body = {
        totalFrames: all.length,
        stackFrames: slice.map((f) => {
          const frame: DebugProtocol.StackFrame = new StackFrame(frameIdOf(vcpu, f.index), f.functionName,
            f.source ? new Source(f.source.path.split('/').pop() ?? f.source.path, f.source.path) : undefined, f.source?.line ?? 0, f.source?.column || 1);
          frame.instructionPointerReference = `0x${f.pc.toString(16)}`;
          if (!f.source) frame.presentationHint = 'subtle';
          return frame;
        }),
      };
    });
  }

  protected override async scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): Promise<void> {
    await this.run(response, async (m) => {
      const { vcpu, frame } = splitFrameId(args.frameId);
      const make = (name: string, kind: ScopeRef['kind'], expensive = false, hint?: string): DebugProtocol.Scope => {
        const s: DebugProtocol.Scope = new Scope(name, this.scopes.create({ kind, vcpu, frame }), expensive);
        if (hint) s.presentationHint = hint;
        return s;
      };
      const scopes = [make('Locals', 'locals', false, 'locals'), make('Registers', 'registers', false, 'registers'), make('Segments', 'segments', false, 'registers'),
        make('Control registers', 'control', false, 'registers'), make('MSRs', 'msrs', false, 'registers'),
        make('Descriptor tables', 'tables', false, 'registers')];
      if (m.control.stop?.vcpu === vcpu && m.control.stop.access) scopes.push(make('Event', 'event'));
      if (this.symbols.globals().length) scopes.push(make('Globals', 'globals', true, 'globals'));
      response.body = { scopes };
    });
  }

  protected override async variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    await this.run(response, async (m) => {
      const ref = this.scopes.get(args.variablesReference);
      if (!ref) throw new Error(`unknown variables reference ${args.variablesReference}`);
      const state = this.stoppedState(ref.vcpu);
      let variables: DebugProtocol.Variable[];
      switch (ref.kind) {
        case 'registers': variables = ref.frame === 0 ? generalRegisterVariables(state) : await this.callerRegisters(ref.vcpu, ref.frame); break;
        case 'segments': variables = segmentVariables(state); break;
        case 'control': variables = controlRegisterVariables(state); break;
        case 'msrs': variables = msrVariables(state); break;
        case 'tables': variables = descriptorTableVariables(state); break;
        case 'event': variables = m.control.stop ? eventVariables(m.control.stop) : []; break;
        case 'globals': variables = await this.inspection.globalVariables(ref.vcpu); break;
        case 'locals': {
          const frame = (await this.framesOf(ref.vcpu))[ref.frame];
          variables = frame ? await localVariables(await frameLocals(frame, ref.vcpu, this.symbols, m.memory), frame, ref.vcpu, m.memory) : [];
          break;
        }
      }
      response.body = { variables };
    });
  }

  private async callerRegisters(vcpu: number, frame: number): Promise<DebugProtocol.Variable[]> {
    const f = (await this.framesOf(vcpu))[frame];
    return Object.entries(f?.registers ?? {}).map(([name, value]) => ({ name, value: `0x${value.toString(16)}`, variablesReference: 0, memoryReference: `0x${value.toString(16)}` }));
  }

  protected override async setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): Promise<void> {
    await this.run(response, async (m) => {
      const ref = this.scopes.get(args.variablesReference);
      if (ref?.kind !== 'registers' || ref.frame !== 0) throw new Error('only the registers of the top frame can be changed');
      const name = args.name as (typeof GENERAL_REGISTER_NAMES)[number];
      if (!GENERAL_REGISTER_NAMES.includes(name)) throw new Error(`${args.name} is not a general register`);
      const state = this.stoppedState(ref.vcpu);
      const regs = { ...state.regs, [name]: parseRegisterValue(args.value) };
      await m.target.setRegisters(ref.vcpu, regs);
      state.regs = regs;
      this.frames.delete(ref.vcpu);
      response.body = { value: `0x${regs[name].toString(16).padStart(name === 'rflags' ? 0 : 16, '0')}` };
    });
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse, args: DebugProtocol.ExceptionInfoArguments): void {
    const stop = this.machine?.control.stop;
    if (!stop || stop.vcpu !== vcpuOf(args.threadId)) return this.sendErrorResponse(response, 3003, 'this vCPU did not stop on an event');
    const a = stop.access;
    response.body = {
      exceptionId: a ? `${a.access} watchpoint` : stop.reason,
      description: stop.description,
      breakMode: 'always',
      details: a ? {
        message: stop.description,
        typeName: `${a.access} of ${a.width} byte(s)`,
        evaluateName: `*(u${Math.min(64, a.width * 8)}*)0x${a.gva.toString(16)}`,
        stackTrace: `gva 0x${a.gva.toString(16)} gpa 0x${a.gpa.toString(16)}${a.instruction ? ` ${a.instruction}` : ''}`,
      } : undefined,
    };
    this.sendResponse(response);
  }

  // ---- delegated requests ---------------------------------------------------------------

  protected override setBreakPointsRequest(r: DebugProtocol.SetBreakpointsResponse, a: DebugProtocol.SetBreakpointsArguments): Promise<void> { return this.breakpoints.setBreakpoints(r, a); }
  protected override setInstructionBreakpointsRequest(r: DebugProtocol.SetInstructionBreakpointsResponse, a: DebugProtocol.SetInstructionBreakpointsArguments): Promise<void> { return this.breakpoints.setInstructionBreakpoints(r, a); }
  protected override dataBreakpointInfoRequest(r: DebugProtocol.DataBreakpointInfoResponse, a: DebugProtocol.DataBreakpointInfoArguments): Promise<void> { return this.breakpoints.dataBreakpointInfo(r, a, this.scopes.get(a.variablesReference ?? 0)); }
  protected override setDataBreakpointsRequest(r: DebugProtocol.SetDataBreakpointsResponse, a: DebugProtocol.SetDataBreakpointsArguments): Promise<void> { return this.breakpoints.setDataBreakpoints(r, a); }
  protected override customRequest(command: string, r: DebugProtocol.Response, a: unknown): void {
    if (command === CustomRequest.serialInput) void this.serialInput(r, a);
    else void this.breakpoints.custom(command, r, a);
  }
  protected override readMemoryRequest(r: DebugProtocol.ReadMemoryResponse, a: DebugProtocol.ReadMemoryArguments): Promise<void> { return this.inspection.readMemory(r, a); }
  protected override writeMemoryRequest(r: DebugProtocol.WriteMemoryResponse, a: DebugProtocol.WriteMemoryArguments): Promise<void> { return this.inspection.writeMemory(r, a); }
  protected override evaluateRequest(r: DebugProtocol.EvaluateResponse, a: DebugProtocol.EvaluateArguments): Promise<void> { return this.inspection.evaluate(r, a); }
  protected override disassembleRequest(r: DebugProtocol.DisassembleResponse, a: DebugProtocol.DisassembleArguments): Promise<void> { return this.inspection.disassemble(r, a); }

  /** kvmi/serialInput: the text goes to the guest's COM1 receive side (see guestConsole.ts). */
  private async serialInput(response: DebugProtocol.Response, args: unknown): Promise<void> {
    try {
      await this.guestConsole.write(args);
      this.sendResponse(response);
    } catch (error) {
      this.sendErrorResponse(response, 3004, errorText(error));
    }
  }

  private sendEngine(body: EngineEventBody): void {
    this.sendEvent({ seq: 0, type: 'event', event: CustomEvent.engine, body } as DebugProtocol.Event);
  }

  /** Lets helper classes send events and responses. */
  send(message: DebugProtocol.ProtocolMessage): void {
    if (message.type === 'event') this.sendEvent(message as DebugProtocol.Event);
    else this.sendResponse(message as DebugProtocol.Response);
  }

  fail(response: DebugProtocol.Response, error: unknown): void { this.sendErrorResponse(response, 3000, errorText(error)); }

  continued(vcpu: number): void { this.sendEvent(new ContinuedEvent(threadIdOf(vcpu), true)); }
}

/** Frame ids pack the vCPU and the frame index. */
export const frameIdOf = (vcpu: number, index: number): number => vcpu * 10_000 + index + 1;
export function splitFrameId(id: number): { vcpu: number; frame: number } {
  return { vcpu: Math.floor((id - 1) / 10_000), frame: (id - 1) % 10_000 };
}

function loadSymbols(guest: string): GuestSymbols {
  try {
    return new GuestSymbols(DebugInfo.fromFile(guest));
  } catch (error) {
    throw new ConfigurationError('guest', `cannot be read as an ELF program: ${(error as Error).message}`);
  }
}

function timeout(ms: number, what: string): Promise<never> {
  return new Promise((_, reject) => { const t = setTimeout(() => reject(new Error(`${what} within ${ms / 1000} s`)), ms); t.unref(); });
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
