import type { z } from "zod";
import { GatewayError } from "../errors.ts";

/** Reads a JSON request body; malformed JSON is the client's error (400), not ours. */
export async function readJsonBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (!text) throw new GatewayError(400, "invalid_json", "Request body is empty; expected JSON.");
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new GatewayError(400, "invalid_json", `Request body is not valid JSON: ${(err as Error).message}`);
  }
}

export function validateBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw new GatewayError(400, "invalid_request", "Request body must be a JSON object.");
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = issue.path.join(".");
  throw new GatewayError(400, "invalid_request", param ? `Invalid '${param}': ${issue.message}` : issue.message, { param });
}
