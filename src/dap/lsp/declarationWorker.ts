// Worker thread that reads a guest's DWARF and posts its declaration index (declarationIndex.ts)
// to the language server, so a large guest's .debug_info is parsed without blocking hovers.
// workerData: { path }; posts { data } or { error }.
import { parentPort, workerData } from 'node:worker_threads';
import { DebugInfo } from '../debuginfo/index';
import { buildDeclarationIndex } from './declarationIndex';
import { packedBuffers } from './packedDeclarations';

const { path } = workerData as { path: string };
try {
  const data = buildDeclarationIndex(DebugInfo.fromFile(path));
  const { starts, ends, lines, files } = data.addressLines;
  // The typed arrays move to the server thread instead of being copied.
  parentPort!.postMessage({ data }, [...packedBuffers(data.declarations), ...[starts, ends, lines, files].map((a) => a.buffer as ArrayBuffer)]);
} catch (error) {
  parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
