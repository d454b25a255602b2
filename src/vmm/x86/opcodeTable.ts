// The instruction set as data: one entry per opcode form (SDM Vol. 2D Appendix A opcode maps).
// The decoder derives its lookup tables from this list, the dispatcher binds each entry's handler by
// name, and the tests generate encodings from it. Operand tokens follow the SDM Appendix A.2
// notation (E/G/I/J/O/M/S/C/D/V/W/U + size letter b/w/d/q/v/z/y/x); see operandToken docs below.

/** Opcode map: 0 = one-byte, 1 = 0F, 2 = 0F 38, 3 = 0F 3A (SDM Vol. 2A 2.1.2). */
export type OpcodeMap = 0 | 1 | 2 | 3;

/**
 * One opcode form.
 * ops: comma-separated operand tokens. Tokens with ModRM: E* G* M* R* S* C* D* V* W* U*.
 * Immediates: Ib, sIb (imm8 sign-extended), Iw, Iz (16/32, sign-extended to 64), Iv (16/32/64),
 * Jb, Jz (relative), Ob/Ov (address-size offset), Ap (far pointer), 1 and CL (shift counts),
 * AL/rAX/DX (implicit), Zb/Zv (register in the opcode's low 3 bits).
 * flags: i64 invalid in 64-bit mode, o64 valid only in 64-bit mode, d64 default operand size 64 in
 * 64-bit mode, f64 operand size forced to 64 in 64-bit mode, lock LOCK allowed (with a memory
 * destination), mem ModRM must encode memory, reg ModRM must encode a register, forcereg ModRM.mod
 * is ignored and the form is always a register form; np 66/F2/F3 prefixes make the form undefined (MOV CRn/DRn, SDM Vol. 2B MOV-Move to/from Control Registers).
 */
export interface OpcodeEntry {
  map: OpcodeMap;
  op: number;
  /** ModRM.reg value for group opcodes (SDM "/digit"); -1 if the whole opcode is one form. */
  reg: number;
  /** Exact ModRM byte for mod=3 forms like 0F 01 D0 (XGETBV); -1 otherwise. */
  modrm: number;
  /** Mandatory prefix (0x66, 0xF3, 0xF2) or 0 for none (SDM Vol. 2A 2.1.1). */
  pfx: number;
  mnemonic: string;
  ops: string;
  flags: string;
  /** Name of the semantic handler in exec/ (bound by dispatch.ts). */
  handler: string;
  /** Handler parameter: ALU operation index, condition code, shift kind, ... */
  param: number;
}

const table: OpcodeEntry[] = [];

function add(map: OpcodeMap, op: number, mnemonic: string, ops: string, handler: string,
  opts: { reg?: number; modrm?: number; pfx?: number; flags?: string; param?: number } = {}): void {
  table.push({ map, op, reg: opts.reg ?? -1, modrm: opts.modrm ?? -1, pfx: opts.pfx ?? 0, mnemonic, ops,
    flags: opts.flags ?? '', handler, param: opts.param ?? 0 });
}

/** ALU operations in encoding order (SDM Vol. 2D Table A-6 group 1). */
export const ALU_OPS = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'] as const;
/** Shift/rotate operations in group-2 order; index 6 (SAL alias) behaves as SHL. */
export const SHIFT_OPS = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'] as const;
/** Condition-code suffixes in tttn order (SDM Vol. 1 Appendix B). */
export const CC_NAMES = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

