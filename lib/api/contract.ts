import { accessTokenEndpoints } from './endpoints/access-token';
import { apiKeyEndpoints } from './endpoints/api-keys';
import { bulkTestEndpoints } from './endpoints/bulk-tests';
import { connectionEndpoints } from './endpoints/connections';
import { mailboxEndpoints } from './endpoints/mailboxes';
import { messageEndpoints } from './endpoints/messages';
import { profileEndpoints } from './endpoints/profiles';
import { settingsEndpoints } from './endpoints/settings';
import { testEndpoints } from './endpoints/tests';
import { tokenStatusEndpoints } from './endpoints/token-status';
import { systemEndpoints, userEndpoints } from './endpoints/users';

export type { Endpoint } from './endpoint';

/**
 * The HTTP API, one entry per endpoint, gathered from one file per domain under ./endpoints:
 * route handlers validate with these schemas and `/api/v1/openapi.json` is generated from them,
 * so the two cannot drift apart.
 */
export const endpoints = {
  ...systemEndpoints,
  ...userEndpoints,
  ...apiKeyEndpoints,
  ...profileEndpoints,
  ...mailboxEndpoints,
  ...connectionEndpoints,
  ...testEndpoints,
  ...bulkTestEndpoints,
  ...tokenStatusEndpoints,
  ...accessTokenEndpoints,
  ...settingsEndpoints,
  ...messageEndpoints,
};
