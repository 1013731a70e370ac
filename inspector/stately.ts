/**
 * `--stately`: @statelyai/inspect's WebSocket inspector (v0.7.2, the Node API: createWebSocketInspector),
 * pointed at the inspector server's own relay on 127.0.0.1, attached to the live actors through
 * createActor's `inspect` option. The package is ESM only, so it is loaded with a dynamic import.
 */
import type { SimulateOptions } from '../actors/live';

export interface StatelyAttachment {
  readonly inspect: NonNullable<SimulateOptions['inspect']>;
  stop(): void;
}

export async function statelyInspector(url: string): Promise<StatelyAttachment> {
  const mod = await import('@statelyai/inspect');
  const inspector = mod.createWebSocketInspector({ url, maxDeferredEvents: 100_000 });
  return { inspect: inspector.inspect as StatelyAttachment['inspect'], stop: () => inspector.stop() };
}
