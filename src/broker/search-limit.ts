/** How many hits a search returns (both doors check a given limit against `max`). */
export const SEARCH_LIMIT = { default: 50, max: 200 };
