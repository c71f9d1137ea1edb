/**
 * The `to_agent_id` of a web send that broadcasts (webui.md §3): the composer's `@all`. A module
 * of its own so the page can import it without the contract's Elysia schemas.
 */
export const BROADCAST_TARGET = "*";
