// The OpenAPI contract (docs/openapi.yaml) against real answers of the real
// binary: every documented operation is called, each answer's status and
// content type must be documented for it, its body must validate against
// the documented schema (Ajv, JSON Schema 2020-12, OpenAPI 3.1's dialect),
// and documented headers must be there. Mutated answers must fail, so the
// schemas are not vacuous.
//
// usage (through run.sh): node openapi_test.mjs NODE_DIR HELPLINE_BIN SOURCE_DIR

import {createHash, createHmac} from 'node:crypto';
import {readFileSync} from 'node:fs';
import http from 'node:http';
import {createRequire} from 'node:module';
import path from 'node:path';
import {Checker, startHelpline} from './helpline_process.mjs';

const [nodeDir, bin, source] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(nodeDir), 'package.json'));
const Ajv2020 = require('ajv/dist/2020').default;
const YAML = require('yaml');

const started = Date.now();
const checker = new Checker();
const check = (ok, what) => checker.check(ok, what);

// The contract, with the directory schema it references by relative path.
const base = 'https://helpline.invalid/';
const spec = YAML.parse(readFileSync(path.join(source, 'docs/openapi.yaml'), 'utf8'));
check(spec.openapi === '3.1.0', 'openapi is 3.1.0');
const directorySchema = JSON.parse(readFileSync(path.join(source, 'data/schema/directory.schema.json'), 'utf8'));
delete directorySchema.$schema;  // draft-04 keywords it uses are the same in 2020-12
directorySchema.$id = base + 'data/schema/directory.schema.json';
const ajv = new Ajv2020({strict: false, allErrors: true});
ajv.addSchema(directorySchema);
ajv.addSchema({...spec, $id: base + 'docs/openapi.yaml'});
const esc = (s) => s.replaceAll('~', '~0').replaceAll('/', '~1');
const validatorFor = (pointer) => ajv.getSchema(base + 'docs/openapi.yaml#' + pointer) ??
    ajv.compile({$ref: base + 'docs/openapi.yaml#' + pointer});
function deref(obj) {
  while (obj && obj.$ref && obj.$ref.startsWith('#/')) {
    obj = obj.$ref.slice(2).split('/').reduce((o, k) => o[k.replaceAll('~1', '/').replaceAll('~0', '~')], spec);
  }
  return obj;
}

const called = new Set();
// Checks one real answer against the contract of PATH/METHOD; returns the body.
async function conforms(label, pathName, method, response) {
  called.add(`${method} ${pathName}`);
  const op = spec.paths[pathName]?.[method];
  check(op, `${label}: ${method} ${pathName} is documented`);
  if (!op) return null;
  const status = String(response.status);
  const documented = op.responses[status];
  check(documented, `${label}: status ${status} documented for ${method} ${pathName}`);
  const text = await response.text();
  if (!documented) return null;
  const resp = deref(documented);
  for (const header of Object.keys(resp.headers ?? {})) {
    check(response.headers.has(header), `${label}: header ${header} present`);
  }
  const type = (response.headers.get('content-type') ?? '').split(';')[0].trim();
  const content = resp.content?.[type];
  check(content, `${label}: content type ${type} documented for ${status} (${Object.keys(resp.content ?? {})})`);
  if (!content) return null;
  let body = text;
  if (type === 'application/json') {
    try { body = JSON.parse(text); } catch { check(false, `${label}: body is not JSON: ${text}`); return null; }
  }
  const statusKey = documented.$ref ? documented.$ref.slice(1) + '/content/' + esc(type) + '/schema'
                                    : `/paths/${esc(pathName)}/${method}/responses/${status}/content/${esc(type)}/schema`;
  const validate = validatorFor(statusKey);
  const ok = validate(body);
  check(ok, `${label}: body matches ${statusKey}: ${JSON.stringify(validate.errors)?.slice(0, 800)}`);
  return body;
}

