// The decoder against iced-x86 as an oracle: for random encodings of every opcode-table form in
// 64-, 32- and 16-bit code (random prefixes, REX, ModRM/SIB/displacements, immediates), our
// length and memory operand (base, index, scale, displacement) must match iced's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decoder, DecoderOptions, Register } from 'iced-x86';
import { decode, opcodeHasModrm } from '../../../src/vmm/x86/decoder';
import { DecodedInsn, NO_REG, RIP_BASE } from '../../../src/vmm/x86/decodedInsn';
import { DecodeFault } from '../../../src/vmm/x86/faults';
import { OPCODES } from '../../../src/vmm/x86/opcodeTable';
import { unboundEntries } from '../../../src/vmm/x86/dispatch';
import { encode, rng, validIn } from './encodingGenerator';

const GPR_NAMES = ['AX', 'CX', 'DX', 'BX', 'SP', 'BP', 'SI', 'DI'];

/** Maps an iced register to our GPR number (any width), RIP_BASE for RIP/EIP, NO_REG for None. */
function regNumber(r: Register): number {
  if (r === Register.None) return NO_REG;
  const name = Register[r];
  if (name === 'RIP' || name === 'EIP') return RIP_BASE;
  const m = /^R(\d+)[DW]?$/.exec(name);
  if (m) return Number(m[1]);
  const base = name.length === 3 ? name.slice(1) : name;
  const i = GPR_NAMES.indexOf(base);
  if (i < 0) throw new Error(`unexpected register ${name}`);
  return i;
}

function compare(bytes: Uint8Array, mode: 2 | 4 | 8, ours: DecodedInsn): string | undefined {
  const dec = new Decoder(mode * 8, bytes, DecoderOptions.None);
  const ins = dec.decode();
  try {
    if (ins.isInvalid) return `iced: invalid, ours: ${ours.entry.mnemonic} len ${ours.len}`;
    if (ins.length !== ours.len) return `length iced ${ins.length} ours ${ours.len} (${ours.entry.mnemonic})`;
    if (ours.hasMem && ours.hasModrm) {
      const base = regNumber(ins.memoryBase), index = regNumber(ins.memoryIndex);
      if (base !== ours.base || index !== ours.index) return `base/index iced ${base}/${index} ours ${ours.base}/${ours.index}`;
      if (index !== NO_REG && ins.memoryIndexScale !== 1 << ours.scale) return `scale iced ${ins.memoryIndexScale} ours ${1 << ours.scale}`;
      const bits = ours.adsize * 8;
      const expected = ours.base === RIP_BASE ? BigInt.asUintN(bits, BigInt(ours.len + ours.disp)) : BigInt.asUintN(bits, BigInt(ours.disp));
      if (BigInt.asUintN(bits, ins.memoryDisplacement) !== expected) return `disp iced ${ins.memoryDisplacement} ours ${expected}`;
    }
    return undefined;
  } finally {
    ins.free();
    dec.free();
  }
}

function icedInvalid(bytes: Uint8Array, mode: 2 | 4 | 8): boolean {
  const dec = new Decoder(mode * 8, bytes, DecoderOptions.None);
  const ins = dec.decode();
  const invalid = ins.isInvalid;
  ins.free();
  dec.free();
  return invalid;
}

function hex(b: Uint8Array, n: number): string {
  return [...b.subarray(0, n)].map((x) => x.toString(16).padStart(2, '0')).join(' ');
}

for (const mode of [8, 4, 2] as const) {
  test(`decoder agrees with iced-x86 on length and memory operands in ${mode * 8}-bit code`, () => {
    const rand = rng(0x5eed + mode);
    const failures: string[] = [];
    let checked = 0;
    for (const e of OPCODES) {
      if (!validIn(e, mode)) continue;
      for (let k = 0; k < Number(process.env.DECODER_SAMPLES ?? 24); k++) {
        const bytes = encode(e, rand, { mode, memory: true, addressPrefix: true, segmentPrefix: true, operandPrefix: true });
        if (!bytes) continue;
        const ours = decode(bytes, 0, 16, mode);
        if (ours instanceof DecodeFault) {
          if (!icedInvalid(bytes, mode)) failures.push(`${e.mnemonic}: ours ${ours.reason}, iced valid, on ${hex(bytes, 16)}`);
          checked++;
          continue;
        }
        const diff = compare(bytes, mode, ours);
        checked++;
        if (diff) failures.push(`${e.mnemonic} [${hex(bytes, ours.len)}]: ${diff}`);
      }
    }
    assert.ok(checked > 1000, `only ${checked} encodings checked`);
    assert.deepEqual(failures.slice(0, 20), []);
  });
}

test('every opcode form has a ModRM decision and a bound handler', () => {
  assert.deepEqual(unboundEntries(), []);
  for (const e of OPCODES) assert.equal(typeof opcodeHasModrm(e.map, e.op), 'boolean');
});

test('decodes 4D 5A as pop r10 with REX.WRB ignored for the size (d64)', () => {
  const d = decode(new Uint8Array([0x41, 0x5a]), 0, 2, 8);
  assert.ok(d instanceof DecodedInsn);
  assert.equal(d.entry.mnemonic, 'pop');
  assert.equal(d.opReg, 10);
  assert.equal(d.opsize, 8);
});

test('decode faults: too long, undefined opcode, LOCK on a register form, truncated', () => {
  const long = new Uint8Array(16).fill(0x66);
  assert.equal((decode(long, 0, 16, 8) as DecodeFault).reason, 'tooLong');
  assert.equal((decode(new Uint8Array([0x0f, 0x04]), 0, 2, 8) as DecodeFault).reason, 'undefinedOpcode');
  assert.equal((decode(new Uint8Array([0xf0, 0x01, 0xc0]), 0, 3, 8) as DecodeFault).reason, 'lockNotAllowed');
  assert.equal((decode(new Uint8Array([0x48, 0xb8, 1, 2]), 0, 4, 8) as DecodeFault).reason, 'truncated');
  assert.equal((decode(new Uint8Array([0x06]), 0, 1, 8) as DecodeFault).reason, 'invalidInMode');
});
