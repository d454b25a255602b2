// Packaging step (`npm run package`): copies the heap-overflow example guest (test/guests/out) with
// the sources its DWARF names into dist/examples/heap-overflow/, plus a ready example workspace
// (.vscode/launch.json whose sourceMap maps the build-time source paths to the copied ones, and a
// README), so the .vsix carries a guest to debug; and iced-x86, which the bundles load at run time,
// into dist/node_modules. Builds the guests first when the ELF is missing.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../../..', import.meta.url).pathname.replace(/\/$/, '');
const guestsDir = join(root, 'test/guests');
const elf = join(guestsDir, 'out/heap-overflow.elf');
const target = join(root, 'dist/examples/heap-overflow');

if (!existsSync(elf)) execFileSync('bash', [join(guestsDir, 'build.sh')], { stdio: 'inherit' });
rmSync(target, { recursive: true, force: true });
mkdirSync(join(target, '.vscode'), { recursive: true });
cpSync(elf, join(target, 'heap-overflow.elf'));
for (const folder of ['heap-overflow', 'runtime']) cpSync(join(guestsDir, folder), join(target, 'src', folder), { recursive: true });

const launch = {
  version: '0.2.0',
  configurations: [{
    type: 'kvmi', request: 'launch', name: 'KVMI: heap-overflow example',
    guest: '${workspaceFolder}/heap-overflow.elf', engine: 'auto', stopOnEntry: false,
    // The ELF records absolute source paths of the machine it was built on.
    sourceMap: { [guestsDir]: '${workspaceFolder}/src' },
  }],
};
writeFileSync(join(target, '.vscode/launch.json'), `${JSON.stringify(launch, null, 2)}\n`);
writeFileSync(join(target, 'README.md'), `# heap-overflow example

A 48-byte heap buffer and a guard object sit back to back; \`copy_message\` copies 81 bytes into the buffer
and runs over the guard (exit code 3 means the corruption was detected).

1. Open this folder in VS Code and \`src/heap-overflow/main.c\`.
2. Right-click the line number of line 62 (\`guard = heap_alloc(...)\`) and choose
   "Watch writes to the memory this line touches", then press F5 ("KVMI: heap-overflow example").
3. The guest stops on line 62. Step over it (F10), put the cursor on \`guard\` and run
   "KVMI: Watch Symbol Under Cursor", choosing \`*guard\` (the 32-byte object).
4. Continue (F5): the guest stops where the guard is written, last on line 28 inside \`copy_message\`,
   the overflowing store, with the registers in the Variables view.
`);
console.log(`example guest staged in ${target}`);

// The bundles leave iced-x86 (WebAssembly) external; Node resolves it from dist/node_modules first.
const iced = join(root, 'dist/node_modules/iced-x86');
rmSync(iced, { recursive: true, force: true });
cpSync(join(root, 'node_modules/iced-x86'), iced, { recursive: true });
console.log(`iced-x86 copied to ${iced}`);
