// DAP `disassemble` with iced-x86: exactly `instructionCount` entries, starting `instructionOffset`
// instructions from the reference address (negative offsets find an instruction boundary by
// decoding forward from earlier start points until one lands exactly on the address). Each entry
// carries symbol and source location; bytes that cannot be read appear as invalid entries.
import type { DebugProtocol } from '@vscode/debugprotocol';
import { Decoder, DecoderOptions, Formatter, FormatterSyntax } from 'iced-x86';
import type { GuestMemory, MemoryLocation } from '../memory/guestMemory';
import type { GuestSymbols } from './guestSymbols';

interface Decoded { address: bigint; length: number; text: string; bytes: Uint8Array; invalid: boolean }

const MAX_INSN = 15;

async function decodeRange(memory: GuestMemory, vcpu: number, start: bigint, count: number, bitness: 16 | 32 | 64, space: MemoryLocation['space']): Promise<Decoded[]> {
  const read = await memory.read(vcpu, { space, address: start }, count * MAX_INSN);
  const out: Decoded[] = [];
  const decoder = new Decoder(bitness, read.bytes, DecoderOptions.None);
  decoder.ip = start;
  const formatter = new Formatter(FormatterSyntax.Intel);
  try {
    let offset = 0;
    while (out.length < count && decoder.canDecode) {
      const insn = decoder.decode();
      const length = insn.length;
      // An instruction running into unreadable bytes is not decoded from a partial read.
      if (offset + length > read.bytes.length || (insn.isInvalid && read.bytes.length - offset < MAX_INSN && read.unreadable > 0)) { insn.free(); break; }
      out.push({ address: start + BigInt(offset), length, text: insn.isInvalid ? '(bad)' : formatter.format(insn), bytes: read.bytes.subarray(offset, offset + length), invalid: insn.isInvalid });
      insn.free();
      offset += length;
    }
  } finally {
    formatter.free();
    decoder.free();
  }
  let next = out.length ? out[out.length - 1].address + BigInt(out[out.length - 1].length) : start;
  while (out.length < count) { out.push({ address: next, length: 1, text: '(unreadable)', bytes: new Uint8Array(), invalid: true }); next += 1n; }
  return out;
}

/** The `before` instructions that end exactly at `address`, or undefined when no start point syncs. */
async function instructionsBefore(memory: GuestMemory, vcpu: number, address: bigint, before: number, bitness: 16 | 32 | 64, space: MemoryLocation['space'], symbolStart: bigint | undefined): Promise<Decoded[] | undefined> {
  const starts: bigint[] = [];
  if (symbolStart !== undefined && symbolStart < address && address - symbolStart < 0x10000n) starts.push(symbolStart);
  for (let back = BigInt(before * MAX_INSN); back >= BigInt(before); back -= 1n) if (address >= back) starts.push(address - back);
  for (const start of starts.slice(0, 64)) {
    const list = await decodeRange(memory, vcpu, start, Number(address - start) + 1, bitness, space);
    const at = list.findIndex((d) => d.address === address);
    if (at >= before && !list.slice(at - before, at).some((d) => d.invalid)) return list.slice(at - before, at);
  }
  return undefined;
}

export async function disassemble(args: DebugProtocol.DisassembleArguments, base: MemoryLocation, vcpu: number, bitness: 16 | 32 | 64, memory: GuestMemory, symbols: GuestSymbols): Promise<DebugProtocol.DisassembledInstruction[]> {
  const address = base.address + BigInt(args.offset ?? 0);
  const offset = args.instructionOffset ?? 0;
  const count = args.instructionCount;
  let list: Decoded[];
  if (offset >= 0) {
    list = (await decodeRange(memory, vcpu, address, offset + count, bitness, base.space)).slice(offset);
  } else {
    const before = -offset;
    const symbolStart = symbols.debugInfo?.symbols.lookupAddress(address)?.symbol.value;
    let earlier = await instructionsBefore(memory, vcpu, address, before, bitness, base.space, symbolStart);
    if (!earlier) earlier = Array.from({ length: before }, (_, i) => ({ address: address - BigInt(before - i), length: 1, text: '(unknown)', bytes: new Uint8Array(), invalid: true }));
    const after = count > before ? await decodeRange(memory, vcpu, address, count - before, bitness, base.space) : [];
    list = [...earlier, ...after].slice(0, count);
  }
  let lastLine: string | undefined;
  return list.map((d) => {
    const src = base.space === 'virtual' ? symbols.source(d.address) : undefined;
    const key = src ? `${src.path}:${src.line}` : undefined;
    const entry: DebugProtocol.DisassembledInstruction = {
      address: `0x${d.address.toString(16)}`,
      instructionBytes: Array.from(d.bytes, (b) => b.toString(16).padStart(2, '0')).join(' '),
      instruction: d.text,
      symbol: base.space === 'virtual' ? symbols.label(d.address) : undefined,
    };
    if (d.invalid) entry.presentationHint = 'invalid';
    if (src && key !== lastLine) { entry.location = { path: src.path, name: src.path.split('/').pop() }; entry.line = src.line; entry.column = src.column || undefined; }
    lastLine = key;
    return entry;
  });
}
