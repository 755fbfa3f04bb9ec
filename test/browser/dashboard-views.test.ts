import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Aes256GcmEncryption } from '../../src/codecs/aes256gcm-encryption.js';
import { CodecRegistry } from '../../src/codecs/codec-registry.js';
import { ENCRYPTION_KEY_ID_HEADER } from '../../src/codecs/encryption.js';
import { GzipCompression } from '../../src/codecs/gzip-compression.js';
import { emptyTransportMessage } from '../../src/envelope/transport-message.js';
import { cookieValue, isLoopback, withoutTokenParam } from '../../src/operations/dashboard/security.js';
import { maskSecrets } from '../../src/secrets/mask-secrets.js';
import { bodyView, prettyJson } from '../../src/operations/dashboard/body-view.js';

describe('the dashboard shows what it is given as it is, and no secret', () => {
  it('re-indents JSON keeping every token as written (big numbers, 1.50, escapes, empty containers)', () => {
    const json = '{"id":12345678901234567890,"price":1.50,"note":"a \\"quoted\\" {not, a: [structure]} \\\\","tags":[],"more":{},"list":[1,{"x":null}]}';
    const pretty = prettyJson(json);
    expect(pretty).to.equal(
      [
        '{',
        '  "id": 12345678901234567890,',
        '  "price": 1.50,',
        '  "note": "a \\"quoted\\" {not, a: [structure]} \\\\",',
        '  "tags": [],',
        '  "more": {},',
        '  "list": [',
        '    1,',
        '    {',
        '      "x": null',
        '    }',
        '  ]',
        '}',
      ].join('\n'),
    );
    expect(JSON.parse(pretty)).to.deep.equal(JSON.parse(json));
    expect(prettyJson(' [ ] ')).to.equal('[]');
    expect(prettyJson('"<script>"')).to.equal('"<script>"');
  });

  it('takes passwords out of URIs and settings, leaving addresses', () => {
    expect(maskSecrets('rabbitmq://guest:s3cret@broker:5672/orders')).to.equal('rabbitmq://guest:***@broker:5672/orders');
    expect(maskSecrets('connect to postgres://app:pw@db/shop failed')).to.equal('connect to postgres://app:***@db/shop failed');
    expect(maskSecrets('Server=db;User Id=sa;Password=hunter2;')).to.equal('Server=db;User Id=sa;Password=***;');
    expect(maskSecrets('sqlite://default/orders')).to.equal('sqlite://default/orders');
  });

  it('sends a ?token= visit back to the same page without it, never to another site', () => {
    expect(withoutTokenParam('/?token=abc')).to.equal('./');
    expect(withoutTokenParam('/api/session?token=abc&x=1')).to.equal('./session?x=1');
    expect(withoutTokenParam('//evil.example/?token=abc')).to.equal('./');
    expect(withoutTokenParam('/javascript:alert(1)?token=abc')).to.equal('./javascript:alert(1)');
  });

  it('knows loopback hosts and reads cookies', () => {
    expect(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'].every(isLoopback)).to.equal(true);
    expect(['0.0.0.0', '::', '10.0.0.1', 'example.com', '127.0.0.1.example.com'].some(isLoopback)).to.equal(false);
    expect(cookieValue('a=1; oncebus_dashboard_80=t%20k; b=2', 'oncebus_dashboard_80')).to.equal('t k');
    expect(cookieValue('oncebus_dashboard_800=x', 'oncebus_dashboard_80')).to.equal(undefined);
  });

  it('shows a compressed and encrypted body decoded with the configured key ring, and as base64 saying why without it', () => {
    const ring = new Aes256GcmEncryption({ currentKeyId: 'k2', keys: { k1: randomBytes(32).toString('base64'), k2: randomBytes(32).toString('base64') } });
    const tm = emptyTransportMessage();
    // As the outbox pipeline codes it: compress, then encrypt.
    tm.message = ring.encrypt(new GzipCompression().compress(Buffer.from('{"orderId":7,"note":"<script>x</script>"}')));
    tm.compressionAlgorithm = 'gzip';
    tm.encryptionAlgorithm = 'aes-256-gcm';
    tm.headers[ENCRYPTION_KEY_ID_HEADER] = 'k2';

    const decoded = bodyView(tm, new Uint8Array(), new CodecRegistry([ring]));
    expect(decoded.kind).to.equal('json');
    expect(decoded.text).to.equal('{\n  "orderId": 7,\n  "note": "<script>x</script>"\n}');
    expect(decoded.note).to.equal('encrypted (aes-256-gcm) and compressed (gzip): decoded here');

    const keyless = bodyView(tm, new Uint8Array());
    expect(keyless.kind).to.equal('base64');
    expect(keyless.text).to.equal(Buffer.from(tm.message).toString('base64'));
    expect(keyless.note).to.match(/^encrypted \(aes-256-gcm\) and compressed \(gzip\), not decoded here \(.*aes-256-gcm.*not registered.*\): shown as base64$/);

    const otherKey = new Aes256GcmEncryption({ currentKeyId: 'k2', keys: { k2: randomBytes(32).toString('base64') } });
    expect(bodyView(tm, new Uint8Array(), new CodecRegistry([otherKey])).note).to.match(/failed authentication/);
  });
});
