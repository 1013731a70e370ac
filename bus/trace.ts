/** One delivery on the bus, as recorded in traces and shown in timelines. */
export interface TraceEntry {
  /** Step number (1-based); sync deliveries share the step of the delivery that caused them. */
  readonly step: number;
  /** Sender actor id; an actor's own step has from === to. */
  readonly from: string;
  readonly to: string;
  /** Event type. */
  readonly event: string;
  /** The rest of the event (arguments and what was read of shared memory). */
  readonly payload: Readonly<Record<string, unknown>>;
}
