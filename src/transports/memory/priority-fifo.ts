/**
 * The memory queue's ready messages: higher priority first, then FIFO, with an O(1) take. A plain array's
 * shift() copies the whole array, so draining a queue of 100,000 messages took quadratic time (half the
 * memory benchmark's CPU); here the head is an index and the taken slots are dropped in bulk.
 */
export class PriorityFifo<T extends { readonly priority: number }> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  /** Behind every entry of its priority or higher (stable for equal priorities). */
  push(item: T): void {
    if (item.priority === 0 || this.length === 0) {
      this.items.push(item);
      return;
    }
    let i = this.head;
    while (i < this.items.length && this.items[i]!.priority >= item.priority) i++;
    this.items.splice(i, 0, item);
  }

  /** At the very front (a released message is the next one taken). */
  unshift(item: T): void {
    if (this.head > 0) this.items[--this.head] = item;
    else this.items.unshift(item);
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    // Drop the taken slots once they are most of the array: amortised O(1) per take.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** The entries in the order they will be taken (a copy). */
  toArray(): T[] {
    return this.items.slice(this.head) as T[];
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}
