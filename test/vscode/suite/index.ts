// The module VS Code loads as extensionTestsPath: runs every compiled *.suite.js next to it with mocha
// (TDD interface) and settles the promise VS Code waits for. Mocha's report goes to the extension
// host's console and, line by line, to the file named by KVMI_VSCODE_TEST_REPORT so the runner can
// print it in the terminal.
import Mocha from 'mocha';
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';

type Log = (...args: unknown[]) => void;

/**
 * Copies what the reporters print into the report file. Mocha's reporters print through
 * Base.consoleLog (console.log itself cannot be replaced in the extension host, which forwards it to
 * the workbench); the suites' own figures go through it too (see report() in workspaceFixture.ts).
 */
function teeReporterToFile(reportFile: string | undefined): () => void {
  const reporterBase = Mocha.reporters.Base as unknown as { consoleLog: Log };
  const original = reporterBase.consoleLog;
  if (reportFile) {
    reporterBase.consoleLog = (...args) => {
      appendFileSync(reportFile, `${format(...args)}\n`);
      original(...args);
    };
  }
  return () => { reporterBase.consoleLog = original; };
}

/** Runs first: it checks that nothing activated the extension before a kvmi debug request. */
const firstSuite = 'activation.suite.js';

export async function run(): Promise<void> {
  const restoreConsole = teeReporterToFile(process.env.KVMI_VSCODE_TEST_REPORT);
  const mocha = new Mocha({ ui: 'tdd', color: false, reporter: 'spec', timeout: 60_000 });
  readdirSync(__dirname).filter((name) => name.endsWith('.suite.js'))
    .sort((a, b) => Number(b === firstSuite) - Number(a === firstSuite) || a.localeCompare(b))
    .forEach((name) => mocha.addFile(join(__dirname, name)));
  try {
    const failures = await new Promise<number>((resolve) => mocha.run(resolve));
    if (failures > 0) throw new Error(`${failures} in-VS Code test(s) failed`);
  } finally {
    restoreConsole();
  }
}
