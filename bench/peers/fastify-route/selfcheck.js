'use strict';
// Self-check of the Fastify peer on examples/demo-config.json.
//
//   node selfcheck.js                 starts the peer in this process on a free loopback port and checks it
//   node selfcheck.js --url URL       checks a running server instead (the peer with the demo config, or a
//                                     fresh Edgeplane control plane: the same answers are expected of both;
//                                     the CAC checks assume no other call of the demo account is active)
//
// Exit status 0 when every check passes. Unit checks of the E.164, URI and schedule helpers run first.

const assert = require('node:assert/strict');
const path = require('node:path');
const routing = require('./routing');

const DEMO = path.join(__dirname, '..', '..', '..', 'examples', 'demo-config.json');
const ACC = 'acc_01jf18ah3jeb5w6dfp27sgjsbt';
const FLOW_MAIN = 'flow_01jzqwjn803wtnhc445bvjenzc';
const FLOW_AFTER = 'flow_01jm9s346q3d25vt4f5v37e3s3';
const EXTRA = `X-Account-Id: ${ACC}\r\n`;

let passed = 0;
function check(name, fn) {
  return Promise.resolve().then(fn).then(() => {
    passed++;
    console.log(`ok   ${name}`);
  }, (err) => {
    console.log(`FAIL ${name}\n     ${String(err.message).split('\n').join('\n     ')}`);
    process.exitCode = 1;
  });
}

function units() {
  const { e164Digits, isPstn, userPart, callerId, scheduleIsOpen, compileConfig } = routing;
  assert.equal(e164Digits('+12025550123'), '12025550123');
  assert.equal(e164Digits('+1 (202) 555-0123'), '12025550123');
  assert.equal(e164Digits('tel:+1-202-555-0123'), '12025550123');
  assert.equal(e164Digits('sip:+12025550123@host'), '12025550123');
  assert.equal(e164Digits('sip:+12025550123'), null);
  assert.equal(e164Digits('1+2'), null);
  assert.equal(e164Digits('1234567890123456'), null);
  assert.equal(e164Digits('alice'), null);
  assert.equal(isPstn('123456'), false);
  assert.equal(isPstn('1234567'), true);
  assert.equal(userPart('sip:1001@acme.sip.io'), '1001');
  assert.equal(userPart('1001;user=phone'), '1001');
  assert.equal(callerId('sip:+14155551234@carrier'), '14155551234');
  assert.equal(callerId('anonymous'), 'anonymous');

  const config = compileConfig(require(DEMO));
  const schedule = config.byId.get(ACC).schedules.get('sch_01jfbf5kznwj47tan9zt24mnpz');
  const at = (iso) => scheduleIsOpen(schedule, Date.parse(iso));
  assert.equal(at('2026-11-23T14:00:00Z'), true, 'Mon 09:00 EST is open');
  assert.equal(at('2026-11-23T13:59:59Z'), false, 'Mon 08:59:59 EST is closed');
  assert.equal(at('2026-11-23T21:59:59Z'), true, 'Mon 16:59:59 EST is open');
  assert.equal(at('2026-11-23T22:00:00Z'), false, 'Mon 17:00 EST is closed (end exclusive)');
  assert.equal(at('2026-11-28T15:00:00Z'), false, 'Saturday is closed');
  assert.equal(at('2026-12-25T15:00:00Z'), false, 'holiday (Friday) is closed');
  assert.equal(at('2026-12-24T15:00:00Z'), true, 'the day before is open');
  assert.equal(at('2026-03-09T13:00:00Z'), true, 'Mon 09:00 EDT (after the DST change) is open');
  assert.equal(at('2026-03-06T13:00:00Z'), false, 'Fri 08:00 EST (before the DST change) is closed');
  const allDay = compileConfig({ accounts: [{ id: 'acc_x', domain: 'X.example', max_channels: 1, schedules: [
    { id: 's', timezone: 'Asia/Kolkata', weekly: { sun: [['00:00', '24:00']] } }] }] });
  assert.ok(allDay.accountByDomain('x.example'), 'domains are compared in lower case');
  const s2 = allDay.byId.get('acc_x').schedules.get('s');
  assert.equal(scheduleIsOpen(s2, Date.parse('2026-11-22T18:29:59Z')), true, 'Sun 23:59:59 IST inside 00:00-24:00');
  assert.equal(scheduleIsOpen(s2, Date.parse('2026-11-22T18:30:00Z')), false, 'Mon 00:00 IST is closed');
}

