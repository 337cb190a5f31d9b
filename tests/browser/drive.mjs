// Drives headless Chromium through a plan of pages and steps, and prints what it saw as
// JSON, for tests/html.rs to judge. It speaks the DevTools protocol over a pipe
// (--remote-debugging-pipe: NUL-terminated JSON, commands on fd 3, replies and events on
// fd 4), so it needs node and chromium and nothing else: no WebSocket library, no
// browser download.
//
//   node tests/browser/drive.mjs < plan.json > observations.json
//
// plan: { "chromium": PATH, "width": N, "height": N, "timeout_ms": N,
//         "pages": [{ "url": URL, "steps": [STEP, ...] }] }
// STEP: { "eval": EXPRESSION }                  its value, by JSON
//       { "select": SELECTOR, "value": VALUE }  picks an option, fires input and change
//       { "type": SELECTOR, "text": TEXT }      focuses, selects all, types (Input.insertText)
//       { "click": SELECTOR }                   a real mouse click at the element's centre
//       { "screenshot": PATH, "full_page": BOOL }  a PNG; its size is the step's value
// observations: { "pages": [{ "url", "results": [per step], "exceptions": [TEXT],
//                 "console": [{ "level", "text" }], "log": [{ "level", "source", "text" }],
//                 "requests": [URL], "dialogs": [TEXT] }] }
// A step that fails, or the time limit, ends the run with exit code 1 and a message
// (with the end of chromium's own log) on stderr.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// Headless, and nothing that reaches out to the network or needs a sandbox or a GPU.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--hide-scrollbars',
  '--remote-debugging-pipe',
];

// A pause that does not keep node running by itself.
function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

class Browser {
  constructor(executable, profile) {
    this.process = spawn(executable, [...FLAGS, `--user-data-dir=${profile}`, 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    });
    this.log = '';
    this.process.stderr.setEncoding('utf8');
    this.process.stderr.on('data', (chunk) => {
      this.log = (this.log + chunk).slice(-6000);
    });
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Set();
    this.buffer = '';
    const replies = this.process.stdio[4];
    replies.setEncoding('utf8');
    replies.on('data', (chunk) => {
      this.buffer += chunk;
      let end;
      while ((end = this.buffer.indexOf('\0')) >= 0) {
        const message = JSON.parse(this.buffer.slice(0, end));
        this.buffer = this.buffer.slice(end + 1);
        this.receive(message);
      }
    });
    this.exited = new Promise((resolve) => {
      this.process.on('exit', (code, signal) => {
        for (const { reject, method } of this.pending.values()) {
          reject(new Error(`chromium exited (${code ?? signal}) before answering ${method}`));
        }
        this.pending.clear();
        resolve();
      });
    });
    this.process.on('error', (error) => {
      for (const { reject } of this.pending.values()) {
        reject(error);
      }
      this.pending.clear();
    });
  }

  receive(message) {
    if (message.id !== undefined) {
      const call = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (!call) {
        return;
      }
      if (message.error) {
        call.reject(new Error(`${call.method}: ${message.error.message}`));
      } else {
        call.resolve(message.result);
      }
    } else {
      for (const listener of this.listeners) {
        listener(message);
      }
    }
  }

  send(method, params = {}, sessionId = undefined) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.process.stdio[3].write(JSON.stringify({ id, method, params, sessionId }) + '\0');
    });
  }

  // The next event `method` of the session.
  next(method, sessionId) {
    return new Promise((resolve) => {
      const listener = (message) => {
        if (message.method === method && message.sessionId === sessionId) {
          this.listeners.delete(listener);
          resolve(message.params);
        }
      };
      this.listeners.add(listener);
    });
  }

  async close() {
    await Promise.race([this.send('Browser.close').catch(() => {}), delay(3000)]);
    const exited = await Promise.race([this.exited.then(() => true), delay(5000).then(() => false)]);
    if (!exited) {
      this.process.kill('SIGKILL');
      await this.exited;
    }
    // Chromium's helpers (the crash handler) may hold the pipes open for seconds after
    // the browser has gone; nothing more is read from them.
    for (const stream of this.process.stdio) {
      stream?.destroy();
    }
  }
}

// An expression that runs `body` with the element `selector` as `element`, failing when
// there is none.
function withElement(selector, body) {
  return `(() => {
    const element = document.querySelector(${JSON.stringify(selector)});
    if (!element) throw new Error('no element matches ' + ${JSON.stringify(selector)});
    ${body}
  })()`;
}

