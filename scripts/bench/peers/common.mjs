// What both Node peers of the benchmark share, with no package of its own: configuration
// read from the server's environment names, the internal token key pair, and problem+json.
import cluster from 'node:cluster';
import { createHash, createHmac, createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

export const config = {
  databaseUrl: env('DATABASE_URL'),
  poolSize: Number(env('DATABASE_POOL_SIZE', '16')),
  auth0Issuer: process.env.AUTH0_ISSUER,
  auth0Audience: process.env.AUTH0_AUDIENCE,
  keyFile: env('INTERNAL_JWT_KEY_FILE'),
  ttlSecs: Number(env('INTERNAL_JWT_TTL_SECS', '300')),
  internalIssuer: env('INTERNAL_JWT_ISSUER', 'urn:household-exchange'),
  internalAudience: env('INTERNAL_JWT_AUDIENCE', 'urn:household-api'),
  bind: (([host, port]) => [host, Number(port)])(env('BIND_ADDR', '127.0.0.1:8080').split(':')),
};

/** The server's Ed25519 key (PKCS#8 PEM) and its RFC 7638 thumbprint, the server's `kid`. */
export function internalKeys() {
  const privateKey = createPrivateKey({ key: pkcs8v1(readFileSync(config.keyFile, 'utf8')), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  const { crv, kty, x } = publicKey.export({ format: 'jwk' });
  const kid = createHash('sha256')
    .update(JSON.stringify({ crv, kty, x }))
    .digest('base64url');
  return { privateKey, publicKey, kid };
}

// The server writes PKCS#8 v2 (RFC 5958, the public key included), which OpenSSL 3.0 (and
// so node 20 on Debian 12) refuses; the 32-byte seed rewrapped as v1 is the same key.
function pkcs8v1(pem) {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const at = der.indexOf(Buffer.from('04220420', 'hex'));
  if (at < 0) throw new Error(`${config.keyFile}: not an Ed25519 PKCS#8 key`);
  const seed = der.subarray(at + 4, at + 36);
  return Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
}

/** The bearer token of the request, or '' (which no verifier accepts). */
// The proof of a database context, as the server makes it (server/src/db/context.rs):
// without it the runtime role reads no row. HMAC-SHA-256 with DATABASE_CONTEXT_KEY_FILE over
// 'ctx1', each field as its length (four bytes, big-endian; -1 for none) and its bytes,
// then the expiry (eight bytes); sent as '<key id>.<expiry>.<MAC, base64>'.
const contextKey = Buffer.from(readFileSync(process.env.DATABASE_CONTEXT_KEY_FILE, 'utf8').trim(), 'base64');
const contextKeyId = createHash('sha256').update(contextKey).digest('hex').slice(0, 16);
export function contextProof({ household = null, sub = null, redeeming = null, codeHash = null }) {
  const field = (value) => {
    if (value === null) return Buffer.from([0xff, 0xff, 0xff, 0xff]);
    const bytes = Buffer.from(value, 'utf8');
    const length = Buffer.alloc(4);
    length.writeInt32BE(bytes.length);
    return Buffer.concat([length, bytes]);
  };
  const expiresAt = Math.floor(Date.now() / 1000) + 60;
  const expiry = Buffer.alloc(8);
  expiry.writeBigInt64BE(BigInt(expiresAt));
  const message = Buffer.concat([Buffer.from('ctx1'), field(household), field(sub), field(redeeming), field(codeHash), expiry]);
  const mac = createHmac('sha256', contextKey).update(message).digest('base64');
  return `${contextKeyId}.${expiresAt}.${mac}`;
}

export function bearer(req) {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7) : '';
}

export function problem(res, status, detail) {
  if (status === 401) res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
  res.status(status).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', status, detail }));
}

/**
 * Runs `serve` in one worker per core (WORKERS overrides), each with its share of the
 * pool: the workers together open DATABASE_POOL_SIZE connections, as the server does.
 */
export function clustered(serve) {
  const workers = Number(process.env.WORKERS ?? os.availableParallelism());
  if (!cluster.isPrimary) return serve(Math.ceil(config.poolSize / workers));
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on('exit', (_worker, code) => {
    console.error(`a worker exited (${code}); stopping`);
    process.exit(1);
  });
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers)) worker.process.kill();
    process.exit(0);
  });
}
