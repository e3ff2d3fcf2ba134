// A real OpenID Connect provider for Trinvis tests, built on the certified `oidc-provider` package.
//
// Why: the project's rule is that login tests talk to a real OP process, never to a mock of HTTP.
// This file configures one confidential client and a list of test accounts, and replaces the
// login/consent UI with a headless interaction handler so that a test's HTTP client (httpx
// following redirects, no browser) can complete a full authorization-code + PKCE flow.
//
// Usage:  node provider.mjs [--port N] [--issuer URL] [--config JSON-or-@file]
//         (or env OIDC_PORT, OIDC_ISSUER, OIDC_CONFIG). Port 0 (default) picks a free port.
//         Prints "READY <issuer> <listen-url>" on stdout once listening on 127.0.0.1 (the two
//         differ only when --issuer names a proxy in front of this process).
//
// Config JSON:
//   client: {client_id, client_secret, redirect_uris[], post_logout_redirect_uris[],
//            token_endpoint_auth_method = "client_secret_basic"}
//   accounts: [{sub, email, name, acr?, amr?, ...extra claims such as nsis_level, youth_ref}]
//   id_token_ttl: seconds (default 3600; use 1 for a genuinely expiring ID token)
//   claims_in_userinfo_only: true makes the provider behave as it does out of the box (and as
//            many IdPs do): the ID token of the code flow carries no profile or e-mail claims,
//            the relying party reads them from the userinfo endpoint.
//   An account's `email_verified: null` leaves that claim out (default: true when it has an e-mail).
//
// Choosing who logs in (no UI):
//   1. `login_hint=<sub or email>` on the authorization request wins;
//   2. else the account chosen with POST /__test__/next-login {"sub": "..."} (sticky until changed;
//      {"error": "access_denied"} instead makes the next logins fail as if the user cancelled);
//   3. else the first account.
//   If the browser already has a session for a different account, the old session is dropped
//   and the chosen account logs in fresh (no logout form in between).
//
// Test-only endpoints: POST /__test__/next-login, POST /__test__/accounts (upsert one account),
//   GET /__test__/events (logins, tokens issued, logouts, errors seen by the provider).
// RP-initiated logout: end_session_endpoint renders a small confirmation form (as real OPs do);
//   tests submit it (see oidc_provider.submit_form in Python).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';

import Provider, { interactionPolicy } from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string' },
    issuer: { type: 'string' },
    config: { type: 'string' },
  },
});

function loadConfig() {
  const raw = args.config ?? process.env.OIDC_CONFIG ?? '{}';
  return JSON.parse(raw.startsWith('@') ? fs.readFileSync(raw.slice(1), 'utf8') : raw);
}

const config = loadConfig();
const port = Number(args.port ?? process.env.OIDC_PORT ?? 0);
const accounts = new Map((config.accounts ?? []).map((a) => [a.sub, a]));
const STANDARD = new Set(['sub', 'email', 'email_verified', 'name', 'acr', 'amr']);
let chosen = null; // {sub} or {error} set through /__test__/next-login
const events = [];

function record(type, data) {
  events.push({ type, at: Date.now() / 1000, ...data });
}

function extraClaimNames() {
  const names = new Set();
  for (const account of accounts.values()) {
    Object.keys(account).filter((k) => !STANDARD.has(k)).forEach((k) => names.add(k));
  }
  return [...names];
}

function findByHint(hint) {
  if (!hint) return undefined;
  for (const account of accounts.values()) {
    if (account.sub === hint || account.email === hint) return account;
  }
  return undefined;
}

