/**
 * Partial-order reduction for the HYP system: when a CPU starting HYP, or the kernel counting DONEs, may go
 * first. A CPU reads only page-table walks and writes only its own registers and TLB (and, at the end, a DONE
 * to the kernel), so if nobody can write what it reads before it moves (the kernel's remaining steps, a VM
 * being created), its steps commute with the others; the kernel waiting in an IPI reads only its messages.
 */
import type { WorldView } from '../bus/spec';
import type { Design } from '../design/design';
import type { CpuContext } from '../machines/cpu-context';
import { initPhases, teardownSteps } from '../machines/cpu-steps';
import { waitStateOf } from '../machines/kernel';
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
    const wait = waitStateOf(ksteps, s);
    // After on_each_cpu the kernel may write only in the steps that follow; the v3.9 loop and do_pkvm_init's wait
    // count from their step (the loop goes back to it; pkvm's step writes before it sends).
    if (wait && !out.has(wait)) out.set(wait, writesFrom(s.ipi === 'each' ? i + 1 : i));
  });
  out.set('up', false);
  return out;
}

/** The kernel's wait states (on_each_cpu, the v3.9 smp_call_function_single loop, do_pkvm_init): no step of its own, only DONE receipts. */
function waitStates(ksteps: readonly KernelStep[]): ReadonlySet<string> {
  return new Set(ksteps.flatMap((s) => waitStateOf(ksteps, s) ?? []));
}

/**
 * The system's `independent`: true when actor `a`'s steps commute with every step the others can take
 * before `a` moves (docs/soundness.md, "The HYP relation"). Three kinds of proposal:
 * - a CPU inside its init code, when nobody can write what it reads before it moves;
 * - a CPU on the stub receiving the IPI the kernel waits for (the same argument: the kernel cannot move);
 * - the kernel receiving CPUs' DONEs while it waits (it reads and writes only its count until the last one).
 */
export function hypIndependence(parts: HypParts): (view: WorldView<Memory>, a: number) => boolean {
  const { design, layout, vms } = parts.config;
  const mayWrite = kernelMayWrite(parts.ksteps, parts.tracked);
  const waits = waitStates(parts.ksteps);
  const trackedVms = layout.vms
    .slice(0, vms)
    .map((p, j) => (parts.tracked.has(p.va) ? j : -1))
    .filter((j) => j >= 0);
  // A VM not yet created may still map a tracked VA (kvm_arch_init_vm), which a CPU's walk could read.
  const noVmToCome = (view: WorldView<Memory>) => trackedVms.every((j) => !view.snapshot(view.indexOf(`vm${j}`)).matches('idle'));
  const lastInit = lastInitStep(design, layout);
  const teardownEnd = lastTeardown(design);
  const kernelWaits = (view: WorldView<Memory>) => waits.has(String(view.snapshot(view.indexOf('kernel')).value));
  return (view, a) => {
    const role = view.actors[a].role;
    if (role === 'kernel') return kernelWaits(view);
    if (role !== 'cpu') return false;
    const snap = view.snapshot(a);
    if (snap.matches({ off: 'stub' })) {
      // Its one message is the kernel's IPI (INIT, HYP_RESET, PKVM_INIT): the kernel waits for its DONE.
      const pending = view.pendingFor(a);
      return pending.length === 1 && pending[0].from === view.indexOf('kernel') && kernelWaits(view) && noVmToCome(view);
    }
    if (snap.matches('off') || snap.matches('runtime') || snap.matches('fault')) return false;
    const c = snap.context as CpuContext;
    // Going online (notifier path) or offline / idle (end of teardown) is seen by the kernel and by hotplug.
    if (c.via !== 'ipi' && snap.matches(lastInit)) return false;
    if (teardownEnd && snap.matches(teardownEnd)) return false;
    if (view.pendingFor(a).length) return false;
    const kernelWaitsForMe = c.via === 'ipi' && kernelWaits(view);
    if (!kernelWaitsForMe && mayWrite.get(String(view.snapshot(view.indexOf('kernel')).value)) !== false) return false;
    return noVmToCome(view);
  };
}
