/** A promise with its resolve and reject at hand, for a party that settles it later. */
export interface Settable<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

const ignore = () => undefined;

export function settable<T>(): Settable<T> {
  let resolve!: (value: T) => void;
  let rej!: (error: unknown) => void;
  const promise = new Promise<T>((res, rj) => {
    resolve = res;
    rej = rj;
  });
  // A rejection nobody awaits (a member whose pipeline moved on) is not unhandled. Attached when rejecting,
  // not up front: a handler per settable cost a promise each on the hot path, and most never reject.
  const reject = (error: unknown): void => {
    promise.catch(ignore);
    rej(error);
  };
  return { promise, resolve, reject };
}
