// What the in-VS Code suites share: the extension under test, the workspace folder the runner made
// (see test/vscode/workspace.mjs), a wait with a deadline for events VS Code fires, and a way to
// print measured figures into the report.
import * as assert from 'node:assert/strict';
import Mocha from 'mocha';
import * as vscode from 'vscode';

export const extensionId = 'kvmi-tools.kvmi-debug';

export function kvmiExtension(): vscode.Extension<unknown> {
  const extension = vscode.extensions.getExtension(extensionId);
  assert.ok(extension, `extension ${extensionId} is not loaded in this VS Code`);
  return extension;
}

export function workspaceFolder(): vscode.WorkspaceFolder {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite runs without a workspace folder; the runner opens test/.artifacts/vscode/workspace');
  return folder;
}

/** Resolves with the promise's value, or rejects naming `what` if it takes longer than `ms`. */
export function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms); });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** Prints a line into the mocha report (the terminal of `npm run test:vscode`), e.g. a measured time. */
export function report(line: string): void {
  (Mocha.reporters.Base as unknown as { consoleLog: (text: string) => void }).consoleLog(line);
}
