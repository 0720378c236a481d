// The benchmark's identity provider, standing in for Auth0: an RS256 key, its OpenID
// discovery document and JWKS on loopback, and one access token per benchmark household
// for `bench|member` written to a file as `<household_id> <token>` lines (the exchange's
// load script sends each household with a token). Both the server and the Express peer
// fetch its keys exactly as they would Auth0's.
//   node issuer.mjs <port> <households> <tokens file>   (AUTH0_AUDIENCE, AUTH0_CLIENT_ID)
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';

const [port, households, tokensFile] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}/`;
const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
const jwk = await exportJWK(publicKey);
const kid = await calculateJwkThumbprint(jwk);
const jwks = JSON.stringify({ keys: [{ ...jwk, kid, alg: 'RS256', use: 'sig' }] });
const discovery = JSON.stringify({ issuer, jwks_uri: `${issuer}.well-known/jwks.json` });

const now = Math.floor(Date.now() / 1000);
const lines = [];
for (let n = 1; n <= Number(households); n++) {
  const household = `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  const token = await new SignJWT({ azp: process.env.AUTH0_CLIENT_ID, scope: 'openid' })
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(process.env.AUTH0_AUDIENCE)
    .setSubject('bench|member')
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .setJti(randomUUID())
    .sign(privateKey);
  lines.push(`${household} ${token}`);
}
writeFileSync(tokensFile, lines.join('\n') + '\n');

http
  .createServer((req, res) => {
    const body = { '/.well-known/openid-configuration': discovery, '/.well-known/jwks.json': jwks }[req.url];
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(body ?? '{}');
  })
  .listen(Number(port), '127.0.0.1', () => console.log(issuer));
