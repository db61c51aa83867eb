// Static assets and the landing page. Files are imported with `type: "file"` so that
// `bun build --compile` embeds them: the binary serves them with nothing beside it.
import { Elysia } from "elysia";
import htmxPath from "htmx.org/dist/htmx.min.js" with { type: "file" };
import cssPath from "../../public/app.css" with { type: "file" };
import { VERSION } from "../config.ts";
import { apiKeyRequired, type Services } from "../services.ts";
import { HomePage } from "../../views/home.tsx";

const ASSETS: Record<string, { path: string; type: string }> = {
  "htmx.min.js": { path: htmxPath, type: "text/javascript; charset=utf-8" },
  "app.css": { path: cssPath, type: "text/css; charset=utf-8" },
};

export function staticRoutes(services: Services) {
  return new Elysia({ name: "static" })
    .get("/public/:file", ({ params }) => {
      const asset = ASSETS[params.file];
      if (!asset) return new Response("Not found", { status: 404, headers: { "content-type": "text/plain" } });
      return new Response(Bun.file(asset.path), {
        headers: { "content-type": asset.type, "cache-control": "public, max-age=3600" },
      });
    })
    .get("/", ({ request }) => {
      const { store } = services;
      const html = HomePage({
        version: VERSION,
        baseUrl: new URL(request.url).origin,
        providers: store.providers.size,
        connections: store.connections.size,
        keys: store.keysByHash.size,
        requireApiKey: apiKeyRequired(services),
      }) as string;
      return new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
    });
}
