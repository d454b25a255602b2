// Call frame information entries (DWARF 5 section 6.4.1; .eh_frame per the Linux Standard Base
// "Exception Frames" with augmentation strings "zR", "zPLR", "S"...): CIEs and FDEs with their
// initial locations decoded through the DW_EH_PE pointer encodings, indexed by pc.
import { ByteReader } from '../byteReader';
import { DebugInfoError } from '../errors';

export interface Cie {
  offset: number;
  version: number;
  augmentation: string;
  codeAlign: number;
  dataAlign: number;
  returnAddressRegister: number;
  fdeEncoding: number;
  signalFrame: boolean;
  addressSize: number;
  instructions: Uint8Array;
}

export interface Fde {
  offset: number;
  cie: Cie;
  pcBegin: bigint;
  pcEnd: bigint;
  instructions: Uint8Array;
}

/** Where the frame section lives: eh_frame pointers may be pc-relative to its load address. */
export interface FrameSection {
  kind: '.eh_frame' | '.debug_frame';
  bytes: Uint8Array;
  address: bigint;
  littleEndian: boolean;
  addressSize: 4 | 8;
}

const DW_EH_PE_omit = 0xff;

/** Parses all CIEs and FDEs of one frame section; FDEs come back sorted by pcBegin. */
export function parseFrameSection(section: FrameSection): Fde[] {
  const r = new ByteReader(section.bytes, section.littleEndian, 0, section.kind);
  const cies = new Map<number, Cie>();
  const fdes: Fde[] = [];
  const isEh = section.kind === '.eh_frame';
  while (r.length - r.pos >= 4) {
    const start = r.pos;
    const { end, offsetSize } = r.initialLength();
    if (end === start + 4) { if (isEh) break; else continue; } // zero terminator in .eh_frame
    const idPos = r.pos;
    const id = offsetSize === 4 ? BigInt(r.u32()) : r.u64();
    // CIE id: 0 in .eh_frame, all ones in .debug_frame (DWARF 5 section 6.4.1 item 2).
    const isCie = isEh ? id === 0n : id === (offsetSize === 4 ? 0xffffffffn : 0xffffffffffffffffn);
    if (isCie) cies.set(start, readCie(r, start, end, section));
    else {
      const cieOffset = isEh ? idPos - Number(id) : Number(id);
      const cie = cies.get(cieOffset) ?? readCieAt(section, cieOffset, cies);
      fdes.push(readFde(r, start, end, cie, section));
    }
    r.seek(end);
  }
  return fdes.filter((f) => f.pcEnd > f.pcBegin).sort((a, b) => (a.pcBegin < b.pcBegin ? -1 : a.pcBegin > b.pcBegin ? 1 : 0));
}

function readCieAt(section: FrameSection, offset: number, cies: Map<number, Cie>): Cie {
  if (offset < 0 || offset >= section.bytes.length) throw new DebugInfoError('badOffset', `${section.kind}: FDE names a CIE outside the section`, offset);
  const r = new ByteReader(section.bytes, section.littleEndian, offset, section.kind);
  const { end, offsetSize } = r.initialLength();
  r.skip(offsetSize);
  const cie = readCie(r, offset, end, section);
  cies.set(offset, cie);
  return cie;
}

function readCie(r: ByteReader, offset: number, end: number, section: FrameSection): Cie {
  const version = r.u8();
  if (version !== 1 && version !== 3 && version !== 4) throw new DebugInfoError('unsupported', `${section.kind}: CIE version ${version}`, offset);
  const augmentation = r.cstring();
  let addressSize: number = section.addressSize;
  if (augmentation.includes('eh')) r.skip(section.addressSize);
  if (version >= 4) { addressSize = r.u8(); r.u8(); }
  const codeAlign = r.uleb(), dataAlign = r.sleb();
  const returnAddressRegister = version === 1 ? r.u8() : r.uleb();
  const cie: Cie = { offset, version, augmentation, codeAlign, dataAlign, returnAddressRegister, fdeEncoding: 0,
    signalFrame: false, addressSize, instructions: new Uint8Array(0) };
  if (augmentation.startsWith('z')) {
    const length = r.uleb();
    const dataEnd = r.pos + length;
    for (const c of augmentation.slice(1)) {
      if (c === 'R') cie.fdeEncoding = r.u8();
      else if (c === 'L') r.u8();
      else if (c === 'P') { const enc = r.u8(); readEncoded(r, enc, section, addressSize); }
      else if (c === 'S') cie.signalFrame = true;
    }
    r.seek(dataEnd);
  }
  if (r.pos > end) throw new DebugInfoError('truncated', `${section.kind}: CIE runs past its length`, offset);
  cie.instructions = r.bytesOf(end - r.pos);
  return cie;
}

function readFde(r: ByteReader, offset: number, end: number, cie: Cie, section: FrameSection): Fde {
  const encoding = section.kind === '.eh_frame' ? cie.fdeEncoding : 0;
  const pcBegin = readEncoded(r, encoding, section, cie.addressSize) ?? 0n;
  const range = readEncoded(r, encoding & 0x0f, section, cie.addressSize) ?? 0n;
  if (cie.augmentation.startsWith('z')) r.skip(r.uleb());
  if (r.pos > end) throw new DebugInfoError('truncated', `${section.kind}: FDE runs past its length`, offset);
  return { offset, cie, pcBegin, pcEnd: pcBegin + range, instructions: r.bytesOf(end - r.pos) };
}

/** A DW_EH_PE-encoded pointer (LSB "DWARF Exception Header Encoding"); undefined for DW_EH_PE_omit. */
export function readEncoded(r: ByteReader, encoding: number, section: FrameSection, addressSize: number): bigint | undefined {
  if (encoding === DW_EH_PE_omit) return undefined;
  const fieldAddress = section.address + BigInt(r.pos);
  let value: bigint;
  switch (encoding & 0x0f) {
    case 0x00: value = r.address(addressSize); break;
    case 0x01: value = r.ulebBig(); break;
    case 0x02: value = BigInt(r.u16()); break;
    case 0x03: value = BigInt(r.u32()); break;
    case 0x04: value = r.u64(); break;
    case 0x09: value = r.slebBig(); break;
    case 0x0a: value = BigInt(r.i16()); break;
    case 0x0b: value = BigInt(r.i32()); break;
    case 0x0c: value = r.i64(); break;
    default: throw new DebugInfoError('unsupported', `pointer encoding 0x${encoding.toString(16)}`, r.pos);
  }
  const application = encoding & 0x70;
  if (application === 0x10) value += fieldAddress;   // DW_EH_PE_pcrel
  else if (application !== 0) throw new DebugInfoError('unsupported', `pointer application 0x${application.toString(16)}`, r.pos);
  const mask = addressSize === 8 ? 0xffffffffffffffffn : 0xffffffffn;
  return value & mask;
}
