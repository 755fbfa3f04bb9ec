import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { Aes256GcmEncryption } from '../../src/codecs/aes256gcm-encryption.js';
import { CodecRegistry } from '../../src/codecs/codec-registry.js';
import { ENCRYPTION_KEY_ID_HEADER } from '../../src/codecs/encryption.js';
import { TYPES } from '../../src/di/tokens.js';
import { handlesMessage } from '../../src/handling/handles-message.js';
import type { IHandlerContext, IMessageHandler } from '../../src/handling/message-handler.js';
import { waitForEvents } from '../support/latch.js';
import { MemoryWorld } from '../support/memory-endpoint.js';
import { PlaceOrder } from '../support/messages.js';

const got: IHandlerContext<PlaceOrder>[] = [];

@handlesMessage(PlaceOrder)
class Recorder implements IMessageHandler<PlaceOrder> {
  handle(ctx: IHandlerContext<PlaceOrder>): void {
    got.push(ctx);
  }
}

const keys = { old: randomBytes(32).toString('base64'), current: randomBytes(32).toString('base64') };

describe('scenario: bodies compressed, then encrypted, per endpoint; the receiver reverses both', () => {
  const world = new MemoryWorld();
  after(() => world.stopAll());

  it('delivers the message intact while the wire carries neither the plain text nor the uncompressed size', async () => {
    const codecs = () => new CodecRegistry([new Aes256GcmEncryption({ currentKeyId: 'current', keys })]);
    const secret = 'card-4111-1111-1111-1111 '.repeat(40);
    const { bus } = world.endpoint('codec', { handlers: [Recorder], compression: 'gzip', encryption: 'aes-256-gcm' }, [], (c) =>
      c.bind(TYPES.CodecRegistry).toConstantValue(codecs()),
    );
    await bus.start();
    const seenOnWire: Uint8Array[] = [];
    bus.events.on('messageDispatched', (tm) => seenOnWire.push(tm.message));
    const handled = waitForEvents(bus.events, 'messageHandled');
    const sent = await bus.send(new PlaceOrder(secret, 7), { local: true });
    await handled;

    expect(sent.compressionAlgorithm).to.equal('gzip');
    expect(sent.encryptionAlgorithm).to.equal('aes-256-gcm');
    expect(sent.headers[ENCRYPTION_KEY_ID_HEADER]).to.equal('current');
    const wire = Buffer.from(seenOnWire[0]!);
    expect(wire.includes(Buffer.from('card-4111'))).to.equal(false);
    expect(wire.length, 'compressed before encryption').to.be.lessThan(secret.length / 4);
    expect(got[0]!.message).to.deep.include({ orderId: secret, amount: 7 });
  });

  it('sends a body encrypted with an unknown key to the error queue with the reason', async () => {
    const other = new CodecRegistry([new Aes256GcmEncryption({ currentKeyId: 'k2', keys: { k2: randomBytes(32).toString('base64') } })]);
    const sender = world.endpoint('codec-sender', { encryption: 'aes-256-gcm' }, [], (c) => c.bind(TYPES.CodecRegistry).toConstantValue(other));
    const receiver = world.endpoint('codec-receiver', { handlers: [Recorder] }, [], (c) =>
      c.bind(TYPES.CodecRegistry).toConstantValue(new CodecRegistry([new Aes256GcmEncryption({ currentKeyId: 'current', keys })])),
    );
    await sender.bus.start();
    await receiver.bus.start();
    const failed = waitForEvents(receiver.bus.events, 'messageSentToErrorQueue');
    await sender.bus.send(new PlaceOrder('x'), { recipient: 'memory://codec-receiver' });
    const [[copy, reason]] = await failed;
    expect(reason).to.match(/no decryption key with id 'k2'/);
    expect(copy.encryptionAlgorithm, 'kept as received').to.equal('aes-256-gcm');
  });
});
