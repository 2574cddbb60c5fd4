function ipv4Octets(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const octets: number[] = [];
  for (const part of parts) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    octets.push(n);
  }
  return octets;
}

/** A dotted-quad IPv4 address with valid octets (no leading zeros). */
export function isIpv4(text: string): boolean {
  return ipv4Octets(text) !== undefined;
}

/**
 * Addresses that say nothing about a person: unspecified, loopback, broadcast and netmask-shaped
 * values. Left untouched so `127.0.0.1:8080` and `255.255.255.0` survive in logs and configs.
 */
export function isNonPersonalIpv4(text: string): boolean {
  const octets = ipv4Octets(text);
  if (octets === undefined) return true;
  const first = octets[0] ?? 0;
  return first === 0 || first === 127 || first === 255;
}

const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

/**
 * A textual IPv6 address: eight groups, or fewer with one `::`, optionally ending in an IPv4 tail
 * (`::ffff:192.0.2.1`) and a zone (`fe80::1%eth0`). Loopback `::1` and `::` do not count: they
 * identify nobody.
 */
export function isPersonalIpv6(text: string): boolean {
  const zone = text.indexOf("%");
  const address = zone >= 0 ? text.slice(0, zone) : text;
  if (address.length < 3 || !/\d/.test(address)) return false;
  const halves = address.split("::");
  if (halves.length > 2) return false;
  const groups: string[] = [];
  for (const half of halves) if (half !== "") groups.push(...half.split(":"));
  let count = 0;
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i] ?? "";
    if (i === groups.length - 1 && group.includes(".")) {
      if (!isIpv4(group)) return false;
      count += 2;
    } else if (HEX_GROUP.test(group)) {
      count += 1;
    } else {
      return false;
    }
  }
  // `::1`, `::` and code such as `a::b` have fewer than two groups around the `::`.
  if (halves.length === 2) return count >= 2 && count <= 7;
  return count === 8;
}
