// Differential ISA testing against the host CPU: builds the native runner (native/nativeRunner.c)
// with `cc`, generates random user-mode instruction sequences from the opcode table with memory
// operands pointing into a scratch block, runs each natively (ring 3, 64-bit or compatibility mode)
// and on X86Cpu at CPL 3 in the same mode, and compares GPRs (low halves in compatibility mode),
// RFLAGS (minus flags the SDM leaves undefined for the instructions run), XMM registers and the
// scratch block. Used by nativeDiff.test.ts (small, fixed seed) and
// test/bench/fuzzIsa.ts (long runs).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from '../../../src/vmm/x86/decoder';
import { DecodedInsn, NO_REG, RIP_BASE } from '../../../src/vmm/x86/decodedInsn';
import { OPCODES, type OpcodeEntry } from '../../../src/vmm/x86/opcodeTable';
import { emptySegment } from '../../../src/vmm/x86/kvmState';
import { encode, rng, validIn } from './encodingGenerator';
import { HANDLERS, longMode, newMachine, type TestMachine } from './testMachine';

export const CODE_ADDR = 0x300000;
export const SCRATCH_ADDR = 0x400000;
const SCRATCH_SIZE = 4096;
const IN_SIZE = 4 + 64 + 4 + 128 + 8 + 256 + SCRATCH_SIZE;
const OUT_SIZE = 8 + 128 + 8 + 256 + SCRATCH_SIZE;
const root = join(__dirname, '..', '..', '..');
const RUNNER = join(root, 'test', '.artifacts', 'x86-native-runner');

const CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800, DF = 0x400;
const ALL = CF | PF | AF | ZF | SF | OF;

/** Builds the native runner; returns a reason string when it cannot run here. */
export function buildRunner(): string | undefined {
  if (process.platform !== 'linux' || process.arch !== 'x64') return 'the native runner needs Linux on x86-64';
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'no C compiler (cc) on this machine';
  }
  mkdirSync(join(root, 'test', '.artifacts'), { recursive: true });
  execFileSync('cc', ['-O1', '-o', RUNNER, join(__dirname, 'native', 'nativeRunner.c')]);
  return existsSync(RUNNER) ? undefined : 'the native runner did not build';
}

/** Handlers excluded from fuzzing: privileged, branches, I/O, host-dependent values, FP state images. */
const EXCLUDED = new Set(['pushSeg', 'popSeg', 'callFarImm', 'jmpFarImm', 'callFarM', 'jmpFarM', 'retFar', 'retNear',
  'jcc', 'jmpNear', 'jmpNearE', 'callNear', 'callNearE', 'loop', 'jrcxz', 'int3', 'intN', 'into', 'iret', 'hlt', 'cli', 'sti',
  'inI', 'outI', 'inDX', 'outDX', 'ins', 'outs', 'enter', 'leave', 'popf', 'movES', 'movSE', 'loadFarPtr', 'sldt', 'str',
  'lldt', 'ltr', 'sdt', 'ldt', 'smsw', 'lmsw', 'invlpg', 'hypercall', 'xgetbv', 'xsetbv', 'swapgs', 'rdtscp', 'syscall',
  'clts', 'sysret', 'cacheOp', 'movRC', 'movRD', 'movCR', 'movDR', 'wrmsr', 'rdtsc', 'rdmsr', 'sysenter', 'sysexit', 'cpuid',
  'fxsave', 'fxrstor', 'xsave', 'xrstor', 'ldmxcsr', 'pusha', 'popa', 'xlat',
  // MXCSR exception flags are not modelled, and STMXCSR is the instruction that would show them.
  'stmxcsr']);
const FLAG_READERS = new Set(['adc', 'sbb', 'rcl', 'rcr', 'lahf', 'pushf', 'cmc']);

function readsFlags(e: OpcodeEntry): boolean {
  return FLAG_READERS.has(e.mnemonic) || e.handler === 'cmovcc' || e.handler === 'setcc';
}

