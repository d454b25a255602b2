// Follows the kvmi debug sessions' DAP traffic for the views that show the machine: vCPU states (from
// `stopped`/`continued`), the last stop (reason, text such as "write at 0x116010", frame), the page
// restrictions (kvmi/statistics, asked at every stop) and the guest's exit code.
import * as vscode from 'vscode';
import { CustomRequest, type StatisticsResponse } from '../../dap/protocol/custom';

interface DapMessage { type?: string; event?: string; body?: Record<string, unknown> }

export interface LastStop { reason: string; text?: string; description?: string; threadId?: number }

export interface MonitoredSession {
  session: vscode.DebugSession;
  engine: string;
  running: boolean;
  lastStop?: LastStop;
  statistics?: StatisticsResponse;
  exitCode?: number;
}

export class SessionMonitor implements vscode.DebugAdapterTrackerFactory {
  private current: MonitoredSession | undefined;
  private readonly emitter = new vscode.EventEmitter<MonitoredSession | undefined>();
  readonly onDidChange = this.emitter.event;

  get state(): MonitoredSession | undefined { return this.current; }

  createDebugAdapterTracker(session: vscode.DebugSession): vscode.DebugAdapterTracker {
    const monitored: MonitoredSession = { session, engine: String(session.configuration.engine ?? 'auto'), running: true };
    this.current = monitored;
    this.emitter.fire(monitored);
    return {
      onDidSendMessage: (message: DapMessage) => {
        if (message.type !== 'event') return;
        const body = message.body ?? {};
        if (message.event === 'stopped') {
          monitored.running = false;
          monitored.lastStop = { reason: String(body.reason), text: body.text as string | undefined,
            description: body.description as string | undefined, threadId: body.threadId as number | undefined };
          void this.askStatistics(monitored);
        } else if (message.event === 'continued') {
          monitored.running = true;
        } else if (message.event === 'exited') {
          monitored.exitCode = body.exitCode as number;
        } else {
          return;
        }
        this.emitter.fire(monitored);
      },
      onWillStopSession: () => {
        if (this.current === monitored) this.current = undefined;
        this.emitter.fire(undefined);
      },
    };
  }

  private async askStatistics(monitored: MonitoredSession): Promise<void> {
    try {
      monitored.statistics = await monitored.session.customRequest(CustomRequest.statistics) as StatisticsResponse;
      this.emitter.fire(monitored);
    } catch {
      // the session ended in the meantime
    }
  }
}
