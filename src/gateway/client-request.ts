// The common path of every client-facing endpoint: authenticate, read the body into the
// canonical form, resolve the model, pick a connection, then either pass the request
// through (same wire format on both sides) or translate it.
import { asGatewayError } from "../errors.ts";
import type { CanonicalRequest } from "../formats/canonical.ts";
import type { ClientFormat, ClientStreamContext } from "../formats/types.ts";
import type { UpstreamFormat } from "../providers/types.ts";
import { pickConnection } from "../routing/connections.ts";
import type { Services } from "../services.ts";
import type { ConnectionRuntime } from "../store/config-store.ts";
import { authenticate } from "./auth.ts";
import { readJsonBody } from "./body.ts";
import { clientErrorResponse } from "./client-errors.ts";
import { RequestRecord } from "./request-record.ts";
import { resolveModel, type Target } from "./resolve.ts";
import { translateRequest } from "./translate.ts";
import { GatewayError } from "../errors.ts";

export interface PassthroughContext {
  client: ClientFormat;
  request: Request;
  url: URL;
  services: Services;
  rec: RequestRecord;
  body: Record<string, unknown>;
  /** The canonical form, built only if something asks for it (a pass-through rarely does). */
  canonical(): CanonicalRequest;
  streamCtx: ClientStreamContext;
  target: Target;
  conn: ConnectionRuntime;
}

export interface ClientEndpoint {
  client: ClientFormat;
  /** Recorded in usage rows. */
  endpoint: string;
  /** The upstream format this client speaks natively (pass-through when the target matches). */
  nativeFormat: UpstreamFormat | null;
  read(body: Record<string, unknown>, url: URL): { canonical: CanonicalRequest; streamCtx: ClientStreamContext };
  /**
   * What routing needs (model, streaming) without the full translation to canonical form, so
   * a same-format pass-through neither pays for nor is refused by the translator's checks.
   */
  peek?(body: Record<string, unknown>, url: URL): { model: string; stream: boolean; streamCtx: ClientStreamContext };
  passthrough?: (ctx: PassthroughContext) => Promise<Response>;
}

export async function handleClientRequest(request: Request, services: Services, ep: ClientEndpoint): Promise<Response> {
  const rec = new RequestRecord(services, request, ep.endpoint, ep.client.id);
  try {
    const url = new URL(request.url);
    rec.apiKeyId = authenticate(request, services)?.id ?? null;
    const body = await readJsonBody(request);
    if (!body || typeof body !== "object" || Array.isArray(body)) {
      throw new GatewayError(400, "invalid_request", "Request body must be a JSON object.");
    }
    const obj = body as Record<string, unknown>;
    let full: ReturnType<ClientEndpoint["read"]> | null = null;
    const readFull = () => (full ??= ep.read(obj, url));
    const head = ep.peek ? ep.peek(obj, url) : { model: readFull().canonical.model, stream: readFull().canonical.stream, streamCtx: readFull().streamCtx };
    rec.requestedModel = head.model;
    rec.stream = head.stream;
    const [target] = resolveModel(head.model, services.store);
    const conn = pickConnection(target!.provider, services.store);
    rec.provider = target!.provider.id;
    rec.model = target!.model;
    rec.connectionId = conn.id || null;
    if (ep.passthrough && target!.provider.format === ep.nativeFormat) {
      const canonical = () => readFull().canonical;
      return await ep.passthrough({ client: ep.client, request, url, services, rec, body: obj, canonical, streamCtx: head.streamCtx, target: target!, conn });
    }
    const { canonical, streamCtx } = readFull();
    return await translateRequest({ request, services, client: ep.client, rec, canonical, streamCtx, target: target!, conn });
  } catch (err) {
    const e = asGatewayError(err);
    rec.finish(e.status, { errorCode: e.code, error: e.message });
    return clientErrorResponse(ep.client, e);
  }
}