async function visit(browser, plan, page) {
  const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await browser.send('Target.attachToTarget', { targetId, flatten: true });
  const call = (method, params) => browser.send(method, params, sessionId);
  const seen = { url: page.url, results: [], exceptions: [], console: [], log: [], requests: [], dialogs: [] };
  const listener = (message) => {
    if (message.sessionId !== sessionId) {
      return;
    }
    const params = message.params;
    switch (message.method) {
      case 'Runtime.exceptionThrown':
        seen.exceptions.push(params.exceptionDetails.exception?.description ?? params.exceptionDetails.text);
        break;
      case 'Runtime.consoleAPICalled':
        seen.console.push({
          level: params.type,
          text: params.args.map((arg) => arg.value ?? arg.description ?? '').join(' '),
        });
        break;
      case 'Log.entryAdded':
        seen.log.push({ level: params.entry.level, source: params.entry.source, text: params.entry.text });
        break;
      case 'Network.requestWillBeSent':
        seen.requests.push(params.request.url);
        break;
      case 'Page.javascriptDialogOpening':
        seen.dialogs.push(params.message);
        call('Page.handleJavaScriptDialog', { accept: false }).catch(() => {});
        break;
    }
  };
  browser.listeners.add(listener);
  await call('Page.enable');
  await call('Runtime.enable');
  await call('Log.enable');
  await call('Network.enable');
  await call('Emulation.setDeviceMetricsOverride', {
    width: plan.width ?? 1280,
    height: plan.height ?? 900,
    deviceScaleFactor: 1,
    mobile: false,
  });
  const loaded = browser.next('Page.loadEventFired', sessionId);
  const navigation = await call('Page.navigate', { url: page.url });
  if (navigation.errorText) {
    throw new Error(`${page.url}: ${navigation.errorText}`);
  }
  await loaded;

  const evaluate = async (expression) => {
    const reply = await call('Runtime.evaluate', { expression, returnByValue: true, awaitPromise: true });
    if (reply.exceptionDetails) {
      const details = reply.exceptionDetails;
      throw new Error(details.exception?.description ?? details.text);
    }
    return reply.result.value ?? null;
  };

  for (const [index, step] of page.steps.entries()) {
    try {
      seen.results.push(await run(step, evaluate, call, plan));
    } catch (error) {
      throw new Error(`${page.url}, step ${index} ${JSON.stringify(step)}: ${error.message}`);
    }
  }
  browser.listeners.delete(listener);
  await browser.send('Target.closeTarget', { targetId });
  return seen;
}

async function run(step, evaluate, call, plan) {
  if ('eval' in step) {
    return evaluate(step.eval);
  }
  if ('select' in step) {
    const value = JSON.stringify(step.value);
    await evaluate(withElement(step.select, `
      element.focus();
      element.value = ${value};
      if (element.value !== ${value}) throw new Error('no option ' + ${value});
      element.dispatchEvent(new Event('input', { bubbles: true }));
      element.dispatchEvent(new Event('change', { bubbles: true }));`));
    return null;
  }
  if ('type' in step) {
    await evaluate(withElement(step.type, 'element.focus(); element.select?.();'));
    await call('Input.insertText', { text: step.text });
    return null;
  }
  if ('click' in step) {
    const { x, y } = await evaluate(withElement(step.click, `
      element.scrollIntoView({ block: 'center' });
      const box = element.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) throw new Error('the element is not shown');
      return { x: box.left + box.width / 2, y: box.top + box.height / 2 };`));
    for (const type of ['mouseMoved', 'mousePressed', 'mouseReleased']) {
      await call('Input.dispatchMouseEvent', { type, x, y, button: 'left', clickCount: 1 });
    }
    return null;
  }
  if ('screenshot' in step) {
    const width = plan.width ?? 1280;
    let height = plan.height ?? 900;
    if (step.full_page) {
      const metrics = await call('Page.getLayoutMetrics');
      height = Math.ceil(metrics.cssContentSize.height);
    }
    await evaluate('window.scrollTo(0, 0)');
    const { data } = await call('Page.captureScreenshot', {
      format: 'png',
      captureBeyondViewport: true,
      clip: { x: 0, y: 0, width, height, scale: 1 },
    });
    mkdirSync(dirname(step.screenshot), { recursive: true });
    writeFileSync(step.screenshot, Buffer.from(data, 'base64'));
    return { path: step.screenshot, width, height };
  }
  throw new Error('unknown step');
}

async function main() {
  const plan = JSON.parse(readFileSync(0, 'utf8'));
  const profile = mkdtempSync(join(tmpdir(), 'iamscan-chromium-'));
  const browser = new Browser(plan.chromium, profile);
  const timeout = setTimeout(() => {
    console.error(`timed out after ${plan.timeout_ms} ms; chromium's log ends:\n${browser.log}`);
    browser.process.kill('SIGKILL');
    rmSync(profile, { recursive: true, force: true });
    process.exit(1);
  }, plan.timeout_ms ?? 60000);
  try {
    const pages = [];
    for (const page of plan.pages) {
      pages.push(await visit(browser, plan, page));
    }
    process.stdout.write(JSON.stringify({ pages }) + '\n');
  } catch (error) {
    console.error(`${error.message}\nchromium's log ends:\n${browser.log}`);
    process.exitCode = 1;
  } finally {
    await browser.close();
    clearTimeout(timeout);
    rmSync(profile, { recursive: true, force: true });
  }
}

await main();
