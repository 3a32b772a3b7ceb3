// Manifest pieces that are the same for every connector that follows the guide.

/** Where the token response holds the tokens: RFC 6749's field names, plus the provider's own fields. */
export function rfc6749TokenPaths<T extends Record<string, string>>(providerPaths: T): { accessTokenPath: string; refreshTokenPath: string } & T {
  return { accessTokenPath: "access_token", refreshTokenPath: "refresh_token", ...providerPaths };
}

/** The guide's postConnect: the setup route that proves the token works and names the account. */
export const TEST_CONNECTION_POST_CONNECT = { route: "/setup/test_connection", method: "POST" } as const;
