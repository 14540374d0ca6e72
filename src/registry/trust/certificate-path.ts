/**
 * Certificate path checks on `node:crypto`'s X509Certificate, as upstream's trust backends make
 * them with Go's `x509.Verify`: the presented leaf, with the intermediates its peer sent, must
 * chain to one of a set of anchors. Anchors are trusted as they are (an entity's intermediate CA
 * counts, as in Go's root pool); every certificate on the path must be valid now.
 */
import { X509Certificate } from 'node:crypto';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
/** Longest path tried (leaf, intermediates, anchor): deeper chains are not real ones. */
const MAX_DEPTH = 8;

/** Every certificate block of a PEM text, parsed; blocks that do not parse are left out. */
export function certificatesOfPem(text: string): X509Certificate[] {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const certs: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      certs.push(new X509Certificate(block));
    } catch {
      // Not a certificate: skipped, as upstream skips blocks it cannot use.
    }
  }
  return certs;
}

export function isValidAt(cert: X509Certificate, now: Date): boolean {
  return cert.validFromDate <= now && now <= cert.validToDate;
}

/** The first value of a subject field (`O`, `OU`, `CN`), or '' when the subject has none. */
export function subjectField(cert: X509Certificate, key: string): string {
  for (const line of cert.subject.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0 && line.slice(0, at) === key) return line.slice(at + 1);
  }
  return '';
}

/** The subject in Go's `pkix.Name.String()` order of fields (most specific first), comma-separated. */
export function subjectText(cert: X509Certificate): string {
  return cert.subject.split('\n').reverse().join(',');
}

/** Whether a leaf may authenticate a TLS client: no extended key usage, or one naming clientAuth. */
export function allowsClientAuth(leaf: X509Certificate): boolean {
  const usages = leaf.keyUsage;
  return usages === undefined || usages.includes(CLIENT_AUTH) || usages.includes(ANY_EXTENDED_KEY_USAGE);
}

function isIssuedBy(child: X509Certificate, issuer: X509Certificate, now: Date): boolean {
  return issuer.ca && isValidAt(issuer, now) && child.checkIssued(issuer) && child.verify(issuer.publicKey);
}

/** Whether `cert` chains to one of `anchors`, through the certificates of `intermediates`. */
export function chainsToAnchor(
  cert: X509Certificate,
  intermediates: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
  now: Date,
  depth = 1,
): boolean {
  if (anchors.some((anchor) => isIssuedBy(cert, anchor, now))) return true;
  if (depth >= MAX_DEPTH) return false;
  return intermediates.some(
    (next) =>
      next !== cert &&
      isIssuedBy(cert, next, now) &&
      chainsToAnchor(
        next,
        intermediates.filter((other) => other !== next),
        anchors,
        now,
        depth + 1,
      ),
  );
}
