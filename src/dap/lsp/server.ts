// The guest-symbol language server (bundled as dist/languageServer.js, started by the extension's
// src/extension/languageClient.ts over node IPC or stdio). For C/C++/assembly files a guest ELF was
// built from, it answers hovers, code lenses, document/workspace symbols and diagnostics from the
// guest's ELF + DWARF, read with the debug adapter's reader (src/dap/debuginfo).
import { fileURLToPath } from 'node:url';
import {
  createConnection, MessageType, ProposedFeatures, ShowMessageNotification, TextDocuments, TextDocumentSyncKind, type Diagnostic, type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { codeLensesFor } from './codeLenses';
import { staleGuestDiagnostics, watchpointDiagnostics } from './diagnostics';
import { documentSymbols } from './documentSymbols';
import { GuestCatalog } from './guestCatalog';
import type { GuestImage } from './guestImage';
import { hoverMarkdown } from './hoverText';
import { identifierAt } from './identifiers';
import { LiveSession } from './liveSession';
import { guestIndexedNotification, sessionStateNotification, type GuestIndexed, type PersistedWatchpoint, type SessionState } from './protocol';
import { checkOptions } from './serverOptions';
import { guestsForFile, resolveName } from './symbolResolver';
import { workspaceSymbols } from './workspaceSymbols';

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const live = new LiveSession();
const catalog = new GuestCatalog(() => onGuestsChanged(), (guest) => onGuestIndexed(guest));
let savedWatchpoints: PersistedWatchpoint[] = [];
let published = new Set<string>();
let canRefreshLenses = false;
let followFolders = false;
const shownProblems = new Set<string>();

function filePath(uri: string): string | undefined {
  return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
}

/** Runs a request handler; a reader error becomes a logged message and an empty answer. */
function guarded<T>(what: string, fallback: T, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    connection.console.error(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    return fallback;
  }
}

/** Applies options; a configuration change that does not carry `persistedWatchpoints` keeps the current ones. */
function applyOptions(raw: unknown): void {
  const { options, problems } = checkOptions(raw);
  for (const p of problems) void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `KVMI: ${p}` });
  catalog.setGuestElfs(options.guestElfs);
  const carriesWatchpoints = typeof raw === 'object' && raw !== null && 'persistedWatchpoints' in raw;
  if (carriesWatchpoints || raw === undefined || raw === null) savedWatchpoints = options.persistedWatchpoints;
}

/** Logs every load problem; shows each new one once (a guest path that does not exist, a non-ELF, bad launch.json). */
function reportLoadProblems(): void {
  for (const e of [...catalog.loadErrors(), ...catalog.launchJsonErrors()]) {
    connection.console.warn(e.message);
    if (shownProblems.has(e.message)) continue;
    shownProblems.add(e.message);
    void connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `KVMI guest symbols: ${e.message}` });
  }
}

function publishDiagnostics(): void {
  const byUri = watchpointDiagnostics([...catalog.savedWatchpoints(), ...savedWatchpoints, ...(live.persistedWatchpoints() ?? [])], catalog);
  for (const doc of documents.all()) {
    const path = filePath(doc.uri);
    if (!path) continue;
    // Open documents always get a (possibly empty) list, so a fixed problem clears at once.
    const stale = guarded('diagnostics', [] as Diagnostic[], () => staleGuestDiagnostics(path, catalog.guestsBuiltFrom(path)));
    byUri.set(doc.uri, [...stale, ...(byUri.get(doc.uri) ?? [])]);
  }
  for (const [uri, diagnostics] of byUri) void connection.sendDiagnostics({ uri, diagnostics });
  for (const uri of published) if (!byUri.has(uri)) void connection.sendDiagnostics({ uri, diagnostics: [] });
  published = new Set(byUri.keys());
}

function refreshLenses(): void {
  if (canRefreshLenses) connection.sendRequest('workspace/codeLens/refresh').catch(() => undefined);
}

function onGuestsChanged(): void {
  reportLoadProblems();
  publishDiagnostics();
  refreshLenses();
}

