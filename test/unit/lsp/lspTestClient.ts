// A real LSP client for the language-server tests: spawns src/dap/lsp/server.ts over stdio (tsx
// loader), performs initialize/initialized with the given workspace folder and options, waits for
// the guests' DWARF index, and records published diagnostics and messages. Used by the test/unit/lsp/*.test.ts files.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { guestIndexedNotification, type GuestIndexed, type LanguageServerOptions } from '../../../src/dap/lsp/protocol';

const root = join(__dirname, '..', '..', '..');
const serverScript = join(root, 'src', 'dap', 'lsp', 'server.ts');

export interface Position { line: number; character: number }
export interface Range { start: Position; end: Position }
export interface Diagnostic { range: Range; message: string; severity?: number; code?: string }

export interface StartOptions {
  options?: LanguageServerOptions;
  bundle?: string;
  awaitGuests?: number;
}

export class LspTestClient {
  readonly diagnostics = new Map<string, Diagnostic[]>();
  readonly indexed: GuestIndexed[] = [];
  /** window/showMessage texts. */
  readonly messages: string[] = [];
  private waiters: Array<() => void> = [];
  private constructor(private readonly child: ChildProcess, readonly connection: MessageConnection) {}

  /**
   * Starts the server and waits until `awaitGuests` guests are indexed (kvmi/guestIndexed).
   * `bundle`: a built dist/languageServer.js-style script to run instead of the TypeScript source.
   */
  static async start(folder: string, { options = {}, bundle, awaitGuests = 1 }: StartOptions = {}): Promise<LspTestClient> {
    const args = bundle ? [bundle, '--stdio'] : ['--import', 'tsx', serverScript, '--stdio'];
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspTestClient(child, connection);
    connection.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diagnostic[] }) => {
      client.diagnostics.set(p.uri, p.diagnostics);
      for (const w of client.waiters.splice(0)) w();
    });
    connection.onNotification(guestIndexedNotification, (p: GuestIndexed) => {
      client.indexed.push(p);
      for (const w of client.waiters.splice(0)) w();
    });
    connection.onNotification('window/showMessage', (p: { message: string }) => {
      client.messages.push(p.message);
      for (const w of client.waiters.splice(0)) w();
    });
    connection.onNotification('window/logMessage', () => undefined);
    connection.onRequest('workspace/codeLens/refresh', () => null);
    connection.onRequest('client/registerCapability', () => null);
    connection.listen();
    await connection.sendRequest('initialize', {
      processId: process.pid, rootUri: pathToFileURL(folder).toString(),
      workspaceFolders: [{ uri: pathToFileURL(folder).toString(), name: 'guests' }],
      capabilities: { workspace: { codeLens: { refreshSupport: true }, workspaceFolders: true } }, initializationOptions: options,
    });
    await connection.sendNotification('initialized', {});
    await client.until(() => client.indexed.length >= awaitGuests);
    return client;
  }

  /** Sends didOpen with the file's text from disk; returns its URI. */
  async open(path: string, languageId = 'c'): Promise<string> {
    const uri = pathToFileURL(path).toString();
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text: readFileSync(path, 'utf8') } });
    return uri;
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  /** Resolves once diagnostics for `uri` satisfy `accept` (the server publishes them after didOpen/changes). */
  async diagnosticsFor(uri: string, accept: (d: Diagnostic[]) => boolean): Promise<Diagnostic[]> {
    await this.until(() => { const d = this.diagnostics.get(uri); return d !== undefined && accept(d); });
    return this.diagnostics.get(uri)!;
  }

  /** Resolves once `condition` holds, re-checked after every diagnostics or indexing notification. */
  async until(condition: () => boolean): Promise<void> {
    while (!condition()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } finally {
      this.connection.dispose();
      this.child.kill();
    }
  }
}

/** Line (0-based) and column of the first occurrence of `needle` in a file. */
export function positionOf(path: string, needle: string, from = ''): Position {
  const text = readFileSync(path, 'utf8');
  const index = text.indexOf(needle, from ? text.indexOf(from) : 0);
  if (index < 0) throw new Error(`"${needle}" not found in ${path}`);
  const before = text.slice(0, index).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}
