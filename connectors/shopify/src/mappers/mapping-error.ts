/** A Shopify record the mapper cannot turn into a canonical one; the route reports it and moves on. */
export class MappingError extends Error {
  override readonly name = "MappingError";
}
