// A real redis-server (unix socket, no persistence) holding the shipped
// directory, and the real `helpline serve` on port 0, for the JavaScript
// tests. Deadlines, never fixed sleeps; everything is killed and removed
// by stop().
//
//   const h = await startHelpline({bin, source, env: {HELPLINE_CHAT_SECRET: 's'}});
//   const r = await fetch(h.url('/v1/regions'), ...);
//   await h.stop();

import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import path from 'node:path';

// Records failed expectations and counts them (the test's exit status).
export class Checker {
  failures = 0;
  check(ok, what) {
    if (!ok) {
      this.failures++;
      console.error(`FAIL: ${what}`);
    }
    return ok;
  }
}

function waitForLine(child, stream, pattern, timeoutMs, what) {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`${what}: no ${pattern} within ${timeoutMs} ms:\n${text}`)), timeoutMs);
    child[stream].on('data', (chunk) => {
      text += chunk.toString();
      const m = text.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before ${pattern}:\n${text}`));
    });
  });
}

export async function startHelpline({bin, source, env = {}, config = ''}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'helpline-js-'));
  const sock = path.join(dir, 'redis.sock');
  const redis = spawn('redis-server', ['--port', '0', '--unixsocket', sock, '--save', '', '--appendonly', 'no',
                                       '--dir', dir], {stdio: ['ignore', 'pipe', 'pipe']});
  const cleanup = () => {
    redis.kill('SIGKILL');
    rmSync(dir, {recursive: true, force: true});
  };
  try {
    await waitForLine(redis, 'stdout', /ready to accept connections/i, 10000, 'redis-server');
  } catch (e) {
    cleanup();
    throw e;
  }
  const redisUrl = `unix://${sock}`;
  const load = spawnSync(bin, ['load', path.join(source, 'data/directory'), '--quiet'],
                         {env: {...process.env, HELPLINE_REDIS_URL: redisUrl}, encoding: 'utf8'});
  if (load.status !== 0) cleanup();
  if (load.status !== 0) throw new Error(`helpline load: ${load.status}\n${load.stdout}${load.stderr}`);
  const configPath = path.join(dir, 'helpline.conf');
  writeFileSync(configPath, `port = 0\nthreads = 1\nsnapshot_path = ${path.join(dir, 'snapshot')}\n${config}`);
  const daemon = spawn(bin, ['serve', '--config', configPath], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {...process.env, HELPLINE_REDIS_URL: redisUrl,
          HELPLINE_SENDER_SECRET: 'sender-secret-for-js-tests-0123456789', ...env},
  });
  let stderr = '';
  daemon.stderr.on('data', (c) => { stderr += c.toString(); });
  let m;
  try {
    m = await waitForLine(daemon, 'stdout', /listening on http:\/\/([0-9.]+):(\d+)/, 20000, 'helpline serve');
  } catch (e) {
    daemon.kill('SIGKILL');
    cleanup();
    throw new Error(`${e.message}\n${stderr}`);
  }
  const base = `http://127.0.0.1:${m[2]}`;
  return {
    url: (p) => base + p,
    stderr: () => stderr,
    async stop() {
      const exited = new Promise((resolve) => daemon.on('exit', resolve));
      daemon.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10000))]);
      daemon.kill('SIGKILL');
      cleanup();
    },
  };
}
