import { PLACEHOLDER } from "./placeholders.js";

const PRIVATE_LABEL = /^(?:[A-Z0-9]+ ){0,3}PRIVATE KEY(?: BLOCK)?$/;

/**
 * Replaces whole PEM/OpenSSH/PGP private key blocks, body included. A block without its END line
 * (a truncated paste) is redacted to the end of the string: half a private key is still a secret.
 * Plain `indexOf` scanning keeps this linear however many BEGIN lines an input holds. The pieces
 * are joined once, into a flat string: the line scan that follows reads it character by character,
 * and a concatenated one costs it a fifth more (and slows that scan for other strings after it).
 */
export function redactPrivateKeys(input: string): string {
  const out: string[] = [];
  let from = 0;
  let search = 0;
  for (;;) {
    const begin = input.indexOf("-----BEGIN ", search);
    if (begin < 0) break;
    const labelStart = begin + 11;
    const labelEnd = input.indexOf("-----", labelStart);
    if (labelEnd < 0) break;
    const label = input.slice(labelStart, labelEnd);
    if (label.length > 40 || !PRIVATE_LABEL.test(label)) {
      search = labelStart;
      continue;
    }
    const endMarker = `-----END ${label}-----`;
    const end = input.indexOf(endMarker, labelEnd + 5);
    out.push(input.slice(from, begin), PLACEHOLDER.SECRET);
    if (end < 0) return out.join("");
    from = search = end + endMarker.length;
  }
  if (from === 0) return input;
  out.push(input.slice(from));
  return out.join("");
}
