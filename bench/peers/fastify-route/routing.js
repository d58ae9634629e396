'use strict';
// The routing brain of the Fastify peer: a line-by-line port of Edgeplane's
// edge-server/.../controlplane/RouteDecider.java and RouteDecision.java (same decision order, same
// rtjson fields and key order, same reject codes and reasons), plus the configuration-document
// loading it needs (normalised the way ConfigDocument.java normalises: lower-case domains, numbers
// and trunk prefixes as E.164 digits, schedule time zone defaulting to the account's, then UTC).
//
// Pure functions and plain data; no I/O except loadConfigFile.

const fs = require('node:fs');

const MAX_DIGITS = 15;
const MIN_PSTN_DIGITS = 7;
const CAC_FULL_REASON = 'Maximum Calls In Progress';

// ---------------------------------------------------------------- E.164 (codec/E164.java)

function startsWithIgnoreCase(s, lowerPrefix) {
  return s.length >= lowerPrefix.length && s.slice(0, lowerPrefix.length).toLowerCase() === lowerPrefix;
}

/** E.164 digits of a number, tel: URI or sip:/sips: URI, or null (E164.digits). */
function e164Digits(s) {
  if (s === null || s === undefined) return null;
  let start = 0;
  let end = s.length;
  if (startsWithIgnoreCase(s, 'tel:')) {
    start = 4;
  } else if (startsWithIgnoreCase(s, 'sip:') || startsWithIgnoreCase(s, 'sips:')) {
    start = s.indexOf(':') + 1;
    end = s.indexOf('@', start);
    if (end < 0) return null;
  }
  let digits = '';
  let seenDigitOrPlus = false;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits.length === MAX_DIGITS) return null;
      digits += s[i];
      seenDigitOrPlus = true;
    } else if (c === 43 /* + */) {
      if (seenDigitOrPlus) return null;
      seenDigitOrPlus = true;
    } else if (c !== 32 && c !== 45 && c !== 46 && c !== 40 && c !== 41) { // space - . ( )
      return null;
    }
  }
  return digits.length === 0 ? null : digits;
}

/** True for 7 to 15 ASCII digits (E164.isPstn). */
function isPstn(digits) {
  return digits !== null && digits !== undefined && digits.length >= MIN_PSTN_DIGITS &&
    digits.length <= MAX_DIGITS && /^[0-9]+$/.test(digits);
}

// ------------------------------------------------------- URIs (RouteDecider.userPart / callerId)

/** User part of sip:user@host, user@host or user (RouteDecider.userPart). */
function userPart(s) {
  if (s === null || s === undefined) return null;
  let start = 0;
  if (s.startsWith('sip:')) start = 4;
  else if (s.startsWith('sips:')) start = 5;
  else if (s.startsWith('tel:')) start = 4;
  let end = s.indexOf('@', start);
  if (end < 0) end = s.indexOf(';', start);
  return s.substring(start, end < 0 ? s.length : end);
}

/** E.164 digits of a caller, or its user part when it is not a number (RouteDecider.callerId). */
function callerId(from) {
  const user = userPart(from);
  const digits = e164Digits(user);
  return digits !== null ? digits : user;
}

// ------------------------------------------------------------------------------- schedules

const DAY_INDEX = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const SHORT_WEEKDAY = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function parseTime(s, endOfDayAllowed, where) {
  if (typeof s === 'string' && /^\d\d:\d\d$/.test(s)) {
    if (endOfDayAllowed && s === '24:00') return 86400;
    const hh = Number(s.slice(0, 2));
    const mm = Number(s.slice(3));
    if (hh < 24 && mm < 60) return hh * 3600 + mm * 60;
  }
  throw new Error(`${where}: must be a time HH:MM`);
}

/**
 * Local wall-clock facts (date, weekday, second of day) of an instant in an IANA time zone, from
 * Intl.DateTimeFormat. Cached per zone for the current epoch second, so a busy server formats at
 * most once per second per zone; the answer is exact because windows are whole minutes.
 */
class ZoneClock {
  constructor(timeZone) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: '2-digit', day: '2-digit',
      hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    this.second = NaN;
    this.local = null;
  }

  at(nowMs) {
    const second = Math.floor(nowMs / 1000);
    if (second !== this.second) {
      const p = {};
      for (const part of this.format.formatToParts(new Date(second * 1000))) p[part.type] = part.value;
      this.local = {
        date: `${p.year.padStart(4, '0')}-${p.month}-${p.day}`,
        weekday: SHORT_WEEKDAY[p.weekday],
        secondOfDay: Number(p.hour) * 3600 + Number(p.minute) * 60 + Number(p.second),
      };
      this.second = second;
    }
    return this.local;
  }
}

const zoneClocks = new Map();

