// Bounds-checked cursor over a byte buffer: fixed-width integers in either byte order, LEB128
// (DWARF 5 section 7.6), NUL-terminated strings and DWARF "offset size" fields (32- or 64-bit
// DWARF, section 7.4). Every read past the end raises DebugInfoError('truncated').
import { DebugInfoError } from './errors';

const utf8 = new TextDecoder('utf-8', { fatal: false });

export class ByteReader {
  private readonly view: DataView;
  pos: number;

  constructor(readonly bytes: Uint8Array, readonly littleEndian = true, start = 0, readonly what = 'data') {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  get length(): number { return this.bytes.length; }
  get atEnd(): boolean { return this.pos >= this.bytes.length; }

  /** A reader over [start, end) of the same bytes, positioned at its start. */
  sub(start: number, end: number, what = this.what): ByteReader {
    if (start < 0 || end > this.bytes.length || start > end) {
      throw new DebugInfoError('truncated', `${what}: range 0x${start.toString(16)}..0x${end.toString(16)} exceeds ${this.bytes.length} bytes`);
    }
    return new ByteReader(this.bytes.subarray(start, end), this.littleEndian, 0, what);
  }

  need(count: number): void {
    if (count < 0 || this.pos + count > this.bytes.length || this.pos < 0) {
      throw new DebugInfoError('truncated', `${this.what}: need ${count} bytes, ${Math.max(0, this.bytes.length - this.pos)} left`, this.pos);
    }
  }

  seek(pos: number): this {
    if (pos < 0 || pos > this.bytes.length) throw new DebugInfoError('badOffset', `${this.what}: offset past the end`, pos);
    this.pos = pos;
    return this;
  }

  skip(count: number): void { this.need(count); this.pos += count; }

  u8(): number { this.need(1); return this.bytes[this.pos++]; }
  i8(): number { this.need(1); return this.view.getInt8(this.pos++); }
  u16(): number { this.need(2); const v = this.view.getUint16(this.pos, this.littleEndian); this.pos += 2; return v; }
  i16(): number { this.need(2); const v = this.view.getInt16(this.pos, this.littleEndian); this.pos += 2; return v; }
  u24(): number {
    const a = this.u8(), b = this.u8(), c = this.u8();
    return this.littleEndian ? a | (b << 8) | (c << 16) : (a << 16) | (b << 8) | c;
  }
  u32(): number { this.need(4); const v = this.view.getUint32(this.pos, this.littleEndian); this.pos += 4; return v; }
  i32(): number { this.need(4); const v = this.view.getInt32(this.pos, this.littleEndian); this.pos += 4; return v; }
  u64(): bigint { this.need(8); const v = this.view.getBigUint64(this.pos, this.littleEndian); this.pos += 8; return v; }
  i64(): bigint { this.need(8); const v = this.view.getBigInt64(this.pos, this.littleEndian); this.pos += 8; return v; }

  /** A 64-bit value that must fit a JS number (file offsets, sizes). */
  u64Number(): number {
    const at = this.pos;
    const v = this.u64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new DebugInfoError('badOffset', `${this.what}: 64-bit offset too large`, at);
    return Number(v);
  }

  /** Unsigned integer of `size` bytes (1, 2, 4 or 8) as bigint: target addresses. */
  address(size: number): bigint {
    switch (size) {
      case 1: return BigInt(this.u8());
      case 2: return BigInt(this.u16());
      case 4: return BigInt(this.u32());
      case 8: return this.u64();
      default: throw new DebugInfoError('unsupported', `${this.what}: address size ${size}`, this.pos);
    }
  }

  /** DWARF section offset: 4 bytes in 32-bit DWARF, 8 in 64-bit DWARF. */
  offset(offsetSize: 4 | 8): number { return offsetSize === 4 ? this.u32() : this.u64Number(); }

  uleb(): number {
    let result = 0, shift = 0, byte: number;
    do {
      byte = this.u8();
      if (shift < 53) result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    return result;
  }

  sleb(): number {
    let result = 0, shift = 0, byte: number;
    do {
      byte = this.u8();
      if (shift < 53) result += (byte & 0x7f) * 2 ** shift;
      shift += 7;
    } while (byte & 0x80);
    if (shift < 64 && byte & 0x40) result -= 2 ** Math.min(shift, 64);
    return result;
  }

  /** Full-precision unsigned LEB128. */
  ulebBig(): bigint {
    let result = 0n, shift = 0n, byte: number;
    do { byte = this.u8(); result |= BigInt(byte & 0x7f) << shift; shift += 7n; } while (byte & 0x80);
    return result;
  }

  /** Full-precision signed LEB128. */
  slebBig(): bigint {
    let result = 0n, shift = 0n, byte: number;
    do { byte = this.u8(); result |= BigInt(byte & 0x7f) << shift; shift += 7n; } while (byte & 0x80);
    if (byte & 0x40) result -= 1n << shift;
    return result;
  }

  bytesOf(count: number): Uint8Array {
    this.need(count);
    const out = this.bytes.subarray(this.pos, this.pos + count);
    this.pos += count;
    return out;
  }

  cstring(): string {
    const end = this.bytes.indexOf(0, this.pos);
    if (end < 0) throw new DebugInfoError('truncated', `${this.what}: unterminated string`, this.pos);
    const text = utf8.decode(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return text;
  }

  /**
   * DWARF initial length (section 7.4): returns the end offset of the unit and its offset size.
   * 0xffffffff introduces 64-bit DWARF; 0xfffffff0..0xfffffffe are reserved.
   */
  initialLength(): { end: number; offsetSize: 4 | 8 } {
    const at = this.pos;
    const short = this.u32();
    if (short === 0xffffffff) {
      const length = this.u64Number();
      return { end: this.checkedEnd(length, at), offsetSize: 8 };
    }
    if (short >= 0xfffffff0) throw new DebugInfoError('malformed', `${this.what}: reserved initial length 0x${short.toString(16)}`, at);
    return { end: this.checkedEnd(short, at), offsetSize: 4 };
  }

  private checkedEnd(length: number, at: number): number {
    const end = this.pos + length;
    if (end > this.bytes.length) throw new DebugInfoError('truncated', `${this.what}: unit length ${length} runs past the end`, at);
    return end;
  }
}

/** NUL-terminated string at `offset` of a string section (.strtab, .debug_str, ...). */
export function stringAt(table: Uint8Array, offset: number, what: string): string {
  if (!Number.isInteger(offset) || offset < 0 || offset >= table.length) {
    throw new DebugInfoError('badStringIndex', `${what}: string offset ${offset} outside table of ${table.length} bytes`);
  }
  const end = table.indexOf(0, offset);
  if (end < 0) throw new DebugInfoError('badStringIndex', `${what}: string at ${offset} is not terminated`);
  return utf8.decode(table.subarray(offset, end));
}

