// Debug adapter entry point (bundled to dist/debugAdapter.js): a Node program that speaks DAP on
// stdin/stdout and introspects the guest through the KVMI client.
import { DebugSession } from '@vscode/debugadapter';
import { kvmiConnector } from './kvmiTarget';
import { KvmiDebugSession } from './session/kvmiDebugSession';

/** The session class DebugSession.run instantiates, bound to the real KVMI connector. */
class KvmiAdapter extends KvmiDebugSession {
  constructor() { super({ connector: kvmiConnector }); }
}

DebugSession.run(KvmiAdapter);
