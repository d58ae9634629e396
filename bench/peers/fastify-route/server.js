'use strict';
// Fastify peer of Edgeplane's POST /route and POST /presence/event (see README.md): the "what a
// user would otherwise run" reference of docs/PERFORMANCE.md. State (registrations, calls,
// CAC counters) lives in this process's memory only: no journal, no PostgreSQL, lost on exit.
//
//   node server.js [--config FILE] [--port N] [--host ADDR]
//   env: EDGEPLANE_CONFIG (or CONFIG), PORT (3100), HOST (127.0.0.1), WHOLESALE_TRUNK_URI,
//        EDGEPLANE_CAC_SETUP_TTL_S (300), EDGEPLANE_CAC_LEASE_TTL_S (21600), EDGEPLANE_SWEEP_MS (10000)

const path = require('node:path');
const Fastify = require('fastify');
const formbody = require('@fastify/formbody');
const routing = require('./routing');

const MAX_TEXT = 512;
const MAX_EXPIRES_S = 7 * 24 * 3600;
const CALL_STATE = { ROUTED: 0, EARLY: 1, CONFIRMED: 2 };

function intEnv(name, dflt) {
  const v = process.env[name];
  return v === undefined || v === '' ? dflt : Number.parseInt(v, 10);
}

// ------------------------------------------------------------------ request validation (Requests)

class Problems {
  constructor() { this.list = []; }
  add(p, message) { this.list.push({ path: p, message }); }
  get empty() { return this.list.length === 0; }
}

/** Requests.text: a bounded, NUL-free string field, or null (with a problem when required). */
function text(body, name, required, problems) {
  const v = body[name];
  let s;
  if (typeof v === 'string') {
    s = v;
  } else if (v === undefined || v === null) {
    if (required) problems.add(name, 'is required');
    return null;
  } else {
    problems.add(name, 'must be a string');
    return null;
  }
  if (s.length > MAX_TEXT) {
    problems.add(name, `must be at most ${MAX_TEXT} characters`);
    return null;
  }
  if (s.indexOf('\0') >= 0) {
    problems.add(name, 'must not contain NUL');
    return null;
  }
  if (required && s.length === 0) {
    problems.add(name, 'must not be empty');
    return null;
  }
  return s;
}

/** Fields.requireLong: a JSON integer or a string of decimal digits within [min, max]. */
function requireLong(body, name, min, max, problems) {
  const v = body[name];
  if (v === undefined || v === null) {
    problems.add(name, 'is required');
    return min;
  }
  let n;
  if (typeof v === 'number') {
    n = v;
  } else if (typeof v === 'string' && /^-?[0-9]+$/.test(v)) {
    n = Number(v);
  } else {
    problems.add(name, 'must be an integer');
    return min;
  }
  if (!Number.isInteger(n)) {
    problems.add(name, 'must be an integer');
    return min;
  }
  if (n < min || n > max) {
    problems.add(name, `must be between ${min} and ${max}`);
    return min;
  }
  return n;
}

function errorBody(request, code, message, details) {
  return JSON.stringify({ error: { code, message, request_id: request.id, details: details || {} } });
}

function sendError(request, reply, status, code, message, details) {
  reply.code(status).header('x-request-id', request.id).type('application/json')
    .send(errorBody(request, code, message, details));
}

function invalid(request, reply, problems) {
  const list = problems.list;
  const message = list.length === 1 ? `${list[0].path} ${list[0].message}` : `the request has ${list.length} problems`;
  sendError(request, reply, 400, 'invalid_request', message, { problems: list });
}

// ----------------------------------------------------------------------------------- the server

