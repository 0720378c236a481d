// The benchmark's Express peer: POST /exchange and GET /api/households/:id/vehicles as a
// Node team would write them (express, jose, pg), against the same database, the same
// runtime role and the same row-level security as the Rust server.
//
// One worker per core (node:cluster), sharing DATABASE_POOL_SIZE connections. Environment:
// the server's names (DATABASE_URL, DATABASE_POOL_SIZE, AUTH0_ISSUER, AUTH0_AUDIENCE,
// INTERNAL_JWT_KEY_FILE, INTERNAL_JWT_TTL_SECS, BIND_ADDR) and WORKERS.
import { randomUUID } from 'node:crypto';
import express from 'express';
import { createRemoteJWKSet, jwtVerify, SignJWT } from 'jose';
import pg from 'pg';
import { bearer, clustered, config, contextProof, internalKeys, problem } from '../common.mjs';

async function serve(poolSize) {
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    max: poolSize,
  });
  const keys = internalKeys();
  const jwks = createRemoteJWKSet(new URL(await jwksUri()));
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  app.get('/healthz', (_req, res) => res.send('ok'));

  app.post('/exchange', express.json({ limit: '16kb' }), async (req, res, next) => {
    try {
      let sub;
      try {
        ({ payload: { sub } } = await jwtVerify(bearer(req), jwks, {
          issuer: config.auth0Issuer,
          audience: config.auth0Audience,
          algorithms: ['RS256'],
          clockTolerance: 60,
          requiredClaims: ['exp', 'sub'],
        }));
      } catch {
        return problem(res, 401, 'the access token is not valid');
      }
      const householdId = req.body?.household_id;
      if (typeof householdId !== 'string' || !UUID.test(householdId)) {
        return problem(res, 400, 'household_id must be a UUID');
      }
      const membership = await withTransaction(pool, async (client) => {
        await client.query('SELECT app.enter_context(NULL, $1, NULL, NULL, $2)', [sub, contextProof({ sub })]);
        const { rows } = await client.query(
          'SELECT m.role, h.status FROM household_members m ' +
            'JOIN households h ON h.id = m.household_id ' +
            'WHERE m.household_id = $1 AND m.user_sub = $2',
          [householdId, sub],
        );
        return rows[0];
      });
      if (!membership) return problem(res, 403, 'you do not have access to this household');
      if (membership.status !== 'active') return problem(res, 403, 'this household is suspended');
      const now = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ household_id: householdId, role: membership.role })
        .setProtectedHeader({ alg: 'EdDSA', kid: keys.kid })
        .setIssuer(config.internalIssuer)
        .setAudience(config.internalAudience)
        .setSubject(sub)
        .setIssuedAt(now)
        .setExpirationTime(now + config.ttlSecs)
        .setJti(randomUUID())
        .sign(keys.privateKey);
      res.set('Cache-Control', 'no-store').json({
        access_token: token,
        token_type: 'Bearer',
        expires_in: config.ttlSecs,
        household_id: householdId,
        role: membership.role,
      });
    } catch (e) {
      next(e);
    }
  });

  app.get('/api/households/:id/vehicles', async (req, res, next) => {
    try {
      let claims;
      try {
        ({ payload: claims } = await jwtVerify(bearer(req), keys.publicKey, {
          issuer: config.internalIssuer,
          audience: config.internalAudience,
          algorithms: ['EdDSA'],
        }));
      } catch {
        return problem(res, 401, 'the access token is not valid');
      }
      if (claims.household_id !== req.params.id) {
        return problem(res, 403, 'the token is for another household');
      }
      const limit = req.query.limit === undefined ? 50 : Number(req.query.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
        return problem(res, 400, 'limit must be 1 to 200');
      }
      const after =
        typeof req.query.cursor === 'string'
          ? Buffer.from(req.query.cursor, 'base64url').toString('utf8')
          : null;
      const page = await withTransaction(pool, async (client) => {
        const { rows } = await client.query(
          'SELECT member_role, household_status FROM app.enter_household($1, $2, $3)',
          [req.params.id, claims.sub, contextProof({ household: req.params.id, sub: claims.sub })],
        );
        if (rows[0].member_role === null || rows[0].household_status !== 'active') return null;
        // One extra row tells whether there is a next page.
        return (
          await client.query(
            'SELECT * FROM vehicles WHERE ($1::text IS NULL OR name > $1) ORDER BY name LIMIT $2',
            [after, limit + 1],
          )
        ).rows;
      });
      if (!page) return problem(res, 403, 'you do not have access to this household');
      let nextCursor = null;
      if (page.length > limit) {
        page.length = limit;
        nextCursor = Buffer.from(page[limit - 1].name).toString('base64url');
      }
      res.json({ items: page, next_cursor: nextCursor });
    } catch (e) {
      next(e);
    }
  });

  app.use((err, _req, res, _next) => {
    if (err.type === 'entity.parse.failed') return problem(res, 400, 'the body must be JSON');
    console.error(err);
    problem(res, 503, 'temporarily unavailable');
  });

  const [host, port] = config.bind;
  app.listen(port, host);
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

async function withTransaction(pool, work) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

/** The issuer's `jwks_uri`, from its OpenID discovery document (as the server finds it). */
async function jwksUri() {
  const response = await fetch(new URL('.well-known/openid-configuration', config.auth0Issuer));
  if (!response.ok) throw new Error(`discovery: ${response.status}`);
  return (await response.json()).jwks_uri;
}

clustered(serve);