const apiKey = 'openapi-test-key';
const alertsKey = 'openapi-alerting-key';
const chatSecret = 'openapi-chat-secret';
const helpline = await startHelpline({bin, source, env: {
  HELPLINE_API_KEY_SHA256: createHash('sha256').update(apiKey).digest('hex'),
  HELPLINE_ALERTS_API_KEY_SHA256: createHash('sha256').update(alertsKey).digest('hex'),
  HELPLINE_ALERTS_KEY: 'k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
  HELPLINE_ALERTS_QUIET_HOURS: 'off',
  HELPLINE_CHAT_SECRET: chatSecret,
}});
try {
  const auth = {Authorization: `Bearer ${apiKey}`};
  const get = (p, headers = auth) => fetch(helpline.url(p), {headers});

  const lookup = await conforms('lookup', '/v1/lookup', 'get', await get('/v1/lookup?region=CA-BC&category=naloxone&lang=fr'));
  check(lookup?.resources?.length > 0, 'lookup lists resources for CA-BC naloxone');
  await conforms('lookup bad region', '/v1/lookup', 'get', await get('/v1/lookup?region=XX-ZZZZ&category=naloxone'));
  await conforms('lookup bad category', '/v1/lookup', 'get', await get('/v1/lookup?region=US&category=nonsense'));
  const noKey = await get('/v1/lookup?region=US&category=crisis', {});
  check(noKey.status === 401, `no key: 401, got ${noKey.status}`);
  await conforms('lookup without a key', '/v1/lookup', 'get', noKey);
  const regions = await conforms('regions', '/v1/regions', 'get', await get('/v1/regions'));
  check(regions?.regions?.some((r) => r.code === 'CA-QC'), 'regions include CA-QC');
  const byPost = await conforms('regions by POST', '/v1/regions', 'get',
                                 await fetch(helpline.url('/v1/regions'), {method: 'POST'}));
  check(byPost?.error?.code === 'method_not_allowed', `POST /v1/regions: method_not_allowed: ${JSON.stringify(byPost)}`);

  // /v1/nearby: a ZIP with sites, a postal code with no point, and its errors.
  const nearby = await conforms('nearby', '/v1/nearby', 'get', await get('/v1/nearby?near=60614&category=naloxone&limit=3'));
  check(nearby?.near?.kind === 'zip' && nearby?.sites?.length > 0, `nearby reads 60614 as a ZIP with sites: ${JSON.stringify(nearby)?.slice(0, 300)}`);
  await conforms('nearby without category', '/v1/nearby', 'get', await get('/v1/nearby?near=98101'));
  await conforms('nearby unknown place', '/v1/nearby', 'get', await get('/v1/nearby?near=atlantis&category=naloxone'));
  await conforms('nearby without a key', '/v1/nearby', 'get', await get('/v1/nearby?near=98101&category=naloxone', {}));

  // Errors: every non-200 /v1 answer is {"error":{"code","message"}} with
  // the code its status carries; the server's own refusals too.
  const errorValid = validatorFor('/components/schemas/Error');
  const errorCodes = deref({$ref: '#/components/schemas/Error'}).properties.error.properties.code.enum;
  const seenCodes = new Set();
  const expectError = async (label, response, status, code) => {
    check(response.status === status, `${label}: status ${status}, got ${response.status}`);
    const text = await response.text();
    let body = null;
    try { body = JSON.parse(text); } catch { check(false, `${label}: not JSON: ${text.slice(0, 200)}`); return; }
    check(errorValid(body), `${label}: matches Error: ${JSON.stringify(errorValid.errors)}`);
    check(body?.error?.code === code, `${label}: code ${code}, got ${JSON.stringify(body)}`);
    seenCodes.add(body?.error?.code);
  };
  await expectError('unknown /v1 path', await get('/v1/nope'), 404, 'not_found');
  await expectError('bad region', await get('/v1/lookup?region=XX-ZZZZ&category=naloxone'), 400, 'bad_request');
  await expectError('no key', await get('/v1/regions', {}), 401, 'unauthorized');
  await expectError('POST lookup', await fetch(helpline.url('/v1/lookup'), {method: 'POST'}), 405, 'method_not_allowed');
  const headers = {...auth, 'X-Padding': 'p'.repeat(20000)};  // over max_header_bytes (16 KiB)
  const bigHeaders = await conforms('lookup with huge headers', '/v1/lookup', 'get',
                                    await get('/v1/lookup?region=US&category=crisis', headers));
  check(bigHeaders?.error?.code === 'headers_too_large', `huge headers: ${JSON.stringify(bigHeaders)}`);
  seenCodes.add(bigHeaders?.error?.code);
  // A GET with a body over max_body_bytes (64 KiB): fetch sends no GET body, node:http does.
  const tooLarge = await new Promise((resolve, reject) => {
    const u = new URL(helpline.url('/v1/lookup?region=US&category=crisis'));
    const req = http.request({host: u.hostname, port: u.port, path: u.pathname + u.search, method: 'GET',
                              headers: {...auth, 'Content-Type': 'text/plain', 'Content-Length': '70000'}}, (res) => {
      let data = '';
      res.on('data', (c) => { data += c; });
      res.on('end', () => resolve(new Response(data, {status: res.statusCode, headers: res.headers})));
    });
    req.on('error', reject);
    req.end('x'.repeat(70000));
  });
  const tooLargeBody = await conforms('lookup with a large body', '/v1/lookup', 'get', tooLarge);
  check(tooLargeBody?.error?.code === 'too_large', `large body: ${JSON.stringify(tooLargeBody)}`);
  seenCodes.add(tooLargeBody?.error?.code);
  seenCodes.add('not_ready');  // before a directory is loaded: outreach_api_test, nearby_api_test
  // (every code answered: checked after the alerting routes below)
  // The pinned codes can fail: a 400 that says not_found is refused.
  const badRequestValid = validatorFor('/components/responses/BadRequest/content/application~1json/schema');
  check(badRequestValid({error: {code: 'bad_request', message: 'm'}}), 'a bad_request 400 validates');
  check(!badRequestValid({error: {code: 'not_found', message: 'm'}}), 'a 400 with another code is refused');
  check(!errorValid({error: 'region is bad'}), 'the old {"error":"..."} shape is refused');
  check(!errorValid({error: {code: 'teapot', message: 'm'}}), 'an unlisted code is refused');

  // The chat webhook, signed as the protocol says.
  const chat = async (body, {secret = chatSecret} = {}) => {
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex');
    return fetch(helpline.url('/webhooks/chat'), {method: 'POST', body, headers: {
      'Content-Type': 'application/json', 'X-Helpline-Timestamp': ts, 'X-Helpline-Signature': `sha256=${sig}`}});
  };
  const message = {id: 'm-openapi-1', from: 'user-openapi', text: 'need naloxone', region: 'CA-BC'};
  const requestValid = validatorFor(`/components/schemas/ChatMessage`);
  check(requestValid(message), `the request sent matches ChatMessage: ${JSON.stringify(requestValid.errors)}`);
  check(requestValid(spec.paths['/webhooks/chat'].post.requestBody.content['application/json'].example),
        'the documented example matches ChatMessage');
  const reply = await conforms('chat', '/webhooks/chat', 'post', await chat(JSON.stringify(message)));
  check(reply?.id === message.id && reply?.reply.length > 0 && reply?.resources.length > 0,
        `chat reply has text and resources: ${JSON.stringify(reply)?.slice(0, 200)}`);
  await conforms('chat forged', '/webhooks/chat', 'post', await chat(JSON.stringify(message), {secret: 'wrong'}));
  await conforms('chat malformed', '/webhooks/chat', 'post', await chat('{"id": "m-2", "from": '));

  // The alerting routes (alerting key; a lookup key is forbidden there and the other way round).
  const alerting = {Authorization: `Bearer ${alertsKey}`, 'Content-Type': 'application/json'};
  const post = (body, headers = alerting) => fetch(helpline.url('/v1/alerts'), {method: 'POST', headers, body});
  await conforms('report by chat', '/webhooks/chat', 'post',
                 await chat(JSON.stringify({id: 'm-openapi-r', from: 'user-openapi-r', text: 'BAD BATCH grey pills downtown', region: 'CA-BC'})));
  const alertBody = {region: 'CA-BC', id: 'openapi-a1', texts: {en: 'Grey pills: fentanyl.', fr: 'Comprimes gris: fentanyl.'}};
  check(validatorFor('/components/schemas/AlertRequest')(alertBody), 'the alert sent matches AlertRequest');
  check(validatorFor('/components/schemas/AlertRequest')(
            spec.paths['/v1/alerts'].post.requestBody.content['application/json'].example),
        'the documented example matches AlertRequest');
  const dry = await conforms('alert dry run', '/v1/alerts', 'post', await post(JSON.stringify({region: 'CA', dry_run: true})));
  check(dry?.dry_run === true, `dry run: ${JSON.stringify(dry)}`);
  const sent = await conforms('alert', '/v1/alerts', 'post', await post(JSON.stringify(alertBody)));
  check(sent?.id === 'openapi-a1' && sent?.duplicate === false, `alert: ${JSON.stringify(sent)}`);
  const again = await conforms('alert again', '/v1/alerts', 'post', await post(JSON.stringify(alertBody)));
  check(again?.duplicate === true, `the same id again: duplicate: ${JSON.stringify(again)}`);
  await conforms('alert bad body', '/v1/alerts', 'post', await post('{"region":"XX-ZZ","texts":{}}'));
  await conforms('alert without a key', '/v1/alerts', 'post', await post(JSON.stringify(alertBody), {'Content-Type': 'application/json'}));
  await conforms('alert with a lookup key', '/v1/alerts', 'post',
                 await post(JSON.stringify(alertBody), {...auth, 'Content-Type': 'application/json'}));
  await conforms('alert id of another region', '/v1/alerts', 'post', await post(JSON.stringify({...alertBody, region: 'US-WA'})));
  await conforms('alert as text', '/v1/alerts', 'post',
                 await post(JSON.stringify(alertBody), {Authorization: alerting.Authorization, 'Content-Type': 'text/plain'}));
  await conforms('alert too large', '/v1/alerts', 'post',
                 await post(JSON.stringify({...alertBody, texts: {en: 'x'.repeat(9000)}})));
  await conforms('alert by GET', '/v1/alerts', 'post', await get('/v1/alerts', alerting));
  const status = await conforms('alert status', '/v1/alerts/{id}', 'get', await get('/v1/alerts/openapi-a1', alerting));
  check(status?.state === 'queued' && status?.region === 'CA-BC', `alert status: ${JSON.stringify(status)}`);
  await conforms('unknown alert', '/v1/alerts/{id}', 'get', await get('/v1/alerts/nope', alerting));
  await conforms('alert status with a lookup key', '/v1/alerts/{id}', 'get', await get('/v1/alerts/openapi-a1'));
  const cancel = (id, headers = alerting) => fetch(helpline.url(`/v1/alerts/${id}/cancel`), {method: 'POST', headers});
  const cancelled = await conforms('alert cancel', '/v1/alerts/{id}/cancel', 'post', await cancel('openapi-a1'));
  // 200 while something is held or queued; 409 once every message went (the daemon's releaser may be done).
  check((cancelled?.state === 'cancelled' && cancelled?.id === 'openapi-a1') || cancelled?.error?.code === 'conflict',
        `alert cancel: ${JSON.stringify(cancelled)}`);
  await conforms('alert cancelled again', '/v1/alerts/{id}/cancel', 'post', await cancel('openapi-a1'));
  await conforms('unknown alert cancel', '/v1/alerts/{id}/cancel', 'post', await cancel('nope'));
  await conforms('alert cancel with a lookup key', '/v1/alerts/{id}/cancel', 'post', await cancel('openapi-a1', auth));
  await conforms('alert cancel by GET', '/v1/alerts/{id}/cancel', 'post', await get('/v1/alerts/openapi-a1/cancel', alerting));
  const reports = await conforms('reports', '/v1/reports', 'get', await get('/v1/reports?since=1h&region=CA&limit=10', alerting));
  check(reports?.reports?.some((r) => r.text.includes('grey pills')), `reports list the chat report: ${JSON.stringify(reports)}`);
  await conforms('reports bad limit', '/v1/reports', 'get', await get('/v1/reports?limit=100000', alerting));
  await conforms('reports with a lookup key', '/v1/reports', 'get', await get('/v1/reports'));
  await conforms('lookup with an alerting key', '/v1/lookup', 'get', await get('/v1/lookup?region=US&category=crisis', alerting));
  await expectError('lookup key on alerts', await get('/v1/reports'), 403, 'forbidden');
  await expectError('alert id of another region', await post(JSON.stringify({...alertBody, region: 'US-WA'})), 409, 'conflict');
  await expectError('alert as text', await post('{}', {Authorization: alerting.Authorization, 'Content-Type': 'text/plain'}),
                    415, 'unsupported_media_type');
  for (const code of errorCodes) check(seenCodes.has(code), `error code ${code} was answered by the daemon`);
  const sentValid = validatorFor('/components/schemas/AlertSent');
  const noDuplicate = structuredClone(sent); delete noDuplicate.duplicate;
  check(!sentValid(noDuplicate), 'an alert answer without duplicate is refused');
  const statusValid = validatorFor('/components/schemas/AlertStatus');
  check(!statusValid({...status, state: 'lost'}), 'an alert status with an unknown state is refused');
  const reportsValid = validatorFor('/components/schemas/Reports');
  check(!reportsValid({reports: [{...reports.reports[0], from: '+16045550123'}]}), 'a report with a sender field is refused');

  // Every documented operation was called.
  for (const [p, ops] of Object.entries(spec.paths)) {
    for (const m of Object.keys(ops)) check(called.has(`${m} ${p}`), `${m.toUpperCase()} ${p} exercised`);
  }

  // The schemas can fail: mutated real answers are refused.
  const lookupValid = validatorFor('/components/schemas/Lookup');
  check(lookupValid(lookup), 'the real lookup validates');
  const noVersion = structuredClone(lookup); delete noVersion.version;
  check(!lookupValid(noVersion), 'a lookup without version is refused');
  const extra = structuredClone(lookup); extra.resources[0].surprise = 1;
  check(!lookupValid(extra), 'a resource with an unknown field is refused (the directory schema applies)');
  const badCategory = structuredClone(lookup); badCategory.resources[0].categories = ['pizza'];
  check(!lookupValid(badCategory), 'a resource with an unknown category is refused');
  const replyValid = validatorFor('/components/schemas/ChatReply');
  check(!replyValid({id: 'x', reply: 'y'}), 'a chat reply without resources is refused');
} catch (e) {
  checker.failures++;
  console.error(`FAIL: ${e.stack}\n${helpline.stderr().slice(-2000)}`);
} finally {
  await helpline.stop();
}
console.log(`openapi contract: ${called.size} operations called, ${checker.failures} failure(s) in ${Date.now() - started} ms`);
process.exit(checker.failures === 0 ? 0 : 1);
