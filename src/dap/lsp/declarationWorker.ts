// Worker thread that reads a guest's DWARF and posts its declaration index (declarationIndex.ts)
// to the language server, so a large guest's .debug_info is parsed without blocking hovers.
// workerData: { path }; posts { data } or { error }.
import { parentPort, workerData } from 'node:worker_threads';
import { DebugInfo } from '../debuginfo/index';
import { buildDeclarationIndex } from './declarationIndex';

const { path } = workerData as { path: string };
try {
  parentPort!.postMessage({ data: buildDeclarationIndex(DebugInfo.fromFile(path)) });
} catch (error) {
  parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
