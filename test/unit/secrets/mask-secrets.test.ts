import { expect } from 'chai';
import { maskHeaderValue, maskSecrets } from '../../../src/secrets/mask-secrets.js';

describe('maskSecrets: no secret in anything oncebus shows', () => {
  const cases: [string, string, string][] = [
    ['a URL', 'postgres://app:s3cret@db:5432/orders', 'postgres://app:***@db:5432/orders'],
    ['a URL inside a sentence', 'connect to rabbitmq://guest:s3cret@broker:5672/orders failed', 'connect to rabbitmq://guest:***@broker:5672/orders failed'],
    ['a URL with an empty user', 'postgres://:s3cret@db/orders', 'postgres://:***@db/orders'],
    ['a URL whose password holds an unencoded @', 'postgres://app:s3c@ret@db/orders', 'postgres://app:***@db/orders'],
    ['a URL whose password holds : ? and #', 'amqp://app:s3c:r?e#t@broker', 'amqp://app:***@broker'],
    ['a URL with a user alone (a token)', 'https://s3cret-token@git.example/repo', 'https://***@git.example/repo'],
    ['a URL in quotes', "'rabbitmq://guest:s3cret@broker/amq.orders': reserved", "'rabbitmq://guest:***@broker/amq.orders': reserved"],
    ['a URL in JSON', '{"url":"postgres://app:s3cret@db/x","note":"a@b"}', '{"url":"postgres://app:***@db/x","note":"a@b"}'],
    ['a password in a query', 'postgres://db/orders?password=s3cret&sslmode=require', 'postgres://db/orders?password=***&sslmode=require'],
    ['libpq key=value', 'host=db user=app password=s3cret dbname=orders', 'host=db user=app password=*** dbname=orders'],
    ['libpq quoted, with an escaped quote', "host=db password='s3c\\' ret' dbname=orders", 'host=db password=*** dbname=orders'],
    ['libpq sslpassword', 'host=db sslpassword=s3cret', 'host=db sslpassword=***'],
    ['ADO.NET Password=', 'Server=db;User Id=sa;Password=s3cret;Encrypt=true', 'Server=db;User Id=sa;Password=***;Encrypt=true'],
    ['ODBC Pwd=', 'Server=db;Uid=sa;Pwd=s3cret;', 'Server=db;Uid=sa;Pwd=***;'],
    ['a braced value holding ; and }}', 'Server=db;Password={s3c;r}}et};Encrypt=true', 'Server=db;Password=***;Encrypt=true'],
    ['a quoted value holding ;', "Server=db;Password='s3c;ret';Encrypt=true", 'Server=db;Password=***;Encrypt=true'],
    ['spaces around =', 'Server=db; PWD = s3cret ;', 'Server=db; PWD = *** ;'],
    ['an Azure key', 'Endpoint=sb://ns/;SharedAccessKeyName=root;SharedAccessKey=s3cret+/=', 'Endpoint=sb://ns/;SharedAccessKeyName=root;SharedAccessKey=***'],
    ['an environment-style name', 'DB_PASSWORD=s3cret', 'DB_PASSWORD=***'],
    ['a JSON secret', '{"user":"app","password":"s3cret"}', '{"user":"app","password":"***"}'],
    ['an unterminated quote (a cut message)', 'Password="s3cret and more', 'Password=***'],
    ['a URI that lost its scheme', "'app:s3cret@broker/orders' is not a queue URI", "'app:***@broker/orders' is not a queue URI"],
    ['a URI that lost a slash', 'rabbitmq:/app:s3c@ret@broker/orders', 'rabbitmq:/app:***@broker/orders'],
  ];
  for (const [what, raw, masked] of cases) {
    it(`hides ${what}`, () => {
      expect(maskSecrets(raw)).to.equal(masked);
      expect(maskSecrets(raw)).not.to.contain('s3c');
    });
  }

  it('leaves text without secrets as it is: addresses, settings that are no secret, a plain @', () => {
    for (const text of ['sqlite://default/orders', 'rabbitmq://broker:5672/orders', 'SharedAccessKeyName=root', 'mail alice@example.com', 'a == b', 'x=1&y=2', 'token expired: log in again']) {
      expect(maskSecrets(text)).to.equal(text);
    }
  });

  it('cuts text longer than its bound, saying so, and hides a URI cut before its @', () => {
    const long = `${'x'.repeat(90)}postgres://app:s3cret-that-goes-on@db`;
    const shown = maskSecrets(long, 110);
    expect(shown).not.to.contain('s3c');
    expect(shown).to.match(/^x{90}postgres:\/\/\*\*\*… \(cut: \d+ more characters\)$/);
    expect(maskSecrets('a'.repeat(10), 4)).to.equal('aaaa… (cut: 6 more characters)');
  });

  // A 156 KB message type of repeated `//a:` made the former regex take ~10 s per call.
  it('takes time linear in its input: a megabyte of each hostile pattern in well under a second', () => {
    for (const unit of ['//a:', '//a@', 'password=', '"token":', 'a://', '//:@', "password='", 'a@', 'a:a@', ':@']) {
      const hostile = unit.repeat(Math.ceil(1_000_000 / unit.length));
      const started = performance.now();
      maskSecrets(hostile, hostile.length);
      expect(performance.now() - started, unit).to.be.below(1000);
    }
  });
});

describe('maskHeaderValue: an HTTP header as the operations tools show it', () => {
  const cases: [string, string, string][] = [
    ['Authorization', 'Bearer eyJhbGciOi.s3cret', '***'],
    ['proxy-authorization', 'Basic dXNlcjpwdw==', '***'],
    ['Set-Cookie', 'sid=abc123; HttpOnly; Path=/', '***'],
    ['cookie', 'a=1; b=2', '***'],
    ['X-Api-Key', 'k-123456', '***'],
    ['x-auth-token', 'tok', '***'],
    ['X-Client-Secret', 'shh', '***'],
    ['location', 'postgres://shop:s3cret@db/x', 'postgres://shop:***@db/x'],
    ['location', '/orders/42?token=abc&page=2', '/orders/42?token=***&page=2'],
    ['content-type', 'application/json; charset=utf-8', 'application/json; charset=utf-8'],
    ['x-token-count', '3', '3'],
    ['authorization', '', ''],
  ];
  for (const [name, value, shown] of cases) {
    it(`${name}: ${JSON.stringify(value)} → ${JSON.stringify(shown)}`, () => {
      expect(maskHeaderValue(name, value)).to.equal(shown);
    });
  }

  it('is bounded like maskSecrets', () => {
    expect(maskHeaderValue('location', 'x'.repeat(10_000), 100)).to.have.length.below(200);
  });
});
