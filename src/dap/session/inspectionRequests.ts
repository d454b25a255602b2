// Requests that look at (and change) guest memory and code: readMemory/writeMemory with guest-
// virtual and `phys:` references, evaluate (expressions, plus the debug console commands
// `.pages` and `.stats`), disassemble, and the Globals scope built from DWARF variables.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { MemoryEvent } from '@vscode/debugadapter';
import { formatMemoryReference, parseMemoryReference } from '../memory/guestMemory';
import { PAGE_RWX } from '../target';
import { bitnessOfMode } from '../watch/accessWidth';
import { disassemble } from './disassembly';
import type { KvmiDebugSession } from './kvmiDebugSession';
import { splitFrameId } from './kvmiDebugSession';
import { formatValue } from './machine';
import { pageAccessText } from './stopInfo';

/** Most bytes one readMemory request returns. */
export const MAX_READ = 1 << 20;

const REPL_HELP = [
  'Debug console commands:',
  '  .pages                 list the guest frames with KVMI access restrictions',
  '  .pages GPA ACCESS      set a frame\'s access, e.g. ".pages 0x5000 r-x" (rwx lifts it)',
  '  .stats                 watchpoint statistics (accesses filtered without a stop)',
  'Expressions: $rax, $cr3, symbol, &symbol, *(u32*)0x1000, *(u64*)phys:0x2000, $rsp+8 ...',
].join('\n');

export class InspectionRequests {
  constructor(private readonly session: KvmiDebugSession) {}

  async readMemory(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): Promise<void> {
    await this.session.run(response, async (m) => {
      const base = parseMemoryReference(args.memoryReference);
      const address = base.address + BigInt(args.offset ?? 0);
      const count = Math.min(args.count, MAX_READ);
      const read = await m.memory.read(m.currentVcpu, { space: base.space, address }, count);
      response.body = {
        address: formatMemoryReference({ space: base.space, address }),
        data: Buffer.from(read.bytes).toString('base64'),
        unreadableBytes: read.unreadable + (args.count - count),
      };
    });
  }

  async writeMemory(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): Promise<void> {
    await this.session.run(response, async (m) => {
      const base = parseMemoryReference(args.memoryReference);
      const address = base.address + BigInt(args.offset ?? 0);
      const data = new Uint8Array(Buffer.from(args.data, 'base64'));
      await m.memory.write(m.currentVcpu, { space: base.space, address }, data);
      response.body = { bytesWritten: data.length };
      this.session.send(new MemoryEvent(args.memoryReference, args.offset ?? 0, data.length));
    });
  }

  async evaluate(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    await this.session.run(response, async (m) => {
      const text = args.expression.trim();
      if (args.context === 'repl' && text.startsWith('.')) {
        response.body = { result: await this.command(text), variablesReference: 0 };
        return;
      }
      const vcpu = args.frameId ? splitFrameId(args.frameId).vcpu : m.currentVcpu;
      const r = await m.evaluate(vcpu, text);
      const pointer = r.pointeeSize !== undefined && r.value !== undefined
        ? formatMemoryReference({ space: r.physicalPointer ? 'physical' : 'virtual', address: r.value }) : undefined;
      response.body = {
        result: formatValue(r) + (r.location && r.value === undefined ? ` at ${formatMemoryReference(r.location)}` : ''),
        type: r.typeName,
        variablesReference: 0,
        memoryReference: pointer ?? (r.location ? formatMemoryReference(r.location) : undefined),
      };
    });
  }

  private async command(text: string): Promise<string> {
    const m = this.session.machine!;
    const [name, ...rest] = text.split(/\s+/);
    if (name === '.pages' && rest.length === 0) return m.control.describeRestrictions();
    if (name === '.pages' && rest.length === 2) {
      const frame = parseMemoryReference(rest[0].replace(/^phys:/i, '')).address & ~0xfffn;
      const access = parseAccess(rest[1]);
      await m.target.setPageAccess([{ gpa: frame, access }]);
      return `frame 0x${frame.toString(16)} is now ${pageAccessText(access)}${access === PAGE_RWX ? ' (unrestricted)' : ''}; watchpoint changes recompute this frame`;
    }
    if (name === '.stats') {
      return `accesses to watched frames filtered without a stop: ${m.control.filteredAccesses}\nwatchpoints: ${m.watchpoints.table.all.length}\n${m.control.describeRestrictions()}`;
    }
    return REPL_HELP;
  }

  async disassemble(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): Promise<void> {
    await this.session.run(response, async (m) => {
      const vcpu = m.currentVcpu;
      const state = await m.stateOf(vcpu);
      const base = parseMemoryReference(args.memoryReference);
      response.body = { instructions: await disassemble(args, base, vcpu, bitnessOfMode(state.mode), m.memory, this.session.symbols) };
    });
  }

  /** DWARF globals with their current values (objects larger than 8 bytes show their size). */
  async globalVariables(vcpu: number): Promise<DebugProtocol.Variable[]> {
    const m = this.session.machine!;
    const out: DebugProtocol.Variable[] = [];
    for (const g of this.session.symbols.globals().slice(0, 500)) {
      const size = g.byteSize ?? 0;
      const location = { space: 'virtual' as const, address: g.address! };
      let value: string;
      if (size === 1 || size === 2 || size === 4 || size === 8) {
        value = await m.memory.readUnsigned(vcpu, location, size).then((v) => `0x${v.toString(16)}`, () => '<unreadable>');
      } else value = `{${size} bytes}`;
      out.push({ name: g.name, value, type: g.type?.name, evaluateName: g.name, variablesReference: 0, memoryReference: formatMemoryReference(location) });
    }
    return out;
  }
}

/** "r-x", "rw", "---", "7" -> KVMI access bits. */
export function parseAccess(text: string): number {
  if (/^[0-7]$/.test(text)) return Number(text);
  if (!/^[rwx-]{1,3}$/.test(text)) throw new Error(`"${text}" is not an access: use letters from rwx, e.g. "r-x", or "---"`);
  return (text.includes('r') ? 1 : 0) | (text.includes('w') ? 2 : 0) | (text.includes('x') ? 4 : 0);
}
