// The benchmark's PostGraphile (v4) peer of the vehicles read: the GraphQL API PostGraphile
// derives from the `public` schema, queried as the runtime role `household_app` under the
// same row-level security as the Rust server, at POST /graphql.
//
// The internal token (the server's, EdDSA) is verified with jose before PostGraphile runs.
// Like the server, the database admits the caller on every request: a wrapped `allVehicles`
// calls app.enter_household, with the context's proof (../common.mjs), in PostGraphile's
// transaction, which sets the context the RLS policies read, and refuses a non-member.
// One worker per core, sharing DATABASE_POOL_SIZE connections (see ../common.mjs).
import express from 'express';
import { jwtVerify } from 'jose';
import pg from 'pg';
import { makeWrapResolversPlugin, postgraphile } from 'postgraphile';
import { bearer, clustered, config, contextProof, internalKeys, problem } from '../common.mjs';

const EnterHousehold = makeWrapResolversPlugin({
  Query: {
    async allVehicles(resolve, source, args, context, info) {
      const { household_id: household, sub } = context.claims;
      const { rows } = await context.pgClient.query(
        'SELECT member_role, household_status FROM app.enter_household($1, $2, $3)',
        [household, sub, contextProof({ household, sub })],
      );
      if (rows[0].member_role === null || rows[0].household_status !== 'active') {
        throw new Error('you do not have access to this household');
      }
      return resolve(source, args, context, info);
    },
  },
});

async function serve(poolSize) {
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: poolSize });
  const keys = internalKeys();
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => res.send('ok'));
  app.use('/graphql', async (req, res, next) => {
    try {
      ({ payload: req.claims } = await jwtVerify(bearer(req), keys.publicKey, {
        issuer: config.internalIssuer,
        audience: config.internalAudience,
        algorithms: ['EdDSA'],
      }));
    } catch {
      return problem(res, 401, 'the access token is not valid');
    }
    next();
  });
  app.use(
    postgraphile(pool, 'public', {
      additionalGraphQLContextFromRequest: async (req) => ({ claims: req.claims }),
      appendPlugins: [EnterHousehold],
      dynamicJson: true,
      setofFunctionsContainNulls: false,
      ignoreRBAC: false,
      disableQueryLog: true,
      retryOnInitFail: false,
      bodySizeLimit: '16kB',
    }),
  );
  const [host, port] = config.bind;
  app.listen(port, host);
}

clustered(serve);
