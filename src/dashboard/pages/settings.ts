// /dashboard/settings: the login password and requireLogin (through the same rules as
// /api/settings/require-login), and every runtime setting in SettingsSchema. The gateway form
// is built from the schema itself, so a setting added there shows up here without a change:
// booleans become checkboxes, numbers number inputs (with the schema's bounds), anything
// structured a JSON box.
import { Elysia } from "elysia";
import type { z } from "zod";
import { apiKeyRequired } from "../../services.ts";
import { SettingsSchema } from "../../settings.ts";
import { GatewaySection, SecuritySection, SettingsPage, type GatewayState, type SecurityProps, type SettingField } from "../../../views/settings.tsx";
import type { FieldErrors } from "../../../views/components.tsx";
import { updateLoginSettings } from "../auth/actions.ts";
import { sessionCookie } from "../auth/session.ts";
import { MIN_PASSWORD_LENGTH } from "../auth/state.ts";
import { checkbox, field, html, isHx, renderPage, type Dash, type DashboardPage } from "../http.ts";

const PATH = "/dashboard/settings";

/** Words for the settings the schema's keys do not say well enough. */
const DESCRIBED: Record<string, { label: string; hint?: string }> = {
  requireApiKey: { label: "Require an API key", hint: "clients must send one of your gateway keys" },
  streamKeepAliveSeconds: { label: "Stream keep-alive (seconds)", hint: "keep-alive after this much upstream silence; 0 = never" },
};

const humanize = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, "$1 $2").replace(/^./, (c) => c.toUpperCase()).replace(/ ([A-Z])(?=[a-z])/g, (m) => m.toLowerCase());

function innerType(schema: z.ZodType): any {
  let s: any = schema;
  while (s?.def && ["default", "optional", "nullable", "prefault", "catch"].includes(s.def.type)) s = s.def.innerType;
  return s;
}

export function settingFields(dash: Dash): SettingField[] {
  const { services } = dash;
  const values = services.store.settings as Record<string, unknown>;
  return Object.entries(SettingsSchema.shape as Record<string, z.ZodType>).map(([key, schema]) => {
    const inner = innerType(schema);
    const type = inner?.def?.type;
    const kind: SettingField["kind"] = type === "boolean" ? "boolean" : type === "number" ? "number" : type === "string" ? "string" : "json";
    const described = DESCRIBED[key] ?? { label: humanize(key) };
    const f: SettingField = { key, kind, value: values[key], ...described };
    if (kind === "number") {
      if (Number.isFinite(inner.minValue)) f.min = inner.minValue;
      if (Number.isFinite(inner.maxValue)) f.max = inner.maxValue;
    }
    if (key === "requireApiKey" && services.config.requireApiKey !== undefined) {
      // What is in force, not the stored value the override hides.
      f.value = apiKeyRequired(services);
      f.lockedBy = `REQUIRE_API_KEY / --require-api-key (${f.value ? "on" : "off"})`;
    }
    return f;
  });
}

/** The form back into a settings patch; a field that cannot be read is a field error. */
function patchFrom(fields: SettingField[], body: unknown): { patch: Record<string, unknown>; errors: FieldErrors } {
  const patch: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  const posted = (body ?? {}) as Record<string, unknown>;
  for (const f of fields) {
    // A field the form did not send (an older page, a script posting a subset) is left alone.
    if (f.lockedBy || !(f.key in posted)) continue;
    const raw = field(body, f.key);
    if (f.kind === "boolean") patch[f.key] = checkbox(body, f.key);
    else if (f.kind === "number") {
      const n = Number(raw);
      if (raw === "" || !Number.isFinite(n)) errors[f.key] = "Enter a number";
      else patch[f.key] = n;
    } else if (f.kind === "string") patch[f.key] = raw;
    else {
      try {
        patch[f.key] = JSON.parse(raw);
      } catch {
        errors[f.key] = "Not valid JSON";
      }
    }
  }
  return { patch, errors };
}

export function settingsRoutes(dash: Dash) {
  const { services, auth } = dash;

  const security = (extra: Partial<SecurityProps> = {}): SecurityProps => ({
    hasPassword: auth.hasPassword,
    requireLogin: auth.requireLogin,
    loginEnforced: auth.loginEnforced,
    adminToken: !!services.config.adminToken,
    minLength: MIN_PASSWORD_LENGTH,
    ...extra,
  });

  function page(request: Request, opts: { security?: Partial<SecurityProps>; gateway?: GatewayState; status?: number } = {}) {
    return renderPage(dash, request, {
      title: "Settings",
      current: PATH,
      body: SettingsPage({ security: security(opts.security), gateway: settingFields(dash), gatewayState: opts.gateway }) as string,
      status: opts.status,
    });
  }

  return new Elysia({ name: "dashboard-settings" })
    .get(PATH, ({ request }) => page(request))

    .post(`${PATH}/security`, async ({ request, body }) => {
      const password = field(body, "password");
      const respond = (s: Partial<SecurityProps>, status = 200, headers: Record<string, string> = {}) =>
        isHx(request) ? html(SecuritySection(security(s)) as string, status, headers) : page(request, { security: s, status });
      if (password && password !== field(body, "confirm")) return respond({ errors: { confirm: "The two passwords differ" } }, 400);
      const outcome = await updateLoginSettings(auth, request, {
        requireLogin: checkbox(body, "requireLogin"),
        ...(password ? { password } : {}),
        // Also needed to turn login off (actions.ts).
        currentPassword: field(body, "currentPassword") || undefined,
      });
      if (!outcome.ok) return respond({ errors: { [outcome.field]: outcome.error } }, outcome.status);
      // A new password ended every session, this one included: hand the browser a fresh cookie.
      const headers: Record<string, string> = outcome.token ? { "set-cookie": sessionCookie(request, outcome.token) } : {};
      const notice = password ? "Password saved. Other sessions were logged out." : "Saved.";
      if (!isHx(request)) return new Response(null, { status: 303, headers: { location: `${PATH}#security`, ...headers } });
      return respond({ notice }, 200, headers);
    })

    .post(`${PATH}/gateway`, async ({ request, body }) => {
      const fields = settingFields(dash);
      const { patch, errors } = patchFrom(fields, body);
      const respond = (state: GatewayState, status = 200) =>
        isHx(request) ? html(GatewaySection({ fields: settingFields(dash), ...state }) as string, status) : page(request, { gateway: state, status });
      if (Object.keys(errors).length) return respond({ errors }, 400);
      const res = await dash.api("PUT", "/api/settings", patch);
      if (!res.ok) return respond({ errors: res.fields, error: Object.keys(res.fields).length ? null : res.error }, res.status);
      return respond({ notice: "Saved." });
    });
}

export const settingsPage: DashboardPage = { path: PATH, label: "Settings", group: "System", order: 0, routes: settingsRoutes };
