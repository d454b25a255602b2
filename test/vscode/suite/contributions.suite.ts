// The manifest as VS Code loaded it: the kvmi debug type, its adapter program, its activation events,
// and the snippets and initial configurations, also as the configuration provider hands them out.
/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ConfigurationProvider } from '../../../src/extension/configurationProvider';
import { kvmiExtension } from './workspaceFixture';

interface DebuggerContribution {
  type: string; label: string; program: string; runtime: string; languages: string[];
  configurationAttributes: Record<'launch' | 'attach', { required: string[]; properties: Record<string, { enum?: string[] }> }>;
  configurationSnippets: { label: string; body: Record<string, unknown> }[];
  initialConfigurations: vscode.DebugConfiguration[];
}

function kvmiDebugger(): DebuggerContribution {
  const debuggers = kvmiExtension().packageJSON.contributes.debuggers as DebuggerContribution[];
  const contribution = debuggers.find((d) => d.type === 'kvmi');
  assert.ok(contribution, 'no "kvmi" debugger in contributes.debuggers');
  return contribution;
}

suite('manifest contributions', () => {
  test('the kvmi debugger runs the bundled adapter with Node, for C, C++ and assembly', () => {
    const contribution = kvmiDebugger();
    assert.equal(contribution.runtime, 'node');
    assert.equal(contribution.program, './dist/debugAdapter.js');
    assert.ok(existsSync(join(kvmiExtension().extensionPath, contribution.program)), 'the adapter bundle is missing: run npm run build');
    assert.deepEqual(contribution.languages, ['c', 'cpp', 'asm']);
  });

  test('activation happens only for kvmi debugging and the extension\'s own commands', () => {
    const packageJSON = kvmiExtension().packageJSON as { activationEvents: string[]; contributes: { commands: { command: string }[] } };
    const commandEvents = packageJSON.contributes.commands.map((c) => `onCommand:${c.command}`);
    assert.deepEqual([...packageJSON.activationEvents].sort(),
      ['onDebugResolve:kvmi', 'onDebugDynamicConfigurations:kvmi', ...commandEvents].sort());
  });

  test('launch requires guest and attach requires listen, with the documented choices', () => {
    const { launch, attach } = kvmiDebugger().configurationAttributes;
    // VS Code adds its own required attributes (type, request, name) to the loaded manifest.
    assert.ok(launch.required.includes('guest') && !launch.required.includes('listen'), `launch requires ${launch.required}`);
    assert.ok(attach.required.includes('listen') && !attach.required.includes('guest'), `attach requires ${attach.required}`);
    assert.deepEqual(launch.properties.engine.enum, ['auto', 'kvm', 'emulator']);
    assert.deepEqual(launch.properties.serial.enum, ['debugConsole', 'terminal']);
    for (const request of [launch, attach]) assert.ok(request.properties.watchpoints, 'watchpoints missing');
  });

  test('every snippet is a complete kvmi configuration for its request', () => {
    const snippets = kvmiDebugger().configurationSnippets;
    assert.ok(snippets.length >= 2);
    for (const { label, body } of snippets) {
      assert.equal(body.type, 'kvmi', label);
      const required = body.request === 'attach' ? 'listen' : 'guest';
      assert.ok(typeof body[required] === 'string', `${label} lacks "${required}"`);
    }
    assert.deepEqual(new Set(snippets.map((s) => s.body.request)), new Set(['launch', 'attach']));
  });

  test('the configuration provider offers the manifest\'s initial configurations', () => {
    const initial = kvmiDebugger().initialConfigurations;
    const provided = new ConfigurationProvider(initial).provideDebugConfigurations();
    assert.deepEqual(provided, initial);
    assert.ok(provided.every((c) => c.type === 'kvmi' && c.request === 'launch' && typeof c.guest === 'string'));
  });

  test('the extension\'s commands are registered once it is active', async () => {
    await kvmiExtension().activate();
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes('kvmi.pickGuest') && commands.includes('kvmi.checkKvmAccess'));
  });
});
