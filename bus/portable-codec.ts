/**
 * Portable keys of one engine's states: the text of a representative by content (format in bus/portable.ts),
 * and back, reading and extending the engine's dictionaries. Texts are memoised per intern code, so a
 * portable key costs a few string joins once the canonical form is known.
 */
import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import { InputError, UnsupportedFeatureError } from '../util/errors';
import { stableStringify } from '../util/stable';
import type { Interner } from './intern';
import type { World } from './key';
import { encodePortable, parsePortable, requirePlainData } from './portable';
import { PieceHashes, WordHash } from './portable-fingerprint';
import type { BusEvent } from './spec';
import { localKey, snapshotFromKey } from './xstate-adapter';

/** What the codec needs of the engine: its dictionaries, and interning by value. */
export interface Dictionaries {
  readonly actorCount: number;
  actorId(actor: number): string;
  machine(actor: number): AnyStateMachine;
  /** The local states of the actor's machine (keys are `localKey` texts). */
  localStates(actor: number): Interner<AnyMachineSnapshot>;
  internLocal(actor: number, snap: AnyMachineSnapshot): number;
  globalValue(code: number): unknown;
  internGlobal(value: unknown): number;
  message(code: number): { readonly from: number; readonly to: number; readonly event: BusEvent; readonly eventKey: string };
  internMessage(from: number, to: number, event: BusEvent): number;
}

export class PortableCodec {
  /** Per memory code: its JSON text (checked plain); per message code: `[from,to,event]`. */
  private readonly globalTexts: string[] = [];
  private readonly messageTexts: string[] = [];
  /** Memory code by JSON text, for memories rebuilt from portable keys. */
  private readonly globalByText = new Map<string, number>();
  /** Per local-state dictionary, per code: checked to be plain data. */
  private readonly plainLocals = new Map<Interner<AnyMachineSnapshot>, boolean[]>();

  /** Per local-state dictionary, per code: the hash of its text (plain data checked first, as for a key). */
  private readonly localHashes = new Map<Interner<AnyMachineSnapshot>, PieceHashes>();
  private readonly globalHashes = new PieceHashes((c) => this.global(c));
  private readonly messageHashes = new PieceHashes((c) => this.message(c));
  /** The same, by actor index (actors of one machine share one). */
  private readonly actorHashes: PieceHashes[] = [];
  private readonly running = new WordHash();

  constructor(private readonly d: Dictionaries) {}

  /**
   * The portable fingerprint of a representative into `out` ([hi, lo]; bus/portable-fingerprint.ts): equal for
   * equal portable keys in every process, with no string built (each piece's text is hashed once per code).
   */
  fingerprint(c: World, out: Uint32Array): void {
    const h = this.running.start();
    for (let a = 0; a < c.locals.length; a++) this.localHashesOf(a).addTo(c.locals[a], h);
    this.globalHashes.addTo(c.global, h);
    h.add(c.queue.length);
    for (const m of c.queue) this.messageHashes.addTo(m, h);
    h.end(out);
  }

  private localHashesOf(actor: number): PieceHashes {
    const known = this.actorHashes[actor];
    if (known !== undefined) return known;
    const states = this.d.localStates(actor);
    let p = this.localHashes.get(states);
    if (p === undefined) {
      p = new PieceHashes((code) => this.local(actor, code));
      this.localHashes.set(states, p);
    }
    this.actorHashes[actor] = p;
    return p;
  }

  /** The portable key of a representative (the engine canonicalises first). */
  encode(c: World): string {
    return encodePortable({
      locals: c.locals.map((code, a) => this.local(a, code)),
      global: this.global(c.global),
      queue: c.queue.map((m) => this.message(m)),
    });
  }

  private local(actor: number, code: number): string {
    const states = this.d.localStates(actor);
    let plain = this.plainLocals.get(states);
    if (plain === undefined) {
      plain = [];
      this.plainLocals.set(states, plain);
    }
    if (plain[code] !== true) {
      requirePlainData(states.values[code].context, `actor "${this.d.actorId(actor)}"'s context`);
      plain[code] = true;
    }
    return states.keys[code];
  }

  private global(code: number): string {
    let t = this.globalTexts[code];
    if (t === undefined) {
      const g = this.d.globalValue(code);
      requirePlainData(g, 'shared memory');
      t = stableStringify(g);
      this.globalTexts[code] = t;
      this.globalByText.set(t, code);
    }
    return t;
  }

  private message(code: number): string {
    let t = this.messageTexts[code];
    if (t === undefined) {
      const m = this.d.message(code);
      requirePlainData(m.event, `a message from "${this.d.actorId(m.from)}" to "${this.d.actorId(m.to)}"`);
      t = `[${m.from},${m.to},${m.eventKey}]`;
      this.messageTexts[code] = t;
    }
    return t;
  }

  /** The representative a portable key (from any process that built this system) stands for; codes are added as needed. */
  decode(key: string): World {
    const p = parsePortable(key, this.d.actorCount);
    const locals = p.locals.map((content, a) => this.localCode(a, content, key));
    const text = stableStringify(p.global);
    let global = this.globalByText.get(text);
    if (global === undefined) {
      global = this.d.internGlobal(p.global);
      // globalKey must tell apart what JSON tells apart, or processes could name one state two ways.
      if (this.global(global) !== text)
        throw new UnsupportedFeatureError(`the spec's globalKey gives one key to two different shared memories (${text.slice(0, 80)}): it must be exact`);
    }
    const queue = p.queue.map((m) => this.d.internMessage(m.from, m.to, m.event as BusEvent));
    return { locals, global, queue };
  }

  private localCode(actor: number, content: unknown, key: string): number {
    const text = stableStringify(content);
    const known = this.d.localStates(actor).codeOf(text);
    if (known !== undefined) return known;
    const snap = snapshotFromKey(this.d.machine(actor), content);
    if (snap === null || localKey(snap) !== text)
      throw new InputError(`not a portable key of this system: actor "${this.d.actorId(actor)}" has no state ${text.slice(0, 80)} (key ${key.slice(0, 80)})`);
    return this.d.internLocal(actor, snap);
  }
}
