// Test helper: builds the C probe (test/c/kvmi_probe_main.c + tables generated from the layout table)
// with the system `cc` into the git-ignored test/.artifacts/kvmi-c/<pid>/, and runs batches of jobs through
// it. Reports why it cannot be built when `cc` or <linux/kvm.h> is missing, so tests can skip visibly.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_LAYOUTS } from '../../../src/vmm/kvmi';
import { probeTablesSource } from '../../c/probeTables';

const root = join(__dirname, '..', '..', '..');
// One folder per test process, so concurrent runs never compile over each other; removed on exit.
const outDir = join(root, 'test', '.artifacts', 'kvmi-c', String(process.pid));
const binary = join(outDir, 'kvmi_probe');

export type Probe = { available: true; run(jobs: readonly string[]): string[][] } | { available: false; reason: string };

let cached: Probe | undefined;

function build(): Probe {
  const version = spawnSync('cc', ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) return { available: false, reason: 'no C compiler: `cc` is not on PATH' };
  if (!existsSync('/usr/include/linux/kvm.h')) return { available: false, reason: '<linux/kvm.h> is not installed (linux-libc-dev)' };
  mkdirSync(outDir, { recursive: true });
  process.on('exit', () => rmSync(outDir, { recursive: true, force: true }));
  writeFileSync(join(outDir, 'kvmi_probe_tables.inc'), probeTablesSource(ALL_LAYOUTS));
  const compile = spawnSync('cc', ['-std=gnu11', '-O1', '-Wall', '-Wextra', '-Werror', '-Wno-type-limits', '-I', join(root, 'test', 'c'), '-I', outDir,
    '-o', binary, join(root, 'test', 'c', 'kvmi_probe_main.c')], { encoding: 'utf8' });
  if (compile.status !== 0) throw new Error(`the C probe does not compile:\n${compile.stderr}`);
  return {
    available: true,
    run(jobs) {
      const result = spawnSync(binary, [], { input: jobs.map((j) => `${j}\n`).join(''), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
      if (result.status !== 0) throw new Error(`the C probe failed: ${result.stderr}`);
      const groups: string[][] = [[]];
      for (const line of result.stdout.split('\n')) {
        if (line === 'end') groups.push([]);
        else if (line !== '') groups[groups.length - 1].push(line);
      }
      groups.pop();
      if (groups.length !== jobs.length) throw new Error(`the C probe answered ${groups.length} of ${jobs.length} jobs`);
      return groups;
    },
  };
}

/** The compiled probe (built once per test process), or the reason it cannot exist here. */
export function cProbe(): Probe {
  cached ??= build();
  return cached;
}
