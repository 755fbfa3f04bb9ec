import { expect } from 'chai';
import { maskConnectionString } from '../../../src/stores/sql/mask-connection-string.js';

describe('maskConnectionString: no password reaches an error or a log', () => {
  const cases: [string, string, string][] = [
    ['a URL', 'postgres://app:s3cret@db:5432/orders', 'postgres://app:***@db:5432/orders'],
    ['libpq key=value', 'host=db user=app password=s3cret dbname=orders', 'host=db user=app password=*** dbname=orders'],
    ['ADO.NET Password=', 'Server=db;User Id=sa;Password=s3cret;Encrypt=true', 'Server=db;User Id=sa;Password=***;Encrypt=true'],
    ['ODBC Pwd=', 'Server=db;Uid=sa;Pwd=s3cret;', 'Server=db;Uid=sa;Pwd=***;'],
    ['a braced value holding ; and }}', 'Server=db;Password={s3c;r}}et};Encrypt=true', 'Server=db;Password=***;Encrypt=true'],
    ['a quoted value holding ;', "Server=db;Password='s3c;ret';Encrypt=true", 'Server=db;Password=***;Encrypt=true'],
    ['spaces around =', 'Server=db; PWD = s3cret ;', 'Server=db; PWD = *** ;'],
    ['an Azure key', 'Endpoint=sb://ns/;SharedAccessKeyName=root;SharedAccessKey=abc+/=', 'Endpoint=sb://ns/;SharedAccessKeyName=root;SharedAccessKey=***'],
  ];
  for (const [what, raw, masked] of cases) {
    it(what, () => {
      expect(maskConnectionString(raw)).to.equal(masked);
      expect(maskConnectionString(raw)).to.not.match(/s3c|abc\+/);
    });
  }
});