// ---- one-byte map --------------------------------------------------------------------------
for (let i = 0; i < 8; i++) {
  const mn = ALU_OPS[i], lock = i === 7 ? '' : 'lock', b = i * 8;
  add(0, b, mn, 'Eb,Gb', 'aluEG', { flags: lock, param: i });
  add(0, b + 1, mn, 'Ev,Gv', 'aluEG', { flags: lock, param: i });
  add(0, b + 2, mn, 'Gb,Eb', 'aluGE', { param: i });
  add(0, b + 3, mn, 'Gv,Ev', 'aluGE', { param: i });
  add(0, b + 4, mn, 'AL,Ib', 'aluAI', { param: i });
  add(0, b + 5, mn, 'rAX,Iz', 'aluAI', { param: i });
  add(0, 0x80, mn, 'Eb,Ib', 'aluEI', { reg: i, flags: lock, param: i });
  add(0, 0x81, mn, 'Ev,Iz', 'aluEI', { reg: i, flags: lock, param: i });
  add(0, 0x82, mn, 'Eb,Ib', 'aluEI', { reg: i, flags: lock + ' i64', param: i });
  add(0, 0x83, mn, 'Ev,sIb', 'aluEI', { reg: i, flags: lock, param: i });
}
add(0, 0x06, 'push', 'ES', 'pushSeg', { flags: 'i64', param: 0 });
add(0, 0x07, 'pop', 'ES', 'popSeg', { flags: 'i64', param: 0 });
add(0, 0x0e, 'push', 'CS', 'pushSeg', { flags: 'i64', param: 1 });
add(0, 0x16, 'push', 'SS', 'pushSeg', { flags: 'i64', param: 2 });
add(0, 0x17, 'pop', 'SS', 'popSeg', { flags: 'i64', param: 2 });
add(0, 0x1e, 'push', 'DS', 'pushSeg', { flags: 'i64', param: 3 });
add(0, 0x1f, 'pop', 'DS', 'popSeg', { flags: 'i64', param: 3 });
for (let r = 0; r < 8; r++) {
  add(0, 0x40 + r, 'inc', 'Zv', 'incZ', { flags: 'i64' });
  add(0, 0x48 + r, 'dec', 'Zv', 'decZ', { flags: 'i64' });
  add(0, 0x50 + r, 'push', 'Zv', 'pushZ', { flags: 'd64' });
  add(0, 0x58 + r, 'pop', 'Zv', 'popZ', { flags: 'd64' });
  add(0, 0x90 + r, r === 0 ? 'nop' : 'xchg', r === 0 ? '' : 'Zv,rAX', 'xchgZ');
  add(0, 0xb0 + r, 'mov', 'Zb,Ib', 'movZI');
  add(0, 0xb8 + r, 'mov', 'Zv,Iv', 'movZI');
  add(1, 0xc8 + r, 'bswap', 'Zv', 'bswap');
}
add(0, 0x60, 'pusha', '', 'pusha', { flags: 'i64' });
add(0, 0x61, 'popa', '', 'popa', { flags: 'i64' });
add(0, 0x63, 'movsxd', 'Gv,Ed', 'movsxd', { flags: 'o64' });
add(0, 0x68, 'push', 'Iz', 'pushI', { flags: 'd64' });
add(0, 0x69, 'imul', 'Gv,Ev,Iz', 'imul3');
add(0, 0x6a, 'push', 'sIb', 'pushI', { flags: 'd64' });
add(0, 0x6b, 'imul', 'Gv,Ev,sIb', 'imul3');
add(0, 0x6c, 'insb', 'b', 'ins', { param: 1 });
add(0, 0x6d, 'ins', 'v', 'ins');
add(0, 0x6e, 'outsb', 'b', 'outs', { param: 1 });
add(0, 0x6f, 'outs', 'v', 'outs');
for (let cc = 0; cc < 16; cc++) {
  add(0, 0x70 + cc, 'j' + CC_NAMES[cc], 'Jb', 'jcc', { flags: 'f64', param: cc });
  add(1, 0x80 + cc, 'j' + CC_NAMES[cc], 'Jz', 'jcc', { flags: 'f64', param: cc });
  add(1, 0x40 + cc, 'cmov' + CC_NAMES[cc], 'Gv,Ev', 'cmovcc', { param: cc });
  add(1, 0x90 + cc, 'set' + CC_NAMES[cc], 'Eb', 'setcc', { param: cc });
}
add(0, 0x84, 'test', 'Eb,Gb', 'testEG');
add(0, 0x85, 'test', 'Ev,Gv', 'testEG');
add(0, 0x86, 'xchg', 'Eb,Gb', 'xchgEG', { flags: 'lock' });
add(0, 0x87, 'xchg', 'Ev,Gv', 'xchgEG', { flags: 'lock' });
add(0, 0x88, 'mov', 'Eb,Gb', 'movEG');
add(0, 0x89, 'mov', 'Ev,Gv', 'movEG');
add(0, 0x8a, 'mov', 'Gb,Eb', 'movGE');
add(0, 0x8b, 'mov', 'Gv,Ev', 'movGE');
add(0, 0x8c, 'mov', 'Ev,Sw', 'movES');
add(0, 0x8d, 'lea', 'Gv,M', 'lea', { flags: 'mem' });
add(0, 0x8e, 'mov', 'Sw,Ew', 'movSE');
add(0, 0x8f, 'pop', 'Ev', 'popE', { reg: 0, flags: 'd64' });
add(0, 0x98, 'cbw', '', 'cbw');
add(0, 0x99, 'cwd', '', 'cwd');
add(0, 0x9a, 'call', 'Ap', 'callFarImm', { flags: 'i64' });
add(0, 0x9b, 'fwait', '', 'nop');
add(0, 0x9c, 'pushf', '', 'pushf', { flags: 'd64' });
add(0, 0x9d, 'popf', '', 'popf', { flags: 'd64' });
add(0, 0x9e, 'sahf', '', 'sahf');
add(0, 0x9f, 'lahf', '', 'lahf');
add(0, 0xa0, 'mov', 'AL,Ob', 'movAO');
add(0, 0xa1, 'mov', 'rAX,Ov', 'movAO');
add(0, 0xa2, 'mov', 'Ob,AL', 'movOA');
add(0, 0xa3, 'mov', 'Ov,rAX', 'movOA');
add(0, 0xa4, 'movsb', 'b', 'movs', { param: 1 });
add(0, 0xa5, 'movs', 'v', 'movs');
add(0, 0xa6, 'cmpsb', 'b', 'cmps', { param: 1 });
add(0, 0xa7, 'cmps', 'v', 'cmps');
add(0, 0xa8, 'test', 'AL,Ib', 'testAI');
add(0, 0xa9, 'test', 'rAX,Iz', 'testAI');
add(0, 0xaa, 'stosb', 'b', 'stos', { param: 1 });
add(0, 0xab, 'stos', 'v', 'stos');
add(0, 0xac, 'lodsb', 'b', 'lods', { param: 1 });
add(0, 0xad, 'lods', 'v', 'lods');
add(0, 0xae, 'scasb', 'b', 'scas', { param: 1 });
add(0, 0xaf, 'scas', 'v', 'scas');
for (let s = 0; s < 8; s++) {
  const mn = SHIFT_OPS[s];
  add(0, 0xc0, mn, 'Eb,Ib', 'shift', { reg: s, param: s });
  add(0, 0xc1, mn, 'Ev,Ib', 'shift', { reg: s, param: s });
  add(0, 0xd0, mn, 'Eb,1', 'shift', { reg: s, param: s });
  add(0, 0xd1, mn, 'Ev,1', 'shift', { reg: s, param: s });
  add(0, 0xd2, mn, 'Eb,CL', 'shift', { reg: s, param: s });
  add(0, 0xd3, mn, 'Ev,CL', 'shift', { reg: s, param: s });
}
add(0, 0xc2, 'ret', 'Iw', 'retNear', { flags: 'f64' });
add(0, 0xc3, 'ret', '', 'retNear', { flags: 'f64' });
add(0, 0xc6, 'mov', 'Eb,Ib', 'movEI', { reg: 0 });
add(0, 0xc7, 'mov', 'Ev,Iz', 'movEI', { reg: 0 });
add(0, 0xc8, 'enter', 'Iw,Ib', 'enter', { flags: 'd64' });
add(0, 0xc9, 'leave', '', 'leave', { flags: 'd64' });
add(0, 0xca, 'retf', 'Iw', 'retFar');
add(0, 0xcb, 'retf', '', 'retFar');
add(0, 0xcc, 'int3', '', 'int3');
add(0, 0xcd, 'int', 'Ib', 'intN');
add(0, 0xce, 'into', '', 'into', { flags: 'i64' });
add(0, 0xcf, 'iret', '', 'iret');
add(0, 0xd7, 'xlat', '', 'xlat');
add(0, 0xe0, 'loopne', 'Jb', 'loop', { flags: 'f64', param: 0 });
add(0, 0xe1, 'loope', 'Jb', 'loop', { flags: 'f64', param: 1 });
add(0, 0xe2, 'loop', 'Jb', 'loop', { flags: 'f64', param: 2 });
add(0, 0xe3, 'jrcxz', 'Jb', 'jrcxz', { flags: 'f64' });
add(0, 0xe4, 'in', 'AL,Ib', 'inI', { param: 1 });
add(0, 0xe5, 'in', 'eAX,Ib', 'inI');
add(0, 0xe6, 'out', 'Ib,AL', 'outI', { param: 1 });
add(0, 0xe7, 'out', 'Ib,eAX', 'outI');
add(0, 0xe8, 'call', 'Jz', 'callNear', { flags: 'f64' });
add(0, 0xe9, 'jmp', 'Jz', 'jmpNear', { flags: 'f64' });
add(0, 0xea, 'jmp', 'Ap', 'jmpFarImm', { flags: 'i64' });
add(0, 0xeb, 'jmp', 'Jb', 'jmpNear', { flags: 'f64' });
add(0, 0xec, 'in', 'AL,DX', 'inDX', { param: 1 });
add(0, 0xed, 'in', 'eAX,DX', 'inDX');
add(0, 0xee, 'out', 'DX,AL', 'outDX', { param: 1 });
add(0, 0xef, 'out', 'DX,eAX', 'outDX');
add(0, 0xf4, 'hlt', '', 'hlt');
add(0, 0xf5, 'cmc', '', 'flagOp', { param: 0 });
add(0, 0xf8, 'clc', '', 'flagOp', { param: 1 });
add(0, 0xf9, 'stc', '', 'flagOp', { param: 2 });
add(0, 0xfa, 'cli', '', 'cli');
add(0, 0xfb, 'sti', '', 'sti');
add(0, 0xfc, 'cld', '', 'flagOp', { param: 3 });
add(0, 0xfd, 'std', '', 'flagOp', { param: 4 });
for (const [op, sz] of [[0xf6, 'b'], [0xf7, 'v']] as const) {
  add(0, op, 'test', `E${sz},I${sz === 'b' ? 'b' : 'z'}`, 'testEI', { reg: 0 });
  add(0, op, 'test', `E${sz},I${sz === 'b' ? 'b' : 'z'}`, 'testEI', { reg: 1 });
  add(0, op, 'not', `E${sz}`, 'not', { reg: 2, flags: 'lock' });
  add(0, op, 'neg', `E${sz}`, 'neg', { reg: 3, flags: 'lock' });
  add(0, op, 'mul', `E${sz}`, 'mul', { reg: 4 });
  add(0, op, 'imul', `E${sz}`, 'imul1', { reg: 5 });
  add(0, op, 'div', `E${sz}`, 'div', { reg: 6 });
  add(0, op, 'idiv', `E${sz}`, 'idiv', { reg: 7 });
}
add(0, 0xfe, 'inc', 'Eb', 'incE', { reg: 0, flags: 'lock' });
add(0, 0xfe, 'dec', 'Eb', 'decE', { reg: 1, flags: 'lock' });
add(0, 0xff, 'inc', 'Ev', 'incE', { reg: 0, flags: 'lock' });
add(0, 0xff, 'dec', 'Ev', 'decE', { reg: 1, flags: 'lock' });
add(0, 0xff, 'call', 'Ev', 'callNearE', { reg: 2, flags: 'f64' });
add(0, 0xff, 'call', 'Mp', 'callFarM', { reg: 3, flags: 'mem' });
add(0, 0xff, 'jmp', 'Ev', 'jmpNearE', { reg: 4, flags: 'f64' });
add(0, 0xff, 'jmp', 'Mp', 'jmpFarM', { reg: 5, flags: 'mem' });
add(0, 0xff, 'push', 'Ev', 'pushE', { reg: 6, flags: 'd64' });

