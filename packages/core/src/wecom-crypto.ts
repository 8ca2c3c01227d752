import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * WeCom's callback encryption (reference/wecom-callbacks.md §1): AES-256-CBC with the key
 * Base64(EncodingAESKey + '='), the IV its first 16 bytes, PKCS#7 padding to a 32-byte block;
 * plaintext = 16 random bytes + message length (4 bytes, big-endian) + message + receiveid;
 * signature = sha1 of the sorted token, timestamp, nonce and ciphertext.
 */
export class WecomCryptoError extends Error {
  constructor(
    readonly reason: 'bad_signature' | 'bad_key' | 'bad_ciphertext' | 'wrong_receiver',
    message: string,
  ) {
    super(message);
    this.name = 'WecomCryptoError';
  }
}

const BLOCK = 32;

export function wecomKey(encodingAesKey: string): Buffer {
  const key = Buffer.from(`${encodingAesKey}=`, 'base64');
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey) || key.length !== 32) throw new WecomCryptoError('bad_key', 'EncodingAESKey must be the 43 letters and digits shown in the WeCom admin console');
  return key;
}

export function wecomSignature(token: string, timestamp: string, nonce: string, encrypted: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypted].sort().join('')).digest('hex');
}

/** Constant-time check of a request's msg_signature. */
export function signatureMatches(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(String(given).toLowerCase());
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The message inside a ciphertext, checked to be meant for `receiveId` (the corp id for a self-built app). */
export function wecomDecrypt(key: Buffer, encrypted: string, receiveId: string): string {
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    // WeCom pads to 32-byte blocks; OpenSSL's own padding check (16-byte blocks) would refuse it.
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(Buffer.from(encrypted, 'base64')), decipher.final()]);
  } catch {
    throw new WecomCryptoError('bad_ciphertext', 'the ciphertext does not decrypt with this EncodingAESKey');
  }
  const pad = plain[plain.length - 1];
  if (plain.length < 20 + pad || pad < 1 || pad > BLOCK) throw new WecomCryptoError('bad_ciphertext', 'bad padding: not encrypted with this EncodingAESKey');
  const content = plain.subarray(16, plain.length - pad);
  const length = content.readUInt32BE(0);
  if (length > content.length - 4) throw new WecomCryptoError('bad_ciphertext', 'the message length does not fit the ciphertext');
  const receiver = content.subarray(4 + length).toString('utf8');
  if (receiver !== receiveId) throw new WecomCryptoError('wrong_receiver', `the message is for "${receiver.slice(0, 40)}", not this corp id`);
  return content.subarray(4, 4 + length).toString('utf8');
}

/** Encrypts a message for `receiveId` (a passive reply; the fake WeCom's events). random: 16 bytes, for tests. */
export function wecomEncrypt(key: Buffer, message: string, receiveId: string, random: Buffer = randomBytes(16)): string {
  const body = Buffer.from(message, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length, 0);
  const plain = Buffer.concat([random, length, body, Buffer.from(receiveId, 'utf8')]);
  const pad = BLOCK - (plain.length % BLOCK);
  const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])), cipher.final()]).toString('base64');
}
