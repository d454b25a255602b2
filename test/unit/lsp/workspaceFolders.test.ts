// Guests follow the workspace: adding a folder whose launch.json names a guest indexes that guest
// (its symbols become searchable), removing the folder drops it again; guests that cannot be
// loaded are reported.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { guestTestsMissing, guestWorkspace, type GuestWorkspace } from './guestWorkspace';
import { LspTestClient } from './lspTestClient';

const missing = guestTestsMissing();

describe('workspace folders', { skip: missing }, () => {
  let empty: string, workspace: GuestWorkspace, client: LspTestClient;
  before(async () => {
    empty = mkdtempSync(join(tmpdir(), 'kvmi-lsp-empty-'));
    workspace = guestWorkspace('hello');
    client = await LspTestClient.start(empty, { awaitGuests: 0 });
  });
  after(async () => { await client?.stop(); workspace?.remove(); rmSync(empty, { recursive: true, force: true }); });

  const names = async (query: string) => (await client.request<Array<{ name: string }>>('workspace/symbol', { query })).map((s) => s.name);
  const folder = () => ({ uri: pathToFileURL(workspace.folder).toString(), name: 'hello' });

  test('no guest before the folder is added', async () => {
    assert.deepEqual(await names('print_dec'), []);
  });

  test('an added folder\'s launch.json guest is indexed and searchable', async () => {
    await client.connection.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [folder()], removed: [] } });
    await client.until(() => client.indexed.some((i) => i.guest === join(workspace.folder, 'out', 'hello.elf')));
    assert.deepEqual(await names('print_dec'), ['print_dec']);
  });

  test('a guest path that does not exist and a bad setting are shown to the user', async () => {
    const absent = join(empty, 'build', 'absent.elf');
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { kvmi: { guestElfs: [absent, 42] } } });
    await client.until(() => client.messages.length >= 2);
    assert.deepEqual(client.messages, [
      'KVMI: kvmi.guestElfs[1] must be a non-empty path string',
      `KVMI guest symbols: guest ELF ${absent} does not exist`,
    ]);
  });

  test('removing the folder drops its guest', async () => {
    await client.connection.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [], removed: [folder()] } });
    await client.request('workspace/symbol', { query: '' });
    assert.deepEqual(await names('print_dec'), []);
  });
});
