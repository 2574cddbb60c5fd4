/** Luhn checksum over a string of ASCII digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function prefix(digits: string, n: number): number {
  return Number(digits.slice(0, n));
}

/**
 * Whether the digits carry a real issuer prefix with a length that issuer uses. A Luhn check alone
 * passes one random number in ten; the issuer table is what keeps order ids and timestamps
 * (which start with 1, 7, 8, 9…) out.
 */
export function hasIssuerPrefix(digits: string): boolean {
  const len = digits.length;
  const first = digits.charCodeAt(0) - 48;
  switch (first) {
    case 4: // Visa
      return len === 13 || len === 16 || len === 19;
    case 2: {
      const p4 = prefix(digits, 4);
      return len === 16 && p4 >= 2221 && p4 <= 2720; // Mastercard 2-series
    }
    case 5: {
      const p2 = prefix(digits, 2);
      if (p2 >= 51 && p2 <= 55) return len === 16; // Mastercard
      return len >= 13 && len <= 19 && (p2 === 50 || p2 >= 56); // Maestro
    }
    case 3: {
      const p2 = prefix(digits, 2);
      if (p2 === 34 || p2 === 37) return len === 15; // American Express
      const p3 = prefix(digits, 3);
      if ((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) return len >= 14 && len <= 19; // Diners
      const p4 = prefix(digits, 4);
      return p4 >= 3528 && p4 <= 3589 && len >= 16 && len <= 19; // JCB
    }
    case 6: // Discover, UnionPay, Maestro 6x, RuPay
      return len >= 13 && len <= 19;
    default:
      return false;
  }
}

/** A plausible payment card number: 13-19 digits, issuer prefix and length, Luhn. */
export function isCardNumber(digits: string): boolean {
  return digits.length >= 13 && digits.length <= 19 && hasIssuerPrefix(digits) && luhnValid(digits);
}
