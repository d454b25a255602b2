// `npm run test:vscode`: runs the mocha suite of test/vscode/suite inside a real VS Code. With a local
// VS Code desktop build (VSCODE_EXECUTABLE_PATH) and @vscode/test-electron installed, that is used;
// otherwise the VS Code server of the npm package code-server, its web workbench driven headless in
// Debian's Chromium, followed by the UI test (uiTest.mjs; KVMI_VSCODE_SKIP_UI=1 leaves it out, KVMI_VSCODE_ONLY_UI=1 runs it alone). Exits
// non-zero when the suite or the UI test fails or neither way can run.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { buildExtensionAndAdapter, buildIntrospectedVmmIfNeeded, buildSuite } from './build.mjs';
import { makeUiWorkspace, makeWorkspace } from './workspace.mjs';
import { runUiTest } from './uiTest.mjs';
import { runInCodeServer } from './codeServerRunner.mjs';

const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const artifacts = join(root, 'test/.artifacts/vscode');

function electronBuild() {
  const executable = process.env.VSCODE_EXECUTABLE_PATH;
  if (!executable) return { reason: 'VSCODE_EXECUTABLE_PATH is not set (no local VS Code desktop build)' };
  if (!existsSync(executable)) return { reason: `VSCODE_EXECUTABLE_PATH=${executable} does not exist` };
  try {
    return { executable, testElectron: createRequire(import.meta.url).resolve('@vscode/test-electron') };
  } catch {
    return { reason: '@vscode/test-electron is not installed' };
  }
}

async function main() {
  console.log('building the test guests, the extension and the in-VS Code suite');
  execFileSync('bash', [join(root, 'test/guests/build.sh')], { stdio: 'inherit' });
  await buildExtensionAndAdapter(root);
  const testsPath = await buildSuite(root);
  const introspectedVmm = await buildIntrospectedVmmIfNeeded(root);
  if (introspectedVmm) {
    console.log(`dist/vmm.js does not take --introspect: launches use ${introspectedVmm}`);
    process.env.KVMI_VMM = introspectedVmm; // inherited by the VS Code server, its extension host and the adapter
  }
  const workspace = makeWorkspace(root, join(artifacts, 'workspace'));
  const reportFile = join(artifacts, 'mocha-report.txt');

  const electron = electronBuild();
  if (electron.executable) {
    console.log(`running in VS Code desktop ${electron.executable}`);
    const { runTests } = await import(electron.testElectron);
    return runTests({
      vscodeExecutablePath: electron.executable, extensionDevelopmentPath: root, extensionTestsPath: testsPath,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    });
  }
  console.log(`not using @vscode/test-electron: ${electron.reason}; using the code-server VS Code server`);
  const installed = join(root, 'test/.vscode-server/installed-4.100.3');
  if (!existsSync(installed)) execFileSync('bash', [join(root, 'test/vscode/install.sh')], { stdio: 'inherit' });
  const suiteCode = process.env.KVMI_VSCODE_ONLY_UI === '1' ? 0 : await runInCodeServer({ root, testsPath, workspace, scratch: join(artifacts, 'server'), reportFile });
  if (process.env.KVMI_VSCODE_SKIP_UI === '1') return suiteCode;
  const uiWorkspace = makeUiWorkspace(root, join(artifacts, 'ui-workspace'));
  if (!uiWorkspace) {
    console.log('UI test skipped: test/guests/out/heap-overflow.elf is not built (npm run guests)');
    return suiteCode;
  }
  const uiCode = await runUiTest({ root, workspace: uiWorkspace, scratch: join(artifacts, 'ui-server'), screenshots: join(root, 'test/.artifacts/screenshots') });
  return suiteCode || uiCode;
}

main().then((code) => process.exit(code), (error) => {
  console.error(`test:vscode could not run the suite in VS Code: ${error instanceof Error ? error.stack : error}`);
  process.exit(2);
});
