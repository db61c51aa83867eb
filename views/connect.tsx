// Ready-to-paste client settings with this gateway's real base URL (what the browser used,
// or what a proxy in front reports). The settings follow docs/clients.md.
import { Alert, CodeBlock, PageHeader, Section } from "./components.tsx";

export interface ConnectProps {
  baseUrl: string;
  /** A model that routes now (or a sensible example when nothing is connected). */
  model: string;
  anthropicModel: string;
  keyCount: number;
  requireApiKey: boolean;
  connected: boolean;
}

export function ConnectPage(p: ConnectProps) {
  const key = "sk-omni-…";
  const v1 = `${p.baseUrl}/v1`;
  const snippets: { id: string; title: string; lang: string; note: string; code: string }[] = [
    {
      id: "curl",
      title: "Check it works (curl)",
      lang: "sh",
      note: "Any OpenAI-style request; the model string is provider/model or an alias.",
      code: `curl ${v1}/chat/completions \\
  -H "Content-Type: application/json" \\
  -H "Authorization: Bearer ${key}" \\
  -d '{"model":"${p.model}","messages":[{"role":"user","content":"Hello"}]}'`,
    },
    {
      id: "claude-code",
      title: "Claude Code",
      lang: "sh",
      note: "The base URL is the gateway root: Claude Code appends /v1/messages. Any routed model works, not only Claude.",
      code: `export ANTHROPIC_BASE_URL=${p.baseUrl}
export ANTHROPIC_AUTH_TOKEN=${key}
export ANTHROPIC_MODEL=${p.anthropicModel}
claude`,
    },
    {
      id: "codex",
      title: "Codex CLI (~/.codex/config.toml)",
      lang: "toml",
      note: "Codex speaks the Responses API; OmniRoute passes it through to Responses-API nodes and translates it for every other provider. Then: export OMNIROUTE_API_KEY=<key> and run codex.",
      code: `model = "${p.model}"
model_provider = "omniroute"

[model_providers.omniroute]
name = "OmniRoute"
base_url = "${v1}"
env_key = "OMNIROUTE_API_KEY"
wire_api = "responses"`,
    },
    {
      id: "cursor",
      title: "Cursor",
      lang: "text",
      note: "Cursor calls from its own servers: the URL must be reachable from the internet over https.",
      code: `Settings → Models → API Keys
  OpenAI API Key:            ${key}
  Override OpenAI Base URL:  ${v1}
  Add model:                 ${p.model}`,
    },
    {
      id: "open-webui",
      title: "Open WebUI",
      lang: "sh",
      note: "An OpenAI connection (all models); the gateway root also works as an Ollama URL.",
      code: `docker run -d -p 3000:8080 \\
  -e OPENAI_API_BASE_URL=${v1} \\
  -e OPENAI_API_KEY=${key} \\
  -v open-webui:/app/backend/data ghcr.io/open-webui/open-webui:main`,
    },
    {
      id: "openai-python",
      title: "OpenAI SDK (Python)",
      lang: "python",
      note: "base_url ends in /v1. Chat Completions and Responses both work.",
      code: `from openai import OpenAI

client = OpenAI(base_url="${v1}", api_key="${key}")
reply = client.chat.completions.create(
    model="${p.model}",
    messages=[{"role": "user", "content": "Hello"}],
)
print(reply.choices[0].message.content)`,
    },
    {
      id: "openai-js",
      title: "OpenAI SDK (JavaScript)",
      lang: "js",
      note: "",
      code: `import OpenAI from "openai";

const client = new OpenAI({ baseURL: "${v1}", apiKey: "${key}" });
const reply = await client.chat.completions.create({
  model: "${p.model}",
  messages: [{ role: "user", content: "Hello" }],
});
console.log(reply.choices[0].message.content);`,
    },
    {
      id: "anthropic-sdk",
      title: "Anthropic SDK (Python)",
      lang: "python",
      note: "base_url is the gateway root; the key goes as x-api-key.",
      code: `from anthropic import Anthropic

client = Anthropic(base_url="${p.baseUrl}", api_key="${key}")
message = client.messages.create(
    model="${p.anthropicModel}",
    max_tokens=1024,
    messages=[{"role": "user", "content": "Hello"}],
)
print(message.content[0].text)`,
    },
    {
      id: "gemini-cli",
      title: "Gemini CLI",
      lang: "sh",
      note: "Recent versions only; plain http is accepted for localhost only.",
      code: `export GOOGLE_GEMINI_BASE_URL=${p.baseUrl}
export GEMINI_API_KEY=${key}
gemini -m ${p.model}`,
    },
  ];
  return (
    <>
      <PageHeader title="Connect a client" subtitle="Point any tool at OmniRoute with the API it already speaks." />
      <Section title="Your gateway">
        <dl class="facts">
          <dt>OpenAI-compatible base URL</dt>
          <dd>
            <code id="base-v1" safe>{v1}</code>
          </dd>
          <dt>Anthropic / Gemini / Ollama base URL</dt>
          <dd>
            <code id="base-root" safe>{p.baseUrl}</code>
          </dd>
          <dt>Example model</dt>
          <dd>
            <code safe>{p.model}</code> · <a href="/dashboard/models">all models</a>
          </dd>
        </dl>
        {p.connected ? "" : <Alert tone="warn">No provider is connected yet: <a href="/dashboard/providers#add-connection">add a connection</a> first, or requests will have nowhere to go.</Alert>}
        {p.keyCount === 0 ? (
          <Alert tone="info">
            Replace <code>{key}</code> with a gateway key: <a href="/dashboard/keys">create one</a> (it is shown once).{" "}
            {p.requireApiKey ? "Keys are required." : "Keys are not required yet, but most tools insist on having one."}
          </Alert>
        ) : (
          <p class="muted small">
            Replace <code>{key}</code> with one of your <a href="/dashboard/keys">gateway keys</a>.
          </p>
        )}
      </Section>
      {snippets.map((s) => (
        <Section title={s.title} id={`client-${s.id}`}>
          {s.note ? (
            <p class="muted small" safe>
              {s.note}
            </p>
          ) : (
            ""
          )}
          <CodeBlock id={`code-${s.id}`} code={s.code} lang={s.lang} />
        </Section>
      ))}
    </>
  );
}
