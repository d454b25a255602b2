// Everything the adapter holds about one connected machine: the target, guest memory, symbols,
// watchpoints and run control, wired together once the VMM has connected. Request handlers reach
// the machine through this object so each handler file stays about one topic.
import { ExpressionError } from '../eval/expressionParser';
import { evaluate, type EvalResult, type EvaluationContext } from '../eval/expressionEvaluator';
import { GuestMemory } from '../memory/guestMemory';
import { GENERAL_REGISTER_NAMES, type IntrospectionTarget, type VcpuState } from '../target';
import { interpolateLogMessage } from '../watch/hitConditions';
import { WatchpointService } from '../watch/watchpointService';
import { WatchpointTable } from '../watch/watchpointTable';
import { ExecutionControl } from './executionControl';
import type { GuestSymbols } from './guestSymbols';

export class Machine {
  readonly memory: GuestMemory;
  readonly watchpoints: WatchpointService;
  readonly control: ExecutionControl;

  constructor(readonly target: IntrospectionTarget, readonly symbols: GuestSymbols) {
    this.memory = new GuestMemory(target);
    this.watchpoints = new WatchpointService(target, this.memory, new WatchpointTable());
    this.control = new ExecutionControl(target, this.memory, this.watchpoints.table, {
      evaluate: async (vcpu, state, expression) => {
        const r = await evaluate(expression, this.evaluationContext(vcpu, state));
        if (r.value === undefined) throw new ExpressionError(`"${expression}" is not a number`);
        return r.value;
      },
      formatLogMessage: (vcpu, state, template) => interpolateLogMessage(template, async (e) => formatValue(await evaluate(e, this.evaluationContext(vcpu, state)))),
    }, {
      set: async (address, vcpu) => (await this.watchpoints.add({ origin: 'stepReturn', address, length: 1, access: 'execute', space: 'virtual', label: 'step return' }, vcpu)).id,
      clear: async (id) => { await this.watchpoints.remove(id); },
    });
    target.on('vcpuEvent', (event) => void this.control.handleEvent(event));
  }

  /** The vCPU to use for guest-virtual addresses: the stopped one, else vCPU 0. */
  get currentVcpu(): number { return this.control.stop?.vcpu ?? 0; }

  /** Enables PF events on every vCPU (restrictions raise events only where enabled). */
  async enableEvents(): Promise<void> {
    for (let v = 0; v < this.target.vcpuCount; v++) await this.target.controlEvent(v, 'pf', true);
  }

  async stateOf(vcpu: number): Promise<VcpuState> {
    return this.control.heldState(vcpu) ?? (await this.target.getRegisters(vcpu)).state;
  }

  evaluationContext(vcpu: number, state: VcpuState): EvaluationContext {
    return {
      register: (name) => registerValue(state, name),
      readMemory: (location, size) => this.memory.readUnsigned(vcpu, location, size),
      lookupSymbol: (name) => this.symbols.lookup(name),
    };
  }

  async evaluate(vcpu: number, expression: string): Promise<EvalResult> {
    return evaluate(expression, this.evaluationContext(vcpu, await this.stateOf(vcpu)));
  }
}

/** `$name` registers: the general registers, their 32-bit halves, control registers and EFER. */
export function registerValue(state: VcpuState, name: string): bigint | undefined {
  const regs = state.regs as unknown as Record<string, bigint>;
  if (name in regs) return regs[name];
  const wide = `r${name.slice(1)}`;
  if (name.startsWith('e') && (GENERAL_REGISTER_NAMES as readonly string[]).includes(wide)) return regs[wide] & 0xffff_ffffn;
  if (/^r(8|9|1[0-5])d$/.test(name)) return regs[name.slice(0, -1)] & 0xffff_ffffn;
  const s = state.sregs;
  switch (name) {
    case 'cr0': return s.cr0;
    case 'cr2': return s.cr2;
    case 'cr3': return s.cr3;
    case 'cr4': return s.cr4;
    case 'cr8': return s.cr8;
    case 'efer': return s.efer;
    case 'pc': return state.regs.rip;
    case 'sp': return state.regs.rsp;
    case 'fp': return state.regs.rbp;
    default: return undefined;
  }
}

export function formatValue(r: EvalResult): string {
  if (r.value === undefined) return `{${r.size} bytes}`;
  return `0x${r.value.toString(16)}`;
}
