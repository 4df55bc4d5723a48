// Several daemons behind nginx, one Redis (issue 16 item 3): a real
// redis-server, two real `helpline serve` daemons and a real nginx running
// packaging/nginx/helpline.conf (ports, certificate and paths rewritten;
// non-root: its own prefix, pid, temp and log paths on loopback), TLS
// terminated by nginx with a throwaway self-signed certificate, and a fake
// Telnyx Messages API (Telnyx replies go through the shared outbox).
//
//   1. signed Telnyx webhooks through nginx: every one answered 200, every
//      reply sent, and both daemons' outbox workers sent some (shared work);
//   2. a new directory version loaded: both daemons serve it within a
//      second (measured, by polling each daemon's /metrics);
//   3. one daemon killed (SIGKILL) while webhooks flow and its sends are in
//      flight: every webhook still answered 200 (nginx retries the other),
//      and every reply sent (the survivor reclaims the dead one's entries).
//
// Every daemon's /metrics is scraped and parsed on the way.
// usage: node multi_daemon_test.mjs HELPLINE_BIN SOURCE_DIR
// exit 77 (ctest SKIP) when nginx, openssl or redis-server is missing.

import {spawn, spawnSync} from 'node:child_process';
import {createServer} from 'node:http';
import https from 'node:https';
import {cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync} from 'node:fs';
import {generateKeyPairSync, sign} from 'node:crypto';
import {tmpdir} from 'node:os';
import path from 'node:path';

const [bin, source] = process.argv.slice(2);
const started = Date.now();
const nginxBin = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => spawnSync(p, ['-v']).status === 0);
for (const [name, ok] of [['nginx', nginxBin], ['openssl', spawnSync('openssl', ['version']).status === 0],
                          ['redis-server', spawnSync('redis-server', ['--version']).status === 0]]) {
  if (!ok) {
    console.log(`SKIP: ${name} not installed (Debian package ${name === 'redis-server' ? 'redis-server' : name})`);
    process.exit(77);
  }
}

let failures = 0;
const check = (ok, what) => {
  if (!ok) {
    failures++;
    console.error(`FAIL: ${what}`);
  }
  return ok;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Polls `f` every `every` ms until it returns truthy or `ms` pass; returns its last value.
async function until(f, ms, every = 20) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v || Date.now() > end) return v;
    await sleep(every);
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'helpline-multi-'));
const children = [];
function run(cmd, args, opts = {}) {
  const child = spawn(cmd, args, {stdio: ['ignore', 'pipe', 'pipe'], ...opts});
  child.out = '';
  child.stdout.on('data', (c) => { child.out += c; });
  child.stderr.on('data', (c) => { child.out += c; });
  children.push(child);
  return child;
}
async function waitFor(child, pattern, ms, what) {
  const m = await until(() => child.out.match(pattern) || child.exitCode !== null, ms);
  if (!m || !m[0]) throw new Error(`${what}: no ${pattern} within ${ms} ms:\n${child.out.slice(-2000)}`);
  return m;
}

// Telnyx: Ed25519 over "timestamp|body" (the webhook signing key is ours here).
const {publicKey, privateKey} = generateKeyPairSync('ed25519');
const publicRaw = Buffer.from(publicKey.export({format: 'jwk'}).x, 'base64url').toString('base64');
const telnyxBody = (id, from, text) => JSON.stringify({data: {
  event_type: 'message.received', id: `ev-${id}`, occurred_at: '2026-12-05T12:00:00.000+00:00',
  payload: {id, direction: 'inbound', from: {phone_number: from, carrier: 'T-Mobile USA', line_type: 'Wireless'},
            to: [{phone_number: '+18005550100', status: 'webhook_delivered'}], text, type: 'SMS', media: []},
  record_type: 'event'}, meta: {attempt: 1}});

// The fake Telnyx Messages API: records each send's Idempotency-Key (our
// outbox id), answering after `delayMs` (so sends are in flight when a daemon dies).
const sends = new Map();  // idempotency key -> times received
let delayMs = 0;
const fake = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => { body += c; });
  req.on('end', () => setTimeout(() => {
    const key = req.headers['idempotency-key'] ?? '';
    sends.set(key, (sends.get(key) ?? 0) + 1);
    res.writeHead(200, {'Content-Type': 'application/json'});
    res.end(JSON.stringify({data: {record_type: 'message', id: `out-${key}`}}));
  }, delayMs));
});
await new Promise((r) => fake.listen(0, '127.0.0.1', r));
const fakeUrl = `http://127.0.0.1:${fake.address().port}`;

