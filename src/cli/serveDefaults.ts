// serve's option defaults, apart from serve itself: the command line shows them in --help without
// loading the key.
import { DEFAULT_UDP_HOST, DEFAULT_UDP_PORT } from '../hid/udp.js';

/** What the key does when asked for a touch, unless --presence says otherwise. */
export const DEFAULT_PRESENCE = 'approve';

export const SERVE_DEFAULTS = { transport: 'auto', host: DEFAULT_UDP_HOST, port: String(DEFAULT_UDP_PORT), presence: DEFAULT_PRESENCE };