// x87 control only (SDM Vol. 2D A.5): no x87 arithmetic.
add(0, 0xd9, 'fldcw', 'Mw', 'fldcw', { reg: 5, flags: 'mem' });
add(0, 0xd9, 'fnstcw', 'Mw', 'fnstcw', { reg: 7, flags: 'mem' });
add(0, 0xdb, 'fninit', '', 'fninit', { modrm: 0xe3 });
add(0, 0xdd, 'fnstsw', 'Mw', 'fnstsw', { reg: 7, flags: 'mem' });
add(0, 0xdf, 'fnstsw', 'AX', 'fnstsw', { modrm: 0xe0 });

// ---- two-byte map (0F) ---------------------------------------------------------------------
add(1, 0x00, 'sldt', 'Ew', 'sldt', { reg: 0 });
add(1, 0x00, 'str', 'Ew', 'str', { reg: 1 });
add(1, 0x00, 'lldt', 'Ew', 'lldt', { reg: 2 });
add(1, 0x00, 'ltr', 'Ew', 'ltr', { reg: 3 });
add(1, 0x01, 'sgdt', 'M', 'sdt', { reg: 0, flags: 'mem', param: 2 });
add(1, 0x01, 'sidt', 'M', 'sdt', { reg: 1, flags: 'mem', param: 1 });
add(1, 0x01, 'lgdt', 'M', 'ldt', { reg: 2, flags: 'mem', param: 2 });
add(1, 0x01, 'lidt', 'M', 'ldt', { reg: 3, flags: 'mem', param: 1 });
add(1, 0x01, 'smsw', 'Ew', 'smsw', { reg: 4 });
add(1, 0x01, 'lmsw', 'Ew', 'lmsw', { reg: 6 });
add(1, 0x01, 'invlpg', 'M', 'invlpg', { reg: 7, flags: 'mem' });
add(1, 0x01, 'vmcall', '', 'hypercall', { modrm: 0xc1, flags: 'np' });
add(1, 0x01, 'clac', '', 'flagOp', { modrm: 0xca, flags: 'np', param: 5 });
add(1, 0x01, 'stac', '', 'flagOp', { modrm: 0xcb, flags: 'np', param: 6 });
add(1, 0x01, 'xgetbv', '', 'xgetbv', { modrm: 0xd0, flags: 'np' });
add(1, 0x01, 'xsetbv', '', 'xsetbv', { modrm: 0xd1, flags: 'np' });
add(1, 0x01, 'vmmcall', '', 'hypercall', { modrm: 0xd9 });
add(1, 0x01, 'swapgs', '', 'swapgs', { modrm: 0xf8, flags: 'o64' });
add(1, 0x01, 'rdtscp', '', 'rdtscp', { modrm: 0xf9 });
add(1, 0x05, 'syscall', '', 'syscall');
add(1, 0x06, 'clts', '', 'clts');
add(1, 0x07, 'sysret', '', 'sysret');
add(1, 0x08, 'invd', '', 'cacheOp');
add(1, 0x09, 'wbinvd', '', 'cacheOp');
add(1, 0x0b, 'ud2', '', 'ud2');
add(1, 0x0d, 'prefetchw', 'M', 'nop', { reg: 1, flags: 'mem' });
for (let r = 0; r < 4; r++) add(1, 0x18, 'prefetch', 'M', 'nop', { reg: r, flags: 'mem' });
for (let r = 0; r < 8; r++) add(1, 0x1f, 'nop', 'Ev', 'nop', { reg: r });
add(1, 0x20, 'mov', 'Rq,Cq', 'movRC', { flags: 'forcereg' });
add(1, 0x21, 'mov', 'Rq,Dq', 'movRD', { flags: 'forcereg' });
add(1, 0x22, 'mov', 'Cq,Rq', 'movCR', { flags: 'forcereg' });
add(1, 0x23, 'mov', 'Dq,Rq', 'movDR', { flags: 'forcereg' });
add(1, 0x30, 'wrmsr', '', 'wrmsr');
add(1, 0x31, 'rdtsc', '', 'rdtsc');
add(1, 0x32, 'rdmsr', '', 'rdmsr');
add(1, 0x34, 'sysenter', '', 'sysenter');
add(1, 0x35, 'sysexit', '', 'sysexit');
add(1, 0xa0, 'push', 'FS', 'pushSeg', { flags: 'd64', param: 4 });
add(1, 0xa1, 'pop', 'FS', 'popSeg', { flags: 'd64', param: 4 });
add(1, 0xa2, 'cpuid', '', 'cpuid');
add(1, 0xa3, 'bt', 'Ev,Gv', 'btG', { param: 0 });
add(1, 0xa4, 'shld', 'Ev,Gv,Ib', 'shld');
add(1, 0xa5, 'shld', 'Ev,Gv,CL', 'shld');
add(1, 0xa8, 'push', 'GS', 'pushSeg', { flags: 'd64', param: 5 });
add(1, 0xa9, 'pop', 'GS', 'popSeg', { flags: 'd64', param: 5 });
add(1, 0xab, 'bts', 'Ev,Gv', 'btG', { flags: 'lock', param: 1 });
add(1, 0xac, 'shrd', 'Ev,Gv,Ib', 'shrd');
add(1, 0xad, 'shrd', 'Ev,Gv,CL', 'shrd');
add(1, 0xae, 'fxsave', 'M', 'fxsave', { reg: 0, flags: 'mem np' });
add(1, 0xae, 'fxrstor', 'M', 'fxrstor', { reg: 1, flags: 'mem np' });
add(1, 0xae, 'ldmxcsr', 'Md', 'ldmxcsr', { reg: 2, flags: 'mem np' });
add(1, 0xae, 'stmxcsr', 'Md', 'stmxcsr', { reg: 3, flags: 'mem np' });
add(1, 0xae, 'xsave', 'M', 'xsave', { reg: 4, flags: 'mem np' });
add(1, 0xae, 'xrstor', 'M', 'xrstor', { reg: 5, flags: 'mem np' });
add(1, 0xae, 'clflush', 'M', 'clflush', { reg: 7, flags: 'mem' });
add(1, 0xae, 'lfence', '', 'nop', { modrm: 0xe8, flags: 'np' });
add(1, 0xae, 'mfence', '', 'nop', { modrm: 0xf0, flags: 'np' });
add(1, 0xae, 'sfence', '', 'nop', { modrm: 0xf8, flags: 'np' });
add(1, 0xaf, 'imul', 'Gv,Ev', 'imul2');
add(1, 0xb0, 'cmpxchg', 'Eb,Gb', 'cmpxchg', { flags: 'lock' });
add(1, 0xb1, 'cmpxchg', 'Ev,Gv', 'cmpxchg', { flags: 'lock' });
add(1, 0xb2, 'lss', 'Gv,Mp', 'loadFarPtr', { flags: 'mem', param: 2 });
add(1, 0xb3, 'btr', 'Ev,Gv', 'btG', { flags: 'lock', param: 2 });
add(1, 0xb4, 'lfs', 'Gv,Mp', 'loadFarPtr', { flags: 'mem', param: 4 });
add(1, 0xb5, 'lgs', 'Gv,Mp', 'loadFarPtr', { flags: 'mem', param: 5 });
add(1, 0xb6, 'movzx', 'Gv,Eb', 'movzx');
add(1, 0xb7, 'movzx', 'Gv,Ew', 'movzx');
add(1, 0xb8, 'popcnt', 'Gv,Ev', 'popcnt', { pfx: 0xf3 });
add(1, 0xba, 'bt', 'Ev,Ib', 'btI', { reg: 4, param: 0 });
add(1, 0xba, 'bts', 'Ev,Ib', 'btI', { reg: 5, flags: 'lock', param: 1 });
add(1, 0xba, 'btr', 'Ev,Ib', 'btI', { reg: 6, flags: 'lock', param: 2 });
add(1, 0xba, 'btc', 'Ev,Ib', 'btI', { reg: 7, flags: 'lock', param: 3 });
add(1, 0xbb, 'btc', 'Ev,Gv', 'btG', { flags: 'lock', param: 3 });
add(1, 0xbc, 'bsf', 'Gv,Ev', 'bsf');
add(1, 0xbc, 'tzcnt', 'Gv,Ev', 'tzcnt', { pfx: 0xf3 });
add(1, 0xbd, 'bsr', 'Gv,Ev', 'bsr');
add(1, 0xbd, 'lzcnt', 'Gv,Ev', 'lzcnt', { pfx: 0xf3 });
add(1, 0xbe, 'movsx', 'Gv,Eb', 'movsx');
add(1, 0xbf, 'movsx', 'Gv,Ew', 'movsx');
add(1, 0xc0, 'xadd', 'Eb,Gb', 'xadd', { flags: 'lock' });
add(1, 0xc1, 'xadd', 'Ev,Gv', 'xadd', { flags: 'lock' });
add(1, 0xc7, 'cmpxchg8b', 'Mq', 'cmpxchg8b', { reg: 1, flags: 'mem lock' });

