// The extension stays inactive until VS Code needs the kvmi debug type, and then activates on
// onDebugResolve:kvmi; prints how long that takes.
/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { kvmiExtension, report, workspaceFolder } from './workspaceFixture';

suite('activation', () => {
  test('is inactive at start-up and activates when a kvmi configuration is resolved', async () => {
    const extension = kvmiExtension();
    assert.equal(extension.isActive, false, 'the extension activated before any kvmi debug request');
    const requested = performance.now();
    let activeAt = NaN;
    const watchActivation = (async () => {
      while (!extension.isActive) await new Promise((resolve) => setImmediate(resolve));
      activeAt = performance.now();
    })();
    const started = await vscode.debug.startDebugging(workspaceFolder(), 'KVMI: missing guest file');
    const refusedAt = performance.now();
    await watchActivation;
    assert.equal(started, false, 'a launch of a missing guest file must be refused');
    assert.equal(extension.isActive, true);
    report(`      activation on onDebugResolve:kvmi: ${(activeAt - requested).toFixed(1)} ms from startDebugging to active, `
      + `${(refusedAt - requested).toFixed(1)} ms until the invalid launch was refused`);
  });
});
