// /api/models/availability: for each model (and combo), which providers and connections can
// serve it right now — active, not cooling down for that model, not unhealthy after an auth
// failure, breaker not open. GET lists everything routable (or one model with ?model=);
// POST {model} answers for one model string exactly as the gateway would resolve it.
import { Elysia } from "elysia";
import { z } from "zod";
import { GatewayError } from "../errors.ts";
import { listModels } from "../gateway/models.ts";
import { planRoute, type Target } from "../gateway/resolve.ts";
import { connectionStatus, usableConnections, type ConnectionStatus } from "../routing/connections.ts";
import type { Services } from "../services.ts";
import { iso, parseWith, readJson, requiredString, withoutNulls } from "./http.ts";

const AvailabilityQuery = z.object({ model: requiredString("Model is required").max(500) });

function statusView(s: ConnectionStatus) {
  switch (s.status) {
    case "cooling":
      return { status: s.status, until: iso(s.until), reason: s.reason };
    case "unhealthy":
      return { status: s.status, since: iso(s.since), reason: s.reason };
    case "circuit_open":
      return withoutNulls({ status: s.status, scope: s.scope, until: iso(s.until) });
    default:
      return { status: s.status };
  }
}

export function availabilityRoutes(services: Services) {
  const { store, routing } = services;

  function targetView(target: Target) {
    const connections = usableConnections(target.provider, store).map((conn) => ({
      id: conn.id || null,
      name: conn.name,
      ...statusView(connectionStatus(routing, target.provider, conn, target.model)),
    }));
    return {
      model: `${store.publicPrefix(target.provider.id)}/${target.model}`,
      provider: target.provider.id,
      available: connections.some((c) => c.status === "available"),
      connections,
    };
  }

  /** One model string as the gateway resolves it (a combo gives its targets in listed order). */
  function availabilityOf(model: string) {
    let plan;
    try {
      plan = planRoute(model, store);
    } catch (err) {
      if (err instanceof GatewayError && err.code === "model_not_found") throw new GatewayError(404, "not_found", `Model "${model}" is not routable`);
      throw err;
    }
    const targets = plan.targets.map(targetView);
    return withoutNulls({
      model,
      combo: plan.combo ? true : null,
      available: targets.some((t) => t.available),
      targets,
      unresolved: plan.unresolved.length > 0 ? plan.unresolved.map((u) => ({ model: u.model, error: u.error.message })) : null,
    });
  }

  return new Elysia({ name: "admin-availability" })
    .get("/api/models/availability", ({ query }) => {
      if (typeof query.model === "string" && query.model) return availabilityOf(query.model);
      const models = [];
      for (const combo of store.combos.values()) models.push(availabilityOf(combo.name));
      for (const m of listModels(services)) {
        if (m.owned_by === "alias" || m.owned_by === "combo") continue;
        const provider = store.providers.get(m.owned_by);
        if (!provider) continue;
        const t = targetView({ provider, model: m.root });
        models.push({ model: m.id, available: t.available, targets: [t] });
      }
      return { models, total: models.length };
    })

    .post("/api/models/availability", async ({ request }) => {
      const { model } = parseWith(AvailabilityQuery, await readJson(request));
      return availabilityOf(model);
    });
}
