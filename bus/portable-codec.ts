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
import { InternalError } from '../util/errors';
import { finish, PieceHashes, SEED_A, SEED_B, stepA, stepB } from './portable-fingerprint';
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

/** A piece's kind: the shared memory, a message, or the local states of one machine (numbered in actor order from KIND_LOCAL). */
const KIND_MEMORY = 0;
const KIND_MESSAGE = 1;
const KIND_LOCAL = 2;

/** Two different texts with one hash (kind, h, l) would rebuild the wrong state: refused, whoever met them. */
function clash(k: string, known: string | undefined, text: string): void {
  if (known !== undefined && known !== text)
    throw new InternalError(`two piece texts hash to one 64-bit word pair (${k}): ${known.slice(0, 60)} / ${text.slice(0, 60)}`);
}

/** A piece another thread may not know: its kind, its hash words and its portable text. */
export interface PieceText {
  kind: number;
  h: number;
  l: number;
  text: string;
}

export class PortableCodec {
  /** Per memory code: its JSON text (checked plain); per message code: `[from,to,event]`. */
  private readonly globalTexts: string[] = [];
  private readonly messageTexts: string[] = [];
  /** Memory code by JSON text, for memories rebuilt from portable keys. */
  private readonly globalByText = new Map<string, number>();
  /** Per local-state dictionary, per code: checked to be plain data. */
  private readonly plainLocals = new Map<Interner<AnyMachineSnapshot>, boolean[]>();

  /** Per local-state dictionary: its piece kind, and per code the hash of its text (plain data checked first, as for a key). */
  private readonly localHashes = new Map<Interner<AnyMachineSnapshot>, { kind: number; hashes: PieceHashes }>();
  private readonly globalHashes = new PieceHashes(
    (c) => this.global(c),
    (h, l, text) => this.hashed(KIND_MEMORY, h, l, text),
  );
  private readonly messageHashes = new PieceHashes(
    (c) => this.message(c),
    (h, l, text) => this.hashed(KIND_MESSAGE, h, l, text),
  );
  /** The same, by actor index (actors of one machine share one), and the piece kind of each actor's local states. */
  private readonly actorHashes: PieceHashes[] = [];
  private readonly actorKinds: number[] = [];
  /** Pieces hashed here and not learnt from another thread: what `newPieces` hands out next. */
  private fresh: PieceText[] = [];
  /** Per position of a state (actors, the memory, messages): the piece `fromPieceWords` last found there. */
  private readonly lastAt = { codes: [] as number[], his: [] as number[], los: [] as number[] };
  /** Texts of pieces other threads hashed, by `kind,h,l`. */
  private readonly learnt = new Map<string, string>();

  constructor(private readonly d: Dictionaries) {}

  /**
   * The portable fingerprint of a representative into `out` ([hi, lo]; bus/portable-fingerprint.ts): equal for
   * equal portable keys in every process, with no string built (each piece's text is hashed once per code).
   */
  fingerprint(c: World, out: Uint32Array): void {
    let a = SEED_A;
    let b = SEED_B;
    for (let i = 0; i < c.locals.length; i++) {
      const p = this.localHashesOf(i);
      const code = c.locals[i];
      a = stepA(a, p.hi(code));
      b = stepB(b, p.lo(code));
    }
    const g = this.globalHashes;
    a = stepA(a, g.hi(c.global));
    b = stepB(b, g.lo(c.global));
    a = stepA(a, c.queue.length);
    b = stepB(b, c.queue.length);
    const m = this.messageHashes;
    for (const code of c.queue) {
      a = stepA(a, m.hi(code));
      b = stepB(b, m.lo(code));
    }
    finish(a, b, c.locals.length + 2 + c.queue.length, out);
  }

  /** A representative's piece words pushed onto `out`: two a piece, actors, the memory, then the messages (`fromPieceWords`). */
  pieceWords(c: World, out: number[]): void {
    for (let a = 0; a < c.locals.length; a++) this.localHashesOf(a).pushTo(c.locals[a], out);
    this.globalHashes.pushTo(c.global, out);
    for (const m of c.queue) this.messageHashes.pushTo(m, out);
  }

  /**
   * The state whose piece words (`fingerprint`'s `pieces`: actors, memory, then `queue` messages) start at
   * `words[at]`. A piece this thread never hashed is rebuilt from the text another thread gave (`learnPieces`),
   * through the portable key's own decoding; a piece nobody described is an internal error, never a guess.
   */
  fromPieceWords(words: Uint32Array, at: number, queue: number): World {
    const n = this.d.actorCount;
    // Built by push: packed arrays, as decoded keys are (holey ones slow every later step on the state down).
    const locals: number[] = [];
    for (let a = 0; a < n; a++) {
      const c = this.pieceAt(a, this.localHashesOf(a), words, at + 2 * a);
      if (c < 0) return this.rebuild(words, at, queue);
      locals.push(c);
    }
    const global = this.pieceAt(n, this.globalHashes, words, at + 2 * n);
    if (global < 0) return this.rebuild(words, at, queue);
    const q: number[] = [];
    for (let i = 0; i < queue; i++) {
      const c = this.pieceAt(n + 1 + i, this.messageHashes, words, at + 2 * (n + 1 + i));
      if (c < 0) return this.rebuild(words, at, queue);
      q.push(c);
    }
    return { locals, global, queue: q };
  }

