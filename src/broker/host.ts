/**
 * Which machine this process runs on, as placements and deliveries record it (migrations.sql
 * version 7): CAFLEET_HOST when set (two hosts simulated on one machine, or a name that stays
 * when the hostname changes), else the hostname.
 */
export function thisHost(env: Record<string, string | undefined> = process.env): string {
  return env.CAFLEET_HOST || process.getBuiltinModule("node:os").hostname();
}
