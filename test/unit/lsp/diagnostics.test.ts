// Diagnostics over the LSP protocol on a program compiled into a temporary workspace: a source
// file touched after the build gets a "rebuild" warning, a launch.json watchpoint whose symbol is
// gone is flagged on its line, and both clear when the ELF is rebuilt (the server watches it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { guestToolchainMissing } from '../../support/guests';
import { LspTestClient } from './lspTestClient';

const missing = guestToolchainMissing();
const hourAgo = new Date(Date.now() - 3600_000);

describe('diagnostics', { skip: missing }, () => {
  let folder: string, source: string, elf: string, launchUri: string, client: LspTestClient;

  function build(text: string): void {
    writeFileSync(source, text);
    utimesSync(source, hourAgo, hourAgo);
    const gcc = spawnSync('gcc', ['-g', '-O0', '-no-pie', '-o', elf, source], { encoding: 'utf8' });
    assert.equal(gcc.status, 0, gcc.stderr);
  }

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'kvmi-lsp-diag-'));
    mkdirSync(join(folder, 'build'));
    mkdirSync(join(folder, '.vscode'));
    source = join(folder, 'prog.c');
    elf = join(folder, 'build', 'prog.elf');
    build('int counter;\nint main(void) { return counter++; }\n');
    const launch = join(folder, '.vscode', 'launch.json');
    writeFileSync(launch, `{
  "configurations": [
    {
      "type": "kvmi", "request": "launch", "name": "prog", "guest": "\${workspaceFolder}/build/prog.elf",
      "watchpoints": [
        { "symbol": "counter", "access": "write" },
        // renamed in the next build
        { "symbol": "vanished", "access": "read" }
      ]
    }
  ]
}
`);
    launchUri = pathToFileURL(launch).toString();
    client = await LspTestClient.start(folder, { options: { persistedWatchpoints: [{ address: '0x10', size: 4, access: 'write', guest: elf }] } });
  });
  after(async () => { await client?.stop(); rmSync(folder, { recursive: true, force: true }); });

  test('a launch.json watchpoint on a missing symbol is flagged on its line; a resolving one is not', async () => {
    await client.open(source);
    const found = await client.diagnosticsFor(launchUri, (d) => d.length > 0);
    assert.deepEqual(found.map((d) => [d.range.start.line, d.message]),
      [[7, 'watchpoint on "vanished" no longer resolves: prog.elf has no symbol "vanished"']]);
  });

  test('a saved address watchpoint outside every section is flagged on the guest ELF', async () => {
    const found = await client.diagnosticsFor(pathToFileURL(elf).toString(), (d) => d.length > 0);
    assert.match(found[0].message, /watchpoint at 0x10 no longer resolves: no section of prog.elf contains that address/);
  });

  test('a source newer than the ELF gets a rebuild warning', async () => {
    const uri = pathToFileURL(source).toString();
    assert.deepEqual(await client.diagnosticsFor(uri, () => true), []);
    const later = new Date(Date.now() + 60_000);
    utimesSync(source, later, later);
    await client.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
    const stale = await client.diagnosticsFor(uri, (d) => d.length > 0);
    assert.deepEqual(stale.map((d) => [d.range.start.line, d.severity, d.message]),
      [[0, 2, 'prog.elf is older than this file: addresses may be wrong; rebuild']]);
  });

  test('rebuilding the ELF re-indexes it and clears both warnings', async () => {
    build(`${readFileSync(source, 'utf8')}int vanished;\n`);
    assert.deepEqual(await client.diagnosticsFor(launchUri, (d) => d.length === 0), []);
    assert.deepEqual(await client.diagnosticsFor(pathToFileURL(source).toString(), (d) => d.length === 0), []);
  });
});
