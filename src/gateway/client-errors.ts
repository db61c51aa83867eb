// Renders a GatewayError for a client in its own wire format and with a status its SDK
// understands.
import type { GatewayError } from "../errors.ts";
import type { ClientFormat } from "../formats/types.ts";

/**
 * 529 is Anthropic's "overloaded"; other SDKs do not know it (the OpenAI SDK would treat it
 * as a generic error without retry), so everyone else gets 503 Service Unavailable.
 */
export function statusForClient(clientId: ClientFormat["id"], status: number): number {
  if (status === 529 && clientId !== "anthropic") return 503;
  return status;
}

export function clientErrorResponse(client: ClientFormat, err: GatewayError): Response {
  const headers: Record<string, string> = { "content-type": "application/json", ...err.details.headers };
  if (err.details.retryAfter) headers["retry-after"] = err.details.retryAfter;
  return new Response(JSON.stringify(client.errorBody(err)), { status: statusForClient(client.id, err.status), headers });
}
