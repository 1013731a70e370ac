/**
 * A dictionary of values by key: each distinct key gets the next small number (its code). World keys are
 * made of such codes, so a key is a few characters and equal states get equal keys.
 */
export class Interner<T> {
  /** Value of each code. */
  readonly values: T[] = [];
  /** Key of each code (the content a code stands for, the same in every process). */
  readonly keys: string[] = [];
  private readonly codes = new Map<string, number>();

  /** The code of `key`, adding `value` under a new code if the key is new. */
  intern(key: string, value: () => T): number {
    let c = this.codes.get(key);
    if (c === undefined) {
      c = this.values.push(value()) - 1;
      this.keys.push(key);
      this.codes.set(key, c);
    }
    return c;
  }

  /** The code of `key`, if it has one. */
  codeOf(key: string): number | undefined {
    return this.codes.get(key);
  }

  get size(): number {
    return this.values.length;
  }
}