// ---- SSE/SSE2 subset (0F map with mandatory prefixes, SDM Vol. 2D Table A-3) -----------------
function sse(op: number, pfx: number, mnemonic: string, ops: string, handler: string, param = 0, reg = -1): void {
  add(1, op, mnemonic, ops, handler, { pfx, param, reg });
}
sse(0x10, 0, 'movups', 'Vx,Wx', 'movVW'); sse(0x11, 0, 'movups', 'Wx,Vx', 'movWV');
sse(0x10, 0x66, 'movupd', 'Vx,Wx', 'movVW'); sse(0x11, 0x66, 'movupd', 'Wx,Vx', 'movWV');
sse(0x10, 0xf3, 'movss', 'Vx,Wd', 'movScalarVW', 4); sse(0x11, 0xf3, 'movss', 'Wd,Vx', 'movScalarWV', 4);
sse(0x10, 0xf2, 'movsd', 'Vx,Wq', 'movScalarVW', 8); sse(0x11, 0xf2, 'movsd', 'Wq,Vx', 'movScalarWV', 8);
sse(0x28, 0, 'movaps', 'Vx,Wx', 'movVW', 1); sse(0x29, 0, 'movaps', 'Wx,Vx', 'movWV', 1);
sse(0x28, 0x66, 'movapd', 'Vx,Wx', 'movVW', 1); sse(0x29, 0x66, 'movapd', 'Wx,Vx', 'movWV', 1);
sse(0x2a, 0xf3, 'cvtsi2ss', 'Vx,Ey', 'cvtsi2fp', 4); sse(0x2a, 0xf2, 'cvtsi2sd', 'Vx,Ey', 'cvtsi2fp', 8);
sse(0x2c, 0xf3, 'cvttss2si', 'Gy,Wd', 'cvtfp2si', 4 | 16); sse(0x2c, 0xf2, 'cvttsd2si', 'Gy,Wq', 'cvtfp2si', 8 | 16);
sse(0x2d, 0xf3, 'cvtss2si', 'Gy,Wd', 'cvtfp2si', 4); sse(0x2d, 0xf2, 'cvtsd2si', 'Gy,Wq', 'cvtfp2si', 8);
sse(0x2e, 0, 'ucomiss', 'Vx,Wd', 'comis', 4); sse(0x2e, 0x66, 'ucomisd', 'Vx,Wq', 'comis', 8);
sse(0x2f, 0, 'comiss', 'Vx,Wd', 'comis', 4 | 16); sse(0x2f, 0x66, 'comisd', 'Vx,Wq', 'comis', 8 | 16);
sse(0x51, 0xf3, 'sqrtss', 'Vx,Wd', 'scalarFp', 4 | (4 << 8)); sse(0x51, 0xf2, 'sqrtsd', 'Vx,Wq', 'scalarFp', 8 | (4 << 8));
const fpOps: [number, string, number][] = [[0x58, 'add', 0], [0x59, 'mul', 1], [0x5c, 'sub', 2], [0x5e, 'div', 3],
  [0x5d, 'min', 5], [0x5f, 'max', 6]];