// The account the next login should use, or undefined when no explicit choice was made.
function explicitChoice(params) {
  const hinted = findByHint(params?.login_hint);
  if (hinted) return hinted.sub;
  return chosen?.sub;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(data ? JSON.parse(data) : {}));
    req.on('error', reject);
  });
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function buildProvider(issuer) {
  const policy = interactionPolicy.base();
  // Force a fresh login when the test picked an account other than the one in the session.
  policy.get('login').checks.push(new interactionPolicy.Check(
    'test_account_switch',
    'the test selected a different account',
    (ctx) => {
      const want = explicitChoice(ctx.oidc.params);
      const have = ctx.oidc.session.accountId;
      if (want && have && want !== have && !ctx.oidc.result?.login) {
        return interactionPolicy.Check.REQUEST_PROMPT;
      }
      return interactionPolicy.Check.NO_NEED_TO_PROMPT;
    },
  ));

  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'op-rsa-1', use: 'sig', alg: 'RS256' };
  const acrs = [...new Set([...accounts.values()].map((a) => a.acr).filter(Boolean))];
  const client = {
    token_endpoint_auth_method: 'client_secret_basic',
    post_logout_redirect_uris: [],
    ...config.client,
    response_types: ['code'],
    grant_types: ['authorization_code'],
  };

  const provider = new Provider(issuer, {
    clients: [client],
    jwks: { keys: [signingKey] },
    scopes: ['openid', 'email', 'profile'],
    claims: {
      // xms_edov: Entra ID's "e-mail domain owner verified", for accounts added later too.
      openid: [...new Set(['sub', 'acr', 'amr', 'auth_time', 'xms_edov', ...extraClaimNames()])],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    acrValues: acrs,
    // false: scope claims go into the ID token too, not only /userinfo (true is the stock setting).
    conformIdTokenClaims: config.claims_in_userinfo_only === true,
    pkce: { required: () => true },
    ttl: { IdToken: Number(config.id_token_ttl ?? 3600) },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = `<!DOCTYPE html><html><head><title>Sign out</title></head><body>
${form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>')}
<button type="submit" form="op.logoutForm">Sign out</button></body></html>`;
        },
      },
    },
    interactions: { policy, url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: async (ctx, sub) => {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        claims: async () => {
          const claims = {
            email_verified: account.email !== undefined,
            ...Object.fromEntries(Object.entries(account).filter(([k]) => !['acr', 'amr'].includes(k))),
          };
          if (claims.email_verified === null) delete claims.email_verified;
          return claims;
        },
      };
    },
    renderError: async (ctx, out) => {
      ctx.type = 'json';
      ctx.body = out;
    },
  });
  provider.on('grant.success', (ctx) => record('token', {
    client_id: ctx.oidc.client?.clientId, sub: ctx.oidc.entities.AuthorizationCode?.accountId,
  }));
  provider.on('end_session.success', (ctx) => record('logout', { client_id: ctx.oidc.client?.clientId }));
  for (const name of ['authorization.error', 'grant.error', 'end_session.error', 'server_error']) {
    provider.on(name, (ctx, err) => record('error', { event: name, error: err.error ?? err.message, detail: err.error_description }));
  }
  return provider;
}

async function interaction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params } = details;
  if (prompt.name === 'login') {
    if (!findByHint(params.login_hint) && chosen?.error) {
      record('login_denied', { error: chosen.error });
      await provider.interactionFinished(req, res, { error: chosen.error, error_description: 'denied by test' });
      return;
    }
    const sub = explicitChoice(params) ?? accounts.keys().next().value;
    const account = accounts.get(sub);
    if (!account) {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'no test account' });
      return;
    }
    if (details.session?.accountId && details.session.accountId !== sub) {
      // Drop the old SSO session so the provider does not ask to log the old account out first.
      const old = await provider.Session.find(details.session.cookie);
      if (old) await old.destroy();
      details.session = undefined;
      await details.save(details.exp - Math.floor(Date.now() / 1000));
    }
    record('login', { sub, client_id: params.client_id });
    await provider.interactionFinished(req, res, {
      login: { accountId: sub, acr: account.acr, amr: account.amr, remember: true },
    }, { mergeWithLastSubmission: false });
    return;
  }
  if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: details.grantId ? {} : { grantId } }, {
      mergeWithLastSubmission: true,
    });
    return;
  }
  sendJson(res, 500, { error: `unsupported prompt ${prompt.name}` });
}

async function admin(req, res) {
  const url = new URL(req.url, 'http://x');
  if (req.method === 'POST' && url.pathname === '/__test__/next-login') {
    const body = await readBody(req);
    if (body.sub !== undefined && body.sub !== null && !accounts.has(body.sub)) {
      sendJson(res, 404, { error: `unknown account ${body.sub}` });
      return;
    }
    chosen = body.error ? { error: body.error } : (body.sub ? { sub: body.sub } : null);
    sendJson(res, 200, { chosen });
  } else if (req.method === 'POST' && url.pathname === '/__test__/accounts') {
    const account = await readBody(req);
    accounts.set(account.sub, { ...accounts.get(account.sub), ...account });
    sendJson(res, 200, accounts.get(account.sub));
  } else if (req.method === 'GET' && url.pathname === '/__test__/events') {
    sendJson(res, 200, events);
  } else {
    sendJson(res, 404, { error: 'no such test endpoint' });
  }
}

let handle = (req, res) => sendJson(res, 503, { error: 'starting' });
const server = http.createServer((req, res) => handle(req, res));
server.listen(port, '127.0.0.1', () => {
  const issuer = args.issuer ?? process.env.OIDC_ISSUER ?? `http://127.0.0.1:${server.address().port}`;
  const provider = buildProvider(issuer);
  const callback = provider.callback();
  handle = (req, res) => {
    const fail = (err) => {
      record('error', { event: 'test_handler', error: String(err?.message ?? err) });
      if (!res.headersSent) sendJson(res, 500, { error: String(err?.message ?? err) });
    };
    if (req.url.startsWith('/__test__/')) {
      admin(req, res).catch(fail);
    } else if (req.url.startsWith('/interaction/')) {
      interaction(provider, req, res).catch(fail);
    } else {
      callback(req, res);
    }
  };
  process.stdout.write(`READY ${issuer} http://127.0.0.1:${server.address().port}\n`);
});

// Started by Python with a pipe on stdin: when the test process dies (even by SIGKILL) the pipe
// closes and this provider exits instead of lingering as an orphan.
if (process.env.OIDC_EXIT_WITH_STDIN === '1') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
