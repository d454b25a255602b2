// Abbreviation tables (.debug_abbrev, DWARF 5 section 7.5.3): code -> tag, has-children flag and
// the (attribute, form[, implicit constant]) list that shapes each DIE in .debug_info.
import { ByteReader } from '../byteReader';
import { DebugInfoError } from '../errors';
import * as constants from './constants';

// Copied into local bindings once: unbundled CommonJS would otherwise call a getter per use.
const { DW_FORM } = constants;

export interface AttributeSpec {
  attribute: number;
  form: number;
  implicitConst?: bigint;   // only for DW_FORM_implicit_const
}

export interface Abbreviation {
  code: number;
  tag: number;
  hasChildren: boolean;
  specs: AttributeSpec[];
}

export type AbbrevTable = Map<number, Abbreviation>;

/** Parses the abbreviation table starting at `offset`, up to its terminating 0 code. */
export function parseAbbrevTable(abbrev: Uint8Array, offset: number, littleEndian: boolean): AbbrevTable {
  if (offset >= abbrev.length) throw new DebugInfoError('badOffset', `abbreviation offset 0x${offset.toString(16)} is past .debug_abbrev (${abbrev.length} bytes)`);
  const r = new ByteReader(abbrev, littleEndian, offset, '.debug_abbrev');
  const table: AbbrevTable = new Map();
  for (;;) {
    const code = r.uleb();
    if (code === 0) return table;
    const tag = r.uleb();
    const hasChildren = r.u8() !== 0;
    const specs: AttributeSpec[] = [];
    for (;;) {
      const attribute = r.uleb(), form = r.uleb();
      if (attribute === 0 && form === 0) break;
      specs.push(form === DW_FORM.implicit_const ? { attribute, form, implicitConst: r.slebBig() } : { attribute, form });
    }
    table.set(code, { code, tag, hasChildren, specs });
  }
}
