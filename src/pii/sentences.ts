/**
 * Whether a bare word read as a secret's value goes on as a sentence (`passwd: all authentication
 * tokens updated`, `Password: not required for guests`): letters only, then a blank and a
 * lower-case word. A password written bare is followed by the end of the line or punctuation.
 */
export function isSentenceAfter(input: string, end: number, value: string): boolean {
  if (!/^[A-Za-z\u00C0-\u024F]+$/.test(value)) return false;
  const c = input.charCodeAt(end + 1);
  return input.charCodeAt(end) === 32 && c >= 97 && c <= 122;
}
