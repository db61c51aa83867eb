// Shared helpers for the /api/* control plane. Its error shapes follow OmniRoute's so that
// scripts written for it keep working: validation → {error:{message,details}}, else {error}.
import { z } from "zod";
import { GatewayError } from "../errors.ts";

export async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new GatewayError(400, "invalid_json", "Invalid JSON body", { validation: [{ field: "body", message: "Invalid JSON body" }] });
  }
}

export function parseWith<T extends z.ZodType>(schema: T, data: unknown): z.infer<T> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new GatewayError(400, "invalid_request", "Invalid request", {
    validation: result.error.issues.map((i) => ({ field: i.path.join("."), message: i.message })),
  });
}

export function adminErrorResponse(err: GatewayError): Response {
  const body = err.details.validation
    ? { error: { message: err.message, details: err.details.validation } }
    : { error: err.message };
  return Response.json(body, { status: err.status });
}

export const json = (data: unknown, status = 200) => Response.json(data, { status });

/** Timestamps are stored as epoch ms and shown as ISO strings, like OmniRoute's API. */
export const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? undefined : new Date(ms).toISOString());

/** OmniRoute omits empty fields instead of sending null. */
export function withoutNulls<T extends Record<string, unknown>>(obj: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== null && v !== undefined) out[k] = v;
  return out as Partial<T>;
}

/** A 400 in the validation envelope for one field, for checks zod cannot express (uniqueness, lookups). */
export function fieldError(field: string, message: string): GatewayError {
  return new GatewayError(400, "invalid_request", "Invalid request", { validation: [{ field, message }] });
}

/** OmniRoute answers an update that changes nothing with this validation error. */
export const noFieldsToUpdate = () => fieldError("", "No valid fields to update");

/** Absolute http(s) URLs only: a base URL we will fetch from. */
export const httpUrl = () => z.url({ protocol: /^https?$/, error: "Must be an http(s) URL" });

/** A string field whose absence reads "<message>" (OmniRoute's "Name is required") while other problems keep zod's wording. */
export const requiredString = (message: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? message : undefined) }).trim().min(1, message);
