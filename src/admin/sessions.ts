// GET /api/sessions: requests in flight — streams being relayed with their tokens so far —
// and the clients seen recently (key, client format, user agent, model). In memory only.
import { Elysia } from "elysia";
import type { Services } from "../services.ts";

export function sessionRoutes(services: Services) {
  return new Elysia({ name: "admin-sessions" }).get("/api/sessions", () => {
    const rows = services.db.$client.query("SELECT id, name FROM api_keys").all() as { id: string; name: string }[];
    const names = new Map(rows.map((r) => [r.id, r.name]));
    const relaying = services.live.ids();
    return services.accounting.sessions.snapshot(names, (id) => relaying.has(id));
  });
}
