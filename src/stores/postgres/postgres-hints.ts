/**
 * What to do about a PostgreSQL error, by its SQLSTATE class: a refused value or password is not an
 * outage, and "check that the server is running" sends the operator the wrong way.
 */
export function postgresHint(code: string | undefined): string {
  // The server answered, refusing a connection: "is it running" would send the reader the wrong way.
  if (code === '53300') return "the server has no connection to spare (max_connections, or the role's or database's CONNECTION LIMIT): fewer or smaller pools, or a higher limit; the bus releases messages and retries by itself";
  const klass = code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? code.slice(0, 2) : null;
  switch (klass) {
    case null: // a socket's error (ECONNREFUSED, ETIMEDOUT…): no answer from the server
    case '08':
    case '53':
    case '57':
    case '58':
      return code === '57014'
        ? 'a statement was cancelled (a statement timeout, or a handler timing out)'
        : 'check that the server is running and reachable; the bus releases messages and retries by itself';
    case '22':
      return 'the server refused a value it cannot store (a NUL character, text too long, a number out of range): the data is the problem, not the server';
    case '23':
      return 'a constraint refused the row';
    case '28':
      return 'the server refused the login: check the user and password of the connection string';
    case '3D':
      return 'no such database: check the database name of the connection string';
    case '3F':
    case '42':
      return "the server refused the statement (a missing schema or table, or a permission): check the schema and the user's rights";
    case '40':
      return 'a transaction conflict (serialization failure or deadlock): released and retried';
    case '54':
      return 'a server limit was passed (an index row, a statement or a value too large): the data is the problem, not the server';
    default:
      return 'see the SQLSTATE code in brackets in the PostgreSQL documentation';
  }
}