for (const [op, name, k] of fpOps) {
  sse(op, 0xf3, name + 'ss', 'Vx,Wd', 'scalarFp', 4 | (k << 8));
  sse(op, 0xf2, name + 'sd', 'Vx,Wq', 'scalarFp', 8 | (k << 8));
}
sse(0x5a, 0xf3, 'cvtss2sd', 'Vx,Wd', 'cvtfp2fp', 4); sse(0x5a, 0xf2, 'cvtsd2ss', 'Vx,Wq', 'cvtfp2fp', 8);
const logicOps: [number, number, string, number][] = [[0x54, 0, 'andps', 0], [0x54, 0x66, 'andpd', 0],
  [0x55, 0, 'andnps', 1], [0x55, 0x66, 'andnpd', 1], [0x56, 0, 'orps', 2], [0x56, 0x66, 'orpd', 2],
  [0x57, 0, 'xorps', 3], [0x57, 0x66, 'xorpd', 3], [0xdb, 0x66, 'pand', 0], [0xdf, 0x66, 'pandn', 1],
  [0xeb, 0x66, 'por', 2], [0xef, 0x66, 'pxor', 3]];
for (const [op, pfx, name, k] of logicOps) sse(op, pfx, name, 'Vx,Wx', 'vecLogic', k);
// Packed integer lanes: param = lane bytes | operation << 8 (0 add, 1 sub, 2 cmpeq, 3 unpack low, 4 unpack high).
const packed: [number, string, number][] = [[0xfc, 'paddb', 1], [0xfd, 'paddw', 2], [0xfe, 'paddd', 4], [0xd4, 'paddq', 8],
  [0xf8, 'psubb', 1 | 256], [0xf9, 'psubw', 2 | 256], [0xfa, 'psubd', 4 | 256], [0xfb, 'psubq', 8 | 256],
  [0x74, 'pcmpeqb', 1 | 512], [0x75, 'pcmpeqw', 2 | 512], [0x76, 'pcmpeqd', 4 | 512],
  [0x60, 'punpcklbw', 1 | 768], [0x61, 'punpcklwd', 2 | 768], [0x62, 'punpckldq', 4 | 768], [0x6c, 'punpcklqdq', 8 | 768],
  [0x68, 'punpckhbw', 1 | 1024], [0x69, 'punpckhwd', 2 | 1024], [0x6a, 'punpckhdq', 4 | 1024], [0x6d, 'punpckhqdq', 8 | 1024]];
