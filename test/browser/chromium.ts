/** Debian's chromium package; scripts/test-deps.ts installs it when it is missing. */
export const CHROMIUM = "/usr/bin/chromium";
