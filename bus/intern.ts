/**
 * A dictionary of values by key: each distinct key gets the next small number (its code). World keys are
 * made of such codes, so a key is a few characters and equal states get equal keys.
 */
export class Interner<T> {
  /** Value of each code. */
  readonly values: T[] = [];
  private readonly codes = new Map<string, number>();

  /** The code of `key`, adding `value` under a new code if the key is new. */
  intern(key: string, value: () => T): number {
    let c = this.codes.get(key);
    if (c === undefined) {
      c = this.values.push(value()) - 1;
      this.codes.set(key, c);
    }
    return c;
  }

  get size(): number {
    return this.values.length;
  }
}
