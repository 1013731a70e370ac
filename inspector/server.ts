/**
 * The inspector's web server: 127.0.0.1 only, every asset from the package (inspector/public), the
 * session as JSON (GET /api/session) and, while a live run goes on, batches of frames over a WebSocket
 * (/ws). With `stately`, a relay for @statelyai/inspect on the same port: the Node inspector connects to
 * /stately-ws and the bridge page /stately forwards its events to Stately's hosted inspector (the only
 * thing that needs the network).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { WebSocket, WebSocketServer } from 'ws';
import { InputError } from '../util/errors';
import type { Have, Session } from './session';
import { RELAY_MAX_MESSAGE_BYTES, RelayLog } from './stately';

export const HOST = '127.0.0.1';

/** Where the page's files are: beside this module when copied into dist, else in the package's inspector/public. */
export function assetDir(): string {
  const candidates = [join(__dirname, 'public'), join(__dirname, '..', '..', 'inspector', 'public'), join(__dirname, '..', 'inspector', 'public')];
  const dir = candidates.find((d) => existsSync(join(d, 'index.html')));
  if (!dir) throw new InputError(`inspector: page assets not found (looked in ${candidates.join(', ')})`);
  return dir;
}

const assets: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/** The bridge page for Stately's hosted inspector (needs the network: it loads https://stately.ai/inspect). */
const statelyBridge = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>hypsim → Stately inspector</title>
<style>html,body{height:100%;margin:0}iframe{width:100%;height:100%;border:0}</style></head>
<body><iframe id="inspector" src="https://stately.ai/inspect"></iframe>
<script>
  const iframe = document.getElementById('inspector');
  const buffer = [];
  let connected = false;
  window.addEventListener('message', (e) => {
    if (e.data && e.data.type === '@statelyai.connected') {
      connected = true;
      for (const ev of buffer) iframe.contentWindow.postMessage(ev, '*');
      buffer.length = 0;
    }
  });
  const ws = new WebSocket('ws://' + location.host + '/stately-ws');
  ws.onmessage = (m) => {
    const data = JSON.parse(m.data);
    if (connected) iframe.contentWindow.postMessage(data, '*');
    else buffer.push(data);
  };
</script></body></html>`;

export interface InspectorServer {
  readonly url: string;
  readonly port: number;
  /** With `stately`: the bridge page and the WebSocket the Node inspector sends to. */
  readonly stately?: { readonly page: string; readonly ws: string; readonly connected: Promise<void> };
  close(): Promise<void>;
}

export interface ServeOptions {
  /** 0 (default): any free port. */
  port?: number;
  stately?: boolean;
}

export async function serveInspector(session: Session, opts: ServeOptions = {}): Promise<InspectorServer> {
  const dir = assetDir();
  let port = opts.port ?? 0;
  const okHost = (h: string | undefined) => h === `${HOST}:${port}` || h === `localhost:${port}`;
  const okOrigin = (o: string | undefined) => o === undefined || o === `http://${HOST}:${port}` || o === `http://localhost:${port}`;

  const send = (res: ServerResponse, code: number, type: string, body: string | Buffer) => {
    res.writeHead(code, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    res.end(body);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // A page on another site cannot read this one through a DNS name that resolves to 127.0.0.1.
    if (!okHost(req.headers.host)) return send(res, 403, 'text/plain', 'forbidden host\n');
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed\n');
    const a = assets[path];
    if (a) return send(res, 200, a.type, readFileSync(join(dir, a.file)));
    if (path === '/favicon.ico') return send(res, 204, 'image/x-icon', '');
    if (path === '/api/session') return send(res, 200, 'application/json', JSON.stringify(session.data()));
    if (path === '/stately' && opts.stately) return send(res, 200, 'text/html; charset=utf-8', statelyBridge);
    send(res, 404, 'text/plain', 'not found\n');
  });

  const pages = new WebSocketServer({ noServer: true });
  const relay = new WebSocketServer({ noServer: true, maxPayload: RELAY_MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    const path = (req.url ?? '/').split('?')[0];
    const wss = path === '/ws' ? pages : path === '/stately-ws' && opts.stately ? relay : null;
    if (!wss || !okHost(req.headers.host) || !okOrigin(req.headers.origin)) {
      socket.write('HTTP/1.1 403 Forbidden\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  pages.on('connection', (ws: WebSocket) => pageConnection(session, ws));
  const connected = serveRelay(relay);

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new InputError(`hypsim inspect: port ${port} is in use (--port 0 picks a free one)`)
          : e.code === 'EACCES'
            ? new InputError(`hypsim inspect: port ${port} is not allowed`)
            : e,
      ),
    );
    server.listen(port, HOST, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://${HOST}:${port}/`;
  return {
    url,
    port,
    ...(opts.stately ? { stately: { page: `${url}stately`, ws: `ws://${HOST}:${port}/stately-ws`, connected } } : {}),
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of pages.clients) c.terminate();
        for (const c of relay.clients) c.terminate();
        pages.close();
        relay.close();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Pages: say what you have ({"type":"hello","have":{…}}), get what you miss now and as it comes. */
function pageConnection(session: Session, ws: WebSocket): void {
  let have: Have | null = null;
  const push = () => {
    if (!have || ws.readyState !== WebSocket.OPEN) return;
    const b = session.since(have);
    if (!b.frames.length && !b.done) return;
    have = {
      frames: have.frames + b.frames.length,
      states: have.states + b.states.length,
      views: have.views + b.views.length,
      mems: have.mems + b.mems.length,
    };
    ws.send(JSON.stringify(b));
  };
  const off = session.subscribe(push);
  ws.on('message', (data) => {
    try {
      const m = JSON.parse(String(data)) as { type?: string; have?: Have };
      if (m.type === 'hello' && m.have) {
        have = { frames: m.have.frames | 0, states: m.have.states | 0, views: m.have.views | 0, mems: m.have.mems | 0 };
        push();
      }
    } catch {
      /* not ours: ignore */
    }
  });
  ws.on('close', off);
}

/** The Stately relay: whatever a client sends goes to every other client, and (within a byte budget) to later ones. Resolves at the first client. */
function serveRelay(relay: WebSocketServer): Promise<void> {
  const buffered = new RelayLog();
  let firstClient: () => void = () => {};
  const connected = new Promise<void>((r) => {
    firstClient = r;
  });
  relay.on('connection', (ws: WebSocket) => {
    firstClient();
    for (const m of buffered.messages()) ws.send(m);
    ws.on('message', (data) => {
      const m = String(data);
      buffered.add(m);
      for (const c of relay.clients) if (c !== ws && c.readyState === WebSocket.OPEN) c.send(m);
    });
  });
  return connected;
}
