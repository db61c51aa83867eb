// Binds the app to a socket. Bun.serve directly (not app.listen) so the server options
// that matter for an LLM gateway are explicit.
import type { createApp } from "./app.ts";
import { hotRoutes } from "./gateway/routes.ts";
import type { Services } from "./services.ts";
import { clientAddress, compileFilter, ipGate } from "./features/ip-filter.ts";

const peerAddress = new WeakMap<Request, string>();
/** Set only when a trusted proxy forwarded the request for someone else. */
const forwardedClient = new WeakMap<Request, string>();

/** The TCP peer of a request served by serve(); undefined for in-process app.handle calls. */
export function peerOf(request: Request): string | undefined {
  return peerAddress.get(request);
}

/**
 * Who made the request, as usage rows and the audit log record it: the client a trusted proxy
 * (the IP filter's trustedProxies) forwarded it for, else the TCP peer.
 */
export function clientOf(request: Request): string | undefined {
  return forwardedClient.get(request) ?? peerAddress.get(request);
}

/** An in-process call made on behalf of `from` (the dashboard) gets `from`'s peer and client. */
export function inheritPeer(request: Request, from: Request): void {
  const peer = peerAddress.get(from);
  if (peer !== undefined) peerAddress.set(request, peer);
  const client = forwardedClient.get(from);
  if (client !== undefined) forwardedClient.set(request, client);
}

export function serve(app: ReturnType<typeof createApp>, opts: { port: number; hostname: string; services?: Services }) {
  const services = opts.services;
  /** The client a trusted proxy (the IP filter's trustedProxies) forwarded the request for, if any but the peer. */
  const forwardedFor = (request: Request, peer: string): string | undefined => {
    const filter = services?.store.features.ipFilter;
    if (!filter || filter.trustedProxies.length === 0) return undefined;
    const forwarded = request.headers.get("x-forwarded-for");
    const client = forwarded ? clientAddress(peer, forwarded, compileFilter(filter).trusted) : null;
    return client && client !== peer ? client : undefined;
  };
  /** The IP filter (src/features/ip-filter.ts): a Response means refused. */
  const gate = (request: Request, peer: string | undefined): Response | null =>
    services ? ipGate(services.store.features.ipFilter, request, peer) : null;
  // Everything but the hot routes: the peer is remembered for peerOf()/clientOf().
  const remember = (request: Request, server: Bun.Server<unknown>): Response | null => {
    const peer = server.requestIP(request)?.address;
    if (peer) {
      peerAddress.set(request, peer);
      const client = forwardedFor(request, peer);
      if (client) forwardedClient.set(request, client);
    }
    return gate(request, peer);
  };
  // The chat endpoints go straight to their handlers through Bun's native router: they do
  // their own auth and error rendering, and skipping the framework's per-request machinery is
  // measurable at thousands of requests per second (docs/BENCHMARKS.md). They are handed the
  // client's address instead of it being remembered: an entry per request in a WeakMap cost
  // ~4 µs of CPU per request under load (the collector's work on weak entries).
  const routes: Record<string, { POST: (request: Request, server: Bun.Server<unknown>) => Promise<Response> }> = {};
  if (services) {
    for (const [path, handler] of Object.entries(hotRoutes(services))) {
      routes[path] = {
        POST: (request, server) => {
          const peer = server.requestIP(request)?.address;
          const refused = gate(request, peer);
          return refused ? Promise.resolve(refused) : handler(request, peer && (forwardedFor(request, peer) ?? peer));
        },
      };
    }
  }
  return Bun.serve({
    routes,
    port: opts.port,
    hostname: opts.hostname,
    // Bun closes a connection idle for 10 s by default (Elysia: 30 s); a reasoning model can
    // think longer than that before its first token. 0 = never cut a live connection.
    idleTimeout: 0,
    // Chat requests with images or long histories are large; audio uploads larger still.
    maxRequestBodySize: 64 * 1024 * 1024,
    fetch(request, server) {
      return remember(request, server) ?? app.fetch(request);
    },
  });
}
