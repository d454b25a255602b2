// The language server's input handling without a server: launch.json with comments and trailing
// commas, ${workspaceFolder} resolution, settings validation, source path matching, address
// queries and guest page frames.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAddressQuery, parseAddressSetting } from '../../../src/dap/lsp/addresses';
import { parseJsonc } from '../../../src/dap/lsp/jsonc';
import { readLaunchGuests, resolveGuestPath } from '../../../src/dap/lsp/launchGuests';
import { describeFrames, framesOf, physicalAddress } from '../../../src/dap/lsp/pageFrames';
import { checkOptions } from '../../../src/dap/lsp/serverOptions';
import { matchSourcePath, toLocalPath, toRecordedPaths } from '../../../src/dap/lsp/sourcePaths';
import type { ElfProgramHeader } from '../../../src/dap/debuginfo/index';

test('JSONC: comments and trailing commas are accepted, strings with // are kept', () => {
  const parsed = parseJsonc('{ // c\n "a": "http://x/*y*/", /* b */ "b": [1, 2,], }');
  assert.deepEqual(parsed, { value: { a: 'http://x/*y*/', b: [1, 2] } });
});

test('JSONC: a syntax error reports its line and column', () => {
  const parsed = parseJsonc('{\n  "a": 1\n  "b": 2\n}');
  assert.ok('error' in parsed);
  assert.equal(parsed.error.line, 3);
  assert.equal(parsed.error.column, 3);
});

test('launch.json: kvmi guests are resolved, other types and ${command:...} guests are skipped', () => {
  const folder = mkdtempSync(join(tmpdir(), 'kvmi-launch-'));
  try {
    mkdirSync(join(folder, '.vscode'));
    writeFileSync(join(folder, '.vscode', 'launch.json'), `{
      "configurations": [
        { "type": "kvmi", "guest": "\${workspaceFolder}/build/a.elf", "sourceMap": { "/build/src": "\${workspaceFolder}/src" } }, // comment
        { "type": "kvmi", "guest": "b.elf", "watchpoints": [{ "address": "0x1000", "size": 4, "access": "read" }] },
        { "type": "kvmi", "guest": "\${command:kvmi.pickGuest}" },
        { "type": "node", "guest": "c.elf" },
      ]
    }`);
    const launch = readLaunchGuests(folder);
    assert.deepEqual(launch.guests, [join(folder, 'build', 'a.elf'), join(folder, 'b.elf')]);
    assert.deepEqual(launch.watchpoints.map((w) => [w.address, w.size, w.access, w.guest, w.savedIn?.line]),
      [['0x1000', 4, 'read', join(folder, 'b.elf'), 3]]);
    assert.deepEqual(launch.sourceMaps.get(join(folder, 'build', 'a.elf')), { '/build/src': join(folder, 'src') });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('launch.json: invalid JSON gives a LaunchJsonError with its position and no guests', () => {
  const folder = mkdtempSync(join(tmpdir(), 'kvmi-launch-'));
  try {
    mkdirSync(join(folder, '.vscode'));
    writeFileSync(join(folder, '.vscode', 'launch.json'), '{ "configurations": [ { "type": "kvmi" ');
    const launch = readLaunchGuests(folder);
    assert.deepEqual(launch.guests, []);
    assert.equal(launch.error?.name, 'LaunchJsonError');
    assert.equal(launch.error?.line, 1);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('guest paths: absolute stays, relative and ${workspaceFolder} resolve against the folder', () => {
  assert.equal(resolveGuestPath('/x/g.elf', '/w'), '/x/g.elf');
  assert.equal(resolveGuestPath('out/../g.elf', '/w'), '/w/g.elf');
  assert.equal(resolveGuestPath('${workspaceFolder}/g.elf', '/w'), '/w/g.elf');
  assert.equal(resolveGuestPath('${env:HOME}/g.elf', '/w'), undefined);
});

test('settings: bad entries are named and dropped, good ones kept', () => {
  const { options, problems } = checkOptions({ guestElfs: ['a.elf', 3, ''], persistedWatchpoints: [{ symbol: 'x', access: 'write' }, { access: 'write' }, { symbol: 'y', access: 'rw' }] });
  assert.deepEqual(options.guestElfs, ['a.elf']);
  assert.deepEqual(options.persistedWatchpoints, [{ symbol: 'x', access: 'write' }]);
  assert.deepEqual(problems, [
    'kvmi.guestElfs[1] must be a non-empty path string',
    'kvmi.guestElfs[2] must be a non-empty path string',
    'persistedWatchpoints[1]: needs a "symbol" or an "address"',
    'persistedWatchpoints[2]: "access" must be one of read, write, readWrite, execute',
  ]);
  assert.deepEqual(checkOptions({ guestElfs: 'a.elf' }).problems, ['kvmi.guestElfs must be an array of ELF paths']);
});

test('source paths: exact match wins, else the longest common suffix, never a different file name', () => {
  const recorded = ['/build/src/main.c', '/build/lib/main.c', '/build/src/heap.c'];
  assert.equal(matchSourcePath('/build/lib/main.c', recorded), '/build/lib/main.c');
  assert.equal(matchSourcePath('/home/me/checkout/src/main.c', recorded), '/build/src/main.c');
  assert.equal(matchSourcePath('/home/me/other.c', recorded), undefined);
});

test('sourceMap: whole path components only, both directions', () => {
  const map = { '/build/src/': '/home/me/src' };
  assert.equal(toLocalPath('/build/src/a/main.c', map), '/home/me/src/a/main.c');
  assert.equal(toLocalPath('/build/srcx/main.c', map), '/build/srcx/main.c');
  assert.deepEqual(toRecordedPaths('/home/me/src/a/main.c', map), ['/build/src/a/main.c']);
  assert.deepEqual(toRecordedPaths('/home/me/other/main.c', map), []);
});

test('address queries: hex only, up to 64 bits', () => {
  assert.equal(parseAddressQuery(' 0x101040 '), 0x101040n);
  assert.equal(parseAddressQuery('0xffffffff81000000'), 0xffffffff81000000n);
  assert.equal(parseAddressQuery('main'), undefined);
  assert.equal(parseAddressQuery('0x1ffffffffffffffff'), undefined);
  assert.equal(parseAddressSetting('4096'), 4096n);
  assert.equal(parseAddressSetting('0xg'), undefined);
});

test('page frames: physical address from PT_LOAD, frames spanned by an object', () => {
  const load: ElfProgramHeader = { type: 1, flags: 6, offset: 0x1000, virtualAddress: 0xffffffff81000000n, physicalAddress: 0x1000000n,
    fileSize: 0x1000, memorySize: 0x5000n, align: 0x1000n };
  assert.equal(physicalAddress([load], 0xffffffff81001ff8n), 0x1001ff8n);
  assert.equal(physicalAddress([load], 0xffffffff81005000n), undefined);
  assert.equal(describeFrames(framesOf(0x1001ff8n, 8)), 'gfn 0x1001');
  assert.equal(describeFrames(framesOf(0x1001ff8n, 16)), 'gfns 0x1001, 0x1002');
  assert.equal(describeFrames(framesOf(0x1000000n, 0x5000)), 'gfns 0x1000-0x1004 (5 frames)');
});
