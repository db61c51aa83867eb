// Every dashboard page, in one list: the navigation is built from it. A new area's page is a
// file in this folder (a DashboardPage: path, label, group, order, routes) plus one line here.
import type { DashboardPage } from "../http.ts";
import { aliasesPage } from "./aliases.ts";
import { auditPage } from "./audit.ts";
import { backupsPage } from "./backups.ts";
import { budgetsPage } from "./budgets.ts";
import { cachePage } from "./cache.ts";
import { combosPage } from "./combos.ts";
import { connectPage } from "./connect.ts";
import { keysPage } from "./keys.ts";
import { modelsPage } from "./models.ts";
import { nodesPage } from "./nodes.ts";
import { overviewPage } from "./overview.ts";
import { pricingPage } from "./pricing.ts";
import { processingPage } from "./processing.ts";
import { providersPage } from "./providers.ts";
import { resiliencePage } from "./resilience.ts";
import { settingsPage } from "./settings.ts";
import { telemetryPage } from "./telemetry.ts";
import { usagePage } from "./usage.ts";

export const PAGES: DashboardPage[] = [
  overviewPage,
  providersPage,
  nodesPage,
  modelsPage,
  combosPage,
  aliasesPage,
  resiliencePage,
  keysPage,
  connectPage,
  usagePage,
  pricingPage,
  budgetsPage,
  telemetryPage,
  auditPage,
  settingsPage,
  processingPage,
  cachePage,
  backupsPage,
];