/** Status flags an instruction leaves undefined (SDM instruction pages, "Flags Affected"). */
function undefinedFlags(e: OpcodeEntry, d: DecodedInsn): number {
  const m = e.mnemonic;
  if (['and', 'or', 'xor', 'test'].includes(m)) return AF;
  if (m === 'mul' || m === 'imul') return SF | ZF | AF | PF;
  if (m === 'div' || m === 'idiv') return ALL;
  if (e.handler === 'shift' || m === 'shld' || m === 'shrd') return AF | OF;
  if (e.handler === 'btG' || e.handler === 'btI') return OF | SF | AF | PF;
  if (m === 'bsf' || m === 'bsr') return CF | OF | SF | AF | PF;
  if (m === 'lzcnt' || m === 'tzcnt') return OF | SF | AF | PF;
  void d;
  return 0;
}

/** Flag effects that clear the accumulated undefined set (instructions defining all six flags). */
function definesAll(e: OpcodeEntry): boolean {
  return ['add', 'sub', 'cmp', 'neg', 'popcnt', 'cmpxchg', 'xadd', 'comiss', 'comisd', 'ucomiss', 'ucomisd'].includes(e.mnemonic)
    || e.handler === 'cmps' || e.handler === 'scas';
}

export interface TestCase {
  /** Code size: 8 = 64-bit mode, 4 = compatibility mode (32-bit code). */
  mode: 4 | 8;
  code: Uint8Array;
  insns: DecodedInsn[];
  gpr: bigint[];
  rflags: bigint;
  xmm: Uint8Array;
  scratch: Uint8Array;
  flagMask: number;
  text: string;
}

function candidates(mode: 4 | 8): OpcodeEntry[] {
  return OPCODES.filter((e) => validIn(e, mode) && !EXCLUDED.has(e.handler) && !(e.mnemonic === 'clac' || e.mnemonic === 'stac'));
}
const CANDIDATES = { 4: candidates(4), 8: candidates(8) };

function randomValue(rand: () => number): bigint {
  const k = rand();
  const r32 = () => BigInt(Math.floor(rand() * 2 ** 32));
  if (k < 0.2) return BigInt(Math.floor(rand() * 64));
  if (k < 0.35) return [0n, 0xffffffffffffffffn, 0x80000000n, 0x7fffffffn, 0x8000000000000000n, 0xffffffffn, 0xffn, 0x80n][Math.floor(rand() * 8)];
  if (k < 0.5) return r32();
  return (r32() << 32n) | r32();
}

/** Registers an instruction names explicitly (ModRM reg/rm, opcode register); XMM fields excluded. */
function explicitGprs(d: DecodedInsn): number[] {
  const ops = d.entry.ops;
  const out: number[] = [];
  if (/(^|,)G/.test(ops)) out.push(d.reg);
  if (/(^|,)E/.test(ops) && !d.hasMem) out.push(d.rm);
  if (/(^|,)Z/.test(ops) || d.entry.handler === 'xchgZ') out.push(d.opReg);
  return out;
}

/** Base registers for memory operands: none of them is used implicitly by any fuzzed instruction. */
const POINTER_BASES = { 8: [5, 8, 9, 10, 11, 12, 13, 14, 15], 4: [5] };

/** Generates one random case: 1-3 instructions, registers, flags, XMM and scratch contents. */
export function generateCase(rand: () => number, mode: 4 | 8 = 8): TestCase {
  for (;;) {
    const c = tryCase(rand, mode);
    if (c) return c;
  }
}

