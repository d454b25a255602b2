// The UI test: drives the workbench as a person would, in headless Chromium against the code-server VS
// Code server. Opens the example's main.c, right-clicks the line number of line 62, chooses "Watch
// writes to the memory this line touches", presses F5, waits for the data-breakpoint stop on that line, expands
// the Registers scope; then steps over, watches *guard with "Watch Symbol Under Cursor" and continues to
// the overflow on line 28; saves screenshots in test/.artifacts/screenshots/. Resolves 0 when every
// step was seen on screen, 1 otherwise (naming the step).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumBinary, freePort, startServer } from './codeServerRunner.mjs';

const watchedLine = 62;
/** From test/guests/guests.json: the statement that overflows the buffer into the guard. */
const overflowLine = 28;
const menuItem = 'Watch writes to the memory this line touches';

async function step(what, body) {
  try {
    return await body();
  } catch (error) {
    throw new Error(`UI step "${what}" failed: ${error.message.split('\n')[0]}`);
  }
}

/** Whether the locator's element appears within `ms` (isVisible does not wait). */
function shown(locator, ms) {
  return locator.waitFor({ state: 'visible', timeout: ms }).then(() => true, () => false);
}

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().click({ timeout: 10_000 });
}

export async function runUiTest({ root, workspace, scratch, screenshots }) {
  mkdirSync(screenshots, { recursive: true });
  rmSync(join(screenshots, 'ui-test-failure.png'), { force: true });
  const port = await freePort();
  const started = Date.now();
  const { server, saveLog } = await startServer(root, workspace, scratch, port, join(scratch, 'unused-report.txt'));
  const stopServer = () => { try { process.kill(-server.pid, 'SIGTERM'); } catch { /* already gone */ } };
  let browser;
  let page;
  try {
    browser = await chromium.launch({ executablePath: chromiumBinary, headless: true,
      args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const payload = [['extensionDevelopmentPath', `vscode-remote://localhost:${port}${root}`], ['skipWelcome', 'true'], ['skipReleaseNotes', 'true']];
    await page.goto(`http://localhost:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    await step('workbench loads', () => page.locator('.monaco-workbench .part.editor').waitFor({ timeout: 60_000 }));
    const source = join(root, 'test/guests/heap-overflow/main.c');
    await step('open main.c through Quick Open', async () => {
      await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } });
      await page.keyboard.press('Control+P');
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(source);
      await page.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      await page.locator('.tab', { hasText: 'main.c' }).waitFor({ timeout: 10_000 });
    });
    await step(`go to line ${watchedLine}`, async () => {
      await page.keyboard.press('Control+G');
      await page.locator('.quick-input-widget input').fill(`:${watchedLine}`);
      await page.keyboard.press('Enter');
      await page.locator('.margin-view-overlays .line-numbers', { hasText: new RegExp(`^${watchedLine}$`) }).waitFor({ timeout: 10_000 });
    });
    await step(`right-click line number ${watchedLine} and choose "${menuItem}"`, async () => {
      // The extension's commands are there once it is active; retry the menu until they are.
      for (let attempt = 0; ; attempt++) {
        await page.locator('.margin-view-overlays .line-numbers', { hasText: new RegExp(`^${watchedLine}$`) }).click({ button: 'right' });
        const item = page.locator('.monaco-menu .action-label', { hasText: menuItem });
        if (await shown(item.first(), 3_000)) { await item.first().click(); break; }
        await page.keyboard.press('Escape');
        if (attempt === 5) throw new Error('the item never appeared in the line-number menu');
        await runCommand(page, 'KVMI: Check KVM Access').catch(() => {}); // activates the extension
        await page.keyboard.press('Escape');
      }
      await page.locator('.cgmr[class*="ced-"], .margin-view-overlays .cgmr').first().waitFor({ timeout: 10_000 });
    });
    await page.screenshot({ path: join(screenshots, 'gutter-watch-icon.png') });
    await step('press F5 and wait for "Paused on data breakpoint"', async () => {
      await page.locator('.monaco-editor').first().click({ position: { x: 400, y: 200 } });
      await page.keyboard.press('F5');
      // The Call Stack header shows the stop's description ("write of 8 bytes at gva ...") when the
      // adapter gives one, VS Code's "Paused on data breakpoint" otherwise.
      await page.getByText(/Paused on data breakpoint|write of \d+ bytes? at gva/i).first().waitFor({ timeout: 60_000 });
      await page.locator('.monaco-list-row', { hasText: 'main.c' }).filter({ hasText: `${watchedLine}:` }).first().waitFor({ timeout: 10_000 });
    });
    await step('expand the Registers scope in the Variables view', async () => {
      const registers = page.locator('.debug-variables .monaco-list-row', { hasText: /Registers/ }).first();
      await registers.waitFor({ timeout: 10_000 });
      if ((await registers.getAttribute('aria-expanded')) !== 'true') await registers.click();
      await page.locator('.debug-variables .monaco-list-row', { hasText: /^\s*rax\b/ }).first().waitFor({ timeout: 10_000 });
      // More room for the registers: collapse the Watch section and the Locals scope.
      const watchHeader = page.locator('.pane-header', { hasText: /^\s*Watch\s*$/i }).first();
      if ((await watchHeader.getAttribute('aria-expanded')) === 'true') await watchHeader.click();
      const locals = page.locator('.debug-variables .monaco-list-row', { hasText: /^\s*Locals\s*$/ }).first();
      if ((await locals.getAttribute('aria-expanded')) === 'true') await locals.click();
    });
    await page.screenshot({ path: join(screenshots, 'paused-on-data-breakpoint.png') });
    await step('step over line 62 (F10), watch *guard with "Watch Symbol Under Cursor"', async () => {
      await page.keyboard.press('F10');
      await page.locator('.monaco-list-row', { hasText: 'main.c' }).filter({ hasNotText: `${watchedLine}:` }).first().waitFor({ timeout: 20_000 });
      // Put the cursor on "guard" in line 62, then run the command and pick the pointee.
      await page.keyboard.press('Control+G');
      await page.locator('.quick-input-widget input').fill(`:${watchedLine}:3`);
      await page.keyboard.press('Enter');
      await runCommand(page, 'KVMI: Watch Symbol Under Cursor');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: '*guard' }).first().click({ timeout: 10_000 });
      await page.keyboard.press('Enter'); // the pick list allows several choices: confirm
    });
    await step(`continue (F5) until the overflow stops on line ${overflowLine}`, async () => {
      await page.locator('.monaco-editor').first().click({ position: { x: 400, y: 200 } });
      for (let attempt = 0; attempt < 4; attempt++) {
        await page.keyboard.press('F5');
        const onOverflow = page.locator('.monaco-list-row', { hasText: 'main.c' }).filter({ hasText: `${overflowLine}:` }).first();
        if (await shown(onOverflow, 15_000)) return;
      }
      throw new Error(`no stop on main.c:${overflowLine}`);
    });
    await page.screenshot({ path: join(screenshots, 'overflow-line-28.png') });
    await page.keyboard.press('Shift+F5');
    console.log(`UI test passed in ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${screenshots}`);
    return 0;
  } catch (error) {
    console.error(error.message);
    await page?.screenshot({ path: join(screenshots, 'ui-test-failure.png') }).catch(() => {});
    return 1;
  } finally {
    await browser?.close().catch(() => {});
    stopServer();
    saveLog();
  }
}
