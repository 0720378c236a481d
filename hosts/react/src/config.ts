// The host's runtime settings, from its own server's /config.json (see serve.mjs), so that
// one build runs against any API and tenant.

export interface HostConfig {
  /** The API's origin: the element's bundle, `/exchange` and `/api/*` live there. */
  api: string;
  /** The Auth0 domain (or the development issuer's URL, which is http and has a path). */
  domain: string;
  clientId: string;
  /** The API identifier, the audience of the access tokens. */
  audience: string;
}

export async function loadConfig(): Promise<HostConfig> {
  const response = await fetch("/config.json");
  if (!response.ok) throw new Error(`/config.json: ${response.status}`);
  return (await response.json()) as HostConfig;
}