function buildServer(options) {
  const config = options.config;
  const wholesaleTrunkUri = options.wholesaleTrunkUri || null;
  const setupTtlMs = (options.setupTtlS ?? 300) * 1000;
  const leaseTtlMs = (options.leaseTtlS ?? 21600) * 1000;

  /** "user@domain" → {accountId, contact, expiresAtMs} */
  const registrations = new Map();
  /** callId → {accountId, direction, admitted, state, lastSeenMs, body} */
  const calls = new Map();
  /** accountId → {active, inbound, outbound} (ChannelLedger) */
  const channels = new Map();

  function admit(accountId, direction, limit) {
    let c = channels.get(accountId);
    if (c === undefined) {
      c = { active: 0, inbound: 0, outbound: 0 };
      channels.set(accountId, c);
    }
    if (c.active >= limit) return false;
    c.active++;
    if (direction === 'outbound') c.outbound++; else if (direction === 'inbound') c.inbound++;
    return true;
  }

  function release(accountId, direction) {
    const c = channels.get(accountId);
    if (c === undefined) return;
    c.active = Math.max(0, c.active - 1);
    if (direction === 'outbound') c.outbound = Math.max(0, c.outbound - 1);
    else if (direction === 'inbound') c.inbound = Math.max(0, c.inbound - 1);
    if (c.active <= 0) channels.delete(accountId);
  }

  function endCall(callId, entry) {
    calls.delete(callId);
    if (entry.admitted) release(entry.accountId, entry.direction);
  }

  const fastify = Fastify({
    logger: false,
    bodyLimit: 1048576,
    keepAliveTimeout: 60000,
    requestIdHeader: 'x-request-id',
  });
  fastify.register(formbody);
  // Like Edgeplane's BodyDecoder: JSON and form bodies only (415 for others, text/plain included);
  // a body without Content-Type is JSON when it starts with '{', else a form.
  fastify.removeContentTypeParser('text/plain');
  fastify.addContentTypeParser('*', { parseAs: 'string' }, (request, raw, done) => {
    if (request.headers['content-type'] !== undefined && request.headers['content-type'] !== '') {
      done(Object.assign(new Error('unsupported media type; send application/json or application/x-www-form-urlencoded'),
        { statusCode: 415 }));
      return;
    }
    const trimmed = raw.trimStart();
    if (trimmed === '') {
      done(null, {});
    } else if (trimmed[0] === '{') {
      try {
        done(null, JSON.parse(raw));
      } catch (err) {
        done(Object.assign(new Error(`malformed JSON body: ${err.message}`), { statusCode: 400 }));
      }
    } else {
      done(null, Object.fromEntries(new URLSearchParams(raw)));
    }
  });

  fastify.setNotFoundHandler((request, reply) => {
    sendError(request, reply, 404, 'not_found', `no route for ${request.method} ${request.url.split('?')[0]}`);
  });
  fastify.setErrorHandler((err, request, reply) => {
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
    const code = status === 415 ? 'unsupported_media_type'
      : status === 413 ? 'payload_too_large'
        : status === 400 ? 'malformed_body' : 'internal_error';
    sendError(request, reply, status, code, status === 500 ? 'internal error' : err.message);
  });

  fastify.get('/health', (request, reply) => {
    reply.header('x-request-id', request.id).type('application/json').send('{"status":"ok"}');
  });

  fastify.post('/route', (request, reply) => {
    const body = request.body || {};
    const problems = new Problems();
    const callId = text(body, 'callId', true, problems);
    const from = text(body, 'from', true, problems);
    const fromDomain = text(body, 'fromDomain', true, problems);
    const to = text(body, 'to', true, problems);
    text(body, 'sourceIp', false, problems);
    const authUser = text(body, 'authUser', false, problems);
    if (!problems.empty) {
      invalid(request, reply, problems);
      return;
    }
    const nowMs = Date.now();
    const decided = routing.decide(config, registrations, wholesaleTrunkUri, from, fromDomain, to, authUser, nowMs);
    reply.header('x-request-id', request.id).type('application/json');
    if (decided.account === null) {
      // Unknown caller with no account involved: nothing to admit or remember.
      reply.send(routing.render(decided));
      return;
    }
    const entry = calls.get(callId);
    if (entry !== undefined) {
      // Same Call-ID, same answer, no second channel.
      if (entry.accountId === decided.account.id) entry.lastSeenMs = nowMs;
      reply.send(entry.body);
      return;
    }
    let decision = decided;
    let admitted = false;
    if (decided.needsChannel) {
      admitted = admit(decided.account.id, decided.direction, decided.account.maxChannels);
      if (!admitted) decision = routing.overCapacity(decided);
    }
    const rendered = routing.render(decision);
    calls.set(callId, {
      accountId: decided.account.id, direction: decided.direction, admitted,
      state: CALL_STATE.ROUTED, lastSeenMs: nowMs, body: rendered,
    });
    reply.send(rendered);
  });

  fastify.post('/presence/event', (request, reply) => {
    const body = request.body || {};
    const problems = new Problems();
    const type = text(body, 'type', true, problems);
    if (type === null) {
      invalid(request, reply, problems);
      return;
    }
    switch (type) {
      case 'register': return register(request, reply, body, problems);
      case 'dialog': return dialog(request, reply, body, problems);
      case 'agent':
        sendError(request, reply, 501, 'not_implemented', 'agent presence events are not part of this peer');
        return undefined;
      default:
        problems.add('type', 'must be register, dialog or agent');
        invalid(request, reply, problems);
        return undefined;
    }
  });

  function register(request, reply, body, problems) {
    const domain = text(body, 'domain', true, problems);
    const user = text(body, 'user', true, problems);
    const contact = text(body, 'contact', false, problems);
    const expires = requireLong(body, 'expires', 0, MAX_EXPIRES_S, problems);
    text(body, 'sourceIp', false, problems);
    text(body, 'userAgent', false, problems);
    if (expires > 0 && contact === null && problems.empty) problems.add('contact', 'is required when expires > 0');
    if (!problems.empty) {
      invalid(request, reply, problems);
      return;
    }
    const account = config.accountByDomain(domain);
    if (account === null || !account.devices.has(user)) {
      sendError(request, reply, 404, 'not_found',
        account === null ? `no account with domain ${domain}` : `no device ${user} in ${domain}`);
      return;
    }
    const key = `${user}@${account.domain}`;
    if (expires === 0) {
      registrations.delete(key);
    } else {
      registrations.set(key, { accountId: account.id, contact, expiresAtMs: Date.now() + expires * 1000 });
    }
    reply.code(204).header('x-request-id', request.id).send();
  }

  function dialog(request, reply, body, problems) {
    const callId = text(body, 'callId', true, problems);
    const state = text(body, 'state', true, problems);
    text(body, 'cause', false, problems);
    if (state !== null && state !== 'early' && state !== 'confirmed' && state !== 'terminated') {
      problems.add('state', 'must be early, confirmed or terminated');
    }
    if (!problems.empty) {
      invalid(request, reply, problems);
      return;
    }
    const entry = calls.get(callId);
    if (entry !== undefined) {
      if (state === 'terminated') {
        endCall(callId, entry);
      } else {
        entry.lastSeenMs = Date.now();
        if (state === 'confirmed') entry.state = CALL_STATE.CONFIRMED;
        else if (entry.state === CALL_STATE.ROUTED) entry.state = CALL_STATE.EARLY;
      }
    }
    reply.code(204).header('x-request-id', request.id).send();
  }

  // CallSweeper: calls that show no life for their TTL give their channel back; registrations expire.
  function sweep() {
    const now = Date.now();
    for (const [callId, entry] of calls) {
      const ttl = entry.state === CALL_STATE.CONFIRMED ? leaseTtlMs : setupTtlMs;
      if (now - entry.lastSeenMs >= ttl) endCall(callId, entry);
    }
    for (const [key, reg] of registrations) if (!(reg.expiresAtMs > now)) registrations.delete(key);
  }
  const sweeper = setInterval(sweep, options.sweepMs ?? 10000);
  sweeper.unref();
  fastify.addHook('onClose', (instance, done) => {
    clearInterval(sweeper);
    done();
  });

  fastify.decorate('peerState', { registrations, calls, channels, sweep });
  return fastify;
}

