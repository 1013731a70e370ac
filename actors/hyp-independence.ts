/**
 * Partial-order reduction for the HYP system: when a CPU inside its init code may go first. It reads
 * only tracked entries and writes only its own registers and TLB, so if nobody can write those entries
 * before it moves (the kernel's remaining steps, a VM being created), its step commutes with the others.
 */
import type { WorldView } from '../bus/spec';
import type { Design } from '../design/design';
import type { CpuContext } from '../machines/cpu-context';
import { initPhases, teardownSteps } from '../machines/cpu-steps';
import { eachWaitState } from '../machines/kernel';
import type { KernelStep } from '../machines/kernel-steps';
import type { Layout } from '../mmu/layout';
import type { Memory, MemWrite } from '../mmu/memory';
import type { HypParts } from './hyp-config';

/** State value of the last init step, e.g. {trampoline: 'eret'}. */
function lastInitStep(d: Design, l: Layout): Record<string, string> {
  const steps = initPhases(d, l.profile).flatMap((p) => p.steps.map((s) => ({ [p.name]: s.state })));
  return steps[steps.length - 1];
}

/** State value of the last teardown step, if the design tears HYP down. */
function lastTeardown(d: Design): Record<string, string> | null {
  const t = teardownSteps(d);
  return t.length ? { teardown: t[t.length - 1].state } : null;
}

/** For each kernel state: may the kernel, from there on, still write a tracked VA or free a pgd? */
function kernelMayWrite(ksteps: readonly KernelStep[], tracked: ReadonlySet<number>): Map<string, boolean> {
  const touchesTracked = (w: MemWrite) => w.type === 'mem.free' || ((w.type === 'mem.map' || w.type === 'mem.unmap') && tracked.has(w.va));
  const writesFrom = (i: number) => ksteps.slice(i).some((k) => k.writes.some(touchesTracked));
  const out = new Map<string, boolean>();
  ksteps.forEach((s, i) => {
    out.set(s.state, writesFrom(i));
    // Each on_each_cpu step has its own wait state; the kernel may write after it only in the steps that follow.
    if (s.ipi === 'each') out.set(eachWaitState(ksteps, s), writesFrom(i + 1));
  });
  const afterWait = (ipi: 'one' | 'first') => {
    const i = ksteps.findIndex((s) => s.ipi === ipi);
    return i >= 0 && writesFrom(i);
  };
  out.set('wait-cpu', afterWait('one'));
  out.set('wait-pkvm', afterWait('first'));
  out.set('up', false);
  return out;
}

/** The kernel waits (on_each_cpu, smp_call_function_single, do_pkvm_init): its only steps are CPUs' DONE receipts. */
function kernelCounting(view: WorldView<Memory>, k: number): boolean {
  return String(view.snapshot(k).value).startsWith('wait-');
}

/** A CPU on the stub whose one pending message is the kernel's IPI, which the kernel waits for. */
function awaitedIpi(view: WorldView<Memory>, a: number): boolean {
  const pending = view.pendingFor(a);
  const k = view.indexOf('kernel');
  return pending.length === 1 && pending[0].from === k && kernelCounting(view, k);
}

/** The system's `independent`: true when actor `a`'s next step commutes with every other actor's. */
export function hypIndependence(parts: HypParts): (view: WorldView<Memory>, a: number) => boolean {
  const { design, layout, vms } = parts.config;
  const mayWrite = kernelMayWrite(parts.ksteps, parts.tracked);
  const trackedVms = layout.vms
    .slice(0, vms)
    .map((p, j) => (parts.tracked.has(p.va) ? j : -1))
    .filter((j) => j >= 0);
  const lastInit = lastInitStep(design, layout);
  const teardownEnd = lastTeardown(design);
  return (view, a) => {
    const role = view.actors[a].role;
    if (role === 'kernel') return kernelCounting(view, a);
    if (role !== 'cpu') return false;
    const snap = view.snapshot(a);
    if (snap.matches({ off: 'stub' }) && awaitedIpi(view, a)) return trackedVms.every((j) => !view.snapshot(view.indexOf(`vm${j}`)).matches('idle'));
    if (snap.matches('off') || snap.matches('runtime') || snap.matches('fault')) return false;
    const c = snap.context as CpuContext;
    // Going online (notifier path) or offline / idle (end of teardown) is seen by the kernel and by hotplug.
    if (c.via !== 'ipi' && snap.matches(lastInit)) return false;
    if (teardownEnd && snap.matches(teardownEnd)) return false;
    if (view.pendingFor(a).length) return false;
    const k = view.snapshot(view.indexOf('kernel'));
    const kernelWaitsForMe = c.via === 'ipi' && String(k.value).startsWith('wait-');
    if (!kernelWaitsForMe && mayWrite.get(String(k.value)) !== false) return false;
    return trackedVms.every((j) => !view.snapshot(view.indexOf(`vm${j}`)).matches('idle'));
  };
}
