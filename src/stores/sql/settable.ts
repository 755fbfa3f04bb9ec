/** A promise with its resolve and reject at hand, for a party that settles it later. */
export interface Settable<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function settable<T>(): Settable<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined); // a rejection nobody awaits (a member whose pipeline moved on) is not unhandled
  return { promise, resolve, reject };
}
