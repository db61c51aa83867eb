// Static assets, and the root redirecting to the dashboard. Files are imported with `type: "file"` so that
// `bun build --compile` embeds them: the binary serves them with nothing beside it.
import { Elysia } from "elysia";
import htmxPath from "htmx.org/dist/htmx.min.js" with { type: "file" };
import cssPath from "../../public/app.css" with { type: "file" };
import jsPath from "../../public/app.js" with { type: "file" };
import type { Services } from "../services.ts";

const ASSETS: Record<string, { path: string; type: string }> = {
  "htmx.min.js": { path: htmxPath, type: "text/javascript; charset=utf-8" },
  "app.css": { path: cssPath, type: "text/css; charset=utf-8" },
  "app.js": { path: jsPath, type: "text/javascript; charset=utf-8" },
};

export function staticRoutes(_services: Services) {
  return new Elysia({ name: "static" })
    .get("/public/:file", ({ params }) => {
      const asset = ASSETS[params.file];
      if (!asset) return new Response("Not found", { status: 404, headers: { "content-type": "text/plain" } });
      return new Response(Bun.file(asset.path), {
        headers: { "content-type": asset.type, "cache-control": "public, max-age=3600" },
      });
    })
    // The root is the dashboard (which sends a visitor to /login when a password protects it).
    .get("/", () => new Response(null, { status: 302, headers: { location: "/dashboard" } }));
}
