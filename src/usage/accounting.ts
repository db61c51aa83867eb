// Everything that happens when a gateway request finishes, in one place: its cost is priced,
// the key's budget settled, telemetry, metrics and sessions updated, and the rows handed to
// the batched sink. All in memory and O(1) per request; the disk sees only the batch writes.
// Also owns the retention job that prunes old usage.
import type { Db } from "../db/client.ts";
import type { Settings } from "../settings.ts";
import { BodyCapture } from "./bodies.ts";
import { BudgetTracker, type AdmissionEstimate } from "./budget.ts";
import { estimateOutputTokens } from "./estimate.ts";
import { GatewayMetrics } from "./metrics.ts";
import { costOf, PriceBook } from "./pricing.ts";
import type { SqliteUsageSink, UsageEntry } from "./recorder.ts";
import { pruneAuditLog } from "./audit-log.ts";
import { DAY_MS, isErrorStatus, pruneUsage, rebuildRollupIfEmpty, type PruneResult } from "./rollup.ts";
import { SessionTracker, type LiveRecord } from "./sessions.ts";
import { Telemetry } from "./telemetry.ts";
import type { TokenUsage } from "./tokens.ts";

/** Hourly aggregates outlive per-request rows: history and budgets need at least a month. */
const MIN_ROLLUP_RETENTION_DAYS = 400;
const PRUNE_EVERY_MS = 60 * 60_000;

export interface RetentionResult extends PruneResult {
  /** Audit log entries deleted (auditRetentionDays). */
  audit: number;
}

/** What RequestRecord knows beyond the rows, for pricing a request that reported no usage. */
export interface FinishContext {
  usage: TokenUsage;
  /** An upstream answered 2xx, so the request may have been billed even without usage. */
  reachedUpstream: boolean;
  streamChunks: number;
  estimateInputTokens?: () => number;
  /** What begin() returned for this request. */
  session: number;
  /** What admit() returned for this request, if it held a budget reservation. */
  budget?: number;
}

export class UsageAccounting {
  readonly pricing: PriceBook;
  readonly budgets: BudgetTracker;
  readonly telemetry = new Telemetry();
  readonly sessions = new SessionTracker();
  readonly metrics = new GatewayMetrics();
  readonly bodies: BodyCapture;
  private pruneTimer: ReturnType<typeof setInterval> | null = null;
  private firstPrune: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly db: Db,
    private readonly sink: SqliteUsageSink,
    private readonly settings: () => Settings,
  ) {
    rebuildRollupIfEmpty(db.$client);
    this.pricing = new PriceBook(db);
    this.budgets = new BudgetTracker(db, this.pricing, () => sink.pending());
    this.bodies = new BodyCapture(settings, (entry) => sink.record(entry));
  }

  /** State read from the database, again (after a backup restore swapped the file). */
  reload(): void {
    rebuildRollupIfEmpty(this.db.$client);
    this.pricing.reload();
    this.budgets.load();
  }

  /** A gateway request started (sessions list it until it finishes); the number goes back in record()'s context. */
  begin(rec: LiveRecord, client: { userAgent: string | null; clientIp: string | null }): number {
    return this.sessions.begin(rec, client);
  }

  /** Budget admission for a request about to be routed; throws the 429 (see budget.ts). */
  admit(requestId: string, keyId: string | null, estimate: () => AdmissionEstimate): number | undefined {
    return this.budgets.admit(requestId, keyId, estimate);
  }

  /** A gateway request finished: price it, account it everywhere, queue its rows. */
  record(row: UsageEntry, ctx: FinishContext): void {
    if (!this.settings().usageRecording) {
      // Only what must not leak: the in-flight entry and the budget reservation.
      this.sessions.end(ctx.session, row);
      this.budgets.settle(row.requestId, row.apiKeyId ?? null, null, row.timestamp, ctx.budget);
      // Traffic all the same: no idle-time collection in the middle of it.
      this.sink.markActive();
      return;
    }
    const { costUsd, estimated } = this.price(row.provider ?? null, row.model ?? null, ctx);
    row.costUsd = costUsd;
    row.costEstimated = estimated;
    this.budgets.settle(row.requestId, row.apiKeyId ?? null, costUsd, row.timestamp, ctx.budget);
    if (row.provider) this.telemetry.record(row.provider, row.latencyMs, row.stream ? (row.ttfbMs ?? null) : null, isErrorStatus(row.status));
    this.metrics.observe(row);
    this.sessions.end(ctx.session, row);
    this.bodies.submit(row);
  }

  /**
   * The request's cost. Reported usage is priced as is; with none, and an upstream that did
   * answer, input is estimated from the request and output from the chunks streamed — and
   * the cost is marked estimated. Null when the model has no price.
   */
  price(provider: string | null, model: string | null, ctx: FinishContext): { costUsd: number | null; estimated: boolean } {
    if (!provider || !model) return { costUsd: null, estimated: false };
    const resolved = this.pricing.resolve(provider, model);
    if (!resolved) return { costUsd: null, estimated: false };
    const u = ctx.usage;
    const reported = u.promptTokens !== null || u.completionTokens !== null || u.totalTokens !== null;
    if (!reported) {
      if (!ctx.reachedUpstream) return { costUsd: 0, estimated: false };
      const estimate: TokenUsage = {
        promptTokens: ctx.estimateInputTokens?.() ?? 0,
        completionTokens: estimateOutputTokens(ctx.streamChunks),
        totalTokens: null,
        cachedTokens: null,
        reasoningTokens: null,
      };
      return { costUsd: costOf(estimate, resolved.price), estimated: true };
    }
    // Anthropic reports input at the start of a stream and output at its end: a stream cut in
    // between has half its usage.
    if (u.completionTokens === null && u.totalTokens === null && ctx.streamChunks > 0) {
      return { costUsd: costOf({ ...u, completionTokens: estimateOutputTokens(ctx.streamChunks) }, resolved.price), estimated: true };
    }
    return { costUsd: costOf(u, resolved.price), estimated: false };
  }

  /** Deletes usage and audit entries older than their retention settings (0 keeps everything). */
  async prune(now = Date.now()): Promise<RetentionResult> {
    const { usageRetentionDays: days, auditRetentionDays: auditDays } = this.settings();
    const out: RetentionResult = { usage: 0, hourly: 0, hourlyTotals: 0, audit: 0 };
    if (days > 0) {
      // No flush first: queued rows are seconds old, never past a cutoff counted in days, and
      // waiting for the writer thread under load held the event loop for tens of ms.
      const rawCutoff = now - days * DAY_MS;
      const rollupCutoff = now - Math.max(days, MIN_ROLLUP_RETENTION_DAYS) * DAY_MS;
      Object.assign(out, await pruneUsage(this.db.$client, rawCutoff, rollupCutoff));
    }
    if (auditDays > 0) out.audit = await pruneAuditLog(this.db.$client, now - auditDays * DAY_MS);
    return out;
  }

  /** Prunes now (off the startup path) and then every hour. */
  startRetention(): void {
    if (this.pruneTimer) return;
    const run = () => {
      this.prune().catch((err) => console.error(`[usage] pruning failed: ${(err as Error).message}`));
    };
    this.firstPrune = setTimeout(run, 5_000);
    (this.firstPrune as { unref?: () => void }).unref?.();
    this.pruneTimer = setInterval(run, PRUNE_EVERY_MS);
    (this.pruneTimer as { unref?: () => void }).unref?.();
  }

  close(): void {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    if (this.firstPrune) clearTimeout(this.firstPrune);
    this.pruneTimer = this.firstPrune = null;
    this.bodies.drain();
  }
}
