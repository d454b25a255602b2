// The declarations of a guest that the editor features need, from the reader's declarations-only
// DWARF scan (DW_TAG_subprogram with code, DW_TAG_variable with a fixed address; DWARF 5 §3.3,
// §4.1) and the address -> line table, as plain data (in columns, packedDeclarations.ts), so a
// worker thread can build it and post it to the server.
import type { DebugInfo } from '../debuginfo/index';
import { buildAddressLines, type AddressLineTable } from './addressLines';
import { packDeclarations, type PackedDeclarations } from './packedDeclarations';
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
  declarations: PackedDeclarations;
  /** Source paths named by the line tables (DWARF 5 §6.2.4 file_names). */
  lineTableFiles: string[];
  addressLines: AddressLineTable;
}

export function buildDeclarationIndex(info: DebugInfo): DeclarationIndexData {
  const declarations: GuestDeclaration[] = [];
  const files = new Set<string>();
  if (!info.hasDwarf) return { declarations: packDeclarations([]), lineTableFiles: [], addressLines: buildAddressLines(undefined) };
  const scan = info.declarations;
  for (const cu of scan.compileUnits) for (const f of cu.lineTable?.files ?? []) if (f) files.add(f.path);
  for (const f of scan.functions) {
    if (f.name === '') continue;
    declarations.push({ name: f.name, kind: 'function', scope: f.external ? 'global' : 'static', address: f.low,
      size: Number(f.high - f.low), typeName: undefined, declFile: f.declFile, declLine: f.declLine });
  }
  for (const v of scan.variables) {
    if (v.name === '') continue;
    declarations.push({ name: v.name, kind: 'variable', scope: v.scope, address: v.address,
      size: v.byteSize ?? info.symbols.lookupName(v.name)?.size ?? 0, typeName: v.type ? cTypeName(v.type) : undefined,
      declFile: v.declFile, declLine: v.declLine });
  }
  return { declarations: packDeclarations(declarations), lineTableFiles: [...files], addressLines: buildAddressLines(info.lines) };
}