function argValue(argv, name) {
  const i = argv.indexOf(name);
  if (i >= 0 && i + 1 < argv.length) return argv[i + 1];
  const prefixed = argv.find((a) => a.startsWith(`${name}=`));
  return prefixed === undefined ? undefined : prefixed.slice(name.length + 1);
}

async function main() {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('usage: node server.js [--config FILE] [--port N] [--host ADDR]\n'
      + 'env: EDGEPLANE_CONFIG|CONFIG, PORT (3100), HOST (127.0.0.1), WHOLESALE_TRUNK_URI');
    return;
  }
  const configPath = argValue(argv, '--config') || process.env.EDGEPLANE_CONFIG || process.env.CONFIG
    || path.join(__dirname, '..', '..', '..', 'examples', 'demo-config.json');
  const port = Number(argValue(argv, '--port') || process.env.PORT || 3100);
  const host = argValue(argv, '--host') || process.env.HOST || '127.0.0.1';
  const config = routing.loadConfigFile(configPath);
  const fastify = buildServer({
    config,
    wholesaleTrunkUri: process.env.WHOLESALE_TRUNK_URI || null,
    setupTtlS: intEnv('EDGEPLANE_CAC_SETUP_TTL_S', 300),
    leaseTtlS: intEnv('EDGEPLANE_CAC_LEASE_TTL_S', 21600),
    sweepMs: intEnv('EDGEPLANE_SWEEP_MS', 10000),
  });
  await fastify.listen({ port, host });
  console.log(`fastify peer listening on http://${host}:${port} (${config.byId.size} accounts from ${configPath}, `
    + `fastify ${fastify.version}, node ${process.version})`);
  const stop = () => fastify.close().then(() => process.exit(0), () => process.exit(1));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

module.exports = { buildServer };

if (require.main === module) {
  main().catch((err) => {
    console.error(err.stack || String(err));
    process.exit(1);
  });
}
