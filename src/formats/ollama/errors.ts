// Ollama's error body is a bare string under `error` (api.StatusError: `json:"error"`), e.g.
// {"error":"model \"llama9\" not found, try pulling it first"} with the HTTP status.
// Inside a stream it is one more NDJSON line of the same shape.
import type { GatewayError } from "../../errors.ts";

export function ollamaErrorBody(err: GatewayError): { error: string } {
  return { error: err.message };
}

export function ollamaStreamErrorLine(err: GatewayError): string {
  return `${JSON.stringify(ollamaErrorBody(err))}\n`;
}
