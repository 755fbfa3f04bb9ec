/** Turns message bodies into bytes and back. Sync: it runs per message and JSON is fastest inline. */
export interface ISerializer {
  readonly contentType: string;
  serialize(value: unknown): Uint8Array;
  deserialize(bytes: Uint8Array): unknown;
}
