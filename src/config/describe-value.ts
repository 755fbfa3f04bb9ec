/**
 * A setting's value as an error message shows it: JSON where it can be, never a throw (a bigint, a cycle or
 * an object without a prototype would make JSON.stringify or String fail, hiding the problem being
 * reported), and cut short so that a huge value does not flood the message.
 */
export function describeValue(value: unknown): string {
  let text: string | undefined;
  try {
    text = typeof value === 'bigint' ? `${value}n` : JSON.stringify(value);
  } catch {
    text = undefined;
  }
  if (text === undefined) {
    try {
      text = String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  return text.length > MAX ? `${text.slice(0, MAX)}…` : text;
}

const MAX = 200;
