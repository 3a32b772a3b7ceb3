// A Square object that cannot be represented in the canonical schema without
// inventing or losing money. The route skips it and reports why.
export class MappingError extends Error {
  readonly code = "square_mapping_error" as const;
  constructor(
    readonly objectId: string,
    message: string,
  ) {
    super(`${objectId}: ${message}`);
    this.name = "MappingError";
  }
}
