// Entry point of the debug-info reader shared by the debug adapter and the language server:
// one DebugInfo per guest ELF, with each part (symbols, DWARF program model, line tables, CFI
// unwinder) built on first use so a caller that only needs symbols never pays for DWARF.
import { readFileSync } from 'node:fs';
import { asDebugInfoError } from './errors';
import { EM_386, EM_X86_64, parseElf, type ElfFile } from './elf/elfFile';
import { readSymbols, type ElfSymbol } from './elf/elfSymbols';
import { SymbolIndex } from './symbolIndex';
import { dwarfSectionsOf } from './dwarf/dwarfSections';
import { ProgramModel } from './dwarf/programModel';
import { scanDeclarations, type DeclarationScan } from './dwarf/declarationScan';
import { LineIndex } from './dwarf/lineIndex';
import { parseFrameSection, type Fde, type FrameSection } from './cfi/frameEntries';
import { Unwinder } from './cfi/unwinder';
import type { Architecture } from './cfi/registers';
import { DebugInfoError } from './errors';

export class DebugInfo {
  private symbolList?: ElfSymbol[];
  private symbolIndex?: SymbolIndex;
  private programModel?: ProgramModel;
  private declarationScan?: DeclarationScan;
  private lineIndex?: LineIndex;
  private frameUnwinder?: Unwinder;

  private constructor(readonly elf: ElfFile) {}

  /** Parses the ELF container; throws DebugInfoError for anything that is not a readable ELF. */
  static fromBytes(bytes: Uint8Array): DebugInfo {
    return new DebugInfo(guard(() => parseElf(bytes), 'ELF'));
  }

  static fromFile(path: string): DebugInfo {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(path));
    } catch (error) {
      throw new DebugInfoError('unreadable', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return DebugInfo.fromBytes(bytes);
  }

  get architecture(): Architecture {
    const m = this.elf.header.machine;
    if (m === EM_X86_64) return 'x86_64';
    if (m === EM_386) return 'i386';
    throw new DebugInfoError('unsupported', `ELF machine ${m} is not x86`);
  }

  /** Raw symbol table entries (.symtab then .dynsym). */
  get symbolTable(): readonly ElfSymbol[] {
    return (this.symbolList ??= guard(() => readSymbols(this.elf), 'symbol table'));
  }

  get symbols(): SymbolIndex {
    return (this.symbolIndex ??= new SymbolIndex(this.symbolTable));
  }

  get hasDwarf(): boolean { return this.elf.section('.debug_info') !== undefined; }

  /** Compile units, subprograms, variables and types from .debug_info. */
  get program(): ProgramModel {
    return (this.programModel ??= guard(() => new ProgramModel(dwarfSectionsOf(this.elf), (a) => this.elf.isAllocated(a)), 'DWARF'));
  }

  /**
   * Functions with code and variables with a fixed address, from a light pass over .debug_info
   * that builds no DIE tree (several times faster than `program` on large guests; see
   * test/bench/lspIndex.ts). Use it when declarations are all that is needed.
   */
  get declarations(): DeclarationScan {
    return (this.declarationScan ??= guard(() => scanDeclarations(dwarfSectionsOf(this.elf), (a) => this.elf.isAllocated(a)), 'DWARF'));
  }

  /**
   * Address <-> source line queries over the line tables of all compile units (taken from the
   * program model when it is built, else from the lighter declarations scan).
   */
  get lines(): LineIndex {
    if (this.lineIndex) return this.lineIndex;
    const units = this.programModel?.compileUnits ?? this.declarations.compileUnits;
    const tables = units.flatMap((cu) => (cu.lineTable ? [cu.lineTable] : []));
    return (this.lineIndex = new LineIndex(tables, (a) => this.elf.isAllocated(a)));
  }

  /** CFI-based unwinder over .eh_frame and .debug_frame (FDEs of both). */
  get unwinder(): Unwinder {
    return (this.frameUnwinder ??= guard(() => new Unwinder(this.frameEntries(), this.architecture, this.elf.header.littleEndian), 'CFI'));
  }

  /** Reads `size` bytes of the file's loaded image at a virtual address (code and initialised data). */
  imageBytes(address: bigint, size: number): Uint8Array | undefined {
    const s = this.elf.sectionContaining(address);
    if (!s) return undefined;
    const data = this.elf.sectionData(s);
    const start = Number(address - s.address);
    return data.subarray(start, Math.min(data.length, start + size));
  }

  private frameEntries(): Fde[] {
    const out: Fde[] = [];
    for (const kind of ['.eh_frame', '.debug_frame'] as const) {
      const s = this.elf.section(kind);
      if (!s || s.size === 0) continue;
      const section: FrameSection = { kind, bytes: this.elf.sectionData(s), address: s.address,
        littleEndian: this.elf.header.littleEndian, addressSize: this.elf.addressSize };
      out.push(...parseFrameSection(section));
    }
    return out;
  }
}

/** Runs a parse step and turns any stray exception into a typed DebugInfoError. */
function guard<T>(fn: () => T, what: string): T {
  try {
    return fn();
  } catch (error) {
    throw asDebugInfoError(error, what);
  }
}
