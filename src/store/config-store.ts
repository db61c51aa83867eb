// The gateway's configuration held in memory. The hot path reads only from here; the
// control plane writes to SQLite and then calls reload(). Tables are small (providers,
// keys, aliases), so a full reload is simpler and safer than incremental patching.
import { isNull } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import * as t from "../db/schema.ts";
import { PROVIDERS } from "../providers/registry.ts";
import type { ModelInfo, ModelType, ProviderRuntime } from "../providers/types.ts";
import type { Cipher } from "../security/cipher.ts";
import { settingsFromRows, type Settings } from "../settings.ts";
import { nodeToRuntime } from "../providers/nodes.ts";
import { loadRoutingConfig, type RoutingConfig } from "../routing/routing-config.ts";
import { loadFeatureConfig, type FeatureConfig } from "../features/config.ts";

export interface ConnectionRuntime {
  id: string;
  provider: string;
  name: string;
  priority: number;
  isActive: boolean;
  apiKey: string | null;
  /** Per-connection base URL override (providerSpecificData.baseUrl). */
  baseUrl: string | null;
  testStatus: string;
  /** When the last connection test ran (epoch ms); a passing test clears an auth failure recorded before it. */
  lastTestedAt?: number | null;
}

export interface ApiKeyRuntime {
  id: string;
  name: string;
}

export interface ComboRuntime {
  id: string;
  name: string;
  strategy: string;
  targets: unknown[];
  config: Record<string, unknown>;
}

const NONE: readonly ConnectionRuntime[] = Object.freeze([]);

export class ConfigStore {
  providers = new Map<string, ProviderRuntime>();
  /** Lower-cased id, alias or node prefix → provider id. */
  prefixes = new Map<string, string>();
  connections = new Map<string, ConnectionRuntime>();
  connectionsByProvider = new Map<string, ConnectionRuntime[]>();
  /** The active ones, in the same order: routing asks for them on every request. */
  private activeByProvider = new Map<string, readonly ConnectionRuntime[]>();
  keysByHash = new Map<string, ApiKeyRuntime>();
  aliases = new Map<string, string>();
  combos = new Map<string, ComboRuntime>();
  customModels = new Map<string, ModelInfo[]>();
  settings!: Settings;
  /** Resilience profiles, client rate limits and policies (settings rows of their own, see src/routing). */
  routing!: RoutingConfig;
  /** System prompt, thinking budget, IP filter and upstream proxy (src/features/config.ts). */
  features!: FeatureConfig;
  loadedAt = 0;
  /** Connections whose secret could not be decrypted (wrong key file): shown, never used. */
  undecryptable = new Set<string>();

  constructor(
    private readonly db: Db,
    private readonly cipher: Cipher,
  ) {
    this.reload();
  }

  reload(): void {
    const providers = new Map<string, ProviderRuntime>();
    const prefixes = new Map<string, string>();
    for (const spec of PROVIDERS) {
      providers.set(spec.id, { ...spec, kind: "registry" });
      for (const p of [spec.id, ...spec.aliases]) prefixes.set(p.toLowerCase(), spec.id);
    }
    for (const node of this.db.select().from(t.providerNodes).all()) {
      const runtime = nodeToRuntime(node);
      providers.set(runtime.id, runtime);
      prefixes.set(node.prefix.toLowerCase(), runtime.id);
      prefixes.set(runtime.id.toLowerCase(), runtime.id);
    }

    const customModels = new Map<string, ModelInfo[]>();
    for (const row of this.db.select().from(t.providerModels).all()) {
      const list = customModels.get(row.provider) ?? [];
      list.push({ id: row.modelId, name: row.name ?? undefined, type: row.type as ModelType });
      customModels.set(row.provider, list);
    }

    const connections = new Map<string, ConnectionRuntime>();
    const byProvider = new Map<string, ConnectionRuntime[]>();
    const undecryptable = new Set<string>();
    for (const row of this.db.select().from(t.providerConnections).all()) {
      let apiKey: string | null = null;
      try {
        apiKey = row.apiKeyEnc ? this.cipher.decrypt(row.apiKeyEnc) : null;
      } catch {
        undecryptable.add(row.id);
      }
      const data = row.providerSpecificData ?? {};
      const conn: ConnectionRuntime = {
        id: row.id,
        provider: row.provider,
        name: row.name,
        priority: row.priority,
        isActive: row.isActive && !undecryptable.has(row.id),
        apiKey,
        baseUrl: typeof data.baseUrl === "string" && data.baseUrl ? data.baseUrl : null,
        testStatus: row.testStatus,
        lastTestedAt: row.lastTestedAt,
      };
      connections.set(conn.id, conn);
      const list = byProvider.get(conn.provider) ?? [];
      list.push(conn);
      byProvider.set(conn.provider, list);
    }
    const activeByProvider = new Map<string, readonly ConnectionRuntime[]>();
    for (const [providerId, list] of byProvider) {
      list.sort((a, b) => a.priority - b.priority || a.id.localeCompare(b.id));
      activeByProvider.set(providerId, Object.freeze(list.filter((c) => c.isActive)));
    }

    const keysByHash = new Map<string, ApiKeyRuntime>();
    for (const row of this.db.select().from(t.apiKeys).where(isNull(t.apiKeys.revokedAt)).all()) {
      keysByHash.set(row.keyHash, { id: row.id, name: row.name });
    }

    const aliases = new Map<string, string>();
    for (const row of this.db.select().from(t.modelAliases).all()) aliases.set(row.alias, row.target);

    const combos = new Map<string, ComboRuntime>();
    for (const row of this.db.select().from(t.combos).all()) {
      combos.set(row.name, { id: row.id, name: row.name, strategy: row.strategy, targets: row.targets, config: row.config });
    }

    const settingRows = this.db.select().from(t.settings).all();
    const settings = settingsFromRows(settingRows);
    const routing = loadRoutingConfig(settingRows);
    const features = loadFeatureConfig(settingRows, this.cipher);

    // Swap everything at once so a concurrent request never sees half a reload.
    Object.assign(this, {
      providers,
      prefixes,
      connections,
      connectionsByProvider: byProvider,
      activeByProvider,
      keysByHash,
      aliases,
      combos,
      customModels,
      settings,
      routing,
      features,
      undecryptable,
      loadedAt: Date.now(),
    });
  }

  /** A provider's models: the registry's known ones plus the user's custom ones. */
  modelsOf(providerId: string): ModelInfo[] {
    const provider = this.providers.get(providerId);
    const custom = this.customModels.get(providerId) ?? [];
    const known = provider?.models ?? [];
    const seen = new Set(custom.map((m) => m.id));
    return [...custom, ...known.filter((m) => !seen.has(m.id))];
  }

  /** The prefix clients use for a provider: a node's own prefix, else the registry id. */
  publicPrefix(providerId: string): string {
    const p = this.providers.get(providerId);
    if (p?.kind === "node") return p.aliases[0] ?? p.id;
    return providerId;
  }

  activeConnections(providerId: string): readonly ConnectionRuntime[] {
    return this.activeByProvider.get(providerId) ?? NONE;
  }
}
