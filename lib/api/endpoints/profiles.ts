import { idParams, listQuery } from '@/lib/validations/common';
import { createProfileRequest, profileResponse, updatedProfileResponse, updateProfileRequest } from '@/lib/validations/profiles';
import { page, type Endpoint } from '../endpoint';

export const profileEndpoints = {
  listProfiles: {
    method: 'GET',
    path: '/api/v1/profiles',
    summary: 'List server profiles in name order, with how many mailboxes use each and its cap',
    roles: ['admin', 'support'],
    query: listQuery,
    response: page(profileResponse),
  },
  createProfile: {
    method: 'POST',
    path: '/api/v1/profiles',
    summary:
      'Create a server profile: name and serverType are enough for the rest to come from the preset (plus a client id and secret for OAuth)',
    roles: ['admin'],
    body: createProfileRequest,
    response: profileResponse,
    successStatus: 201,
  },
  getProfile: {
    method: 'GET',
    path: '/api/v1/profiles/{id}',
    summary: 'One server profile, without its client secret',
    roles: ['admin', 'support'],
    params: idParams,
    response: profileResponse,
  },
  updateProfile: {
    method: 'PATCH',
    path: '/api/v1/profiles/{id}',
    summary:
      'Change a server profile; clientSecret: a string replaces it, null clears it, absent keeps it. Changing the token, device, revocation, userinfo or JWKS endpoint, the issuer, tenant, client id or client authentication method clears the stored secret unless the same request sends one, and ends the grants of the profile\'s mailboxes (they must reconnect); `notices` says so',
    roles: ['admin'],
    params: idParams,
    body: updateProfileRequest,
    response: updatedProfileResponse,
  },
  deleteProfile: {
    method: 'DELETE',
    path: '/api/v1/profiles/{id}',
    summary: 'Delete a server profile; 409 while mailboxes use it',
    roles: ['admin'],
    params: idParams,
    successStatus: 204,
  },
} as const satisfies Record<string, Endpoint>;
