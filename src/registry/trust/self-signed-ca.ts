/**
 * A self-signed ECDSA P-256 root CA certificate, written in DER by hand (`node:crypto` signs but
 * has no certificate builder): what upstream's localca generates when its trust directory has
 * none, CN "MCP Mesh Dev Root CA", valid 10 years, CA with keyCertSign.
 */
import { generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';

function tlv(tag: number, body: Buffer): Buffer {
  const length = body.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else if (length < 0x100) header = Buffer.from([tag, 0x81, length]);
  else header = Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
  return Buffer.concat([header, body]);
}

const sequence = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));

function objectId(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first! * 40 + second!];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function time(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  // UTCTime (two-digit year) up to 2049, GeneralizedTime after (RFC 5280 §4.1.2.5).
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${text.slice(2)}Z`))
    : tlv(0x18, Buffer.from(`${text}Z`));
}

const ECDSA_WITH_SHA256 = sequence(objectId('1.2.840.10045.4.3.2'));

export interface GeneratedCa {
  certPem: string;
  keyPem: string;
}

export function generateRootCa(commonName: string, now = new Date()): GeneratedCa {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  const name = sequence(set(sequence(objectId('2.5.4.3'), tlv(0x0c, Buffer.from(commonName)))));
  const notBefore = new Date(now.getTime() - 5 * 60_000);
  const notAfter = new Date(now.getTime() + 10 * 365 * 24 * 3600_000);
  const critical = tlv(0x01, Buffer.from([0xff]));
  const extensions = sequence(
    // basicConstraints: CA
    sequence(objectId('2.5.29.19'), critical, tlv(0x04, sequence(critical))),
    // keyUsage: digitalSignature, keyCertSign, cRLSign
    sequence(objectId('2.5.29.15'), critical, tlv(0x04, tlv(0x03, Buffer.from([0x01, 0x86])))),
  );
  const toBeSigned = sequence(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, serial),
    ECDSA_WITH_SHA256,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    tlv(0xa3, extensions),
  );
  const signature = sign('sha256', toBeSigned, privateKey);
  const der = sequence(
    toBeSigned,
    ECDSA_WITH_SHA256,
    tlv(0x03, Buffer.concat([Buffer.from([0]), signature])),
  );
  return {
    certPem: new X509Certificate(der).toString(),
    keyPem: privateKey.export({ type: 'sec1', format: 'pem' }).toString(),
  };
}