function zoneClock(timeZone) {
  let clock = zoneClocks.get(timeZone);
  if (clock === undefined) {
    clock = new ZoneClock(timeZone); // throws RangeError for an unknown zone
    zoneClocks.set(timeZone, clock);
  }
  return clock;
}

/**
 * ScheduleConfig.isOpen: in the schedule's zone, a holiday is closed all day; any other day is open
 * inside one of that weekday's [start, end) windows ("24:00" closes the day inclusively).
 */
function scheduleIsOpen(schedule, nowMs) {
  const local = zoneClock(schedule.timezone).at(nowMs);
  if (schedule.holidays.has(local.date)) return false;
  const windows = schedule.weekly[local.weekday];
  for (let i = 0; i < windows.length; i++) {
    const w = windows[i];
    if (local.secondOfDay >= w.start && local.secondOfDay < w.end) return true;
  }
  return false;
}

// -------------------------------------------------------------------------- configuration

function requireDigits(value, where) {
  const digits = typeof value === 'string' ? e164Digits(value) : null;
  if (digits === null) throw new Error(`${where}: must be an E.164 number like +12025550123`);
  return digits;
}

function compileTarget(t, where) {
  if (t === undefined || t === null) return null;
  switch (t.type) {
    case 'flow': return { kind: 'flow', value: t.id };
    case 'device': return { kind: 'device', value: t.username };
    case 'number': return { kind: 'number', value: requireDigits(t.number, `${where}.number`) };
    default: throw new Error(`${where}.type: must be flow, device or number`);
  }
}

function compileSchedule(s, accountZone, where) {
  const timezone = s.timezone || accountZone;
  zoneClock(timezone); // validate the zone now, not on the first call
  const weekly = [[], [], [], [], [], [], []];
  for (const [day, windows] of Object.entries(s.weekly || {})) {
    const index = DAY_INDEX[day];
    if (index === undefined) throw new Error(`${where}.weekly.${day}: unknown day`);
    weekly[index] = windows.map((pair, i) => ({
      start: parseTime(pair[0], false, `${where}.weekly.${day}[${i}][0]`),
      end: parseTime(pair[1], true, `${where}.weekly.${day}[${i}][1]`),
    }));
  }
  return { id: s.id, timezone, weekly, holidays: new Set((s.holidays || []).map(String)) };
}

function compileAccount(a, where) {
  const domain = String(a.domain).toLowerCase();
  const timezone = a.timezone || 'UTC';
  const devices = new Map();
  for (const d of a.devices || []) devices.set(d.username, { id: d.id, username: d.username, enabled: d.enabled !== false });
  const schedules = new Map();
  (a.schedules || []).forEach((s, i) => schedules.set(s.id, compileSchedule(s, timezone, `${where}.schedules[${i}]`)));
  const prefixes = [];
  (a.trunks || []).forEach((t, i) => {
    (t.prefixes || []).forEach((p, k) => prefixes.push({
      digits: requireDigits(p, `${where}.trunks[${i}].prefixes[${k}]`), uri: t.uri,
    }));
  });
  // Longest prefix first; Array.prototype.sort is stable, like Java's List.sort.
  prefixes.sort((x, y) => y.digits.length - x.digits.length);
  const dids = (a.dids || []).map((d, i) => ({
    number: requireDigits(d.number, `${where}.dids[${i}].number`),
    target: compileTarget(d.target, `${where}.dids[${i}].target`),
    scheduleId: d.schedule || null,
    afterHours: compileTarget(d.after_hours, `${where}.dids[${i}].after_hours`),
  }));
  return {
    id: a.id,
    domain,
    maxChannels: Number(a.max_channels),
    devices,
    schedules,
    prefixes,
    dids,
    extraHeaders: `X-Account-Id: ${a.id}\r\n`,
  };
}

/** ConfigSnapshot: accounts by id and by domain, DIDs by E.164 digits. */
function compileConfig(doc) {
  if (!doc || !Array.isArray(doc.accounts)) throw new Error('$.accounts: expected an array');
  const byId = new Map();
  const byDomain = new Map();
  const dids = new Map();
  doc.accounts.forEach((a, i) => {
    const account = compileAccount(a, `$.accounts[${i}]`);
    byId.set(account.id, account);
    byDomain.set(account.domain, account);
    for (const did of account.dids) dids.set(did.number, { account, did });
  });
  return {
    byId,
    byDomain,
    dids,
    accountByDomain(domain) {
      if (domain === null || domain === undefined) return null;
      return byDomain.get(domain) || byDomain.get(domain.toLowerCase()) || null;
    },
  };
}

function loadConfigFile(path) {
  return compileConfig(JSON.parse(fs.readFileSync(path, 'utf8')));
}

function trunkFor(account, digits) {
  for (const p of account.prefixes) if (digits.startsWith(p.digits)) return p;
  return null;
}

// ------------------------------------------------------------------ decisions (RouteDecision)

