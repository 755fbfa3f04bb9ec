/** A body encryption algorithm, named in the envelope's encryptionAlgorithm; the key id travels in a header. */
export interface IEncryptionAlgorithm {
  readonly name: string;
  /** The id of the key `encrypt` uses, written to ENCRYPTION_KEY_ID_HEADER. */
  readonly keyId: string;
  encrypt(data: Uint8Array): Uint8Array;
  decrypt(data: Uint8Array, keyId: string): Uint8Array;
}

export const ENCRYPTION_KEY_ID_HEADER = 'oncebus-encryption-key-id';