function tryCase(rand: () => number, mode: 4 | 8): TestCase | undefined {
  const bases = POINTER_BASES[mode];
  const gpr = Array.from({ length: 16 }, () => randomValue(rand));
  const insns: DecodedInsn[] = [];
  const bytes: number[] = [];
  let undef = 0;
  let pointer = -1, index = -1;
  const count = 1 + Math.floor(rand() * 3);
  let text = '';
  for (let tries = 0; insns.length < count; tries++) {
    if (tries > 1000) return undefined;
    const e = CANDIDATES[mode][Math.floor(rand() * CANDIDATES[mode].length)];
    if (readsFlags(e) && undef) continue;
    const enc = encode(e, rand, { mode, memory: true, addressPrefix: true, segmentPrefix: false, operandPrefix: true,
      modrmFilter: (modrm) => (modrm >> 6) === 3 || (modrm >> 6) === 1 });
    if (!enc) continue;
    const d = decode(enc, 0, 16, mode);
    if (!(d instanceof DecodedInsn)) continue;
    if (d.hasMem && !d.hasModrm) continue; // moffs forms: absolute addresses
    if (d.hasMem && (d.base === NO_REG || d.base === RIP_BASE || !bases.includes(d.base))) continue;
    if (d.hasMem && pointer >= 0 && d.base !== pointer) continue;
    if (d.hasMem && d.index !== NO_REG && (!bases.includes(d.index) || d.index === d.base)) continue;
    if (d.hasMem && d.index !== NO_REG && index >= 0 && d.index !== index) continue;
    if (e.mnemonic === 'bswap' && d.opsize === 2) continue;
    if ((e.mnemonic === 'shld' || e.mnemonic === 'shrd') && d.opsize === 2) continue;
    if (d.hasMem) pointer = d.base;
    if (d.hasMem && d.index !== NO_REG) index = d.index;
    bytes.push(...enc.subarray(0, d.len));
    insns.push(d);
    text += `${e.mnemonic}(${[...enc.subarray(0, d.len)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}) `;
    undef = definesAll(e) ? undefinedFlags(e, d) : undef | undefinedFlags(e, d);
    if (['and', 'or', 'xor', 'test'].includes(e.mnemonic)) undef = AF;
  }
  if (pointer >= 0) {
    if (insns.some((d) => explicitGprs(d).includes(pointer) || (index >= 0 && explicitGprs(d).includes(index)))) return undefined;
    gpr[pointer] = BigInt(SCRATCH_ADDR + 256 + Math.floor(rand() * 1024));
    // The index register holds a small value, negative one time in four (scaled by up to 8).
    if (index >= 0) gpr[index] = BigInt.asUintN(64, BigInt(Math.floor(rand() * 64) * (rand() < 0.25 ? -1 : 1)));
  }
  // String instructions: pointers into the scratch block and a small count.
  if (insns.some((d) => ['movs', 'cmps', 'stos', 'lods', 'scas'].includes(d.entry.handler))) {
    gpr[6] = BigInt(SCRATCH_ADDR + 512 + Math.floor(rand() * 512));
    gpr[7] = BigInt(SCRATCH_ADDR + 1536 + Math.floor(rand() * 512));
    gpr[1] = BigInt(Math.floor(rand() * 24));
  }
  gpr[4] = BigInt(SCRATCH_ADDR + 3584);
  const xmm = new Uint8Array(256).map(() => Math.floor(rand() * 256));
  const scratch = new Uint8Array(SCRATCH_SIZE).map(() => Math.floor(rand() * 256));
  let flags = 0x202;
  for (const f of [CF, PF, AF, ZF, SF, OF]) if (rand() < 0.5) flags |= f;
  if (rand() < 0.1) flags |= DF;
  return { mode, code: new Uint8Array(bytes), insns, gpr, rflags: BigInt(flags), xmm, scratch, flagMask: (ALL | DF) & ~undef, text };
}

export interface Outcome {
  signal: number;
  gpr: bigint[];
  rflags: bigint;
  xmm: Uint8Array;
  scratch: Uint8Array;
}

