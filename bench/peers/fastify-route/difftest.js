'use strict';
// Differential check: the same /route requests to Edgeplane and to the peer must get byte-identical
// answers (status and body). Both must run the demo configuration (examples/demo-config.json), both
// fresh; device 1002 is registered on both first, and every call is terminated afterwards.
//
//   node difftest.js --edgeplane http://127.0.0.1:3000 --peer http://127.0.0.1:3100
//
// Exit status 0 when every answer matches.

const argv = process.argv.slice(2);
const arg = (name, dflt) => (argv.indexOf(name) >= 0 ? argv[argv.indexOf(name) + 1] : dflt);
const servers = [arg('--edgeplane', 'http://127.0.0.1:3000'), arg('--peer', 'http://127.0.0.1:3100')]
  .map((u) => u.replace(/\/$/, ''));

const froms = ['1001', 'sip:1001@acme.sip.io', '1099', '+14155551234', 'sip:+1 415 555 1234@x', 'anonymous',
  '1001;user=phone', 'tel:+14155551234', 'sips:1003@ACME.SIP.IO'];
const domains = ['acme.sip.io', 'ACME.SIP.IO', 'carrier.example'];
const tos = ['1002', '1003', '1099', '+12025550123', '12025550124', 'sip:+12025550125@edge', 'tel:+1-202-555-0123',
  '+442071234567', '+33142685300', '999', 'sip:1002@acme.sip.io', 'sip:1002;x', '+1 (312) 555-0199', '123456',
  '1234567', 'sip:nobody@acme.sip.io'];
const authUsers = [undefined, '', '1003', '1099'];

async function post(base, path, fields) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return `${res.status} ${await res.text()}`;
}

async function main() {
  const run = `diff-${process.pid}-${Date.now().toString(36)}`;
  for (const base of servers) {
    await post(base, '/presence/event',
      { type: 'register', domain: 'acme.sip.io', user: '1002', contact: 'sip:1002@10.0.0.2:5060', expires: '600' });
  }
  let n = 0;
  let differences = 0;
  for (const from of froms) {
    for (const fromDomain of domains) {
      for (const to of tos) {
        for (const authUser of authUsers) {
          const fields = { callId: `${run}-${++n}`, from, fromDomain, to };
          if (authUser !== undefined) fields.authUser = authUser;
          const [a, b] = await Promise.all(servers.map((base) => post(base, '/route', fields)));
          if (a !== b) {
            differences++;
            if (differences <= 10) console.log(`${JSON.stringify(fields)}\n  edgeplane: ${a}\n  peer:      ${b}`);
          }
          for (const base of servers) {
            await post(base, '/presence/event', { type: 'dialog', callId: fields.callId, state: 'terminated' });
          }
        }
      }
    }
  }
  for (const base of servers) {
    await post(base, '/presence/event', { type: 'register', domain: 'acme.sip.io', user: '1002', expires: '0' });
  }
  console.log(`compared ${n} /route answers: ${differences} difference(s)`);
  process.exitCode = differences === 0 ? 0 : 1;
}

main().catch((err) => {
  console.error(err.stack || String(err));
  process.exit(1);
});
