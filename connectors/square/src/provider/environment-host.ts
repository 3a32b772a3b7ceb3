// Square's two OAuth hosts: production and sandbox, chosen by the `environment` setting
// (manifest hostValidation `normalize: "squareEnvironmentHost"`).
import type { HostNormalizer } from "@backfill-io/sdk";

export const SQUARE_HOSTS = { production: "connect.squareup.com", sandbox: "connect.squareupsandbox.com" } as const;

export const squareEnvironmentHost: HostNormalizer = (input) => {
  const value = typeof input === "string" ? input.trim().toLowerCase() : "";
  if (value in SQUARE_HOSTS) return { ok: true, value: SQUARE_HOSTS[value as keyof typeof SQUARE_HOSTS] };
  if ((Object.values(SQUARE_HOSTS) as string[]).includes(value)) return { ok: true, value };
  return { ok: false, message: `${JSON.stringify(input)} is not a Square environment; expected production or sandbox` };
};
