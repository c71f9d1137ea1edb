/** The platforms a release ships a binary for: one `bun build --target`, file and npm package each. */

export type Platform = { os: "linux" | "darwin"; arch: "x64" | "arm64" };

export const PLATFORMS: readonly Platform[] = [
  { os: "linux", arch: "x64" },
  { os: "linux", arch: "arm64" },
  { os: "darwin", arch: "x64" },
  { os: "darwin", arch: "arm64" },
];

/** `linux-x64`: Node's `${process.platform}-${process.arch}`, which the npm shim looks up. */
export function platformKey(platform: Platform): string {
  return `${platform.os}-${platform.arch}`;
}

export function bunTarget(platform: Platform): string {
  return `bun-${platformKey(platform)}`;
}

/** dist/cafleet-linux-x64 and friends. */
export function binaryName(platform: Platform): string {
  return `cafleet-${platformKey(platform)}`;
}

export function npmPackageName(platform: Platform): string {
  return `@cafleet/${platformKey(platform)}`;
}

export function hostPlatform(): Platform | undefined {
  return PLATFORMS.find((platform) => platform.os === process.platform && platform.arch === process.arch);
}
