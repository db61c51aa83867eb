// Checks a credential against its upstream with the cheapest real call each API offers: the
// model list. Used by /api/providers/:id/test, /:id/models, /validate and node validation.
import { asGatewayError } from "../errors.ts";
import { authHeaders, sendUpstream, upstreamBase } from "../providers/executor.ts";
import type { ModelType, ProviderRuntime } from "../providers/types.ts";
import type { ConnectionRuntime } from "../store/config-store.ts";

/** A model list answers in well under a second; 15 s means the upstream is not answering. */
const PROBE_TIMEOUT_MS = 15_000;

export interface Diagnosis {
  /** OmniRoute's values: ok, auth_missing, upstream_auth_error, upstream_rate_limited, upstream_unavailable, upstream_error, network_error. */
  type: string;
  source: "upstream" | "local";
  message: string | null;
  code: string | null;
}

export interface ProbeResult {
  valid: boolean;
  error: string | null;
  statusCode: number | null;
  latencyMs: number;
  diagnosis: Diagnosis;
  /** The parsed JSON body of the answer (null when not JSON or no answer). */
  body: unknown;
}

export interface UpstreamModel {
  id: string;
  name?: string;
  owned_by: string;
  type?: ModelType;
}

/** Where each format lists its models. Anthropic and Gemini page their lists; ask for the largest page. */
export function modelsRequest(provider: ProviderRuntime, conn: ConnectionRuntime | null): { url: string; headers: Record<string, string> } {
  const base = upstreamBase(provider, conn);
  const path =
    provider.modelsPath ??
    { openai: "/models", "openai-responses": "/models", anthropic: "/models?limit=1000", gemini: "/models?pageSize=1000", ollama: "/api/tags" }[provider.format];
  return { url: base + path, headers: { accept: "application/json", ...authHeaders(provider, conn) } };
}

/** A local reason not to call the upstream at all (OmniRoute's "Missing API key"), else null. */
export function localProblem(provider: ProviderRuntime, conn: ConnectionRuntime | null, undecryptable = false): ProbeResult | null {
  let message: string | null = null;
  if (undecryptable) message = "Stored API key cannot be decrypted (was the secret key changed?)";
  else if (!conn?.apiKey && provider.auth !== "none" && provider.kind !== "node") message = "Missing API key";
  if (!message) return null;
  return {
    valid: false,
    error: message,
    statusCode: null,
    latencyMs: 0,
    diagnosis: { type: "auth_missing", source: "local", message, code: null },
    body: null,
  };
}

/** `proxy`: the upstream proxy in force for the provider (PUT /api/settings/proxy), so a test goes the way requests go. */
export async function probeModels(provider: ProviderRuntime, conn: ConnectionRuntime | null, proxy?: string): Promise<ProbeResult> {
  const { url, headers } = modelsRequest(provider, conn);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const upstream = await sendUpstream({ url, method: "GET", headers, timeoutMs: PROBE_TIMEOUT_MS, proxy });
    let body: unknown = null;
    try {
      body = JSON.parse(await upstream.response.text());
    } catch {
      // Not JSON (an HTML error page, a proxy's text): the status alone decides.
    } finally {
      upstream.clearTimeout();
    }
    return classify(upstream.response.status, body, elapsed());
  } catch (err) {
    const e = asGatewayError(err);
    return {
      valid: false,
      error: e.message,
      statusCode: null,
      latencyMs: elapsed(),
      diagnosis: { type: "network_error", source: "upstream", message: e.message, code: e.code },
      body: null,
    };
  }
}

function classify(status: number, body: unknown, latencyMs: number): ProbeResult {
  if (status >= 200 && status < 300) {
    return { valid: true, error: null, statusCode: status, latencyMs, diagnosis: { type: "ok", source: "upstream", message: null, code: null }, body };
  }
  const [type, error] =
    status === 401 || status === 403
      ? ["upstream_auth_error", status === 401 ? "Invalid API key" : "Access denied (403)"]
      : status === 429
        ? ["upstream_rate_limited", "Rate limited by upstream (429)"]
        : status >= 500
          ? ["upstream_unavailable", `Upstream unavailable (${status})`]
          : ["upstream_error", `Unexpected response (${status})`];
  const info = upstreamErrorInfo(body);
  return {
    valid: false,
    error,
    statusCode: status,
    latencyMs,
    diagnosis: { type, source: "upstream", message: info.message ?? error, code: info.code ?? String(status) },
    body,
  };
}

/**
 * The message and code inside an upstream error body: OpenAI {error:{message,code,type}},
 * Anthropic {type:"error",error:{type,message}}, Gemini {error:{code,message,status}}, Ollama {error:"..."}.
 */
export function upstreamErrorInfo(body: unknown): { message: string | null; code: string | null } {
  const err = isRecord(body) ? body.error : undefined;
  if (typeof err === "string") return { message: err, code: null };
  if (!isRecord(err)) return { message: null, code: null };
  const str = (v: unknown) => (typeof v === "string" && v ? v : null);
  return { message: str(err.message), code: str(err.code) ?? str(err.status) ?? str(err.type) };
}

/**
 * The models in a list answer: OpenAI and Anthropic `data[].id`, Gemini `models[].name`
 * ("models/<id>"), Ollama `models[].name`. Null when the body has no list at all.
 */
export function modelsFromBody(
  provider: ProviderRuntime,
  body: unknown,
  knownTypes: Map<string, ModelType>,
): UpstreamModel[] | null {
  const list = Array.isArray(body) ? body : isRecord(body) ? (body.data ?? body.models) : undefined;
  if (!Array.isArray(list)) return null;
  const out: UpstreamModel[] = [];
  for (const item of list) {
    if (!isRecord(item)) continue;
    const raw = typeof item.id === "string" ? item.id : typeof item.name === "string" ? item.name : null;
    if (!raw) continue;
    const id = provider.format === "gemini" ? raw.replace(/^models\//, "") : raw;
    const display = item.display_name ?? item.displayName;
    out.push({
      id,
      name: typeof display === "string" ? display : undefined,
      owned_by: typeof item.owned_by === "string" ? item.owned_by : provider.id,
      type: knownTypes.get(id) ?? geminiType(item),
    });
  }
  return out;
}

/** Gemini says what a model can do; one that only embeds is an embedding model. */
function geminiType(item: Record<string, unknown>): ModelType | undefined {
  const methods = item.supportedGenerationMethods;
  if (!Array.isArray(methods)) return undefined;
  if (methods.includes("generateContent")) return "chat";
  return methods.includes("embedContent") ? "embedding" : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
