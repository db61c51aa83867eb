/** A model's price in US dollars per 1 million tokens (see src/usage/prices.ts for the fields). */
export interface ModelPrice {
  input: number;
  output: number;
  cached?: number;
  reasoning?: number;
  cacheCreation?: number;
}

/** Where a price came from: an operator override, the built-in table, or a same-named model elsewhere. */
export type PriceSource = "override" | "builtin" | "inferred";

export interface ResolvedPrice {
  price: ModelPrice;
  source: PriceSource;
}
