// The kvmi-vmm command line.
console.error('kvmi-vmm: no engine yet');
process.exit(2);
