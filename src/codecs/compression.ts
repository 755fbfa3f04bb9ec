/** A body compression algorithm, named in the envelope's compressionAlgorithm. */
export interface ICompressionAlgorithm {
  readonly name: string;
  compress(data: Uint8Array): Uint8Array;
  decompress(data: Uint8Array): Uint8Array;
}
