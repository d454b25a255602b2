// The extension's commands and the F5-without-launch.json path: the KVM check answers what the launch
// checks would decide, and an empty configuration becomes a launch of the guest chosen in a quick pick.
/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ConfigurationProvider } from '../../../src/extension/configurationProvider';
import { probeKvm } from '../../../src/extension/kvmDevice';
import { within, workspaceFolder } from './workspaceFixture';

/** Accepts the first quick-pick item as soon as a quick pick is shown, until `done` settles. */
async function acceptQuickPickUntil<T>(done: Promise<T>): Promise<T> {
  let settled = false;
  void done.finally(() => { settled = true; });
  while (!settled) {
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return done;
}

suite('commands', () => {
  test('"KVMI: Check KVM Access" reports what the launch checks decide for engine "kvm"', async () => {
    assert.equal(await vscode.commands.executeCommand('kvmi.checkKvmAccess'), probeKvm().usable);
  });

  test('F5 without a launch.json launches the workspace guest picked from the list', async () => {
    const folder = workspaceFolder();
    const provider = new ConfigurationProvider([], (message) => assert.fail(message));
    const resolved = await within(30_000, 'quick pick of workspace guests',
      acceptQuickPickUntil(provider.resolveDebugConfiguration(folder, { type: '', request: '', name: '' })));
    assert.equal(resolved?.type, 'kvmi');
    assert.equal(resolved?.request, 'launch');
    assert.equal(resolved?.guest, vscode.Uri.joinPath(folder.uri, 'build/nested.elf').fsPath, 'the first guest in the list is build/nested.elf');
  });
});