for (const [op, name, k] of packed) sse(op, 0x66, name, 'Vx,Wx', 'packedInt', k);
sse(0x6e, 0x66, 'movd', 'Vx,Ey', 'movdToXmm'); sse(0x7e, 0x66, 'movd', 'Ey,Vx', 'movdFromXmm');
sse(0x6f, 0x66, 'movdqa', 'Vx,Wx', 'movVW', 1); sse(0x7f, 0x66, 'movdqa', 'Wx,Vx', 'movWV', 1);
sse(0x6f, 0xf3, 'movdqu', 'Vx,Wx', 'movVW'); sse(0x7f, 0xf3, 'movdqu', 'Wx,Vx', 'movWV');
sse(0x7e, 0xf3, 'movq', 'Vx,Wq', 'movqToXmm'); sse(0xd6, 0x66, 'movq', 'Wq,Vx', 'movqFromXmm');
sse(0x70, 0x66, 'pshufd', 'Vx,Wx,Ib', 'pshufd');
add(1, 0xd7, 'pmovmskb', 'Gd,Ux', 'pmovmskb', { pfx: 0x66, flags: 'reg' });

// Packed integer extras (param indexes INT_OPS in exec/ssePacked.ts).
const intOps: [number, string][] = [[0x64, 'pcmpgtb'], [0x65, 'pcmpgtw'], [0x66, 'pcmpgtd'], [0xda, 'pminub'], [0xde, 'pmaxub'],
  [0xea, 'pminsw'], [0xee, 'pmaxsw'], [0xd5, 'pmullw'], [0xe5, 'pmulhw'], [0xe4, 'pmulhuw'], [0xf4, 'pmuludq'],
  [0xdc, 'paddusb'], [0xdd, 'paddusw'], [0xd8, 'psubusb'], [0xd9, 'psubusw'], [0xec, 'paddsb'], [0xed, 'paddsw'],
  [0xe8, 'psubsb'], [0xe9, 'psubsw'], [0x63, 'packsswb'], [0x67, 'packuswb'], [0x6b, 'packssdw'], [0xe0, 'pavgb'],
  [0xe3, 'pavgw'], [0xf6, 'psadbw'], [0xf5, 'pmaddwd']];
