// GET /api/telemetry/summary: latency p50/p95/p99 and request count per provider over a
// sliding window (default the last 15 minutes, at most 60), plus time to first token for
// streams — from streaming histograms (src/usage/histogram.ts), so no sample is ever sorted.
import { Elysia } from "elysia";
import { z } from "zod";
import type { Services } from "../services.ts";
import { TELEMETRY_SLOT_MS, TELEMETRY_SLOTS } from "../usage/telemetry.ts";
import { parseWith } from "./http.ts";

const maxMinutes = (TELEMETRY_SLOT_MS * TELEMETRY_SLOTS) / 60_000;
const SummaryQuery = z.object({ window: z.coerce.number().int().min(1).max(maxMinutes).default(15) });

export function telemetryRoutes(services: Services) {
  return new Elysia({ name: "admin-telemetry" }).get("/api/telemetry/summary", ({ query }) => {
    const { window } = parseWith(SummaryQuery, query);
    return {
      windowMinutes: window,
      generatedAt: new Date().toISOString(),
      providers: services.accounting.telemetry.summary(window * 60_000),
    };
  });
}
