// Public surface of the guest debug-info reader (ELF symbols, DWARF lines/variables/types, CFI
// unwinding, per-line memory accesses). The debug adapter and the language server import from
// here only, so both use the same implementation.
export { DebugInfo } from './debugInfo';
export { DebugInfoError, type DebugInfoErrorKind } from './errors';
export type { ElfFile, ElfHeader, ElfSection, ElfProgramHeader } from './elf/elfFile';
export { readNotes, buildId, type ElfNote } from './elf/elfNotes';
export type { ElfSymbol, SymbolType, SymbolBinding } from './elf/elfSymbols';
export { SymbolHit } from './symbolIndex';
export type { SymbolIndex } from './symbolIndex';
export type { LineIndex, SourceLocation, LineSpan } from './dwarf/lineIndex';
export type { LineTable, LineRow, LineFile } from './dwarf/lineProgram';
export type { ProgramModel, CompileUnitInfo, SubprogramInfo, VariableInfo, VariableScope, InlinedCall } from './dwarf/programModel';
export type { DeclarationScan, DeclaredFunction, DeclaredVariable } from './dwarf/declarationScan';
export type { TypeInfo, TypeKind, TypeMember, Enumerator } from './dwarf/typeInfo';
export type { Location } from './dwarf/locationExpression';
export type { AddressRange, LocationListEntry } from './dwarf/rangeLists';
export { evaluateExpression, type ReadMemory, type ExpressionContext } from './dwarf/expressionEvaluator';
export type { Unwinder, Registers, UnwoundFrame } from './cfi/unwinder';
export type { UnwindRow, CfaRule, RegisterRule } from './cfi/unwindTable';
export { dwarfRegisterName, dwarfRegisterNumber, type Architecture } from './cfi/registers';
export { functionBreakpoint, type FunctionBreakpoint } from './functionBreakpoint';
export { sourceFramesAt, type SourceFrame } from './sourceFrames';
export { locateVariable, type VariablePlace, type FrameContext } from './variableLocation';
export { memoryTouchedByLine, variablesTouchedByLine, type LineMemoryAccess, type MemoryAccessKind } from './lineMemory';
