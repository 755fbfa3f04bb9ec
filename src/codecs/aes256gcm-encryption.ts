import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ConfigurationError, MessageDeserializationError } from '../errors/errors.js';
import type { IEncryptionAlgorithm } from './encryption.js';

export interface AesKeyRing {
  /** The key that encrypts; every key in `keys` decrypts (rotation). */
  readonly currentKeyId: string;
  /** Key id → 32-byte key, base64. */
  readonly keys: Readonly<Record<string, string>>;
}

const IV_BYTES = 12; // GCM's recommended nonce size
const TAG_BYTES = 16;

/**
 * AES-256-GCM. Output layout: 12-byte random IV ‖ ciphertext ‖ 16-byte auth tag. The tag makes any
 * tampering (or a wrong key) fail loudly on decrypt instead of yielding garbage.
 */
export class Aes256GcmEncryption implements IEncryptionAlgorithm {
  readonly name = 'aes-256-gcm';
  readonly keyId: string;
  private readonly keys = new Map<string, Buffer>();

  constructor(ring: AesKeyRing) {
    for (const [id, base64] of Object.entries(ring.keys)) {
      const key = Buffer.from(base64, 'base64');
      if (key.length !== 32) throw new ConfigurationError(`encryption.keys.${id}`, `must be 32 bytes as base64, got ${key.length} bytes`);
      this.keys.set(id, key);
    }
    if (!this.keys.has(ring.currentKeyId)) {
      throw new ConfigurationError('encryption.currentKeyId', `'${ring.currentKeyId}' is not one of the keys`);
    }
    this.keyId = ring.currentKeyId;
  }

  encrypt(data: Uint8Array): Uint8Array {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.keyId)!, iv);
    const body = cipher.update(data);
    const final = cipher.final();
    return Buffer.concat([iv, body, final, cipher.getAuthTag()]);
  }

  decrypt(data: Uint8Array, keyId: string): Uint8Array {
    const key = this.keys.get(keyId);
    if (!key) throw new MessageDeserializationError(`no decryption key with id '${keyId}'`);
    if (data.length < IV_BYTES + TAG_BYTES) throw new MessageDeserializationError('encrypted body is too short');
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES));
    decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(buf.subarray(IV_BYTES, buf.length - TAG_BYTES)), decipher.final()]);
    } catch (cause) {
      throw new MessageDeserializationError('body failed authentication: tampered, or encrypted with another key', { cause });
    }
  }
}