async function run(baseUrl, options) {
  const runId = `${process.pid}-${Date.now().toString(36)}`;
  let seq = 0;
  const callId = () => `selfcheck-${runId}-${++seq}`;
  const opened = [];

  async function post(pathName, fields, json) {
    const res = await fetch(baseUrl + pathName, {
      method: 'POST',
      headers: { 'content-type': json ? 'application/json' : 'application/x-www-form-urlencoded' },
      body: json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
    });
    const text = await res.text();
    return { status: res.status, text, body: text === '' ? null : JSON.parse(text) };
  }
  async function route(fields, json) {
    const res = await post('/route', fields, json);
    assert.equal(res.status, 200, `POST /route ${JSON.stringify(fields)} → ${res.status} ${res.text}`);
    opened.push(fields.callId);
    return res;
  }
  async function terminate(id) {
    const res = await post('/presence/event', { type: 'dialog', callId: id, state: 'terminated' });
    assert.equal(res.status, 204, res.text);
  }
  async function registerDevice(user, expires) {
    const res = await post('/presence/event', {
      type: 'register', domain: 'acme.sip.io', user, contact: `sip:${user}@127.0.0.1:5062`, expires: String(expires),
    });
    assert.equal(res.status, 204, res.text);
  }
  const proxyTo = (user, contact, action = 'proxy') => ({ rtjson: {
    action, account_id: ACC, version: '1.0', routing: 'serial',
    routes: [{ uri: `sip:${user}@acme.sip.io`, dst_uri: contact, headers: { extra: EXTRA } }],
  } });
  const outboundVia = (digits, trunk) => ({ rtjson: {
    action: 'outbound', account_id: ACC, version: '1.0', routing: 'serial',
    routes: [{ uri: `sip:+${digits}@${trunk.slice(4)}`, dst_uri: trunk, headers: { extra: EXTRA } }],
  } });
  const rejected = (code, reason) => ({ rtjson: { action: 'reject', code, reason } });

  await check('inbound DID → flow with caller_cid and did (form body)', async () => {
    const r = await route({ callId: callId(), from: '+14155551234', fromDomain: 'carrier.example', to: '+12025550123' });
    assert.deepEqual(r.body, { rtjson: { action: 'flow', account_id: ACC, flow_id: FLOW_MAIN,
      vars: { caller_cid: '14155551234', did: '12025550123' } } });
    assert.ok(r.text.startsWith('{"rtjson":{"action":"flow","account_id":'), 'key order as RouteDecision.render');
  });
  await check('inbound DID in another notation, JSON body', async () => {
    const r = await route({ callId: callId(), from: 'sip:alice@carrier.example', fromDomain: 'carrier.example',
      to: 'sip:12025550123@edge.example' }, true);
    assert.deepEqual(r.body.rtjson.vars, { caller_cid: 'alice', did: '12025550123' });
  });
  await check('inbound DID → external number → outbound via the longest trunk prefix', async () => {
    const r = await route({ callId: callId(), from: '+14155551234', fromDomain: 'carrier.example', to: '12025550125' });
    assert.deepEqual(r.body, outboundVia('14155550100', 'sip:gw.example.net:5060'));
  });
  await check('scheduled DID: device 1002 in hours (480 unregistered), after-hours flow otherwise', async () => {
    const config = routing.compileConfig(require(DEMO));
    const open = routing.scheduleIsOpen(config.byId.get(ACC).schedules.get('sch_01jfbf5kznwj47tan9zt24mnpz'), Date.now());
    await registerDevice('1002', 0);
    const r = await route({ callId: callId(), from: '+14155551234', fromDomain: 'carrier.example', to: '+12025550124' });
    assert.deepEqual(r.body, open ? rejected(480, 'Temporarily Unavailable')
      : { rtjson: { action: 'flow', account_id: ACC, flow_id: FLOW_AFTER,
        vars: { caller_cid: '14155551234', did: '12025550124' } } });
  });
  await check('unknown caller domain → 403; disabled device → 403; unknown destination → 404', async () => {
    let r = await route({ callId: callId(), from: '1001', fromDomain: 'evil.example', to: '1002' });
    assert.deepEqual(r.body, rejected(403, 'Forbidden'));
    r = await route({ callId: callId(), from: '1099', fromDomain: 'acme.sip.io', to: '+442071234567' });
    assert.deepEqual(r.body, rejected(403, 'Forbidden'));
    r = await route({ callId: callId(), from: '1001', fromDomain: 'acme.sip.io', to: '999' });
    assert.deepEqual(r.body, rejected(404, 'Not Found'));
  });
  await check('device → PSTN: longest prefix wins (+44 → UK trunk, +1 → US trunk), authUser names the caller', async () => {
    let r = await route({ callId: callId(), from: 'sip:1001@acme.sip.io', fromDomain: 'ACME.sip.io', to: '+44 20 7123 4567' });
    assert.deepEqual(r.body, outboundVia('442071234567', 'sip:uk-gw.example.net:5060'));
    r = await route({ callId: callId(), from: 'whoever', authUser: '1003', fromDomain: 'acme.sip.io', to: '+13125550199' });
    assert.deepEqual(r.body, outboundVia('13125550199', 'sip:gw.example.net:5060'));
  });
  if (options.wholesaleUnset) {
    await check('no trunk prefix and no WHOLESALE_TRUNK_URI → 503 No Route To Destination', async () => {
      const r = await route({ callId: callId(), from: '1001', fromDomain: 'acme.sip.io', to: '+33142685300' });
      assert.deepEqual(r.body, rejected(503, 'No Route To Destination'));
    });
  }
  await check('internal call: 480 unregistered, proxy to the contact once registered, 480 after unregister', async () => {
    let r = await route({ callId: callId(), from: '1001', fromDomain: 'acme.sip.io', to: '1002' });
    assert.deepEqual(r.body, rejected(480, 'Temporarily Unavailable'));
    await registerDevice('1002', 600);
    r = await route({ callId: callId(), from: '1001', fromDomain: 'acme.sip.io', to: 'sip:1002@acme.sip.io' });
    assert.deepEqual(r.body, proxyTo('1002', 'sip:1002@127.0.0.1:5062'));
    await registerDevice('1002', 0);
    r = await route({ callId: callId(), from: '1001', fromDomain: 'acme.sip.io', to: '1002' });
    assert.deepEqual(r.body, rejected(480, 'Temporarily Unavailable'));
  });
  for (const id of opened.splice(0)) await terminate(id);

  await check('CAC: 10 channels, the 11th call gets 503, retries replay, internal calls take none', async () => {
    const ids = [];
    for (let i = 0; i < 10; i++) {
      const id = callId();
      ids.push(id);
      const r = await route({ callId: id, from: '+14155551234', fromDomain: 'carrier.example', to: '+12025550123' });
      assert.equal(r.body.rtjson.action, 'flow', `call ${i + 1}: ${r.text}`);
    }
    const over = callId();
    let r = await route({ callId: over, from: '+14155551234', fromDomain: 'carrier.example', to: '+12025550123' });
    assert.deepEqual(r.body, rejected(503, routing.CAC_FULL_REASON));
    // A retry of an admitted call replays its answer (no second channel), a retry of the refused one its 503.
    r = await route({ callId: ids[0], from: '+14155551234', fromDomain: 'carrier.example', to: '+12025550123' });
    assert.equal(r.body.rtjson.action, 'flow');
    r = await route({ callId: over, from: '+14155551234', fromDomain: 'carrier.example', to: '+12025550123' });
    assert.deepEqual(r.body, rejected(503, routing.CAC_FULL_REASON));
    await registerDevice('1003', 600);
    r = await route({ callId: callId(), from: '1001', fromDomain: 'acme.sip.io', to: '1003' });
    assert.deepEqual(r.body, proxyTo('1003', 'sip:1003@127.0.0.1:5062'));
    await registerDevice('1003', 0);
    // Releasing one channel admits exactly one more call.
    await terminate(ids[0]);
    await terminate(over);
    r = await route({ callId: callId(), from: '+14155551234', fromDomain: 'carrier.example', to: '+12025550123' });
    assert.equal(r.body.rtjson.action, 'flow', r.text);
    r = await route({ callId: callId(), from: '+14155551234', fromDomain: 'carrier.example', to: '+12025550123' });
    assert.deepEqual(r.body, rejected(503, routing.CAC_FULL_REASON));
  });
  for (const id of opened.splice(0)) await terminate(id);

  await check('400 invalid_request lists every problem; unknown device registration → 404', async () => {
    let r = await post('/route', { callId: '', from: '1001' });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.error.code, 'invalid_request');
    assert.deepEqual(r.body.error.details.problems.map((p) => p.path), ['callId', 'fromDomain', 'to']);
    r = await post('/presence/event', { type: 'dialog', callId: 'x', state: 'gone' });
    assert.equal(r.status, 400, r.text);
    r = await post('/presence/event', { type: 'register', domain: 'acme.sip.io', user: '4711', contact: 'sip:x@y', expires: '60' });
    assert.equal(r.status, 404, r.text);
    r = await post('/presence/event', { type: 'dialog', callId: 'never-routed', state: 'terminated' });
    assert.equal(r.status, 204, r.text);
  });
}

async function main() {
  const argv = process.argv.slice(2);
  const urlIndex = argv.indexOf('--url');
  units();
  console.log('ok   E.164, URI and schedule helpers');
  if (urlIndex >= 0) {
    await run(argv[urlIndex + 1].replace(/\/$/, ''), { wholesaleUnset: argv.includes('--no-wholesale') });
  } else {
    const { buildServer } = require('./server');
    const fastify = buildServer({ config: routing.loadConfigFile(DEMO), wholesaleTrunkUri: null });
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    try {
      await run(`http://127.0.0.1:${fastify.server.address().port}`, { wholesaleUnset: true });
    } finally {
      await fastify.close();
    }
  }
  console.log(process.exitCode ? 'selfcheck FAILED' : `selfcheck passed (${passed} server checks)`);
}

main().catch((err) => {
  console.error(err.stack || String(err));
  process.exit(1);
});