/** Runs cases natively in one runner process. */
export function runNative(cases: TestCase[]): Outcome[] {
  const input = Buffer.alloc(IN_SIZE * cases.length);
  cases.forEach((c, i) => {
    const o = i * IN_SIZE;
    input.writeUInt32LE(c.code.length, o);
    input.set(c.code, o + 4);
    input.writeUInt32LE(c.mode, o + 68);
    c.gpr.forEach((v, k) => input.writeBigUInt64LE(v, o + 72 + k * 8));
    input.writeBigUInt64LE(c.rflags, o + 200);
    input.set(c.xmm, o + 208);
    input.set(c.scratch, o + 464);
  });
  const r = spawnSync(RUNNER, [], { input, maxBuffer: OUT_SIZE * cases.length + 1024 });
  if (r.status !== 0) throw new Error(`native runner failed (${r.status}): ${r.stderr}`);
  const out = r.stdout;
  return cases.map((_, i) => {
    const o = i * OUT_SIZE;
    return {
      signal: out.readUInt32LE(o),
      gpr: Array.from({ length: 16 }, (_, k) => out.readBigUInt64LE(o + 8 + k * 8)),
      rflags: out.readBigUInt64LE(o + 136),
      xmm: new Uint8Array(out.subarray(o + 144, o + 400)),
      scratch: new Uint8Array(out.subarray(o + 400, o + 400 + SCRATCH_SIZE)),
    };
  });
}

const TSS = 0x7000;

/**
 * A long-mode machine running at CPL 3 (64-bit or compatibility mode) with a TSS for exception
 * delivery. Only the code and scratch pages are user-accessible, as in the native runner's address
 * space; everything else faults.
 */
export function userMachine(mode: 4 | 8 = 8): TestMachine {
  const m = newMachine();
  longMode(m);
  const PT_CODE = 0x5000, PT_SCRATCH = 0x6000;
  for (let i = 0; i < 512; i++) {
    m.dv.setBigUint64(0x4000 + i * 8, m.dv.getBigUint64(0x4000 + i * 8, true) & ~4n, true);
    m.dv.setBigUint64(PT_CODE + i * 8, BigInt(0x200000 + i * 4096) | (0x200000 + i * 4096 === CODE_ADDR ? 7n : 3n), true);
    m.dv.setBigUint64(PT_SCRATCH + i * 8, BigInt(0x400000 + i * 4096) | (0x400000 + i * 4096 === SCRATCH_ADDR ? 7n : 3n), true);
  }
  m.dv.setBigUint64(0x3000 + 8, BigInt(PT_CODE | 7), true);
  m.dv.setBigUint64(0x3000 + 16, BigInt(PT_SCRATCH | 7), true);
  m.dv.setBigUint64(0x3000 + 24, 0x600000n | 0x83n, true);
  m.dv.setBigUint64(TSS + 4, 0x7f000n, true); // RSP0
  const s = m.cpu.getSregs();
  s.cs = mode === 8
    ? { ...emptySegment(), selector: 0x2b, type: 0xb, present: 1, s: 1, dpl: 3, l: 1, g: 1, limit: 0xffffffff }
    : { ...emptySegment(), selector: 0x33, type: 0xb, present: 1, s: 1, dpl: 3, db: 1, g: 1, limit: 0xffffffff };
  s.ss = { ...emptySegment(), selector: 0x23, type: 3, present: 1, s: 1, dpl: 3, db: 1, g: 1, limit: 0xffffffff };
  s.tr = { ...emptySegment(), base: BigInt(TSS), limit: 0x67, type: 0xb, present: 1 };
  m.cpu.setSregs(s);
  return m;
}

/** Linux's signal for a user-mode exception: #DE SIGFPE, #UD SIGILL, #SS SIGBUS, #GP/#PF SIGSEGV, #AC SIGBUS. */
const VECTOR_SIGNAL: Record<number, number> = { 0: 8, 6: 4, 12: 7, 13: 11, 14: 11, 17: 7 };