  /** The code of the piece at `words[j]` for position `p` of a state, or -1: first the one last met at that position (most pieces repeat). */
  private pieceAt(p: number, hashes: PieceHashes, words: Uint32Array, j: number): number {
    const h = words[j];
    const l = words[j + 1];
    const last = this.lastAt;
    if (p < last.codes.length && last.codes[p] >= 0 && last.his[p] === h && last.los[p] === l) return last.codes[p];
    const c = hashes.codeOf(h, l);
    if (c === undefined) return -1;
    while (last.codes.length <= p) {
      last.codes.push(-1);
      last.his.push(0);
      last.los.push(0);
    }
    last.codes[p] = c;
    last.his[p] = h;
    last.los[p] = l;
    return c;
  }

  /** The texts of the pieces hashed here since the last call (not those learnt from others). */
  newPieces(): PieceText[] {
    const out = this.fresh;
    this.fresh = [];
    return out;
  }

  /** Texts of pieces other threads hashed: what `fromPieceWords` rebuilds their codes from. */
  learnPieces(pieces: readonly PieceText[]): void {
    for (const p of pieces) {
      const k = `${p.kind},${p.h},${p.l}`;
      const hashes = p.kind === KIND_MEMORY ? this.globalHashes : p.kind === KIND_MESSAGE ? this.messageHashes : this.localHashesOf(this.actorOf(p.kind));
      const mine = hashes.codeOf(p.h, p.l);
      clash(k, this.learnt.get(k) ?? (mine === undefined ? undefined : this.textOf(p.kind, mine)), p.text);
      this.learnt.set(k, p.text);
    }
  }

  private hashed(kind: number, h: number, l: number, text: string): void {
    const k = `${kind},${h},${l}`;
    const learnt = this.learnt.get(k);
    clash(k, learnt, text);
    if (learnt === undefined) this.fresh.push({ kind, h, l, text });
  }

  private textOf(kind: number, code: number): string {
    return kind === KIND_MEMORY ? this.global(code) : kind === KIND_MESSAGE ? this.message(code) : this.d.localStates(this.actorOf(kind)).keys[code];
  }

  /** A state with a piece this thread has no code for yet: its portable key from the pieces' texts, decoded, then checked piece by piece. */
  private rebuild(words: Uint32Array, at: number, queue: number): World {
    const n = this.d.actorCount;
    const text = (kind: number, hashes: PieceHashes, j: number): string => {
      const c = hashes.codeOf(words[j], words[j + 1]);
      if (c !== undefined) return this.textOf(kind, c);
      const t = this.learnt.get(`${kind},${words[j]},${words[j + 1]}`);
      if (t === undefined) throw new InternalError(`a frontier state names a piece (kind ${kind}) no thread described`);
      return t;
    };
    const locals = Array.from({ length: n }, (_, a) => text(this.kindOf(a), this.localHashesOf(a), at + 2 * a));
    const global = text(KIND_MEMORY, this.globalHashes, at + 2 * n);
    const msgs = Array.from({ length: queue }, (_, i) => text(KIND_MESSAGE, this.messageHashes, at + 2 * (n + 1 + i)));
    const w = this.decode(encodePortable({ locals, global, queue: msgs }));
    const again: number[] = [];
    this.pieceWords(w, again);
    for (let i = 0; i < again.length; i++) if (again[i] !== words[at + i]) throw new InternalError('a piece text does not hash to the words it came with');
    return w;
  }

  private kindOf(actor: number): number {
    this.localHashesOf(actor);
    return this.actorKinds[actor];
  }

  /** The first actor whose local states are of this kind. */
  private actorOf(kind: number): number {
    this.localHashesOf(this.d.actorCount - 1);
    const a = this.actorKinds.indexOf(kind);
    if (a < 0) throw new InternalError(`no actor has pieces of kind ${kind}`);
    return a;
  }

  private localHashesOf(actor: number): PieceHashes {
    const known = this.actorHashes[actor];
    if (known !== undefined) return known;
    // Kinds are numbered in actor order, so every thread that built this system numbers them alike.
    for (let a = 0; a <= actor; a++) {
      if (this.actorHashes[a] !== undefined) continue;
      const states = this.d.localStates(a);
      let p = this.localHashes.get(states);
      if (p === undefined) {
        const kind = KIND_LOCAL + this.localHashes.size;
        p = {
          kind,
          hashes: new PieceHashes(
            (code) => this.local(a, code),
            (h, l, text) => this.hashed(kind, h, l, text),
          ),
        };
        this.localHashes.set(states, p);
      }
      this.actorHashes[a] = p.hashes;
      this.actorKinds[a] = p.kind;
    }
    return this.actorHashes[actor];
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
