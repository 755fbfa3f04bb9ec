/**
 * Guards an integration suite on a real server. When the server cannot be reached the suite is skipped,
 * except under CI=true, where a skipped integration suite is a failure: a green run that never touched
 * the broker or the database proves nothing.
 */
export function requireService(context: Mocha.Context, service: string, available: boolean, why = ''): void {
  if (available) return;
  const reason = `${service} not available${why ? `: ${why}` : ''}`;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: a skipped integration suite fails the run)`);
  console.log(`      skipped: ${reason}`);
  context.skip();
}
