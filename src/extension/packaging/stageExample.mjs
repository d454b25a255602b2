// Packaging step (`npm run package`): copies the heap-overflow example guest (test/guests/out) with
// the sources its DWARF names into dist/examples/heap-overflow/, plus a ready example workspace
// (.vscode/launch.json whose sourceMap maps the build-time source paths to the copied ones, and a
// README), so the .vsix carries a guest to debug; and iced-x86, which the bundles load at run time,
// into dist/node_modules. Builds the guests first when the ELF is missing. The launch.json
// watchpoint (exampleWatchpoint) is exported so the adapter tests launch exactly the same one.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Offset of the guard object in heap_arena (test/guests/guests.json, heap-overflow). */
const GUARD_OFFSET = 128n;
const GUARD_SIZE = 32;

/** Address and size of each ELF symbol named in `names`, read with `nm -S`. */
function symbolsOf(elfPath, names) {
  const found = new Map();
  for (const line of execFileSync('nm', ['-S', elfPath], { encoding: 'utf8' }).split('\n')) {
    const [address, size, , name] = line.trim().split(/\s+/);
    if (names.includes(name) && size !== undefined) found.set(name, { address: BigInt(`0x${address}`), size: BigInt(`0x${size}`) });
  }
  for (const name of names) if (!found.has(name)) throw new Error(`symbol ${name} is not in ${elfPath}`);
  return found;
}

/**
 * The example's launch watchpoint: a write watch on the 32-byte guard object (heap_arena + 128),
 * stopping only for writes made by copy_message's instructions, so main()'s initialisation of the
 * guard does not stop and the first stop is the overflowing store (main.c line 28).
 */
export function exampleWatchpoint(elfPath) {
  const symbols = symbolsOf(elfPath, ['heap_arena', 'copy_message']);
  const guard = symbols.get('heap_arena').address + GUARD_OFFSET;
  const copyMessageSize = symbols.get('copy_message').size;
  return {
    address: `0x${guard.toString(16)}`, size: GUARD_SIZE, access: 'write',
    condition: `$rip >= &copy_message && $rip < &copy_message + 0x${copyMessageSize.toString(16)}`,
  };
}

const root = new URL('../../..', import.meta.url).pathname.replace(/\/$/, '');
const guestsDir = join(root, 'test/guests');
const elf = join(guestsDir, 'out/heap-overflow.elf');
const target = join(root, 'dist/examples/heap-overflow');

/** Writes dist/examples/heap-overflow and dist/node_modules/{iced-x86,koffi}. */
function stageExample() {
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
      watchpoints: [exampleWatchpoint(elf)],
    }],
  };
  writeFileSync(join(target, '.vscode/launch.json'), `${JSON.stringify(launch, null, 2)}\n`);
  writeFileSync(join(target, 'README.md'), `# heap-overflow example

A 48-byte heap buffer and a guard object sit back to back; \`copy_message\` copies 81 bytes into the buffer
and runs over the guard (exit code 3 means the corruption was detected).

1. Open this folder in VS Code and press F5 ("KVMI: heap-overflow example").
2. The guest stops on line 28 of \`src/heap-overflow/main.c\`, \`destination[i] = source[i]\` inside
   \`copy_message\`: the overflowing store reaching the guard, with the registers in the Variables view.
   launch.json's \`watchpoints\` entry does it: a write watch on the 32 guard bytes (heap_arena + 128)
   whose \`condition\` only holds while \`copy_message\` runs, so main()'s own initialisation of the
   guard (lines 63-64) does not stop.

## More to try

- Remove the \`condition\` from the watchpoint in launch.json: the first stop is then in main(), where
  it initialises the guard (lines 63-64); continue to reach line 28.
- Right-click the line number of line 62 (\`guard = heap_alloc(...)\`) and choose
  "Watch writes to the memory this line touches", then start again: the guest stops on line 62.
- Stopped after line 62, put the cursor on \`guard\` and run "KVMI: Watch Symbol Under Cursor",
  choosing \`*guard\` (the 32-byte object), then continue to see every write to it.
`);
  console.log(`example guest staged in ${target}`);

  // The bundles leave iced-x86 (WebAssembly) external; Node resolves it from dist/node_modules first.
  const iced = join(root, 'dist/node_modules/iced-x86');
  rmSync(iced, { recursive: true, force: true });
  cpSync(join(root, 'node_modules/iced-x86'), iced, { recursive: true });
  console.log(`iced-x86 copied to ${iced}`);

  // koffi (the KVM engine's FFI) is external too and loaded lazily; ship it with its prebuilt x86-64
  // Linux binary so that the KVM engine works from the .vsix (KVM runs x86 guests only on x86 hosts).
  // Without it the VMM still runs: `auto` then reports KVM unusable and picks the software engine.
  for (const name of ['koffi', '@koromix/koffi-linux-x64']) {
    const from = join(root, 'node_modules', name);
    const to = join(root, 'dist/node_modules', name);
    rmSync(to, { recursive: true, force: true });
    if (!existsSync(from)) { console.log(`${name} is not installed: the packaged VMM will not offer the KVM engine`); continue; }
    cpSync(from, to, { recursive: true });
    console.log(`${name} copied to ${to}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) stageExample();