function reject(account, direction, code, reason) {
  return { action: 'reject', account, direction, needsChannel: false, code, reason };
}

function flow(account, flowId, callerCid, did) {
  return { action: 'flow', account, direction: 'inbound', needsChannel: true, flowId, callerCid, did };
}

function proxy(account, direction, needsChannel, routeUri, dstUri) {
  return { action: 'proxy', account, direction, needsChannel, routeUri, dstUri };
}

function outboundDecision(account, direction, routeUri, dstUri) {
  return { action: 'outbound', account, direction, needsChannel: true, routeUri, dstUri };
}

function overCapacity(d) {
  return reject(d.account, d.direction, 503, CAC_FULL_REASON);
}

/** {"rtjson":{...}} with RouteDecision.render's keys in its order. */
function render(d) {
  let rtjson;
  switch (d.action) {
    case 'flow':
      rtjson = {
        action: 'flow', account_id: d.account.id, flow_id: d.flowId,
        vars: { caller_cid: d.callerCid, did: d.did },
      };
      break;
    case 'proxy':
    case 'outbound':
      rtjson = {
        action: d.action, account_id: d.account.id, version: '1.0', routing: 'serial',
        routes: [{ uri: d.routeUri, dst_uri: d.dstUri, headers: { extra: d.account.extraHeaders } }],
      };
      break;
    default:
      rtjson = { action: 'reject', code: d.code, reason: d.reason };
  }
  return JSON.stringify({ rtjson });
}

// ------------------------------------------------------------------- the decision (RouteDecider)

/**
 * @param registrations Map of "user@domain" → {contact, expiresAtMs}
 * @param wholesaleTrunkUri WHOLESALE_TRUNK_URI or null
 */
function decide(config, registrations, wholesaleTrunkUri, from, fromDomain, to, authUser, nowMs) {
  const toUser = userPart(to);
  const toDigits = e164Digits(toUser);

  // 1. Inbound: the destination is one of our DIDs.
  const didRoute = toDigits === null ? undefined : config.dids.get(toDigits);
  if (didRoute !== undefined) {
    const account = didRoute.account;
    let target = didRoute.did.target;
    const schedule = didRoute.did.scheduleId === null ? undefined : account.schedules.get(didRoute.did.scheduleId);
    if (schedule !== undefined && !scheduleIsOpen(schedule, nowMs)) {
      target = didRoute.did.afterHours;
      if (target === null) return reject(account, 'inbound', 480, 'Closed');
    }
    const callerCid = callerId(from);
    switch (target.kind) {
      case 'flow': return flow(account, target.value, callerCid, toDigits);
      case 'device': return toDevice(registrations, account, target.value, 'inbound', true, nowMs);
      default: return outbound(wholesaleTrunkUri, account, 'inbound', target.value);
    }
  }

  // 2./3. The caller is one of an account's enabled devices.
  const account = config.accountByDomain(fromDomain);
  const callerUser = authUser !== null && authUser !== undefined && authUser !== '' ? authUser : userPart(from);
  const caller = account === null || callerUser === null ? undefined : account.devices.get(callerUser);
  if (caller === undefined || !caller.enabled) return reject(account, null, 403, 'Forbidden');
  if (toUser !== null && account.devices.has(toUser)) {
    return toDevice(registrations, account, toUser, 'internal', false, nowMs);
  }
  if (toDigits !== null && isPstn(toDigits)) return outbound(wholesaleTrunkUri, account, 'outbound', toDigits);
  return reject(account, null, 404, 'Not Found');
}

function toDevice(registrations, account, username, direction, needsChannel, nowMs) {
  const device = account.devices.get(username);
  const reg = registrations.get(`${username}@${account.domain}`);
  if (device === undefined || !device.enabled || reg === undefined || !(reg.expiresAtMs > nowMs)) {
    return reject(account, direction, 480, 'Temporarily Unavailable');
  }
  return proxy(account, direction, needsChannel, `sip:${username}@${account.domain}`, reg.contact);
}

function outbound(wholesaleTrunkUri, account, direction, digits) {
  const trunk = trunkFor(account, digits);
  const trunkUri = trunk !== null ? trunk.uri : wholesaleTrunkUri;
  if (trunkUri === null || trunkUri === undefined || trunkUri === '') {
    return reject(account, direction, 503, 'No Route To Destination');
  }
  const colon = trunkUri.indexOf(':');
  const routeUri = `${trunkUri.substring(0, colon + 1)}+${digits}@${trunkUri.substring(colon + 1)}`;
  return outboundDecision(account, direction, routeUri, trunkUri);
}

module.exports = {
  CAC_FULL_REASON,
  callerId,
  compileConfig,
  decide,
  e164Digits,
  isPstn,
  loadConfigFile,
  overCapacity,
  render,
  scheduleIsOpen,
  userPart,
};
