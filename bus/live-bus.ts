/**
 * The live bus: real XState actors (createActor) exchanging events over an RxJS Subject. Machines put
 * messages on the bus and write shared memory by emitting events; a DeliveryPolicy picks the next
 * pending delivery and an RxJS scheduler runs the loop (asap for live runs, queue for synchronous ones).
 * Every delivery is published on `deliveries$` as a trace entry, for timelines and the inspector.
 */
import { asapScheduler, Subject, type SchedulerLike } from 'rxjs';
import { createActor, type ActorOptions, type AnyActorLogic, type AnyActorRef, type AnyMachineSnapshot } from 'xstate';
import { firstViolation } from './check';
import { deliverable, type Deliverable } from './deliverable';
import type { DeliveryPolicy, Pending } from './delivery';
import type { BusEvent, BusSpec, SendEffect, WorldView } from './spec';
import type { TraceEntry } from './trace';

export interface LiveOutcome {
  violation: { invariant: string; message: string } | null;
  trace: TraceEntry[];
  /** Stopped with no step left (not at the step limit). */
  quiescent: boolean;
  steps: number;
}

interface Queued {
  from: number;
  to: number;
  event: BusEvent;
}

export interface LiveBusOptions {
  policy: DeliveryPolicy;
  scheduler?: SchedulerLike;
  /** Milliseconds between deliveries (for watching a run), with a delaying scheduler. */
  delayMs?: number;
  /** Stop after this many steps. */
  maxSteps?: number;
  /** XState's inspection observer, given to every actor (e.g. @statelyai/inspect's `inspector.inspect`). */
  inspect?: ActorOptions<AnyActorLogic>['inspect'];
}

export class LiveBus<G> {
  /** Every delivery as it happens. */
  readonly deliveries$ = new Subject<TraceEntry>();
  /** Shared memory after each step, and the actors' snapshots, for observers. */
  readonly steps$ = new Subject<{ step: number; global: G; snapshots: AnyMachineSnapshot[] }>();
  readonly actors: AnyActorRef[];
  private global: G;
  private readonly queue: Queued[] = [];
  private readonly trace: TraceEntry[] = [];
  private step = 0;
  private current = 0;

  constructor(
    readonly spec: BusSpec<G>,
    private readonly options: LiveBusOptions,
  ) {
    this.global = spec.initialGlobal;
    this.actors = spec.actors.map((d, i) => {
      const actor = createActor(d.machine, { input: d.input, ...(options.inspect ? { inspect: options.inspect } : {}) });
      // Emitted events are how a machine talks to the bus: messages, or writes to shared memory.
      actor.on('*', (e: BusEvent) => this.onEmit(i, e));
      return actor;
    });
    for (const a of this.actors) a.start();
  }

  get memory(): G {
    return this.global;
  }

  snapshots(): AnyMachineSnapshot[] {
    return this.actors.map((a) => a.getSnapshot() as AnyMachineSnapshot);
  }

  private view(): WorldView<G> {
    const snaps = this.snapshots();
    return {
      actors: this.spec.actors,
      global: this.global,
      snapshot: (a) => snaps[a],
      indexOf: (id) => this.spec.actors.findIndex((d) => d.id === id),
      pendingFor: (a) => this.queue.filter((q) => q.to === a).map((q) => ({ from: q.from, event: q.event })),
    };
  }

  private onEmit(actor: number, e: BusEvent): void {
    if (e.type === 'bus.send') {
      const s = e as SendEffect;
      const to = this.spec.actors.findIndex((d) => d.id === s.to);
      if (s.sync) this.deliver(actor, to, s.event);
      else this.queue.push({ from: actor, to, event: s.event });
    } else this.global = this.spec.write(this.global, e, actor);
  }

  private deliver(from: number, to: number, event: BusEvent): void {
    const enriched = this.spec.enrich ? this.spec.enrich(this.view(), to, event, from) : event;
    const { type, ...payload } = enriched;
    const entry: TraceEntry = { step: this.current, from: this.spec.actors[from].id, to: this.spec.actors[to].id, event: type, payload };
    this.trace.push(entry);
    this.deliveries$.next(entry);
    this.actors[to].send(enriched);
  }

  /** What may be delivered now: the explorer's rule (bus/deliverable.ts) over the live actors. */
  pending(): Deliverable[] {
    const view = this.view();
    return deliverable(this.actors.length, this.queue, (a) => this.spec.offers(view, a));
  }

  private violation(quiescent: boolean): { invariant: string; message: string } | null {
    return firstViolation(this.spec.invariants, this.view(), quiescent ? ['safety', 'quiescent'] : ['safety']);
  }

  /** Deliver one chosen step; false when nothing is pending. */
  stepOnce(): boolean {
    const choices = this.pending();
    if (!choices.length) return false;
    const pend: Pending[] = choices.map((c) => ({ to: this.spec.actors[c.actor].id, from: this.spec.actors[c.from].id, type: c.event.type, event: c.event }));
    const i = this.options.policy.choose(pend, this.step + 1);
    const c = choices[i];
    this.current = ++this.step;
    if (c.queueIndex >= 0) this.queue.splice(c.queueIndex, 1);
    this.deliver(c.from, c.actor, c.event);
    this.steps$.next({ step: this.step, global: this.global, snapshots: this.snapshots() });
    return true;
  }

  /** Run until a violation, quiescence or the step limit; deliveries are scheduled on the RxJS scheduler. */
  run(): Promise<LiveOutcome> {
    const scheduler = this.options.scheduler ?? asapScheduler;
    const max = this.options.maxSteps ?? 100_000;
    return new Promise((resolve) => {
      const finish = (violation: LiveOutcome['violation'], quiescent: boolean) => {
        this.deliveries$.complete();
        this.steps$.complete();
        for (const a of this.actors) a.stop();
        resolve({ violation, trace: this.trace, quiescent, steps: this.step });
      };
      const loop = () => {
        const v0 = this.violation(false);
        if (v0) return finish(v0, false);
        if (this.step >= max) return finish(null, false);
        if (!this.stepOnce()) return finish(this.violation(true), true);
        scheduler.schedule(loop, this.options.delayMs ?? 0);
      };
      scheduler.schedule(loop, 0);
    });
  }
}
