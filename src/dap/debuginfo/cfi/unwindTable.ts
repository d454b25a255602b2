// Executes call frame instructions (DWARF 5 section 6.4.2, DW_CFA_*) of a CIE and FDE into the
// rows of the unwind table: for each code location, the CFA rule and a rule per register.
import { ByteReader } from '../byteReader';
import { DebugInfoError } from '../errors';
import type { Fde } from './frameEntries';

export type CfaRule =
  | { kind: 'registerOffset'; register: number; offset: number }
  | { kind: 'expression'; expression: Uint8Array };

export type RegisterRule =
  | { kind: 'undefined' }
  | { kind: 'sameValue' }
  | { kind: 'offset'; offset: number }         // saved at CFA+offset
  | { kind: 'valOffset'; offset: number }      // value is CFA+offset
  | { kind: 'register'; register: number }     // saved in another register
  | { kind: 'expression'; expression: Uint8Array }
  | { kind: 'valExpression'; expression: Uint8Array };

export interface UnwindRow {
  /** First address this row applies to; it holds until the next row's location. */
  location: bigint;
  cfa: CfaRule;
  registers: Map<number, RegisterRule>;
}

interface RowState { cfa: CfaRule; registers: Map<number, RegisterRule> }

const copy = (s: RowState): RowState => ({ cfa: { ...s.cfa }, registers: new Map(s.registers) });

/** All rows of the FDE's table, in address order. */
export function unwindRows(fde: Fde, littleEndian = true): UnwindRow[] {
  const cie = fde.cie;
  const state: RowState = { cfa: { kind: 'registerOffset', register: 0, offset: 0 }, registers: new Map() };
  run(cie.instructions, fde, state, undefined, littleEndian, { location: fde.pcBegin, rows: [] });
  const initial = copy(state);
  const out = { location: fde.pcBegin, rows: [] as UnwindRow[] };
  run(fde.instructions, fde, state, initial, littleEndian, out);
  out.rows.push({ location: out.location, ...copy(state) });
  // Rows at the same location: the later one wins.
  return out.rows.filter((row, i, all) => i + 1 === all.length || all[i + 1].location !== row.location);
}

/** The row in effect at `pc` (which must lie within the FDE). */
export function unwindRowAt(fde: Fde, pc: bigint, littleEndian = true): UnwindRow {
  const rows = unwindRows(fde, littleEndian);
  let chosen = rows[0];
  for (const row of rows) if (row.location <= pc) chosen = row;
  return chosen;
}

function run(code: Uint8Array, fde: Fde, state: RowState, initial: RowState | undefined, littleEndian: boolean,
  out: { location: bigint; rows: UnwindRow[] }): void {
  const cie = fde.cie;
  const r = new ByteReader(code, littleEndian, 0, 'call frame instructions');
  const stack: RowState[] = [];
  const advance = (delta: number) => {
    out.rows.push({ location: out.location, ...copy(state) });
    out.location += BigInt(delta * cie.codeAlign);
  };
  const setRule = (reg: number, rule: RegisterRule) => state.registers.set(reg, rule);
  const restore = (reg: number) => {
    const rule = initial?.registers.get(reg);
    if (rule) state.registers.set(reg, rule); else state.registers.delete(reg);
  };
  const cfaOffset = (offset: number) => {
    if (state.cfa.kind !== 'registerOffset') throw new DebugInfoError('malformed', 'DW_CFA_def_cfa_offset with an expression CFA');
    state.cfa = { ...state.cfa, offset };
  };
  while (!r.atEnd) {
    const op = r.u8();
    const high = op & 0xc0, low = op & 0x3f;
    if (high === 0x40) { advance(low); continue; }                                   // DW_CFA_advance_loc
    if (high === 0x80) { setRule(low, { kind: 'offset', offset: r.uleb() * cie.dataAlign }); continue; } // DW_CFA_offset
    if (high === 0xc0) { restore(low); continue; }                                   // DW_CFA_restore
    switch (op) {
      case 0x00: break;                                                              // DW_CFA_nop
      case 0x01: out.rows.push({ location: out.location, ...copy(state) }); out.location = r.address(cie.addressSize); break; // set_loc
      case 0x02: advance(r.u8()); break;
      case 0x03: advance(r.u16()); break;
      case 0x04: advance(r.u32()); break;
      case 0x05: setRule(r.uleb(), { kind: 'offset', offset: r.uleb() * cie.dataAlign }); break;
      case 0x06: restore(r.uleb()); break;
      case 0x07: setRule(r.uleb(), { kind: 'undefined' }); break;
      case 0x08: setRule(r.uleb(), { kind: 'sameValue' }); break;
      case 0x09: { const reg = r.uleb(); setRule(reg, { kind: 'register', register: r.uleb() }); break; }
      case 0x0a: stack.push(copy(state)); break;                                     // remember_state
      case 0x0b: {                                                                   // restore_state
        // Restores the CFA rule together with the register rules, as libgcc and binutils do.
        const saved = stack.pop();
        if (!saved) throw new DebugInfoError('malformed', 'DW_CFA_restore_state without remember_state');
        state.cfa = saved.cfa;
        state.registers = saved.registers;
        break;
      }
      case 0x0c: state.cfa = { kind: 'registerOffset', register: r.uleb(), offset: r.uleb() }; break;
      case 0x0d: {
        const register = r.uleb();
        state.cfa = { kind: 'registerOffset', register, offset: state.cfa.kind === 'registerOffset' ? state.cfa.offset : 0 };
        break;
      }
      case 0x0e: cfaOffset(r.uleb()); break;
      case 0x0f: state.cfa = { kind: 'expression', expression: r.bytesOf(r.uleb()) }; break;
      case 0x10: { const reg = r.uleb(); setRule(reg, { kind: 'expression', expression: r.bytesOf(r.uleb()) }); break; }
      case 0x11: { const reg = r.uleb(); setRule(reg, { kind: 'offset', offset: r.sleb() * cie.dataAlign }); break; }
      case 0x12: state.cfa = { kind: 'registerOffset', register: r.uleb(), offset: r.sleb() * cie.dataAlign }; break;
      case 0x13: cfaOffset(r.sleb() * cie.dataAlign); break;
      case 0x14: { const reg = r.uleb(); setRule(reg, { kind: 'valOffset', offset: r.uleb() * cie.dataAlign }); break; }
      case 0x15: { const reg = r.uleb(); setRule(reg, { kind: 'valOffset', offset: r.sleb() * cie.dataAlign }); break; }
      case 0x16: { const reg = r.uleb(); setRule(reg, { kind: 'valExpression', expression: r.bytesOf(r.uleb()) }); break; }
      case 0x2e: r.uleb(); break;                                                    // DW_CFA_GNU_args_size
      case 0x2f: { const reg = r.uleb(); setRule(reg, { kind: 'offset', offset: -r.uleb() * cie.dataAlign }); break; }
      default: throw new DebugInfoError('unsupported', `call frame instruction 0x${op.toString(16)}`, r.pos - 1);
    }
  }
}
