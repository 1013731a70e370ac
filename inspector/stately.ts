/**
 * `--stately`: @statelyai/inspect's WebSocket inspector (v0.7.2, the Node API: createWebSocketInspector),
 * pointed at the inspector server's own relay on 127.0.0.1, attached to the live actors through
 * createActor's `inspect` option. The package is ESM only, so it is loaded with a dynamic import.
 * The relay replays what it has seen to each new page: that history is bounded in bytes (RelayLog).
 */
import type { SimulateOptions } from '../actors/live';

/** Largest single message the relay accepts (a snapshot of every actor is a few KB). */
export const RELAY_MAX_MESSAGE_BYTES = 1024 * 1024;
/** All the history the relay keeps for pages that connect later. */
export const RELAY_MAX_BYTES = 32 * 1024 * 1024;
/** Events the Node inspector holds back until the relay connects. */
const MAX_DEFERRED_EVENTS = 10_000;

/**
 * The relay's history, bounded in bytes. The first messages register the actors, so the oldest are kept
 * and, once the budget is spent, later ones are only forwarded live (`dropped` counts them).
 */
export class RelayLog {
  private readonly log: string[] = [];
  private bytes = 0;
  dropped = 0;

  constructor(private readonly maxBytes = RELAY_MAX_BYTES) {}

  add(m: string): void {
    const size = Buffer.byteLength(m);
    if (this.bytes + size > this.maxBytes) {
      this.dropped++;
      return;
    }
    this.log.push(m);
    this.bytes += size;
  }

  get size(): number {
    return this.bytes;
  }

  messages(): readonly string[] {
    return this.log;
  }
}

export interface StatelyAttachment {
  readonly inspect: NonNullable<SimulateOptions['inspect']>;
  stop(): void;
}

export async function statelyInspector(url: string): Promise<StatelyAttachment> {
  const mod = await import('@statelyai/inspect');
  const inspector = mod.createWebSocketInspector({ url, maxDeferredEvents: MAX_DEFERRED_EVENTS });
  return { inspect: inspector.inspect as StatelyAttachment['inspect'], stop: () => inspector.stop() };
}
