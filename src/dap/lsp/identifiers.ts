// The C identifier under the cursor in a document line (C11 §6.4.2.1 identifier characters,
// ASCII subset), for hovers.

export interface WordAt { word: string; start: number; end: number }

export function identifierAt(lineText: string, character: number): WordAt | undefined {
  const isIdent = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_$]/.test(c);
  let start = character, end = character;
  while (start > 0 && isIdent(lineText[start - 1])) start--;
  while (end < lineText.length && isIdent(lineText[end])) end++;
  const word = lineText.slice(start, end);
  if (word === '' || /^[0-9]/.test(word)) return undefined;
  return { word, start, end };
}