intOps.forEach(([op, name], k) => sse(op, 0x66, name, 'Vx,Wx', 'packedIntOp', k));
// Packed shifts: by XMM (param lane | kind << 4) and by imm8 (groups 12-14, | 0x100).
const shiftsX: [number, string, number][] = [[0xd1, 'psrlw', 2], [0xd2, 'psrld', 4], [0xd3, 'psrlq', 8], [0xe1, 'psraw', 0x12],
  [0xe2, 'psrad', 0x14], [0xf1, 'psllw', 0x22], [0xf2, 'pslld', 0x24], [0xf3, 'psllq', 0x28]];
for (const [op, name, k] of shiftsX) sse(op, 0x66, name, 'Vx,Wx', 'packedShift', k);
const shiftsI: [number, number, string, number][] = [[0x71, 2, 'psrlw', 2], [0x71, 4, 'psraw', 0x12], [0x71, 6, 'psllw', 0x22],
  [0x72, 2, 'psrld', 4], [0x72, 4, 'psrad', 0x14], [0x72, 6, 'pslld', 0x24], [0x73, 2, 'psrlq', 8], [0x73, 6, 'psllq', 0x28]];
for (const [op, reg, name, k] of shiftsI) add(1, op, name, 'Ux,Ib', 'packedShift', { pfx: 0x66, reg, param: k | 0x100, flags: 'reg' });
add(1, 0x73, 'psrldq', 'Ux,Ib', 'byteShift', { pfx: 0x66, reg: 3, param: 0, flags: 'reg' });
add(1, 0x73, 'pslldq', 'Ux,Ib', 'byteShift', { pfx: 0x66, reg: 7, param: 1, flags: 'reg' });
sse(0x70, 0xf2, 'pshuflw', 'Vx,Wx,Ib', 'pshufw', 0); sse(0x70, 0xf3, 'pshufhw', 'Vx,Wx,Ib', 'pshufw', 1);
sse(0xc6, 0, 'shufps', 'Vx,Wx,Ib', 'shufp', 0); sse(0xc6, 0x66, 'shufpd', 'Vx,Wx,Ib', 'shufp', 1);
sse(0x14, 0, 'unpcklps', 'Vx,Wx', 'unpckp', 0); sse(0x15, 0, 'unpckhps', 'Vx,Wx', 'unpckp', 1);
sse(0x14, 0x66, 'unpcklpd', 'Vx,Wx', 'unpckp', 2); sse(0x15, 0x66, 'unpckhpd', 'Vx,Wx', 'unpckp', 3);
sse(0x12, 0, 'movlps', 'Vx,Wq', 'movHalfLoad', 0); sse(0x16, 0, 'movhps', 'Vx,Wq', 'movHalfLoad', 1);
add(1, 0x12, 'movlpd', 'Vx,Mq', 'movHalfLoad', { pfx: 0x66, param: 0, flags: 'mem' });
add(1, 0x16, 'movhpd', 'Vx,Mq', 'movHalfLoad', { pfx: 0x66, param: 1, flags: 'mem' });
add(1, 0x13, 'movlps', 'Mq,Vx', 'movHalfStore', { param: 0, flags: 'mem' });
add(1, 0x17, 'movhps', 'Mq,Vx', 'movHalfStore', { param: 1, flags: 'mem' });
add(1, 0x13, 'movlpd', 'Mq,Vx', 'movHalfStore', { pfx: 0x66, param: 0, flags: 'mem' });
add(1, 0x17, 'movhpd', 'Mq,Vx', 'movHalfStore', { pfx: 0x66, param: 1, flags: 'mem' });
add(1, 0x50, 'movmskps', 'Gd,Ux', 'movmskp', { param: 4, flags: 'reg' });
add(1, 0x50, 'movmskpd', 'Gd,Ux', 'movmskp', { pfx: 0x66, param: 8, flags: 'reg' });
add(1, 0x2b, 'movntps', 'Mx,Vx', 'movntStore', { flags: 'mem' });
add(1, 0x2b, 'movntpd', 'Mx,Vx', 'movntStore', { pfx: 0x66, flags: 'mem' });
add(1, 0xe7, 'movntdq', 'Mx,Vx', 'movntStore', { pfx: 0x66, flags: 'mem' });
add(1, 0xc3, 'movnti', 'My,Gy', 'movnti', { flags: 'mem np' });
add(1, 0xc4, 'pinsrw', 'Vx,Ew,Ib', 'pinsrw', { pfx: 0x66 });
add(1, 0xc5, 'pextrw', 'Gd,Ux,Ib', 'pextrw', { pfx: 0x66, flags: 'reg' });
sse(0x5b, 0, 'cvtdq2ps', 'Vx,Wx', 'packedConvert', 0); sse(0x5b, 0x66, 'cvtps2dq', 'Vx,Wx', 'packedConvert', 1);
sse(0x5b, 0xf3, 'cvttps2dq', 'Vx,Wx', 'packedConvert', 2); sse(0xe6, 0xf3, 'cvtdq2pd', 'Vx,Wq', 'packedConvert', 3);
sse(0xe6, 0x66, 'cvttpd2dq', 'Vx,Wx', 'packedConvert', 4); sse(0xe6, 0xf2, 'cvtpd2dq', 'Vx,Wx', 'packedConvert', 5);
sse(0x5a, 0, 'cvtps2pd', 'Vx,Wq', 'packedConvert', 6); sse(0x5a, 0x66, 'cvtpd2ps', 'Vx,Wx', 'packedConvert', 7);
for (const [op, name, k] of fpOps) {
  sse(op, 0, name + 'ps', 'Vx,Wx', 'packedFp', 4 | (k << 8));
  sse(op, 0x66, name + 'pd', 'Vx,Wx', 'packedFp', 8 | (k << 8));
}
sse(0x51, 0, 'sqrtps', 'Vx,Wx', 'packedFp', 4 | (4 << 8)); sse(0x51, 0x66, 'sqrtpd', 'Vx,Wx', 'packedFp', 8 | (4 << 8));
sse(0xc2, 0, 'cmpps', 'Vx,Wx,Ib', 'fpCompare', 4); sse(0xc2, 0x66, 'cmppd', 'Vx,Wx,Ib', 'fpCompare', 8);
sse(0xc2, 0xf3, 'cmpss', 'Vx,Wd,Ib', 'fpCompare', 4 | 256); sse(0xc2, 0xf2, 'cmpsd', 'Vx,Wq,Ib', 'fpCompare', 8 | 256);

/** The full opcode table, in declaration order. */
export const OPCODES: readonly OpcodeEntry[] = table;
