// Public surface of the KVMI v12 wire codec, shared by the VMM (KVMI host) and the debug adapter
// (introspection tool): constants, layout tables, message tables, the generic struct codec, framing,
// command/event codecs and the QEMU handshake.
export * from './constants';
export * from './errors';
export * from './layoutDsl';
export * from './layouts';
export * from './messages';
export * from './structCodec';
export * from './framing';
export * from './commandCodec';
export * from './eventCodec';
export * from './handshake';
