// Debug adapter entry point: a Node program that speaks DAP on stdin/stdout.
import { DebugSession } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';

/** The KVMI debug session: KVMI events from the VMM become DAP stops. */
class KvmiDebugSession extends DebugSession {
  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = { supportsConfigurationDoneRequest: true };
    this.sendResponse(response);
  }
}

DebugSession.run(KvmiDebugSession);
