/** The states still to expand, by number. FIFO gives breadth-first (shortest counterexample), LIFO depth-first. */
export interface Frontier {
  push(n: number): void;
  pop(): number | undefined;
  readonly size: number;
}

export class FifoFrontier implements Frontier {
  private items = new Int32Array(1 << 12);
  private head = 0;
  private tail = 0;

  push(n: number): void {
    if (this.tail === this.items.length) {
      const live = this.tail - this.head;
      const next = live * 2 > this.items.length ? new Int32Array(this.items.length * 2) : this.items;
      next.set(this.items.subarray(this.head, this.tail));
      this.items = next;
      this.head = 0;
      this.tail = live;
    }
    this.items[this.tail++] = n;
  }

  pop(): number | undefined {
    return this.head < this.tail ? this.items[this.head++] : undefined;
  }

  get size(): number {
    return this.tail - this.head;
  }
}

export class LifoFrontier implements Frontier {
  private readonly items: number[] = [];

  push(n: number): void {
    this.items.push(n);
  }

  pop(): number | undefined {
    return this.items.pop();
  }

  get size(): number {
    return this.items.length;
  }
}
