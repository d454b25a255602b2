// Enforces the one-way dependency rule extension -> dap -> vmm: nothing under src/vmm imports
// vscode or debug-adapter code, and nothing under src/dap imports vscode or the extension.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)/g)];
  return specs.map((m) => m[1] ?? m[2] ?? m[3]);
}

function violations(folder: string, forbidden: (spec: string, file: string) => boolean): string[] {
  return sources(join(root, 'src', folder)).flatMap((file) =>
    importsOf(file).filter((spec) => forbidden(spec, file)).map((spec) => `${relative(root, file)} imports ${spec}`));
}

const reachesInto = (spec: string, file: string, folder: string) =>
  spec.startsWith('.') && join(file, '..', spec).startsWith(join(root, 'src', folder));

test('src/vmm imports neither vscode nor DAP nor extension code', () => {
  const bad = violations('vmm', (spec, file) => spec === 'vscode' || spec.startsWith('@vscode/debug')
    || reachesInto(spec, file, 'dap') || reachesInto(spec, file, 'extension'));
  assert.deepEqual(bad, []);
});

test('src/dap imports neither vscode nor extension code', () => {
  const bad = violations('dap', (spec, file) => spec === 'vscode' || reachesInto(spec, file, 'extension'));
  assert.deepEqual(bad, []);
});

test('the import scanner sees a forbidden import when there is one', () => {
  assert.deepEqual(importsOf(join(root, 'test', 'unit', 'layout.test.ts')).includes('node:test'), true);
});
