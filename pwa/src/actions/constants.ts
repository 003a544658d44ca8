/** Names shared by the page and the service worker. */

/** Background Sync tag whose `sync` event replays the outbox. */
export const SYNC_TAG = 'outbox';
