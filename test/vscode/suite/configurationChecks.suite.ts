// Invalid kvmi configurations are refused before any adapter starts, with a message saying what to fix:
// through VS Code's own startDebugging, and through the provider with its report captured.
/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { ConfigurationProvider } from '../../../src/extension/configurationProvider';
import { probeKvm } from '../../../src/extension/kvmDevice';
import { workspaceFolder } from './workspaceFixture';

/** The provider as registered, but with its error notifications collected instead of shown. */
function checkedBy(config: vscode.DebugConfiguration): { result: vscode.DebugConfiguration | undefined; messages: string[] } {
  const messages: string[] = [];
  const provider = new ConfigurationProvider([], (message) => messages.push(message));
  const result = provider.resolveDebugConfigurationWithSubstitutedVariables(workspaceFolder(), config);
  return { result, messages };
}

const guest = (relative: string) => vscode.Uri.joinPath(workspaceFolder().uri, relative).fsPath;
const launch = (extra: Record<string, unknown>) => ({ type: 'kvmi', request: 'launch', name: 'check', guest: guest('sample.elf'), ...extra });

function assertRefused(config: vscode.DebugConfiguration, message: RegExp): void {
  const { result, messages } = checkedBy(config);
  assert.equal(result, undefined, 'an invalid configuration must not reach the adapter');
  assert.equal(messages.length, 1);
  assert.match(messages[0], message);
}

suite('configuration checks', () => {
  test('launch.json entries naming a missing or non-x86 guest do not start a session', async () => {
    const sessions: vscode.DebugSession[] = [];
    const listener = vscode.debug.onDidStartDebugSession((session) => sessions.push(session));
    try {
      assert.equal(await vscode.debug.startDebugging(workspaceFolder(), 'KVMI: missing guest file'), false);
      assert.equal(await vscode.debug.startDebugging(workspaceFolder(), 'KVMI: AArch64 guest'), false);
      assert.equal(await vscode.debug.startDebugging(workspaceFolder(), { ...launch({ memory: 0 }) }), false);
    } finally {
      listener.dispose();
    }
    assert.deepEqual(sessions.map((s) => s.name), []);
  });

  test('a missing guest file is named in the refusal', () => {
    assertRefused(launch({ guest: guest('build/does-not-exist.elf') }), /"guest" names .*does-not-exist\.elf, which does not exist/);
  });

  test('a guest for another architecture is refused with its e_machine', () => {
    assertRefused(launch({ guest: guest('build/arm.elf') }), /e_machine 183 \(AArch64\), not x86/);
    assertRefused(launch({ guest: guest('build/text.elf') }), /is not an ELF file/);
  });

  test('engine "kvm" is refused exactly when /dev/kvm is unusable here', () => {
    const kvm = probeKvm();
    if (kvm.usable) {
      assert.equal(checkedBy(launch({ engine: 'kvm' })).result?.engine, 'kvm');
    } else {
      assertRefused(launch({ engine: 'kvm' }), /"engine" is "kvm" but \/dev\/kvm/);
    }
  });

  test('bad memory and cpus values and malformed watchpoints are refused', () => {
    assertRefused(launch({ memory: -5 }), /"memory" must be a whole number of MiB of guest RAM from 1 to 65536, not -5/);
    assertRefused(launch({ cpus: 0 }), /"cpus" must be a whole number of virtual CPUs/);
    assertRefused(launch({ watchpoints: [{ address: '0x1000' }] }), /"watchpoints\[0\]\.size" is required with "address"/);
    assertRefused(launch({ watchpoints: [{ symbol: 'x', access: 'modify' }] }), /"watchpoints\[0\]\.access" must be one of/);
  });

  test('an attach without a listen address is refused', () => {
    assertRefused({ type: 'kvmi', request: 'attach', name: 'a' }, /"listen" is required for attach/);
  });

  test('a valid launch reaches the adapter with its defaults filled in', () => {
    const { result, messages } = checkedBy(launch({}));
    assert.deepEqual(messages, []);
    assert.equal(result?.guest, guest('sample.elf'));
    assert.equal(result?.guestFormat, 'elf');
    assert.deepEqual([result?.engine, result?.memory, result?.cpus, result?.serial], ['auto', 128, 1, 'debugConsole']);
  });
});
