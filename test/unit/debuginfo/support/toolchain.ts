// Test support: builds the C fixtures with the system gcc into test/.artifacts/debuginfo and runs
// the reference tools (readelf, llvm-dwarfdump, objdump) used as oracles. When a tool is absent
// the calling test is skipped with the reason, never passed silently.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

export const fixturesDir = join(__dirname, '..', 'fixtures');
export const artifactsDir = join(__dirname, '..', '..', '..', '.artifacts', 'debuginfo');

const available = new Map<string, boolean>();

export function hasTool(name: string): boolean {
  let ok = available.get(name);
  if (ok === undefined) {
    ok = spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0;
    available.set(name, ok);
  }
  return ok;
}

/** Skips `t` (with the reason) unless every tool is installed; returns whether the test may go on. */
export function requireTools(t: TestContext, ...tools: string[]): boolean {
  const missing = tools.filter((tool) => !hasTool(tool));
  if (missing.length) t.skip(`${missing.join(', ')} not installed`);
  return missing.length === 0;
}

const built = new Map<string, string | undefined>();

/** Artifact file for a build: the name plus a digest of its inputs, so changed flags rebuild. */
function artifactPath(name: string, inputs: readonly string[]): string {
  const digest = createHash('sha256').update(inputs.join('\0')).digest('hex').slice(0, 10);
  return join(artifactsDir, `${name}-${digest}`);
}

/** An artifact from an earlier run is reused when it is newer than its source file. */
function isFresh(artifact: string, source: string): boolean {
  return existsSync(artifact) && statSync(artifact).mtimeMs >= statSync(source).mtimeMs;
}

/**
 * Compiles fixtures/<source> with `flags` to test/.artifacts/debuginfo/<name>; returns its path,
 * or undefined (after skipping `t`) when gcc is missing or cannot build with these flags.
 */
export function buildFixture(t: TestContext, source: string, name: string, flags: readonly string[]): string | undefined {
  if (!requireTools(t, 'gcc')) return undefined;
  if (!built.has(name)) {
    mkdirSync(artifactsDir, { recursive: true });
    const input = join(fixturesDir, source);
    const out = artifactPath(name, [source, ...flags]);
    if (isFresh(out, input)) {
      built.set(name, out);
    } else {
      // Test files run in parallel processes: build privately, then rename into place atomically.
      const temporary = `${out}.${process.pid}.tmp`;
      const result = spawnSync('gcc', [...flags, '-o', temporary, input], { encoding: 'utf8' });
      if (result.status === 0) renameSync(temporary, out);
      built.set(name, result.status === 0 ? out : undefined);
      if (result.status !== 0) built.set(`${name}:error`, result.stderr.split('\n')[0]);
    }
  }
  const path = built.get(name);
  if (!path) t.skip(`gcc ${flags.join(' ')} cannot build ${source}: ${built.get(`${name}:error`)}`);
  return path;
}

/** The LLVM static compiler, which is often installed only under /usr/lib/llvm-N/bin. */
export function findLlc(): string | undefined {
  if (hasTool('llc')) return 'llc';
  const bindir = spawnSync('llvm-config', ['--bindir'], { encoding: 'utf8' });
  const candidate = bindir.status === 0 ? join(bindir.stdout.trim(), 'llc') : undefined;
  return candidate && hasTool(candidate) ? candidate : undefined;
}

/**
 * Builds fixtures/<module>.ll with llc (DWARF 5 with strx/addrx/rnglistx/loclistx forms) and links
 * it with gcc; skips `t` when either is missing.
 */
export function buildLlvmFixture(t: TestContext, module: string, name: string): string | undefined {
  const llc = findLlc();
  if (!llc) { t.skip('llc (LLVM static compiler) not installed'); return undefined; }
  if (!requireTools(t, 'gcc')) return undefined;
  if (!built.has(name)) {
    mkdirSync(artifactsDir, { recursive: true });
    const input = join(fixturesDir, module);
    const out = artifactPath(name, [module, llc]);
    if (isFresh(out, input)) { built.set(name, out); return out; }
    const object = `${out}.${process.pid}.o`, temporary = `${out}.${process.pid}.tmp`;
    const compiled = spawnSync(llc, ['-O2', '-filetype=obj', '-o', object, input], { encoding: 'utf8' });
    const linked = compiled.status === 0 ? spawnSync('gcc', ['-no-pie', '-o', temporary, object], { encoding: 'utf8' }) : compiled;
    rmSync(object, { force: true });
    if (linked.status === 0) renameSync(temporary, out);
    built.set(name, linked.status === 0 ? out : undefined);
    if (linked.status !== 0) built.set(`${name}:error`, linked.stderr.split('\n')[0]);
  }
  const path = built.get(name);
  if (!path) t.skip(`cannot build ${module}: ${built.get(`${name}:error`)}`);
  return path;
}

/** Runs a reference tool and returns its stdout; fails the test when the tool itself fails. */
export function runTool(tool: string, args: string[]): string {
  const result = spawnSync(tool, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** The flag sets every oracle comparison runs over: DWARF 5 at -O0 and -O2, DWARF 4, 64-bit DWARF. */
export const BUILDS = [
  { name: 'sample-O0', flags: ['-g', '-O0'] },
  { name: 'sample-O2', flags: ['-g', '-O2'] },
  { name: 'sample-dwarf4', flags: ['-g', '-gdwarf-4', '-O0'] },
  { name: 'sample-dwarf4-O2', flags: ['-g', '-gdwarf-4', '-O2'] },
  { name: 'sample-dwarf64-O2', flags: ['-g', '-gdwarf64', '-O2'] },
] as const;

/** Line number of the fixture line carrying the comment marker MARK:<tag>. */
export function markedLine(text: string, tag: string): number {
  const index = text.split('\n').findIndex((l) => l.includes(`MARK:${tag} `) || l.endsWith(`MARK:${tag} */`));
  if (index < 0) throw new Error(`fixture has no MARK:${tag}`);
  return index + 1;
}
