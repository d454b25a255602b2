// The declarations of a guest that the editor features need, extracted from the DWARF program
// model (DW_TAG_subprogram with code, DW_TAG_variable with a fixed address; DWARF 5 §3.3, §4.1)
// and the address -> line table, as plain data, so a worker thread can build it and post it to
// the server.
import type { DebugInfo } from '../debuginfo/index';
import { buildAddressLines, type AddressLineTable } from './addressLines';
import { cTypeName } from './typeNames';

export type DeclarationKind = 'function' | 'variable';

export interface GuestDeclaration {
  name: string;
  kind: DeclarationKind;
  /** `global` = external linkage; `static` = file or function static. */
  scope: 'global' | 'static';
  address: bigint;
  /** Bytes of the object, or of the function's code. */
  size: number;
  typeName: string | undefined;
  /** Source path as recorded in DWARF. */
  declFile: string | undefined;
  /** 1-based line of the declaration. */
  declLine: number | undefined;
}

export interface DeclarationIndexData {
  declarations: GuestDeclaration[];
  /** Source paths named by the line tables (DWARF 5 §6.2.4 file_names). */
  lineTableFiles: string[];
  addressLines: AddressLineTable;
}

export function buildDeclarationIndex(info: DebugInfo): DeclarationIndexData {
  const declarations: GuestDeclaration[] = [];
  const files = new Set<string>();
  if (!info.hasDwarf) return { declarations, lineTableFiles: [], addressLines: buildAddressLines([]) };
  const program = info.program;
  for (const cu of program.compileUnits) for (const f of cu.lineTable?.files ?? []) if (f) files.add(f.path);
  for (const s of program.subprograms) {
    if (s.low === undefined || s.high === undefined || s.name === '') continue;
    declarations.push({ name: s.name, kind: 'function', scope: s.external ? 'global' : 'static', address: s.low,
      size: Number(s.high - s.low), typeName: undefined, declFile: s.declFile, declLine: s.declLine });
  }
  for (const v of program.globals) {
    if (v.address === undefined || v.name === '') continue;
    declarations.push({ name: v.name, kind: 'variable', scope: v.scope === 'global' ? 'global' : 'static', address: v.address,
      size: v.byteSize ?? info.symbols.lookupName(v.name)?.size ?? 0, typeName: v.type ? cTypeName(v.type) : undefined,
      declFile: v.declFile, declLine: v.declLine });
  }
  const addressLines = buildAddressLines(program.compileUnits.flatMap((cu) => (cu.lineTable ? [cu.lineTable] : [])));
  return { declarations, lineTableFiles: [...files], addressLines };
}
