import { Layout } from "./layout.tsx";

export interface HomeProps {
  version: string;
  baseUrl: string;
  providers: number;
  connections: number;
  keys: number;
  requireApiKey: boolean;
}

function Stat({ label, value }: { label: string; value: number | string }) {
  return (
    <div class="card">
      <div class="n" safe>{String(value)}</div>
      <div class="muted" safe>{label}</div>
    </div>
  );
}

/** The landing page: what is running and how to point a client at it. */
export function HomePage(p: HomeProps) {
  const curl = `curl ${p.baseUrl}/v1/chat/completions \\
  -H "Content-Type: application/json" ${p.requireApiKey ? `\\\n  -H "Authorization: Bearer <your OmniRoute key>" ` : ""}\\
  -d '{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Hello"}]}'`;
  return (
    <Layout title="OmniRoute">
      <h1>OmniRoute</h1>
      <p class="muted" safe>{`Version ${p.version} · gateway at ${p.baseUrl}/v1`}</p>
      <div class="cards">
        <Stat label="providers in catalogue" value={p.providers} />
        <Stat label="connections" value={p.connections} />
        <Stat label="API keys" value={p.keys} />
        <Stat label="API key required" value={p.requireApiKey ? "yes" : "no"} />
      </div>
      <h2>Send a request</h2>
      <pre>
        <code safe>{curl}</code>
      </pre>
      <p class="muted">
        Add a provider connection with <code>POST /api/providers</code>; see the README for every endpoint.
      </p>
    </Layout>
  );
}