/** Runs one case on the emulator; the signal is 0 or the one Linux would send for the exception. */
export function runEmulated(c: TestCase, m: TestMachine = userMachine(c.mode)): Outcome {
  m.ram.fill(0, CODE_ADDR, CODE_ADDR + 4096);
  m.ram.set(c.code, CODE_ADDR);
  m.ram.set(c.scratch, SCRATCH_ADDR);
  const names = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;
  const regs = m.cpu.getRegs();
  names.forEach((n, k) => { regs[n] = c.gpr[k]; });
  regs.rip = BigInt(CODE_ADDR);
  regs.rflags = c.rflags;
  m.cpu.setRegs(regs);
  const xs = m.cpu.getXsave();
  xs.set(c.xmm, 160);
  m.cpu.setXsave(xs);
  let signal = 0;
  const end = BigInt(CODE_ADDR + c.code.length);
  for (let guard = 0; guard < 100000; guard++) {
    const rip = m.cpu.getRegs().rip;
    if (rip === end) break;
    if (rip >= BigInt(HANDLERS) && rip < BigInt(HANDLERS + 32 * 16)) {
      signal = VECTOR_SIGNAL[Number(rip - BigInt(HANDLERS)) >> 4] ?? 99;
      break;
    }
    const exit = m.cpu.run(1);
    if (exit.kind !== 'budget') throw new Error(`unexpected exit ${exit.kind}`);
  }
  const r = m.cpu.getRegs();
  return { signal, gpr: names.map((n) => r[n]), rflags: r.rflags, xmm: m.cpu.getXsave().slice(160, 416),
    scratch: m.ram.slice(SCRATCH_ADDR, SCRATCH_ADDR + SCRATCH_SIZE) };
}

/** Describes the first difference between two outcomes, or undefined when they agree. */
export function difference(c: TestCase, native: Outcome, emu: Outcome): string | undefined {
  if (native.signal || emu.signal) {
    return native.signal === emu.signal ? undefined : `signal native ${native.signal} emulator ${emu.signal}`;
  }
  // Compatibility mode leaves the upper halves of GPRs undefined (SDM Vol. 1 3.4.1.1).
  const width = c.mode === 8 ? 64 : 32;
  for (let k = 0; k < 16; k++) {
    const n = BigInt.asUintN(width, native.gpr[k]), e = BigInt.asUintN(width, emu.gpr[k]);
    if (n !== e) return `gpr ${k}: native 0x${n.toString(16)} emulator 0x${e.toString(16)}`;
  }
  const mask = BigInt(c.flagMask);
  if ((native.rflags & mask) !== (emu.rflags & mask)) {
    return `rflags (mask 0x${mask.toString(16)}): native 0x${native.rflags.toString(16)} emulator 0x${emu.rflags.toString(16)}`;
  }
  for (let k = 0; k < 256; k++) if (native.xmm[k] !== emu.xmm[k]) return `xmm${k >> 4} byte ${k & 15} differs`;
  for (let k = 0; k < SCRATCH_SIZE; k++) {
    if (native.scratch[k] !== emu.scratch[k]) return `scratch byte 0x${k.toString(16)}: native ${native.scratch[k]} emulator ${emu.scratch[k]}`;
  }
  return undefined;
}

/** Runs `count` cases from `seed`; returns the failures as readable lines. */
export function fuzz(seed: number, count: number, mode: 4 | 8 = 8): { failures: string[]; faults: number } {
  const rand = rng(seed);
  const cases = Array.from({ length: count }, () => generateCase(rand, mode));
  const native = runNative(cases);
  const failures: string[] = [];
  let faults = 0;
  cases.forEach((c, i) => {
    let emu: Outcome;
    try {
      emu = runEmulated(c);
    } catch (e) {
      failures.push(`${c.text}: emulator threw ${(e as Error).message}`);
      return;
    }
    if (native[i].signal) faults++;
    const diff = difference(c, native[i], emu);
    if (diff) failures.push(`${c.text}: ${diff}`);
  });
  return { failures, faults };
}
