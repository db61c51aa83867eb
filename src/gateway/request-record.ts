// What the gateway learns about one request as it runs, turned into its usage row (with the
// request-log detail) at the end. Nothing here touches the disk: rows go to the batched sink.
import { clientOf } from "../server.ts";
import type { Services } from "../services.ts";
import { NO_USAGE, type TokenUsage } from "../usage/tokens.ts";
import type { ResponseCapture } from "../features/cache/capture.ts";

export interface Attempt {
  provider: string;
  model: string;
  connectionId: string | null;
  status: number;
  error?: string;
  latencyMs: number;
  /** Why routing moved on from it (failure-classifier kinds, or cooling / circuit_open / unhealthy). */
  reason?: string;
  /** Not called: the connection or target could not serve at that moment. */
  skipped?: boolean;
  /** What a non-token API delivered (images generated, seconds of audio transcribed), when known. */
  units?: { images?: number; audioSeconds?: number };
}

export class RequestRecord {
  // UUIDv7: time-ordered, and its first 48 bits are the start time, which the request-log lookup by id uses (src/usage/request-logs.ts).
  readonly requestId = Bun.randomUUIDv7();
  readonly startedAt = performance.now();
  readonly timestamp = Date.now();
  apiKeyId: string | null = null;
  requestedModel: string | null = null;
  stream = false;
  provider: string | null = null;
  model: string | null = null;
  connectionId: string | null = null;
  ttfbMs: number | null = null;
  attempts: Attempt[] = [];
  /** Upstream chunks relayed to the client so far (sessions' tokens so far; cost estimates). */
  streamChunks = 0;
  /** Set when request bodies are logged (src/usage/bodies.ts): redacted, truncated. */
  requestBody: string | null = null;
  /** Input tokens estimated from the request, for a cost when the upstream reports no usage. */
  estimateInputTokens?: () => number;
  /** The key's budget reservation (UsageAccounting.admit), settled when the request finishes. */
  budgetSlot: number | undefined = undefined;
  /** Set when the answer is to be stored in the response cache: the answer paths hand it what they parse. */
  capture: ResponseCapture | null = null;
  private readonly userAgent: string | null;
  private readonly clientIp: string | null;
  /** This request's entry in the sessions list (UsageAccounting.begin). */
  private readonly session: number;
  private done = false;
  private finishHooks: ((status: number) => void)[] = [];

  constructor(
    private readonly services: Services,
    private readonly request: Request,
    readonly endpoint: string,
    readonly clientFormat: string,
    /** From the hot routes (src/server.ts); otherwise looked up. */
    clientIp?: string,
  ) {
    this.userAgent = request.headers.get("user-agent");
    this.clientIp = clientIp ?? clientOf(request) ?? null;
    this.session = services.accounting.begin(this, { userAgent: this.userAgent, clientIp: this.clientIp });
  }

  elapsed(): number {
    return Math.round(performance.now() - this.startedAt);
  }

  markFirstByte(): void {
    this.ttfbMs ??= this.elapsed();
  }

  /** Runs once when the request ends, whichever way (e.g. to free a concurrent-stream slot). */
  onFinish(hook: (status: number) => void): void {
    if (this.done) hook(0);
    else this.finishHooks.push(hook);
  }

  /** Enqueue the row; later calls are ignored so every request is counted once. */
  finish(status: number, opts: { usage?: TokenUsage; finishReason?: string | null; errorCode?: string; error?: string } = {}): void {
    if (this.done) return;
    this.done = true;
    if (this.finishHooks.length > 0) for (const hook of this.finishHooks.splice(0)) hook(status);
    const usage = opts.usage ?? NO_USAGE;
    const latencyMs = this.elapsed();
    // Priced, accounted (budget, telemetry, metrics, sessions) and queued for the batched write.
    this.services.accounting.record({
      requestId: this.requestId,
      timestamp: this.timestamp,
      endpoint: this.endpoint,
      clientFormat: this.clientFormat,
      provider: this.provider,
      model: this.model,
      requestedModel: this.requestedModel,
      connectionId: this.connectionId || null,
      apiKeyId: this.apiKeyId,
      status,
      stream: this.stream,
      latencyMs,
      ttfbMs: this.ttfbMs,
      promptTokens: usage.promptTokens,
      completionTokens: usage.completionTokens,
      totalTokens: usage.totalTokens,
      cachedTokens: usage.cachedTokens,
      reasoningTokens: usage.reasoningTokens,
      finishReason: opts.finishReason ?? null,
      errorCode: opts.errorCode ?? null,
      method: this.request.method,
      attempts: this.attempts,
      error: opts.error ?? null,
      userAgent: this.userAgent,
      clientIp: this.clientIp,
      requestBody: this.requestBody,
    }, {
      usage,
      reachedUpstream: answeredOnce(this.attempts),
      streamChunks: this.streamChunks,
      estimateInputTokens: this.estimateInputTokens,
      session: this.session,
      budget: this.budgetSlot,
    });
  }
}

/** An upstream answered 2xx (a plain loop: this runs for every request). */
function answeredOnce(attempts: readonly Attempt[]): boolean {
  for (const a of attempts) if (a.status >= 200 && a.status < 300) return true;
  return false;
}
