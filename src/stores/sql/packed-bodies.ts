/**
 * Many bodies as one byte string and where each lies in it, for a set statement that cuts them apart with
 * `substring(bytes FROM start FOR length)`: one binary parameter instead of a bytea[] that node-postgres
 * writes as hex text the server parses back. Starts are 1-based, as SQL's substring counts; an empty body
 * is length 0 (substring gives '' for it, never NULL).
 */
export interface PackedBodies {
  readonly bytes: Buffer;
  readonly starts: number[];
  readonly lengths: number[];
}

export function packBodies(bodies: readonly Uint8Array[]): PackedBodies {
  const starts: number[] = new Array(bodies.length);
  const lengths: number[] = new Array(bodies.length);
  let start = 1;
  for (let i = 0; i < bodies.length; i++) {
    const length = bodies[i]!.byteLength;
    starts[i] = start;
    lengths[i] = length;
    start += length;
  }
  return { bytes: Buffer.concat(bodies), starts, lengths };
}
