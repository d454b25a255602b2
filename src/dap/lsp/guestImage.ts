// One guest ELF as the language server sees it, read through the debug adapter's reader
// (src/dap/debuginfo): ELF symbols indexed on load, and the functions and global/static variables
// declared in each source file (DWARF DW_TAG_subprogram / DW_TAG_variable, DWARF 5 §3.3, §4.1)
// built on first use, with where each lives: section, guest-physical frames.
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { DebugInfo, DebugInfoError, type ElfSection } from '../debuginfo/index';
import { GuestLoadError } from './errors';
import { describeFrames, framesOf, physicalAddress } from './pageFrames';
import { matchSourcePath } from './sourcePaths';
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

export interface Placement {
  section: string | undefined;
  physical: bigint | undefined;
  frames: string | undefined;
}

const SHF_ALLOC = 2n;

export class GuestImage {
  private byFile?: Map<string, GuestDeclaration[]>;
  private byName?: Map<string, GuestDeclaration[]>;
  private recordedFiles?: Set<string>;

  private constructor(readonly path: string, readonly info: DebugInfo, readonly mtimeMs: number, readonly fileSize: number) {}

  /** Reads and indexes the ELF's symbol table; throws GuestLoadError. */
  static load(path: string): GuestImage {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      throw new GuestLoadError('missing', path, `guest ELF ${path} does not exist`);
    }
    let info: DebugInfo;
    try {
      info = DebugInfo.fromFile(path);
      void info.symbols.size;
    } catch (error) {
      if (error instanceof DebugInfoError) {
        throw new GuestLoadError(error.kind === 'badMagic' ? 'notElf' : 'debugInfo', path, `${path}: ${error.message}`);
      }
      throw new GuestLoadError('unreadable', path, `${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    return new GuestImage(path, info, stat.mtimeMs, stat.size);
  }

  get name(): string { return basename(this.path); }

  /** True when the file on disk differs (mtime or size) from what was loaded. */
  changedOnDisk(): boolean {
    try {
      const stat = statSync(this.path);
      return stat.mtimeMs !== this.mtimeMs || stat.size !== this.fileSize;
    } catch {
      return true;
    }
  }

  /** Source files named by the line tables and declarations (as recorded). */
  sourceFiles(): ReadonlySet<string> {
    if (!this.recordedFiles) {
      const files = new Set<string>();
      if (this.info.hasDwarf) {
        for (const cu of this.info.program.compileUnits) for (const f of cu.lineTable?.files ?? []) if (f) files.add(f.path);
        for (const file of this.declarationsByFile().keys()) files.add(file);
      }
      this.recordedFiles = files;
    }
    return this.recordedFiles;
  }

  /** The recorded source path that an editor file corresponds to, if this guest was built from it. */
  recordedPathOf(localPath: string): string | undefined {
    return matchSourcePath(localPath, this.sourceFiles());
  }

  /** Functions and variables declared in a recorded source file, in line order. */
  declarationsIn(recordedPath: string): readonly GuestDeclaration[] {
    return this.declarationsByFile().get(recordedPath) ?? [];
  }

  declarationsNamed(name: string): readonly GuestDeclaration[] {
    this.declarationsByFile();
    return this.byName!.get(name) ?? [];
  }

  /** Allocated section holding `address` (including .bss, which has no file bytes). */
  sectionAt(address: bigint): ElfSection | undefined {
    let fallback: ElfSection | undefined;
    for (const s of this.info.elf.sections) {
      if ((s.flags & SHF_ALLOC) === 0n || address < s.address) continue;
      if (address < s.address + BigInt(s.size)) return s;
      if (s.size === 0 && address === s.address) fallback = s;
    }
    return fallback;
  }

  placement(address: bigint, size: number): Placement {
    const physical = physicalAddress(this.info.elf.programHeaders, address);
    return {
      section: this.sectionAt(address)?.name,
      physical,
      frames: physical === undefined ? undefined : describeFrames(framesOf(physical, size)),
    };
  }

  private declarationsByFile(): Map<string, GuestDeclaration[]> {
    if (this.byFile) return this.byFile;
    const byFile = new Map<string, GuestDeclaration[]>();
    const byName = new Map<string, GuestDeclaration[]>();
    const add = (d: GuestDeclaration) => {
      const named = byName.get(d.name);
      if (named) named.push(d); else byName.set(d.name, [d]);
      if (d.declFile === undefined) return;
      const list = byFile.get(d.declFile);
      if (list) list.push(d); else byFile.set(d.declFile, [d]);
    };
    if (this.info.hasDwarf) {
      const program = this.info.program;
      for (const s of program.subprograms) {
        if (s.low === undefined || s.high === undefined || s.name === '') continue;
        add({ name: s.name, kind: 'function', scope: s.external ? 'global' : 'static', address: s.low,
          size: Number(s.high - s.low), typeName: undefined, declFile: s.declFile, declLine: s.declLine });
      }
      for (const v of program.globals) {
        if (v.address === undefined || v.name === '') continue;
        add({ name: v.name, kind: 'variable', scope: v.scope === 'global' ? 'global' : 'static', address: v.address,
          size: v.byteSize ?? this.info.symbols.lookupName(v.name)?.size ?? 0, typeName: v.type ? cTypeName(v.type) : undefined,
          declFile: v.declFile, declLine: v.declLine });
      }
    }
    for (const list of byFile.values()) list.sort((a, b) => (a.declLine ?? 0) - (b.declLine ?? 0));
    this.byName = byName;
    this.byFile = byFile;
    return byFile;
  }
}
