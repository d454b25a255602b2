// Turns a stopped vCPU's state into the variables of the DAP scopes: general registers with RIP and
// decoded RFLAGS, segment registers (Intel SDM Vol. 3A, 3.4.5 descriptor fields), control registers
// and EFER with their bits decoded, the MSRs KVMI events carry, GDTR/IDTR, and the access that
// caused a watchpoint stop.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { GENERAL_REGISTER_NAMES, SEGMENT_NAMES, type VcpuState } from '../target';
import type { StopInfo } from '../session/stopInfo';
import { pageAccessText } from '../session/stopInfo';
import { CR0_BITS, CR4_BITS, EFER_BITS, decodeBits, decodeRflags, hex } from './registerBits';

type Variable = DebugProtocol.Variable;

const plain = (name: string, value: string, extra: Partial<Variable> = {}): Variable => ({ name, value, variablesReference: 0, ...extra });

export function generalRegisterVariables(state: VcpuState): Variable[] {
  return GENERAL_REGISTER_NAMES.map((name) => {
    const value = state.regs[name];
    if (name === 'rflags') return plain(name, `${hex(value)} [${decodeRflags(value)}]`, { evaluateName: '$rflags' });
    return plain(name, hex(value, 16), { evaluateName: `$${name}`, memoryReference: hex(value), type: 'u64' });
  });
}

export function segmentVariables(state: VcpuState): Variable[] {
  return SEGMENT_NAMES.map((name) => {
    const s = state.sregs.segments[name];
    const flags = [s.present ? 'P' : 'NP', s.s ? 'S' : 'system', s.l ? 'L' : '', s.db ? 'D/B' : '', s.g ? 'G' : '', s.unusable ? 'unusable' : '']
      .filter(Boolean).join(' ');
    return plain(name, `${hex(s.selector, 4)} base=${hex(s.base)} limit=${hex(s.limit)} type=${s.type} dpl=${s.dpl} ${flags}`);
  });
}

export function controlRegisterVariables(state: VcpuState): Variable[] {
  const r = state.sregs;
  return [
    plain('cr0', `${hex(r.cr0)} [${decodeBits(r.cr0, CR0_BITS)}]`, { evaluateName: '$cr0' }),
    plain('cr2', hex(r.cr2), { evaluateName: '$cr2', memoryReference: hex(r.cr2) }),
    plain('cr3', hex(r.cr3), { evaluateName: '$cr3', memoryReference: `phys:${hex(r.cr3 & ~0xfffn)}` }),
    plain('cr4', `${hex(r.cr4)} [${decodeBits(r.cr4, CR4_BITS)}]`, { evaluateName: '$cr4' }),
    plain('cr8', hex(r.cr8), { evaluateName: '$cr8' }),
    plain('efer', `${hex(r.efer)} [${decodeBits(r.efer, EFER_BITS)}]`, { evaluateName: '$efer' }),
    plain('apic_base', hex(r.apicBase)),
    plain('mode', `${state.mode * 8}-bit addressing`),
  ];
}

export function msrVariables(state: VcpuState): Variable[] {
  const m = state.msrs;
  if (!m) return [plain('(none)', 'the VMM did not report MSRs with this stop')];
  return [
    plain('IA32_EFER (0xc0000080)', `${hex(m.efer)} [${decodeBits(m.efer, EFER_BITS)}]`),
    plain('IA32_STAR (0xc0000081)', hex(m.star)),
    plain('IA32_LSTAR (0xc0000082)', hex(m.lstar)),
    plain('IA32_CSTAR (0xc0000083)', hex(m.cstar)),
    plain('IA32_KERNEL_GS_BASE (0xc0000102)', hex(m.shadowGs)),
    plain('IA32_SYSENTER_CS (0x174)', hex(m.sysenterCs)),
    plain('IA32_SYSENTER_ESP (0x175)', hex(m.sysenterEsp)),
    plain('IA32_SYSENTER_EIP (0x176)', hex(m.sysenterEip)),
    plain('IA32_PAT (0x277)', hex(m.pat, 16)),
  ];
}

export function descriptorTableVariables(state: VcpuState): Variable[] {
  const { gdt, idt } = state.sregs;
  return [
    plain('gdtr', `base=${hex(gdt.base)} limit=${hex(gdt.limit)}`, { memoryReference: hex(gdt.base) }),
    plain('idtr', `base=${hex(idt.base)} limit=${hex(idt.limit)}`, { memoryReference: hex(idt.base) }),
  ];
}

export function eventVariables(stop: StopInfo): Variable[] {
  const out = [plain('reason', stop.reason), plain('vcpu', String(stop.vcpu)), plain('description', stop.description)];
  const a = stop.access;
  if (a) {
    out.push(
      plain('access', a.access),
      plain('gva', hex(a.gva), { memoryReference: hex(a.gva) }),
      plain('gpa', hex(a.gpa), { memoryReference: `phys:${hex(a.gpa)}` }),
      plain('width', `${a.width} byte${a.width === 1 ? '' : 's'}`),
      plain('page restriction', `${pageAccessText(a.pageAccess)} (frame ${hex(a.gpa & ~0xfffn)})`),
    );
    if (a.instruction) out.push(plain('instruction', a.instruction));
    if (a.repeatBytes !== undefined) out.push(plain('string operation covers', `${a.repeatBytes} bytes`));
  }
  if (stop.hitBreakpointIds.length) out.push(plain('watchpoints', stop.hitBreakpointIds.map((id) => `#${id}`).join(', ')));
  return out;
}

/** Parses a register value typed by the user: hex, decimal or negative decimal. */
export function parseRegisterValue(text: string): bigint {
  const t = text.trim();
  if (!/^-?(0x[0-9a-f]+|[0-9]+)$/i.test(t)) throw new Error(`"${text}" is not a number: use 0x... or decimal`);
  const v = t.startsWith('-') ? -BigInt(t.slice(1)) : BigInt(t);
  return v & ((1n << 64n) - 1n);
}
