/** Prints the demo's account of events, numbered, one line each. */
export class Narrator {
  private n = 0;
  say(who: string, what: string): void {
    this.n++;
    console.log(`${String(this.n).padStart(2)}. [${who.padEnd(9)}] ${what}`);
  }
  heading(text: string): void {
    console.log(`\n== ${text}`);
  }
}
