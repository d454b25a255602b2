// Runs the extension's mocha suite in the VS Code server of code-server: starts the server on a free
// loopback port with its state in a scratch folder, opens the workbench in headless Chromium with the
// extension-development payload, prints the suite's report as it is written, and resolves with the exit
// code the workbench hands to codeAutomationExit.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const chromiumBinary = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';
const suiteTimeoutMs = Number(process.env.KVMI_VSCODE_TEST_TIMEOUT_MS ?? 300_000);

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

export async function startServer(root, workspace, scratch, port, reportFile) {
  rmSync(scratch, { recursive: true, force: true });
  const dirs = Object.fromEntries(['userData', 'extensions', 'tmp', 'xdgData', 'xdgConfig', 'xdgCache']
    .map((name) => [name, join(scratch, name)]));
  Object.values(dirs).forEach((dir) => mkdirSync(dir, { recursive: true }));
  const config = join(scratch, 'config.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const entry = join(root, 'test/.vscode-server/node_modules/code-server/out/node/entry.js');
  if (!existsSync(entry)) throw new Error(`code-server is not installed (${entry} missing): run bash test/vscode/install.sh`);
  const log = join(scratch, 'server.log');
  const server = spawn(process.execPath, [entry, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--ignore-last-opened',
    '--config', config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions, workspace], {
    env: { ...process.env, TMPDIR: dirs.tmp, XDG_DATA_HOME: dirs.xdgData, XDG_CONFIG_HOME: dirs.xdgConfig,
      XDG_CACHE_HOME: dirs.xdgCache, KVMI_VSCODE_TEST_REPORT: reportFile },
    stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  const output = [];
  server.stdout.on('data', (d) => output.push(d));
  server.stderr.on('data', (d) => output.push(d));
  const saveLog = () => writeFileSync(log, Buffer.concat(output));
  await new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const poll = () => {
      if (Buffer.concat(output).includes('HTTP server listening')) return resolve();
      if (server.exitCode !== null) return reject(new Error(`code-server exited with ${server.exitCode}:\n${Buffer.concat(output)}`));
      if (Date.now() > deadline) return reject(new Error(`code-server did not start in 60 s:\n${Buffer.concat(output)}`));
      setTimeout(poll, 100);
    };
    poll();
  });
  return { server, saveLog, log };
}

/** Prints what the suite appends to the report file, as it appears. */
function followReport(reportFile) {
  let printed = 0;
  const flush = () => {
    if (!existsSync(reportFile) || statSync(reportFile).size === printed) return;
    const text = readFileSync(reportFile);
    process.stdout.write(text.subarray(printed));
    printed = text.length;
  };
  const timer = setInterval(flush, 200);
  return () => { clearInterval(timer); flush(); return printed; };
}

export async function runInCodeServer({ root, testsPath, workspace, scratch, reportFile }) {
  if (!existsSync(chromiumBinary)) throw new Error(`Chromium not found at ${chromiumBinary}: apt-get install chromium, or set CHROMIUM_PATH`);
  rmSync(reportFile, { force: true });
  const port = await freePort();
  const started = Date.now();
  const { server, saveLog, log } = await startServer(root, workspace, scratch, port, reportFile);
  const stopServer = () => { try { process.kill(-server.pid, 'SIGTERM'); } catch { /* already gone */ } };
  const onInterrupt = (signal) => { stopServer(); process.exit(signal === 'SIGINT' ? 130 : 143); };
  process.once('SIGINT', onInterrupt).once('SIGTERM', onInterrupt);
  const stopFollowing = followReport(reportFile);
  let browser;
  try {
    browser = await chromium.launch({ executablePath: chromiumBinary, headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
    const page = await browser.newPage();
    const browserErrors = [];
    page.on('console', (message) => { if (message.type() === 'error') browserErrors.push(message.text()); });
    const exitCode = new Promise((resolve) => page.exposeFunction('codeAutomationExit', (code) => resolve(code)));
    const remote = (path) => `vscode-remote://localhost:${port}${path}`;
    const payload = [['extensionDevelopmentPath', remote(root)], ['extensionTestsPath', remote(testsPath)],
      ['skipWelcome', 'true'], ['skipReleaseNotes', 'true']];
    await page.goto(`http://localhost:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), suiteTimeoutMs).unref());
    const code = await Promise.race([exitCode, timeout]);
    const printed = stopFollowing();
    if (code === 'timeout') {
      console.error(`the suite did not finish within ${suiteTimeoutMs / 1000} s`);
      await page.screenshot({ path: join(scratch, 'timeout.png') }).catch(() => {});
    }
    if (printed === 0) {
      console.error('the suite wrote no report: the test module did not load or did not run');
      console.error(`browser console errors:\n${browserErrors.slice(-20).join('\n')}`);
    }
    console.log(`VS Code server, workbench and suite: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (code !== 0) console.error(`suite exit code ${code}; server log: ${log}`);
    return code === 0 ? 0 : 1;
  } finally {
    stopFollowing();
    await browser?.close().catch(() => {});
    stopServer();
    process.off('SIGINT', onInterrupt).off('SIGTERM', onInterrupt);
    saveLog();
  }
}
