// The language server's address -> line table (addressLines.ts) is the reader's line index
// (`info.lines`) in columns: on the heap-overflow guest it answers every code address the way
// `info.lines` does, and a declaration list survives packing for the trip between threads.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { DebugInfo } from '../../../src/dap/debuginfo/index';
import { buildAddressLines, lineAt } from '../../../src/dap/lsp/addressLines';
import { buildDeclarationIndex } from '../../../src/dap/lsp/declarationIndex';
import { packDeclarations, unpackDeclarations } from '../../../src/dap/lsp/packedDeclarations';
import type { GuestDeclaration } from '../../../src/dap/lsp/declarationIndex';
import { guestTestsMissing, guestWorkspace, nmAddress } from './guestWorkspace';

const missing = guestTestsMissing();

describe('address lines and packed declarations', { skip: missing }, () => {
  let elf: string;
  before(() => {
    const workspace = guestWorkspace('heap-overflow');
    elf = workspace.elf;
    workspace.remove();
  });

  test('every address of every line span maps to the line info.lines gives', () => {
    const lines = DebugInfo.fromFile(elf).lines;
    const table = buildAddressLines(lines);
    const spans = lines.addressSpans.filter((s) => s.row.line !== 0);
    assert.ok(spans.length > 20, `${spans.length} spans`);
    assert.equal(table.starts.length, spans.length);
    for (const span of spans) {
      for (const address of [span.low, span.high - 1n]) {
        const expected = lines.lookupAddress(address)!;
        assert.deepEqual(lineAt(table, address), { path: expected.path, line: expected.line }, `0x${address.toString(16)}`);
      }
    }
    assert.equal(lineAt(table, 0n), undefined, 'address 0 has no line');
  });

  test('the declarations of the guest survive packing unchanged', () => {
    const data = buildDeclarationIndex(DebugInfo.fromFile(elf));
    const declarations = unpackDeclarations(data.declarations);
    const main = declarations.find((d) => d.name === 'main');
    assert.equal(main?.kind, 'function');
    assert.equal(main?.address, nmAddress(elf, 'main'));
    const guard = declarations.find((d) => d.name === 'guard');
    assert.equal(guard?.kind, 'variable');
    assert.equal(guard?.address, nmAddress(elf, 'guard'));
    assert.ok(guard?.typeName, 'guard has a type name');
    assert.deepEqual(unpackDeclarations(packDeclarations(declarations)), declarations);
    const odd: GuestDeclaration[] = [
      { name: 'kernel_base', kind: 'variable', scope: 'static', address: 0xffffffff81000000n, size: 4096, typeName: undefined, declFile: undefined, declLine: undefined },
      { name: 'entry', kind: 'function', scope: 'global', address: 0n, size: 0, typeName: 'int', declFile: '/src/a b.c', declLine: 1 },
    ];
    assert.deepEqual(unpackDeclarations(packDeclarations(odd)), odd);
  });
});
