// What /dev/kvm on this host is: present, openable, API version 12 (api.rst 4.1), and which kind
// of virtualisation backs it -- PVM (module kvm_pvm: software virtualisation, guest ring 3 native,
// guest ring 0 in KVM's instruction emulator) or VMX/SVM hardware (kvm_intel / kvm_amd with the
// vmx/svm CPU flag). gatherHostFacts() reads the system; classifyHost() is pure, for tests.
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { KVM_API_VERSION, KVM_IOCTL } from './kvmAbi';
import { libc, libcUnavailable } from './libc';

export type KvmBackend = 'pvm' | 'vmx' | 'svm' | 'unknown';

/** Raw observations about the host, gathered by gatherHostFacts(). */
export interface HostFacts {
  platform: string;
  deviceExists: boolean;
  /** undefined when /dev/kvm opened read-write, else the reason (e.g. "EACCES: permission denied"). */
  openError?: string;
  /** KVM_GET_API_VERSION, when it could be asked. */
  apiVersion?: number;
  /** Why the API version could not be asked (no FFI). */
  apiVersionError?: string;
  modules: { kvm_pvm: boolean; kvm_intel: boolean; kvm_amd: boolean };
  cpuFlags: { vmx: boolean; svm: boolean };
}

export interface HostProbe {
  /** KVM can run guests here. */
  usable: boolean;
  backend: KvmBackend;
  apiVersion?: number;
  /** One line saying what was found, e.g. "/dev/kvm: API 12, PVM (kvm_pvm)". */
  reason: string;
}

/** Reads /dev/kvm, /sys/module and /proc/cpuinfo. Never throws. */
export function gatherHostFacts(devicePath = '/dev/kvm'): HostFacts {
  const facts: HostFacts = {
    platform: process.platform,
    deviceExists: existsSync(devicePath),
    modules: { kvm_pvm: existsSync('/sys/module/kvm_pvm'), kvm_intel: existsSync('/sys/module/kvm_intel'), kvm_amd: existsSync('/sys/module/kvm_amd') },
    cpuFlags: cpuFlags(),
  };
  if (!facts.deviceExists) return facts;
  try {
    closeSync(openSync(devicePath, 'r+'));
  } catch (e) {
    facts.openError = (e as NodeJS.ErrnoException).code ?? String(e);
    return facts;
  }
  const ffiProblem = libcUnavailable();
  if (ffiProblem !== undefined) {
    facts.apiVersionError = ffiProblem;
    return facts;
  }
  const c = libc();
  const fd = c.open(devicePath, 2 /* O_RDWR */ | 0o2000000 /* O_CLOEXEC */, 0);
  if (fd < 0) { facts.openError = c.strerror(c.koffi.errno()); return facts; }
  facts.apiVersion = c.ioctlInt(fd, KVM_IOCTL.KVM_GET_API_VERSION, 0);
  c.close(fd);
  return facts;
}

function cpuFlags(): { vmx: boolean; svm: boolean } {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags')) ?? '';
    const flags = new Set(line.split(':')[1]?.trim().split(/\s+/) ?? []);
    return { vmx: flags.has('vmx'), svm: flags.has('svm') };
  } catch {
    return { vmx: false, svm: false };
  }
}

/** Turns the facts into a verdict with a one-line reason. */
export function classifyHost(f: HostFacts): HostProbe {
  if (f.platform !== 'linux') return { usable: false, backend: 'unknown', reason: `KVM needs Linux; this host runs ${f.platform}` };
  if (!f.deviceExists) return { usable: false, backend: 'unknown', reason: '/dev/kvm does not exist (KVM module not loaded, or no virtualisation support)' };
  if (f.openError !== undefined) return { usable: false, backend: 'unknown', reason: `/dev/kvm cannot be opened read-write (${f.openError}); it is usually root- or kvm-group-only` };
  const backend: KvmBackend = f.modules.kvm_pvm ? 'pvm'
    : f.modules.kvm_intel && f.cpuFlags.vmx ? 'vmx'
      : f.modules.kvm_amd && f.cpuFlags.svm ? 'svm' : 'unknown';
  const what = { pvm: 'PVM (kvm_pvm: software virtualisation)', vmx: 'Intel VMX (kvm_intel)', svm: 'AMD SVM (kvm_amd)', unknown: 'unknown backend' }[backend];
  if (f.apiVersion === undefined) {
    return { usable: false, backend, reason: `/dev/kvm opens but its API version cannot be asked: ${f.apiVersionError ?? 'no FFI'}` };
  }
  if (f.apiVersion !== KVM_API_VERSION) {
    return { usable: false, backend, apiVersion: f.apiVersion, reason: `/dev/kvm reports API version ${f.apiVersion}, not ${KVM_API_VERSION}` };
  }
  return { usable: true, backend, apiVersion: f.apiVersion, reason: `/dev/kvm: API ${f.apiVersion}, ${what}` };
}

/** gatherHostFacts + classifyHost. */
export function probeHost(devicePath?: string): HostProbe {
  return classifyHost(gatherHostFacts(devicePath));
}