// Parses a Prometheus exposition into name{labels} -> value (throws on a malformed line).
function parseMetrics(text) {
  const out = new Map();
  const types = new Set();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) types.add(line.split(' ')[2]);
    if (!line || line.startsWith('#')) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/);
    if (!m) throw new Error(`malformed metrics line: ${line}`);
    const family = m[1].replace(/_(bucket|sum|count)$/, '');
    if (!types.has(m[1]) && !types.has(family)) throw new Error(`sample without TYPE: ${line}`);
    out.set(m[1] + (m[2] ?? ''), Number(m[3]));
  }
  return out;
}

const daemons = [];
let nginx;
try {
  // Redis and the shipped directory.
  const sock = path.join(dir, 'redis.sock');
  const redis = run('redis-server', ['--port', '0', '--unixsocket', sock, '--save', '', '--appendonly', 'no',
                                     '--dir', dir]);
  await waitFor(redis, /ready to accept connections/i, 10000, 'redis-server');
  const env = {...process.env, HELPLINE_REDIS_URL: `unix://${sock}`,
               HELPLINE_SENDER_SECRET: 'sender-secret-for-the-multi-daemon-test-0123',
               HELPLINE_TELNYX_PUBLIC_KEY: publicRaw, HELPLINE_TELNYX_API_KEY: 'KEY0123456789ABCDEF_test'};
  const load = (what) => spawnSync(bin, ['load', what, '--quiet'], {env, encoding: 'utf8'});
  const first = load(path.join(source, 'data/directory'));
  if (first.status !== 0) throw new Error(`helpline load: ${first.stdout}${first.stderr}`);

  // Two daemons on free ports.
  for (const name of ['a', 'b']) {
    const conf = path.join(dir, `${name}.conf`);
    writeFileSync(conf, [
      'listen_address = 127.0.0.1', 'port = 0', 'threads = 1', `snapshot_path = ${path.join(dir, name + '.snapshot')}`,
      'public_url = https://help.example.org', `telnyx_api_base = ${fakeUrl}`,
      'outbox_send_timeout_ms = 1500', 'outbox_claim_idle_ms = 2500', 'rate_limit_messages = 1000', ''].join('\n'));
    const d = run(bin, ['serve', '--config', conf], {env});
    const m = await waitFor(d, /listening on http:\/\/[0-9.]+:(\d+)/, 20000, `daemon ${name}`);
    daemons.push({name, proc: d, port: Number(m[1])});
  }
  const direct = (d, p) => fetch(`http://127.0.0.1:${d.port}${p}`);
  const metricsOf = async (d) => parseMetrics(await (await direct(d, '/metrics')).text());

  // nginx: the shipped site, rewritten for loopback, with a self-signed certificate.
  const prefix = path.join(dir, 'nginx');
  mkdirSync(path.join(prefix, 'tmp'), {recursive: true});
  const cert = path.join(prefix, 'cert.pem');
  const key = path.join(prefix, 'key.pem');
  const ssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj',
                                    '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
                                    '-keyout', key, '-out', cert], {encoding: 'utf8'});
  if (ssl.status !== 0) throw new Error(`openssl: ${ssl.stderr}`);
  const proxyPort = await new Promise((resolve) => {  // a free port for nginx
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const p = probe.address().port;
      probe.close(() => resolve(p));
    });
  });
  let site = readFileSync(path.join(source, 'packaging/nginx/helpline.conf'), 'utf8');
  site = site.replace(/# helpline-test: drop-begin[\s\S]*?# helpline-test: drop-end\n/, '');
  let upstreams = 0;
  site = site.replace(/server 127\.0\.0\.1:\d+/g, () => `server 127.0.0.1:${daemons[upstreams++].port}`);
  check(upstreams === 2, `the shipped config has two upstream servers (found ${upstreams})`);
  site = site.replace(/listen 443 ssl http2;/, `listen 127.0.0.1:${proxyPort} ssl;`)
             .replace(/\s*listen \[::\]:443 ssl http2;/, '')
             .replace(/ssl_certificate +\S+;/, `ssl_certificate ${cert};`)
             .replace(/ssl_certificate_key +\S+;/, `ssl_certificate_key ${key};`)
             .replace(/access_log \S+;/, 'access_log off;');
  writeFileSync(path.join(prefix, 'helpline.conf'), site);
  const t = (n) => `${n} ${path.join(prefix, 'tmp', n)};`;
  writeFileSync(path.join(prefix, 'nginx.conf'), [
    'worker_processes 1;', `pid ${path.join(prefix, 'nginx.pid')};`, `error_log ${path.join(prefix, 'error.log')} warn;`,
    'daemon off;', 'events { worker_connections 256; }',
    `http { ${t('client_body_temp_path')} ${t('proxy_temp_path')} ${t('fastcgi_temp_path')} ${t('uwsgi_temp_path')}`,
    `  ${t('scgi_temp_path')} include ${path.join(prefix, 'helpline.conf')}; }`, ''].join('\n'));
  nginx = run(nginxBin, ['-p', prefix, '-e', path.join(prefix, 'error.log'), '-c', path.join(prefix, 'nginx.conf')]);
  const ca = readFileSync(cert);
  const agent = new https.Agent({ca, keepAlive: true, maxSockets: 8});
  // One request through nginx over TLS: {status, body}.
  const viaProxy = (method, p, body = '', headers = {}) => new Promise((resolve) => {
    const req = https.request({host: '127.0.0.1', port: proxyPort, path: p, method, agent,
                               headers: {...headers, 'Content-Length': Buffer.byteLength(body)}}, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve({status: res.statusCode, body: data}));
    });
    req.on('error', (e) => resolve({status: 0, body: String(e)}));
    req.end(body);
  });
  const up = await until(async () => (await viaProxy('GET', '/healthz')).status === 200, 10000, 50);
  if (!up) throw new Error(`nginx did not answer: ${nginx.out}\n${readFileSync(path.join(prefix, 'error.log'), 'utf8')}`);
  check((await viaProxy('GET', '/metrics')).status === 404, '/metrics is not served through the proxy');

  let seq = 0;
  const webhook = () => {
    const id = `multi-${++seq}`;
    const body = telnyxBody(id, `+1604555${String(1000 + seq).slice(-4)}`, 'need naloxone');
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = sign(null, Buffer.from(`${ts}|${body}`), privateKey).toString('base64');
    return viaProxy('POST', '/webhooks/telnyx', body, {'Content-Type': 'application/json', 'telnyx-timestamp': ts,
                                                       'telnyx-signature-ed25519': signature}).then((r) => ({id, ...r}));
  };
  // `n` webhooks, `parallel` at a time; returns their answers.
  async function drive(n, parallel) {
    const answers = [];
    for (let i = 0; i < n; i += parallel) {
      answers.push(...await Promise.all(Array.from({length: Math.min(parallel, n - i)}, webhook)));
    }
    return answers;
  }
  const allSent = (answers) => answers.every((a) => sends.has(`telnyx:${a.id}`));

  // 1. Webhooks through nginx; the outbox work is shared.
  const t1 = Date.now();
  const batch1 = await drive(60, 6);
  const bad1 = batch1.filter((a) => a.status !== 200);
  check(bad1.length === 0, `every webhook through nginx answered 200: ${JSON.stringify(bad1.slice(0, 3))}`);
  check(await until(() => allSent(batch1), 10000), `every reply sent: ${sends.size} of ${batch1.length}`);
  const sentBy = [];
  for (const d of daemons) {
    const m = await metricsOf(d);
    sentBy.push(m.get('helpline_outbox_events_total{event="sent"}') ?? 0);
    const answered = m.get('helpline_webhook_duration_seconds_count{provider="telnyx"}') ?? 0;
    check(answered > 0, `daemon ${d.name} answered webhooks (${answered}): nginx spreads them`);
    check(m.has('helpline_outbox_depth{state="queued"}'), `daemon ${d.name} reports the outbox depth`);
    check(m.get('helpline_redis_command_duration_seconds_count') > answered,
          `daemon ${d.name} times its Redis commands (more than one per webhook)`);
  }
  // Prometheus's own linter on a real scrape, when promtool is installed (Debian's prometheus).
  if (spawnSync('promtool', ['--version']).status === 0) {
    const text = await (await direct(daemons[0], '/metrics')).text();
    const lint = spawnSync('promtool', ['check', 'metrics'], {input: text, encoding: 'utf8'});
    check(lint.status === 0, `promtool check metrics accepts the exposition: ${lint.stdout}${lint.stderr}`);
  }
  check(sentBy.every((n) => n > 0), `both daemons sent replies from the shared outbox: ${sentBy}`);
  console.log(`1. ${batch1.length} webhooks through nginx in ${Date.now() - t1} ms; sent by a/b: ${sentBy}`);

  // 2. A new directory version: both daemons switch within 2.5 s, told by
  // the directory events channel, not by the 30 s safety-net poll (a
  // sanitizer build on a busy machine takes about a second to load a
  // version: 1,173 and 880 ms were seen).
  const dir2 = path.join(dir, 'directory2');
  cpSync(path.join(source, 'data/directory'), dir2, {recursive: true});
  const file = readdirSync(dir2).find((f) => f.endsWith('.json'));
  const doc = JSON.parse(readFileSync(path.join(dir2, file), 'utf8'));
  doc.resources[0].notes = `${doc.resources[0].notes ?? ''} (multi-daemon test edit)`.trim();
  writeFileSync(path.join(dir2, file), JSON.stringify(doc, null, 2));
  const before = (await metricsOf(daemons[0])).get('helpline_directory_version');
  const loadStart = Date.now();
  const second = load(dir2);
  const loaded = Date.now();
  check(second.status === 0, `the new version loads: ${second.stdout}${second.stderr}`);
  const switched = [];
  await Promise.all(daemons.map(async (d, i) => {
    await until(async () => (await metricsOf(d)).get('helpline_directory_version') > before, 6000, 10);
    switched[i] = Date.now() - loaded;
  }));
  const versions = await Promise.all(daemons.map(async (d) => (await metricsOf(d)).get('helpline_directory_version')));
  check(versions.every((v) => v === before + 1), `both daemons serve version ${before + 1}: ${versions}`);
  check(switched.every((ms) => ms < 2500), `both switched within 2.5 s of the load: ${switched} ms`);
  const loadedAt = (await metricsOf(daemons[1])).get('helpline_directory_loaded_timestamp_seconds');
  check(Math.abs(loadedAt * 1000 - loadStart) < 5000, `the load time is exported: ${loadedAt}`);
  console.log(`2. load took ${loaded - loadStart} ms; daemons a/b served the new version ${switched} ms after it`);

  // 3. Kill daemon a while webhooks flow and its sends are in flight.
  delayMs = 800;
  const inflight = drive(30, 6);
  await sleep(300);
  daemons[0].proc.kill('SIGKILL');
  const killedAt = Date.now();
  const batch3 = [...await inflight, ...await drive(30, 6)];
  const bad3 = batch3.filter((a) => a.status !== 200);
  check(bad3.length === 0, `every webhook answered 200 across the kill: ${bad3.length} not: ` +
                           JSON.stringify(bad3.slice(0, 3)));
  const done = await until(() => allSent([...batch1, ...batch3]), 15000, 50);
  const missing = [...batch1, ...batch3].filter((a) => !sends.has(`telnyx:${a.id}`)).map((a) => a.id);
  check(done, `every reply sent after the kill (reclaimed by b): missing ${missing.slice(0, 5)}`);
  // a's sends that were in flight stay pending in the stream until b
  // reclaims them (outbox_claim_idle_ms) and sends them again, under the
  // same id (Telnyx's Idempotency-Key makes the second a no-op).
  let b = null;
  const drained = await until(async () => {
    b = await metricsOf(daemons[1]);
    return b.get('helpline_outbox_depth{state="queued"}') === 0 && b.get('helpline_outbox_depth{state="retrying"}') === 0;
  }, 10000, 100);
  check(drained, `the shared outbox drains after the kill: ${b.get('helpline_outbox_depth{state="queued"}')} queued`);
  const reclaimed = b.get('helpline_outbox_events_total{event="reclaimed"}') ?? 0;
  check(reclaimed > 0, 'b reclaimed the entries a held when it died');
  console.log(`3. ${batch3.length} webhooks across the kill, all answered; outbox drained ${Date.now() - killedAt} ` +
              `ms after the kill; b reclaimed ${reclaimed} of a's entries; ` +
              `${[...sends.values()].filter((n) => n > 1).length} sent twice (same Idempotency-Key)`);
  agent.destroy();
} catch (e) {
  failures++;
  console.error(`FAIL: ${e.stack}`);
  for (const d of daemons) console.error(`--- daemon ${d.name}:\n${d.proc.out.slice(-1500)}`);
} finally {
  for (const c of children.reverse()) if (c.exitCode === null) c.kill(c === nginx ? 'SIGQUIT' : 'SIGTERM');
  await sleep(200);
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  fake.close();
  rmSync(dir, {recursive: true, force: true});
}
console.log(`multi-daemon: ${failures} failure(s) in ${Date.now() - started} ms`);
process.exit(failures === 0 ? 0 : 1);
