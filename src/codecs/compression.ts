/** A body compression algorithm, named in the envelope's compressionAlgorithm. */
export interface ICompressionAlgorithm {
  readonly name: string;
  compress(data: Uint8Array): Uint8Array;
  /**
   * Any sender may name the algorithm, so `data` is hostile: produce at most `maxOutputLength` bytes (the
   * endpoint's maxMessageSize) and stop with a MessageTooLargeError as soon as the output would pass it —
   * never inflate everything first. Bad input is a MessageDeserializationError.
   */
  decompress(data: Uint8Array, maxOutputLength: number): Uint8Array;
}
