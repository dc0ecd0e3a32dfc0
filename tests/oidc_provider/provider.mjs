// A real OpenID Connect provider (panva/oidc-provider) for the SSO tests, on 127.0.0.1.
// Usage: node provider.mjs <config.json>; prints "READY <issuer>" once it listens.
// The config names the port, the registered clients and the accounts with their claims:
//   {"port": 5123, "issuer": (optional, e.g. a proxy in front of it), "clients": [{"client_id", "client_secret", "redirect_uris": [...]}],
//    "accounts": {"<login>": {"email": "...", "email_verified": true, "name": "..."}}}
// Sign-in and consent use the provider's own development pages (any password is accepted).
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = config.issuer || `http://127.0.0.1:${config.port}`;

const provider = new Provider(issuer, {
  clients: config.clients.map((client) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...client,
  })),
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Put the email claims in the ID token itself, as Google does.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  cookies: { keys: ['lms-test-oidc-provider-cookie-key'] },
  async findAccount(ctx, id) {
    const claims = config.accounts[id] || { email: id, email_verified: true, name: id };
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
});
provider.on('server_error', (ctx, err) => console.error('server_error', err));

provider.listen(config.port, '127.0.0.1', () => {
  console.log(`READY ${issuer}`);
});