function onGuestIndexed(guest: GuestImage): void {
  const indexed: GuestIndexed = { guest: guest.path, symbols: guest.info.symbols.size, declarations: guest.declarationCount, error: guest.indexError };
  if (guest.indexError) connection.console.warn(`${guest.path}: ${guest.indexError}`);
  publishDiagnostics();
  refreshLenses();
  void connection.sendNotification(guestIndexedNotification, indexed);
}

connection.onInitialize((params): InitializeResult => {
  const folders = (params.workspaceFolders ?? []).map((f) => filePath(f.uri)).filter((p): p is string => p !== undefined);
  if (folders.length === 0 && params.rootUri) { const root = filePath(params.rootUri); if (root) folders.push(root); }
  catalog.setFolders(folders);
  applyOptions(params.initializationOptions);
  catalog.refresh();
  canRefreshLenses = params.capabilities.workspace?.codeLens?.refreshSupport === true;
  followFolders = params.capabilities.workspace?.workspaceFolders === true;
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      codeLensProvider: { resolveProvider: false },
      documentSymbolProvider: true,
      workspaceSymbolProvider: true,
      workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
    },
    serverInfo: { name: 'kvmi-guest-symbols' },
  };
});

connection.onInitialized(() => {
  reportLoadProblems();
  if (!followFolders) return;
  // Folders added or removed: their launch.json guests come and go.
  connection.workspace.onDidChangeWorkspaceFolders((event) => {
    const removed = new Set(event.removed.map((f) => filePath(f.uri)));
    const added = event.added.map((f) => filePath(f.uri)).filter((p): p is string => p !== undefined);
    catalog.setFolders([...catalog.workspaceFolders().filter((f) => !removed.has(f)), ...added]);
    if (catalog.refresh()) onGuestsChanged();
  });
});

connection.onDidChangeConfiguration((change) => {
  const settings = (change.settings as { kvmi?: unknown } | undefined)?.kvmi;
  if (settings === undefined) return;
  applyOptions(settings);
  if (catalog.refresh()) onGuestsChanged(); else publishDiagnostics();
});

connection.onDidChangeWatchedFiles(() => catalog.scheduleRefresh());

connection.onNotification(sessionStateNotification, (state: SessionState) => {
  live.update(state);
  publishDiagnostics();
  refreshLenses();
});

connection.onHover((params) => guarded('hover', null, () => {
  const doc = documents.get(params.textDocument.uri);
  const path = filePath(params.textDocument.uri);
  if (!doc || !path) return null;
  const lineText = doc.getText({ start: { line: params.position.line, character: 0 }, end: { line: params.position.line + 1, character: 0 } });
  const word = identifierAt(lineText.replace(/\r?\n$/, ''), params.position.character);
  if (!word) return null;
  const text = hoverMarkdown(resolveName(guestsForFile(catalog, live, path), word.word), live);
  if (!text) return null;
  return {
    contents: { kind: 'markdown' as const, value: text },
    range: { start: { line: params.position.line, character: word.start }, end: { line: params.position.line, character: word.end } },
  };
}));

connection.onCodeLens((params) => guarded('code lenses', [], () => {
  const doc = documents.get(params.textDocument.uri);
  const path = filePath(params.textDocument.uri);
  if (!doc || !path) return [];
  const lineText = (line: number) => doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  return codeLensesFor(guestsForFile(catalog, live, path), live, lineText, path);
}));

connection.onDocumentSymbol((params) => guarded('document symbols', [], () => {
  const path = filePath(params.textDocument.uri);
  return path ? documentSymbols(guestsForFile(catalog, live, path)) : [];
}));

connection.onWorkspaceSymbol((params) => guarded('workspace symbols', [], () => workspaceSymbols(catalog.guests(), params.query)));

documents.onDidOpen(() => publishDiagnostics());
documents.onDidSave(() => publishDiagnostics());
documents.onDidClose((event) => {
  if (published.has(event.document.uri)) publishDiagnostics();
});

connection.onShutdown(() => catalog.dispose());

documents.listen(connection);
connection.listen();
