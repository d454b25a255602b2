// One guest ELF as the language server sees it, read through the debug adapter's reader
// (src/dap/debuginfo): ELF symbols indexed on load; the functions and global/static variables
// declared in each source file (declarationIndex.ts) read from DWARF in a worker thread, and
// where each lives: section, guest-physical frames. Until the DWARF index arrives, files are
// matched by the STT_FILE symbols and names by the ELF symbol table.
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { DebugInfo, DebugInfoError, type ElfSection, type ElfSymbol } from '../debuginfo/index';
import { lineAt, type AddressLineTable } from './addressLines';
import { buildDeclarationIndex, type DeclarationIndexData, type GuestDeclaration } from './declarationIndex';
import { unpackDeclarations } from './packedDeclarations';
import { GuestLoadError } from './errors';
import { describeFrames, framesOf, physicalAddress } from './pageFrames';
import { matchSourcePath, toLocalPath, toRecordedPaths, type SourceMap } from './sourcePaths';

export type { GuestDeclaration, DeclarationKind } from './declarationIndex';

export interface Placement {
  section: string | undefined;
  physical: bigint | undefined;
  frames: string | undefined;
}

interface DeclarationIndex {
  byFile: Map<string, GuestDeclaration[]>;
  byName: Map<string, GuestDeclaration[]>;
  files: Set<string>;
  addressLines: AddressLineTable;
}

const SHF_ALLOC = 2n;

/** The worker script next to this module: the .ts source under tsx, the bundle in dist/. */
function declarationWorkerScript(): string | undefined {
  const script = __filename.endsWith('.ts') ? join(__dirname, 'declarationWorker.ts') : join(__dirname, 'lspDeclarationWorker.js');
  return existsSync(script) ? script : undefined;
}

export class GuestImage {
  private index?: DeclarationIndex;
  private fileSymbols?: Set<string>;
  private lowerNames?: string[];
  /** The launch configuration's `sourceMap` for this guest (set by the catalog). */
  sourceMap: SourceMap = {};
  /** Why the DWARF declarations could not be read, when they could not. */
  indexError: string | undefined;

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

  /** Declarations indexed from DWARF (0 until the index arrives). */
  get declarationCount(): number {
    let n = 0;
    for (const list of this.index?.byName.values() ?? []) n += list.length;
    return n;
  }

  /** True once the DWARF declarations are indexed (or known to be unavailable). */
  get declarationsReady(): boolean { return this.index !== undefined || this.indexError !== undefined; }

  /** Reads the DWARF declarations in a worker thread, then calls `done` (also on failure). */
  indexDeclarations(done: () => void): void {
    const script = this.info.hasDwarf ? declarationWorkerScript() : undefined;
    if (!script) { this.indexDeclarationsNow(); done(); return; }
    // From source (tests, benchmarks run through tsx) the worker needs the TypeScript require hook.
    const worker = script.endsWith('.ts')
      ? new Worker(`require('tsx/cjs'); require(${JSON.stringify(script)});`, { eval: true, workerData: { path: this.path } })
      : new Worker(script, { workerData: { path: this.path } });
    let finished = false;
    const finish = (apply: () => void) => {
      if (finished) return;
      finished = true;
      apply();
      void worker.terminate();
      done();
    };
    worker.once('message', (m: { data?: DeclarationIndexData; error?: string }) =>
      finish(() => { if (m.data) this.install(m.data); else this.indexError = m.error ?? 'DWARF index failed'; }));
    worker.once('error', (error) => finish(() => { this.indexError = error.message; }));
    worker.once('exit', (code) => finish(() => { this.indexError = `DWARF indexing thread exited with code ${code}`; }));
  }

  /** Reads the DWARF declarations on this thread. */
  indexDeclarationsNow(): void {
    try {
      this.install(buildDeclarationIndex(this.info));
    } catch (error) {
      this.indexError = error instanceof Error ? error.message : String(error);
    }
  }

  /** True when the file on disk differs (mtime or size) from what was loaded. */
  changedOnDisk(): boolean {
    try {
      const stat = statSync(this.path);
      return stat.mtimeMs !== this.mtimeMs || stat.size !== this.fileSize;
    } catch {
      return true;
    }
  }

  /** Source files named by the line tables and declarations (as recorded); empty until indexed. */
  sourceFiles(): ReadonlySet<string> {
    return this.index?.files ?? new Set();
  }

  /**
   * The recorded source path that an editor file corresponds to, if this guest was built from it.
   * Before the DWARF index exists, a file whose name is an STT_FILE symbol matches by that name.
   */
  recordedPathOf(localPath: string): string | undefined {
    if (this.index) {
      const files = this.index.files;
      return toRecordedPaths(localPath, this.sourceMap).find((p) => files.has(p)) ?? matchSourcePath(localPath, files);
    }
    this.fileSymbols ??= new Set(this.info.symbolTable.filter((s) => s.type === 'file').map((s) => basename(s.name)));
    const name = basename(localPath);
    return this.fileSymbols.has(name) ? name : undefined;
  }

  /** Functions and variables declared in a recorded source file, in line order. */
  declarationsIn(recordedPath: string): readonly GuestDeclaration[] {
    return this.index?.byFile.get(recordedPath) ?? [];
  }

  declarationsNamed(name: string): readonly GuestDeclaration[] {
    return this.index?.byName.get(name) ?? [];
  }

  /** Source line of a code address (local path); undefined until the DWARF index arrives. */
  lineAt(address: bigint): { path: string; line: number } | undefined {
    const found = this.index ? lineAt(this.index.addressLines, address) : undefined;
    return found && { path: this.localPathOf(found.path), line: found.line };
  }

  /** Where a recorded source path is on this machine, through the `sourceMap`. */
  localPathOf(recordedPath: string): string {
    return toLocalPath(recordedPath, this.sourceMap);
  }

  /** ELF symbols whose name contains `query` (case-insensitive), in name order, at most `limit`. */
  searchSymbols(query: string, limit: number): ElfSymbol[] {
    const sorted = this.info.symbols.sortedByName();
    this.lowerNames ??= sorted.map((s) => s.name.toLowerCase());
    const q = query.toLowerCase();
    const out: ElfSymbol[] = [];
    for (let i = 0; i < sorted.length && out.length < limit; i++) if (this.lowerNames[i].includes(q)) out.push(sorted[i]);
    return out;
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

  private install(data: DeclarationIndexData): void {
    const byFile = new Map<string, GuestDeclaration[]>();
    const byName = new Map<string, GuestDeclaration[]>();
    const files = new Set(data.lineTableFiles);
    for (const d of unpackDeclarations(data.declarations)) {
      const named = byName.get(d.name);
      if (named) named.push(d); else byName.set(d.name, [d]);
      if (d.declFile === undefined) continue;
      files.add(d.declFile);
      const list = byFile.get(d.declFile);
      if (list) list.push(d); else byFile.set(d.declFile, [d]);
    }
    for (const list of byFile.values()) list.sort((a, b) => (a.declLine ?? 0) - (b.declLine ?? 0));
    this.index = { byFile, byName, files, addressLines: data.addressLines };
  }
}
