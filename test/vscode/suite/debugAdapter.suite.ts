// A valid launch starts the bundled debug adapter through the extension's descriptor factory (VS Code's
// own Node/Electron with ELECTRON_RUN_AS_NODE) and the adapter answers DAP's initialize request.
/// <reference types="mocha" />
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { within, workspaceFolder } from './workspaceFixture';

suite('debug adapter', () => {
  test('a valid launch runs dist/debugAdapter.js, which answers initialize', async () => {
    let answered: (response: { success: boolean; body?: unknown }) => void = () => {};
    const initializeResponse = new Promise<{ success: boolean; body?: unknown }>((resolve) => { answered = resolve; });
    const tracker = vscode.debug.registerDebugAdapterTrackerFactory('kvmi', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (message: { type?: string; command?: string; success: boolean; body?: unknown }) => {
          if (message.type === 'response' && message.command === 'initialize') answered(message);
        },
      }),
    });
    try {
      void vscode.debug.startDebugging(workspaceFolder(), 'KVMI: sample guest');
      const response = await within(30_000, 'initialize response from the kvmi adapter', initializeResponse);
      assert.equal(response.success, true);
    } finally {
      tracker.dispose();
      await vscode.debug.stopDebugging();
    }
  });
});
