/**
 * A secret in a connection string's `key=value` form: the value up to the next separator, or a braced
 * ({…}, `}}` escaping a brace), single- or double-quoted value, which may hold separators itself.
 */
const SECRET_SETTING = /\b(password|pwd|sharedaccesskey|accountkey)(\s*=\s*)(\{(?:[^}]|\}\})*\}?|'(?:[^']|'')*'?|"(?:[^"]|"")*"?|[^;&\s]*)/gi;

/**
 * The connection string with every password hidden, for errors and logs: the URL form
 * (`postgres://user:secret@host`) and the `key=value` forms of libpq, ADO.NET/ODBC (SQL Server: `Password=`,
 * `Pwd=`, braced and quoted values) and Azure (`SharedAccessKey=`).
 */
export function maskConnectionString(cs: string): string {
  return cs.replace(/(\/\/[^:/@\s]+:)[^@\s]*@/, '$1***@').replace(SECRET_SETTING, '$1$2***');
}
