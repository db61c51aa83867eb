// Secrets out of logged bodies: by field name and by the shape of well-known credentials.
import { expect, test } from "bun:test";
import { loggableBody, redactJson, redactText, truncate } from "../../src/usage/redact.ts";

test("credential shapes are replaced wherever they appear", () => {
  const secrets = [
    "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx",
    "sk-ant-api03-abcdefghijklmnopqrstuv",
    "sk-or-v1-0123456789abcdef0123",
    "sk-omni-AAAAbbbbCCCCddddEEEEffff",
    "AIzaSyA1234567890abcdefghijklmnopqrs",
    "gsk_abcdefghijklmnopqrstuvwx",
    "xai-abcdefghijklmnopqrstuvwxyz",
    "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    "AKIAIOSFODNN7EXAMPLE",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
  ];
  for (const s of secrets) {
    const out = redactText(`before ${s} after`);
    expect(out).toBe("before [REDACTED] after");
  }
  expect(redactText("Authorization: Bearer abc.def-123456")).toBe("Authorization: Bearer [REDACTED]");
  // Ordinary text, ids and numbers stay.
  const plain = "model gpt-4o-mini, max_tokens 1024, id chatcmpl-123, task-list";
  expect(redactText(plain)).toBe(plain);
});

test("secret-named fields lose their value; others are scanned; long strings shortened", () => {
  const body = {
    model: "x",
    api_key: "whatever",
    headers: { Authorization: "Basic Zm9vOmJhcg==", "x-api-key": "k" },
    password: "hunter2",
    max_tokens: 5,
    token: null,
    messages: [{ role: "user", content: `key sk-abcdefghijklmnopqrstuvwxyz here` }, { image: "A".repeat(5000) }],
  };
  const out = redactJson(body) as any;
  expect(out.api_key).toBe("[REDACTED]");
  expect(out.headers).toEqual({ Authorization: "[REDACTED]", "x-api-key": "[REDACTED]" });
  expect(out.password).toBe("[REDACTED]");
  expect(out.max_tokens).toBe(5);
  expect(out.token).toBeNull();
  expect(out.messages[0].content).toBe("key [REDACTED] here");
  expect(out.messages[1].image).toBe(`${"A".repeat(256)}…[4744 chars omitted]`);
});

test("bodies: JSON redacted field by field, SSE by pattern, both truncated", () => {
  expect(loggableBody('{"password":"p","n":1}', 100)).toBe('{"password":"[REDACTED]","n":1}');
  const sse = `data: {"content":"sk-abcdefghijklmnopqrstuvwxyz"}\n\n`.repeat(50);
  const out = loggableBody(sse, 120);
  expect(out).not.toContain("sk-abc");
  expect(out).toStartWith('data: {"content":"[REDACTED]"}');
  expect(out).toMatch(/…\[truncated \d+ chars\]$/);
  expect(truncate("abcdef", 3)).toBe("abc…[truncated 3 chars]");
});
